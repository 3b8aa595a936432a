/**
 * @module
 * Models, their versions and the files of versions. Version numbers come
 * from the model row's `last_number`, read and raised under the model row's
 * lock (FOR UPDATE on PostgreSQL; SQLite has one writer), so concurrent
 * registrations never share a number and deleted numbers are never reused.
 */
import { sql } from 'kysely';
import { fail } from '../../core/errors.ts';
import type {
  FileOwner,
  Model,
  ModelVersion,
  NewModel,
  NewModelVersion,
  PackageStatus,
  RegisteredFile,
} from '../../core/registry/registry-types.ts';
import type { ModelFilter, ModelPatch, ModelRef, VersionPatch } from '../../ports/registry-store.ts';
import { forUpdate } from './object-writes.ts';
import type { Tx } from './object-writes.ts';
import { chunks, contains, inUse, lockModel, notFound, unique } from './registry-common.ts';
import type { RegistryContext } from './registry-common.ts';
import { fileRow, modelRow, ownerColumns, toFile, toModel, toVersion, versionRow } from './registry-rows.ts';
import { clearStagesOf } from './registry-stages.ts';
import type { Db } from './meta-dialect.ts';
import { deleteTagsOf } from './registry-tags.ts';

// Models

export async function createModel(ctx: RegistryContext, model: NewModel): Promise<Model> {
  const row = modelRow(model);
  await ctx.write(({ db }) =>
    unique(ctx.dialect, 'model', `Model ${model.namespace}/${model.name} exists.`, () =>
      db.insertInto('registry_models').values(row).execute(),
    ),
  );
  return { ...model, lastNumber: 0 };
}

export async function getModel(db: Db, ref: ModelRef): Promise<Model | null> {
  const q = db.selectFrom('registry_models').selectAll();
  const row = await ('id' in ref
    ? q.where('id', '=', ref.id)
    : q.where('namespace', '=', ref.namespace).where('name', '=', ref.name)
  ).executeTakeFirst();
  return row === undefined ? null : toModel(row);
}

export async function listModels(ctx: RegistryContext, f: ModelFilter): Promise<Model[]> {
  const byTime = f.sortBy === 'CreationTime';
  const dir = f.order === 'Descending' ? 'desc' : 'asc';
  const [first, second] = byTime ? (['created_at', 'id'] as const) : (['namespace', 'name'] as const);
  const a = f.after;
  const op = dir === 'asc' ? '>' : '<';
  const rows = await ctx.reader
    .selectFrom('registry_models')
    .selectAll()
    .$if(f.namespace !== undefined, (q) => q.where('namespace', '=', f.namespace ?? ''))
    .$if(f.nameContains !== undefined, (q) => q.where(contains(ctx.dialect, 'name', f.nameContains ?? '')))
    .$if(f.unversioned !== undefined, (q) =>
      q.where(f.unversioned === true ? sql<boolean>`unversioned` : sql<boolean>`not unversioned`),
    )
    .$if(f.createdAfter !== undefined, (q) => q.where('created_at', '>', f.createdAfter?.getTime() ?? 0))
    .$if(f.createdBefore !== undefined, (q) => q.where('created_at', '<', f.createdBefore?.getTime() ?? 0))
    .$if(a !== null && byTime, (q) =>
      q.where((eb) => eb(eb.refTuple('created_at', 'id'), op, eb.tuple(a!.createdAt.getTime(), a!.id))),
    )
    .$if(a !== null && !byTime, (q) => q.where((eb) => eb(eb.refTuple('namespace', 'name'), op, eb.tuple(a!.namespace, a!.name))))
    .orderBy(first, dir)
    .orderBy(second, dir)
    .limit(f.limit)
    .execute();
  return rows.map(toModel);
}

export function updateModel(ctx: RegistryContext, id: string, patch: ModelPatch): Promise<Model> {
  return ctx.write(async (tx) => {
    const current = await lockModel(tx, id);
    const next: Model = {
      ...current,
      description: patch.description ?? current.description,
      gate: patch.gate === undefined ? current.gate : patch.gate,
    };
    await tx.db
      .updateTable('registry_models')
      .set({ description: next.description, gate_eula: next.gate?.eula ?? null, gate_version: next.gate?.version ?? null })
      .where('id', '=', id)
      .execute();
    return next;
  });
}

