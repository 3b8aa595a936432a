/**
 * @module
 * REST: stage pointers. Read them all, move several at once (atomic; each
 * move may `expect` the version it replaces: compare-and-swap, 409 on a
 * mismatch), ask which version a stage held at a time, read the history.
 */
import { fail } from '../../../core/errors.ts';
import type { StageMove } from '../../../core/registry/registry-types.ts';
import { pageJson, pointerJson, stageEventJson } from '../rest-json.ts';
import { ok, type RestContext, type Route } from '../rest-router.ts';
import { defined, modelRef, PAGE, pageOf } from './common.ts';

async function getStages(c: RestContext) {
  c.query([]);
  const pointers = await c.registry.models.getStages(c.who, modelRef(c));
  return ok({ items: pointers.map(pointerJson), nextCursor: null });
}

async function moveStages(c: RestContext) {
  const b = await c.body(['moves']);
  const items = b.objects('moves', ['stage', 'to', 'expect', 'status', 'description']);
  if (items === undefined) fail('InvalidArgument', '"moves" is required');
  const moves: StageMove[] = items.map((m) => {
    const to = m.nullableInteger('to', 1);
    if (to === undefined) m.requiredInteger('to', 1);
    return defined({ stage: m.requiredString('stage'), to: to!, expect: m.nullableInteger('expect', 1), status: m.nullableString('status'), description: m.nullableString('description') });
  });
  const pointers = await c.registry.models.moveStages(c.who, modelRef(c), moves);
  return ok({ items: pointers.map(pointerJson), nextCursor: null });
}

/** `at` absent: now. The answer's `number` is null when the stage held no version then. */
async function stageAt(c: RestContext) {
  const at = c.query(['at']).date('at') ?? c.clock();
  const number = await c.registry.models.stageAt(c.who, modelRef(c), c.params.stage!, at);
  return ok({ stage: c.params.stage!, at, number });
}

async function stageHistory(c: RestContext) {
  const q = c.query(['stage', ...PAGE]);
  const page = await c.registry.models.stageHistory(c.who, modelRef(c), q.string('stage') ?? null, pageOf(q));
  return ok(pageJson(page, stageEventJson));
}

const M = '/models/{namespace}/{name}';

export const STAGE_ROUTES: readonly Route[] = [
  { method: 'GET', path: `${M}/stages`, handler: getStages },
  { method: 'POST', path: `${M}/stages`, handler: moveStages },
  { method: 'GET', path: `${M}/stages/{stage}`, handler: stageAt },
  { method: 'GET', path: `${M}/history`, handler: stageHistory },
];
