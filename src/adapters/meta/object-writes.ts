/**
 * @module
 * The write transactions on object versions, multipart parts and uploads.
 * Each function runs inside a transaction it is given and throws
 * `SignetError` for domain failures (the caller rolls back).
 *
 * Concurrency: every write to a key first takes the key's lock
 * (`MetaDialect.lockKey`), so on PostgreSQL its reads see every earlier
 * writer's commit and the conditions it checks hold until it commits.
 */
import { sql } from 'kysely';
import { fail } from '../../core/errors.ts';
import { checkDeletable, type LockCheck, type LockState } from '../../core/object-lock.ts';
import { blankVersion, type Extent, type NewObjectVersion, type ObjectVersion, type RetentionMode, type UploadedPart } from '../../core/types.ts';
import type { DeleteOptions, DeleteResult, PutVersionOptions, VersionRef } from '../../ports/meta-store.ts';
import { assertStorableKey } from './key-order.ts';
import type { Db, MetaDialect } from './meta-dialect.ts';
import { VERSION_INSERT_COLUMNS, partRow, versionRow } from './rows.ts';
import type { VersionInsert } from './rows.ts';
import { defineStatement } from './statements.ts';
import type { StatementRunner } from './statements.ts';

/** A transaction, the engine it runs on, and its runner for prepared statements. */
export interface Tx {
  readonly db: Db;
  readonly dialect: MetaDialect;
  readonly q: StatementRunner;
}

/** Rows per multi-row INSERT, well under both engines' parameter limits. */
const INSERT_CHUNK = 500;

const NULL_VERSION = 'null';

/** Adds FOR KEY SHARE where row locks exist: the row cannot be deleted before we commit. */
export function keyShare<Q extends { forKeyShare(): Q }>(dialect: MetaDialect, q: Q): Q {
  return dialect.rowLocks ? q.forKeyShare() : q;
}

/** Adds FOR UPDATE where row locks exist. */
export function forUpdate<Q extends { forUpdate(): Q }>(dialect: MetaDialect, q: Q): Q {
  return dialect.rowLocks ? q.forUpdate() : q;
}

// The statements of putVersion and deleteObject, prepared once (see statements.ts).

const bucketForWrite = defineStatement<{ name: string }>()('bucketForWrite', (db, p, d) =>
  keyShare(d, db.selectFrom('buckets').select('name').where('name', '=', p.name)),
);

const versionForWrite = defineStatement<{ bucket: string; key: string; versionId: string }>()(
  'versionForWrite',
  (db, p, d) =>
    keyShare(
      d,
      db
        .selectFrom('versions')
        .select('id')
        .where('bucket', '=', p.bucket)
        .where('key', '=', p.key)
        .where('version_id', '=', p.versionId),
    ),
);

/**
 * The latest row is the newest (see VersionsTable): one probe of versions_history.
 * `limit 1` is a literal: SQLite runs this probe about 3x slower with the limit bound as a parameter.
 */
const latestVersion = defineStatement<{ bucket: string; key: string }>()('latestVersion', (db, p) =>
  db
    .selectFrom('versions')
    .select(['id', 'version_id', 'etag', 'is_delete_marker'])
    .where('bucket', '=', p.bucket)
    .where('key', '=', p.key)
    .orderBy('id', 'desc')
    .limit(sql.lit(1)),
);

const removeVersionRow = defineStatement<{ bucket: string; key: string; versionId: string }>()(
  'removeVersion',
  (db, p) =>
    db
      .deleteFrom('versions')
      .where('bucket', '=', p.bucket)
      .where('key', '=', p.key)
      .where('version_id', '=', p.versionId)
      .returning(['is_latest', 'is_delete_marker', 'retention_mode', 'retention_until', 'legal_hold']),
);

const setLatest = defineStatement<{ id: number; latest: 0 | 1 }>()('setLatest', (db, p) =>
  db.updateTable('versions').set({ is_latest: p.latest }).where('id', '=', p.id),
);