export function deleteModel(ctx: RegistryContext, id: string): Promise<string[]> {
  return ctx.write(async (tx) => {
    await lockModel(tx, id);
    const keys = await tx.db
      .selectFrom('registry_files')
      .select('object_key')
      .distinct()
      .where('owner_kind', '=', 'version')
      .where('owner_id', '=', id)
      .execute();
    await tx.db.deleteFrom('registry_files').where('owner_kind', '=', 'version').where('owner_id', '=', id).execute();
    await tx.db.deleteFrom('registry_stage_events').where('model_id', '=', id).execute();
    await tx.db.deleteFrom('registry_stages').where('model_id', '=', id).execute();
    await tx.db.deleteFrom('registry_model_versions').where('model_id', '=', id).execute();
    await deleteTagsOf(tx, { kind: 'model', modelId: id });
    await tx.db.deleteFrom('registry_models').where('id', '=', id).execute();
    return keys.map((k) => k.object_key);
  });
}

// Versions

export async function insertFiles(tx: Tx, owner: FileOwner, files: readonly RegisteredFile[]): Promise<void> {
  const paths = new Set<string>();
  for (const f of files) {
    if (paths.has(f.path)) fail('InvalidArgument', `The file ${f.path} is listed twice.`);
    paths.add(f.path);
  }
  for (const part of chunks(files)) {
    await tx.db
      .insertInto('registry_files')
      .values(part.map((f) => fileRow(owner, f)))
      .execute();
  }
}

async function requireFreeLabel(tx: Tx, modelId: string, label: string): Promise<void> {
  const taken = await tx.db
    .selectFrom('registry_model_versions')
    .select('number')
    .where('model_id', '=', modelId)
    .where('label', '=', label)
    .executeTakeFirst();
  if (taken !== undefined) inUse('version', `Label ${label} is taken by version ${taken.number}.`);
}

export function createVersion(
  ctx: RegistryContext,
  version: NewModelVersion,
  files: readonly RegisteredFile[],
  clientToken?: string,
): Promise<ModelVersion> {
  return ctx.write(async (tx) => {
    const model = await lockModel(tx, version.modelId);
    if (clientToken !== undefined && (await versionByClientToken(tx.db, model.id, clientToken)) !== null) {
      inUse('version', `Client token ${clientToken} was used for another version of model ${model.name}.`);
    }
    if (model.unversioned) {
      const any = await tx.db
        .selectFrom('registry_model_versions')
        .select('number')
        .where('model_id', '=', model.id)
        .limit(1)
        .executeTakeFirst();
      if (any !== undefined) inUse('version', `Unversioned model ${model.name} already has its version.`);
    }
    if (version.label !== null) await requireFreeLabel(tx, model.id, version.label);
    const stored: ModelVersion = {
      ...version,
      number: model.lastNumber + 1,
      fileCount: files.length,
      totalSize: files.reduce((sum, f) => sum + f.size, 0),
    };
    await tx.db.updateTable('registry_models').set({ last_number: stored.number }).where('id', '=', model.id).execute();
    await unique(ctx.dialect, 'version', `Label ${version.label ?? ''} is taken.`, () =>
      tx.db.insertInto('registry_model_versions').values({ ...versionRow(stored), client_token: clientToken ?? null }).execute(),
    );
    await insertFiles(tx, { kind: 'version', modelId: model.id, number: stored.number }, files);
    return stored;
  });
}

function versions(db: Db, modelId: string) {
  return db.selectFrom('registry_model_versions').selectAll().where('model_id', '=', modelId);
}

export async function getVersion(db: Db, modelId: string, number: number): Promise<ModelVersion | null> {
  const row = await versions(db, modelId).where('number', '=', number).executeTakeFirst();
  return row === undefined ? null : toVersion(row);
}

export async function versionByClientToken(db: Db, modelId: string, clientToken: string): Promise<ModelVersion | null> {
  const row = await versions(db, modelId).where('client_token', '=', clientToken).executeTakeFirst();
  return row === undefined ? null : toVersion(row);
}

export async function getVersionByLabel(db: Db, modelId: string, label: string): Promise<ModelVersion | null> {
  const row = await versions(db, modelId).where('label', '=', label).executeTakeFirst();
  return row === undefined ? null : toVersion(row);
}

