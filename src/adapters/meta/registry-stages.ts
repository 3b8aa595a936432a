/**
 * @module
 * Stage pointers and their history. A batch of moves runs under the model
 * row's lock in one transaction: every move or none. Each move appends an
 * event, so where a stage pointed at any time can be answered later.
 */
import { fail } from '../../core/errors.ts';
import type { StageEvent, StageMove, StagePointer } from '../../core/registry/registry-types.ts';
import type { Db } from './meta-dialect.ts';
import type { Tx } from './object-writes.ts';
import { lockModel, notFound } from './registry-common.ts';
import type { RegistryContext } from './registry-common.ts';
import { toStage, toStageEvent } from './registry-rows.ts';

async function currentNumber(tx: Tx, modelId: string, stage: string): Promise<number | null> {
  const row = await tx.db
    .selectFrom('registry_stages')
    .select('number')
    .where('model_id', '=', modelId)
    .where('stage', '=', stage)
    .executeTakeFirst();
  return row === undefined ? null : Number(row.number);
}

async function appendEvent(tx: Tx, e: Omit<StageEvent, 'seq'>): Promise<void> {
  await tx.db
    .insertInto('registry_stage_events')
    .values({ model_id: e.modelId, stage: e.stage, number: e.number, previous: e.previous, at: e.at.getTime(), actor: e.actor })
    .execute();
}

async function pointAt(tx: Tx, modelId: string, move: StageMove & { to: number }, actor: string, at: Date): Promise<void> {
  const version = await tx.db
    .selectFrom('registry_model_versions')
    .select('number')
    .where('model_id', '=', modelId)
    .where('number', '=', move.to)
    .executeTakeFirst();
  if (version === undefined) notFound('version', `No version ${move.to} of model ${modelId}.`);
  const row = {
    model_id: modelId,
    stage: move.stage,
    number: move.to,
    status: move.status ?? null,
    description: move.description ?? null,
    moved_at: at.getTime(),
    moved_by: actor,
  };
  await tx.db
    .insertInto('registry_stages')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['model_id', 'stage']).doUpdateSet({
        number: row.number,
        status: row.status,
        description: row.description,
        moved_at: row.moved_at,
        moved_by: row.moved_by,
      }),
    )
    .execute();
}

async function applyMove(tx: Tx, modelId: string, move: StageMove, actor: string, at: Date): Promise<void> {
  const previous = await currentNumber(tx, modelId, move.stage);
  if (move.expect !== undefined && move.expect !== previous) {
    fail('Conflict', `Stage ${move.stage} points at ${previous ?? 'nothing'}, not ${move.expect ?? 'nothing'}.`, {
      Stage: move.stage,
    });
  }
  if (move.to === null) {
    await tx.db.deleteFrom('registry_stages').where('model_id', '=', modelId).where('stage', '=', move.stage).execute();
  } else {
    await pointAt(tx, modelId, { ...move, to: move.to }, actor, at);
  }
  await appendEvent(tx, { modelId, stage: move.stage, number: move.to, previous, at, actor });
}

export function moveStages(
  ctx: RegistryContext,
  modelId: string,
  moves: readonly StageMove[],
  actor: string,
  at: Date,
): Promise<StagePointer[]> {
  return ctx.write(async (tx) => {
    await lockModel(tx, modelId);
    // In order: a later move of the same stage sees the earlier one.
    for (const move of moves) await applyMove(tx, modelId, move, actor, at);
    return getStages(tx.db, modelId);
  });
}

/** Clears every stage pointing at a version being deleted, recording each as an event. */
export async function clearStagesOf(tx: Tx, modelId: string, number: number, actor: string, at: Date): Promise<void> {
  const stages = await tx.db
    .selectFrom('registry_stages')
    .select('stage')
    .where('model_id', '=', modelId)
    .where('number', '=', number)
    .orderBy('stage')
    .execute();
  for (const { stage } of stages) {
    await tx.db.deleteFrom('registry_stages').where('model_id', '=', modelId).where('stage', '=', stage).execute();
    await appendEvent(tx, { modelId, stage, number: null, previous: number, at, actor });
  }
}

export async function getStages(db: Db, modelId: string): Promise<StagePointer[]> {
  const rows = await db.selectFrom('registry_stages').selectAll().where('model_id', '=', modelId).orderBy('stage').execute();
  return rows.map(toStage);
}

/** The last move at or before `at` decides; moves with the same time count in the order they happened. */
export async function stageAt(db: Db, modelId: string, stage: string, at: Date): Promise<number | null> {
  const row = await db
    .selectFrom('registry_stage_events')
    .select('number')
    .where('model_id', '=', modelId)
    .where('stage', '=', stage)
    .where('at', '<=', at.getTime())
    .orderBy('at', 'desc')
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.number === undefined || row.number === null ? null : Number(row.number);
}

export async function stageHistory(
  db: Db,
  modelId: string,
  stage: string | null,
  beforeSeq: number | null,
  limit: number,
): Promise<StageEvent[]> {
  const rows = await db
    .selectFrom('registry_stage_events')
    .selectAll()
    .where('model_id', '=', modelId)
    .$if(stage !== null, (q) => q.where('stage', '=', stage ?? ''))
    .$if(beforeSeq !== null, (q) => q.where('seq', '<', beforeSeq ?? 0))
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toStageEvent);
}