const insertVersionRow = defineStatement<VersionInsert>()('insertVersion', (db, p) => {
  const row = Object.fromEntries(VERSION_INSERT_COLUMNS.map((c) => [c, p[c]])) as VersionInsert;
  return db.insertInto('versions').values(row).returning('id');
});

export async function requireBucket(tx: Tx, name: string): Promise<void> {
  const [row] = await tx.q.all(bucketForWrite, { name });
  if (row === undefined) fail('NoSuchBucket', `No bucket ${name}.`);
}

/** Each version must exist now and, with row locks, until commit (a copy's source). */
export async function requireVersions(tx: Tx, refs: readonly VersionRef[] | undefined): Promise<void> {
  for (const ref of refs ?? []) {
    const [row] = await tx.q.all(versionForWrite, ref);
    if (row === undefined) fail('NoSuchKey', `Version ${ref.versionId} of ${ref.key} no longer exists.`);
  }
}

interface LatestRow {
  readonly id: number;
  readonly version_id: string;
  readonly etag: string;
  readonly is_delete_marker: boolean | 0 | 1;
}

async function latestRow(tx: Tx, bucket: string, key: string): Promise<LatestRow | undefined> {
  const [row] = await tx.q.all(latestVersion, { bucket, key });
  return row;
}

/** S3 conditional writes, against the current (non-delete-marker) version. */
function checkConditions(latest: LatestRow | undefined, options: PutVersionOptions): void {
  const current = latest !== undefined && !latest.is_delete_marker ? latest : undefined;
  if (options.ifMatch !== undefined) {
    if (current === undefined) fail('NoSuchKey', 'If-Match: the key has no current version.');
    if (options.ifMatch !== '*' && options.ifMatch !== current.etag) {
      fail('PreconditionFailed', 'If-Match: the ETag differs.', { Condition: 'If-Match' });
    }
  }
  if (options.ifNoneMatch === '*' && current !== undefined) {
    fail('PreconditionFailed', 'If-None-Match: the key exists.', { Condition: 'If-None-Match' });
  }
}

async function insertExtents(tx: Tx, versionId: number, extents: readonly Extent[]): Promise<void> {
  for (let i = 0; i < extents.length; i += INSERT_CHUNK) {
    const rows = extents.slice(i, i + INSERT_CHUNK).map((e, j) => ({
      version_id: versionId,
      ord: i + j,
      blob: e.blob,
      blob_offset: e.offset,
      length: e.length,
    }));
    await tx.db.insertInto('version_extents').values(rows).execute();
  }
}

/** Inserts `v` as the latest version of its key; the caller has demoted the previous one. */
async function insertLatest(tx: Tx, v: NewObjectVersion, versionId: string): Promise<number> {
  const [row] = await tx.q.all(insertVersionRow, versionRow(v, versionId));
  if (row === undefined) throw new Error('INSERT ... RETURNING returned no row.');
  const id = Number(row.id);
  await insertExtents(tx, id, v.extents);
  return id;
}

interface RemovedRow {
  readonly is_latest: boolean | 0 | 1;
  readonly is_delete_marker: boolean | 0 | 1;
  readonly retention_mode: string | null;
  readonly retention_until: number | string | bigint | null;
  readonly legal_hold: boolean | 0 | 1;
}

function lockStateOf(row: RemovedRow): LockState {
  const { retention_mode: mode, retention_until: until } = row;
  const retention = mode === null || until === null ? null : { mode: mode as RetentionMode, until: new Date(Number(until)) };
  return { retention, legalHold: Boolean(row.legal_hold) };
}

/**
 * Removes one version row. With `check`, object lock is judged against the
 * row removed (AccessDenied rolls the transaction back), so no concurrent
 * retention or legal-hold change can slip between a check and the delete.
 */
async function removeVersion(tx: Tx, bucket: string, key: string, versionId: string, check?: LockCheck): Promise<RemovedRow | undefined> {
  const [row] = await tx.q.all(removeVersionRow, { bucket, key, versionId });
  if (row !== undefined && check !== undefined) checkDeletable(lockStateOf(row), check);
  return row;
}