export async function latestVersion(db: Db, modelId: string, status?: PackageStatus): Promise<ModelVersion | null> {
  const row = await versions(db, modelId)
    .$if(status !== undefined, (q) => q.where('status', '=', status ?? 'Completed'))
    .orderBy('number', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? null : toVersion(row);
}

export async function listVersions(
  db: Db,
  modelId: string,
  afterNumber: number | null,
  limit: number,
): Promise<ModelVersion[]> {
  const rows = await versions(db, modelId)
    .$if(afterNumber !== null, (q) => q.where('number', '>', afterNumber ?? 0))
    .orderBy('number')
    .limit(limit)
    .execute();
  return rows.map(toVersion);
}

export function updateVersion(
  ctx: RegistryContext,
  modelId: string,
  number: number,
  patch: VersionPatch,
): Promise<ModelVersion> {
  return ctx.write(async (tx) => {
    const q = versions(tx.db, modelId).where('number', '=', number);
    const row = await forUpdate(tx.dialect, q).executeTakeFirst();
    if (row === undefined) notFound('version', `No version ${number} of model ${modelId}.`);
    const current = toVersion(row);
    const next: ModelVersion = {
      ...current,
      label: patch.label === undefined ? current.label : patch.label,
      description: patch.description ?? current.description,
      metadata: patch.metadata ?? current.metadata,
      approval: patch.approval ?? current.approval,
      status: patch.status ?? current.status,
      updatedAt: patch.updatedAt,
    };
    if (next.label !== null && next.label !== current.label) await requireFreeLabel(tx, modelId, next.label);
    const { label, description, metadata, approval, status, updated_at } = versionRow(next);
    await unique(ctx.dialect, 'version', `Label ${next.label ?? ''} is taken.`, () =>
      tx.db
        .updateTable('registry_model_versions')
        .set({ label, description, metadata, approval, status, updated_at })
        .where('model_id', '=', modelId)
        .where('number', '=', number)
        .execute(),
    );
    return next;
  });
}

export function deleteVersion(
  ctx: RegistryContext,
  modelId: string,
  number: number,
  actor: string,
  at: Date,
): Promise<string[]> {
  return ctx.write(async (tx) => {
    // The model's lock also keeps stage moves to this version out until we commit.
    await lockModel(tx, modelId);
    const found = await versions(tx.db, modelId).select('number').where('number', '=', number).executeTakeFirst();
    if (found === undefined) notFound('version', `No version ${number} of model ${modelId}.`);
    await clearStagesOf(tx, modelId, number, actor, at);
    const keys = await deleteFilesOf(tx, { kind: 'version', modelId, number });
    await deleteTagsOf(tx, { kind: 'version', modelId, number });
    await tx.db.deleteFrom('registry_model_versions').where('model_id', '=', modelId).where('number', '=', number).execute();
    return keys;
  });
}

// Files

/** Removes an owner's files; returns the object keys they used. */
export async function deleteFilesOf(tx: Tx, owner: FileOwner): Promise<string[]> {
  const o = ownerColumns(owner);
  const keys = await tx.db
    .selectFrom('registry_files')
    .select('object_key')
    .distinct()
    .where('owner_kind', '=', o.owner_kind)
    .where('owner_id', '=', o.owner_id)
    .where('owner_number', '=', o.owner_number)
    .execute();
  await tx.db
    .deleteFrom('registry_files')
    .where('owner_kind', '=', o.owner_kind)
    .where('owner_id', '=', o.owner_id)
    .where('owner_number', '=', o.owner_number)
    .execute();
  return keys.map((k) => k.object_key);
}

export async function listFiles(
  db: Db,
  owner: FileOwner,
  afterPath: string | null,
  limit: number,
): Promise<RegisteredFile[]> {
  const o = ownerColumns(owner);
  const rows = await db
    .selectFrom('registry_files')
    .select(['path', 'size', 'sha256', 'object_key'])
    .where('owner_kind', '=', o.owner_kind)
    .where('owner_id', '=', o.owner_id)
    .where('owner_number', '=', o.owner_number)
    .$if(afterPath !== null, (q) => q.where('path', '>', afterPath ?? ''))
    .orderBy('path')
    .limit(limit)
    .execute();
  return rows.map(toFile);
}

/**
 * A file with these bytes that is known to be stored: hub contents' files are
 * copied at import; a version's only once it is Completed (a Pending
 * version's files may still be waiting for their upload).
 */
export async function findFileBySha256(db: Db, sha256: string): Promise<RegisteredFile | null> {
  const row = await db
    .selectFrom('registry_files as f')
    .select(['f.path', 'f.size', 'f.sha256', 'f.object_key'])
    .where('f.sha256', '=', sha256)
    .where((eb) =>
      eb.or([
        eb('f.owner_kind', '=', 'hub-content'),
        eb.exists(
          eb
            .selectFrom('registry_model_versions as v')
            .select('v.number')
            .whereRef('v.model_id', '=', 'f.owner_id')
            .whereRef('v.number', '=', 'f.owner_number')
            .where('f.owner_kind', '=', 'version')
            .where('v.status', '=', 'Completed'),
        ),
      ]),
    )
    .limit(1)
    .executeTakeFirst();
  return row === undefined ? null : toFile(row);
}

export async function isObjectKeyUsed(db: Db, objectKey: string): Promise<boolean> {
  const row = await db
    .selectFrom('registry_files')
    .select('object_key')
    .where('object_key', '=', objectKey)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