/** Makes the newest remaining version of the key the latest. */
async function promoteNewest(tx: Tx, bucket: string, key: string): Promise<void> {
  const newest = await latestRow(tx, bucket, key);
  if (newest !== undefined) await tx.q.run(setLatest, { id: newest.id, latest: 1 });
}

/**
 * Replaces what `versionId` replaces: a 'null' write drops the key's 'null'
 * version (unless object lock protects it); any write demotes the latest.
 * Then stores `v` as the latest.
 */
async function storeLatest(
  tx: Tx,
  v: NewObjectVersion,
  versionId: string,
  latest: LatestRow | undefined,
  check: LockCheck = { now: v.lastModified, bypassGovernance: false },
): Promise<ObjectVersion> {
  // No latest row: the key has no versions, so no 'null' version to drop.
  if (versionId === NULL_VERSION && latest !== undefined) await removeVersion(tx, v.bucket, v.key, NULL_VERSION, check);
  if (latest !== undefined && !(versionId === NULL_VERSION && latest.version_id === NULL_VERSION)) {
    await tx.q.run(setLatest, { id: latest.id, latest: 0 });
  }
  const seq = await insertLatest(tx, v, versionId);
  return storedVersion(v, versionId, seq);
}

/** `{ ...v, versionId, seq, isLatest: true }`, field by field: V8 builds that spread about 10x slower. */
function storedVersion(v: NewObjectVersion, versionId: string, seq: number): ObjectVersion {
  return {
    bucket: v.bucket,
    key: v.key,
    versionId,
    isDeleteMarker: v.isDeleteMarker,
    size: v.size,
    etag: v.etag,
    lastModified: v.lastModified,
    headers: v.headers,
    userMetadata: v.userMetadata,
    checksum: v.checksum,
    sha256: v.sha256,
    parts: v.parts,
    tags: v.tags,
    inline: v.inline,
    extents: v.extents,
    retention: v.retention,
    legalHold: v.legalHold,
    ownerId: v.ownerId,
    seq,
    isLatest: true,
  };
}

/** putVersion's transaction (also the version half of completeUpload). */
export async function writeVersion(tx: Tx, v: NewObjectVersion, options: PutVersionOptions): Promise<ObjectVersion> {
  assertStorableKey(v.key);
  await requireBucket(tx, v.bucket);
  await tx.dialect.lockKey(tx.db, v.bucket, v.key);
  await requireVersions(tx, options.requireVersions);
  const latest = await latestRow(tx, v.bucket, v.key);
  checkConditions(latest, options);
  const versionId = options.versioning === 'Enabled' ? v.versionId : NULL_VERSION;
  return storeLatest(tx, v, versionId, latest);
}

function deleteMarker(bucket: string, key: string, versionId: string, o: DeleteOptions): NewObjectVersion {
  return blankVersion({ bucket, key, versionId, lastModified: o.now, ownerId: o.ownerId }, true);
}

/** Permanently removes one version; the next newest becomes latest if it was. */
async function deleteExactVersion(tx: Tx, bucket: string, key: string, versionId: string, check: LockCheck | undefined): Promise<DeleteResult> {
  const removed = await removeVersion(tx, bucket, key, versionId, check);
  if (removed === undefined) return { versionId: null, deleteMarker: false };
  if (removed.is_latest) await promoteNewest(tx, bucket, key);
  return { versionId, deleteMarker: Boolean(removed.is_delete_marker) };
}

/** DeleteOptions.ifSeq: the named version (gone is fine), or else the latest, must still be the row with this seq. */
async function checkSeq(tx: Tx, bucket: string, key: string, versionId: string | undefined, seq: number): Promise<void> {
  const [row] = versionId !== undefined ? await tx.q.all(versionForWrite, { bucket, key, versionId }) : [await latestRow(tx, bucket, key)];
  if (versionId !== undefined && row === undefined) return;
  if (row === undefined || Number(row.id) !== seq) fail('PreconditionFailed', `${key} changed since it was read.`, { Condition: 'seq' });
}

/** deleteObject's transaction, per S3 for each versioning state. */
export async function deleteObject(tx: Tx, bucket: string, key: string, o: DeleteOptions): Promise<DeleteResult> {
  assertStorableKey(key);
  await requireBucket(tx, bucket);
  await tx.dialect.lockKey(tx.db, bucket, key);
  if (o.ifSeq !== undefined) await checkSeq(tx, bucket, key, o.versionId, o.ifSeq);
  if (o.versionId !== undefined) return deleteExactVersion(tx, bucket, key, o.versionId, o.lockCheck);
  if (o.versioning === 'Unversioned') return deleteExactVersion(tx, bucket, key, NULL_VERSION, o.lockCheck);
  // Enabled: a new marker hides the key. Suspended: the marker is the 'null' version.
  const markerId = o.versioning === 'Enabled' ? o.markerVersionId : NULL_VERSION;
  const latest = await latestRow(tx, bucket, key);
  await storeLatest(tx, deleteMarker(bucket, key, markerId, o), markerId, latest, o.lockCheck ?? { now: o.now, bypassGovernance: false });
  return { versionId: markerId, deleteMarker: true };
}

async function insertPartExtents(tx: Tx, part: UploadedPart): Promise<void> {
  for (let i = 0; i < part.extents.length; i += INSERT_CHUNK) {
    const rows = part.extents.slice(i, i + INSERT_CHUNK).map((e, j) => ({
      upload_id: part.uploadId,
      part_number: part.partNumber,
      ord: i + j,
      blob: e.blob,
      blob_offset: e.offset,
      length: e.length,
    }));
    await tx.db.insertInto('part_extents').values(rows).execute();
  }
}

/** putPart's transaction: adds or replaces the part (last writer wins). */
export async function writePart(tx: Tx, part: UploadedPart, refs: readonly VersionRef[] | undefined): Promise<void> {
  const q = tx.db.selectFrom('uploads').select('upload_id').where('upload_id', '=', part.uploadId);
  const upload = await keyShare(tx.dialect, q).executeTakeFirst();
  if (upload === undefined) fail('NoSuchUpload', `No upload ${part.uploadId}.`);
  await requireVersions(tx, refs);
  // An upsert, not delete + insert: on PostgreSQL a concurrent upload of the
  // same part waits for ours and then replaces it instead of failing.
  await tx.db
    .insertInto('parts')
    .values(partRow(part))
    .onConflict((oc) =>
      oc.columns(['upload_id', 'part_number']).doUpdateSet((eb) => ({
        size: eb.ref('excluded.size'),
        etag: eb.ref('excluded.etag'),
        md5: eb.ref('excluded.md5'),
        checksums: eb.ref('excluded.checksums'),
        last_modified: eb.ref('excluded.last_modified'),
      })),
    )
    .execute();
  await tx.db
    .deleteFrom('part_extents')
    .where('upload_id', '=', part.uploadId)
    .where('part_number', '=', part.partNumber)
    .execute();
  await insertPartExtents(tx, part);
}

/** completeUpload's transaction: the version is stored and the upload gone, or neither. */
export async function completeUpload(
  tx: Tx,
  uploadId: string,
  v: NewObjectVersion,
  options: PutVersionOptions,
): Promise<ObjectVersion> {
  // FOR UPDATE: waits for parts being added, and makes a second complete wait, then find nothing.
  const q = tx.db.selectFrom('uploads').select(['bucket', 'key']).where('upload_id', '=', uploadId);
  const upload = await forUpdate(tx.dialect, q).executeTakeFirst();
  if (upload === undefined || upload.bucket !== v.bucket || upload.key !== v.key) {
    fail('NoSuchUpload', `No upload ${uploadId} for ${v.key}.`);
  }
  const stored = await writeVersion(tx, v, options);
  await tx.db.deleteFrom('uploads').where('upload_id', '=', uploadId).execute();
  return stored;
}
