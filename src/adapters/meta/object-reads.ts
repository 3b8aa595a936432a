/**
 * @module
 * The read queries on versions, uploads and parts. Each is one statement,
 * so it sees one consistent snapshot on both engines without a transaction.
 * Key windows are ranges (see `key-order.ts`) in index order: no sort step.
 */
import { sql } from 'kysely';
import type { DetailedSummary, ObjectSummary, ObjectVersion, MultipartUpload, UploadedPart } from '../../core/types.ts';
import type { KeyWindow, UploadWindow, VersionWindow } from '../../ports/meta-store.ts';
import { assertStorableKey, lowerBound, prefixEnd } from './key-order.ts';
import type { Db } from './meta-dialect.ts';
import { DETAIL_COLUMNS, SUMMARY_COLUMNS, VERSION_COLUMNS, extentsOf, toDetailedSummary, toPart, toSummary, toUpload, toVersion } from './rows.ts';
import type { DetailRow, SummaryRow } from './rows.ts';
import { defineStatement } from './statements.ts';
import type { StatementRunner } from './statements.ts';

function assertWindow(prefix: string, marker: string | null): void {
  assertStorableKey(prefix, 'prefix');
  if (marker !== null) assertStorableKey(marker, 'marker');
}

/** The listObjects statement; the plan test explains exactly this. */
export function listObjectsQuery(db: Db, bucket: string, window: KeyWindow) {
  assertWindow(window.prefix, window.after);
  const low = lowerBound(window.prefix, window.after, window.inclusive === true);
  const end = prefixEnd(window.prefix);
  return (
    db
      .selectFrom('versions')
      .select(SUMMARY_COLUMNS)
      .where('bucket', '=', bucket)
      .where('key', low.exclusive ? '>' : '>=', low.value)
      .$if(end !== null, (q) => q.where('key', '<', end ?? ''))
      // Exactly the predicate of the versions_current partial index.
      .where(sql<boolean>`is_latest and not is_delete_marker`)
      .orderBy('key')
      .limit(window.limit)
  );
}

type ListParams = { bucket: string; low: string; end: string; limit: number };

/**
 * listObjects as prepared statements: the same query as `listObjectsQuery`
 * in its four shapes (strict or inclusive lower bound, with or without an
 * upper one), so a page costs no query building. `columns`: what each row
 * carries (the narrow summary, or with the metadata columns as well).
 */
function listStatements<C extends typeof SUMMARY_COLUMNS | typeof DETAIL_COLUMNS>(name: string, columns: C) {
  const statement = (op: '>' | '>=', bounded: boolean) =>
    defineStatement<ListParams>()(`${name}${op}${bounded ? 'end' : ''}`, (db, p) =>
      db
        .selectFrom('versions')
        .select(columns)
        .where('bucket', '=', p.bucket)
        .where('key', op, p.low)
        .$if(bounded, (q) => q.where('key', '<', p.end))
        .where(sql<boolean>`is_latest and not is_delete_marker`)
        .orderBy('key')
        .limit(p.limit),
    );
  return {
    '>': [statement('>', false), statement('>', true)],
    '>=': [statement('>=', false), statement('>=', true)],
  } as const;
}

const LIST_STATEMENTS = listStatements('listObjects', SUMMARY_COLUMNS);
const DETAIL_LIST_STATEMENTS = listStatements('listObjectsWithDetails', DETAIL_COLUMNS);

async function listRows<R>(q: StatementRunner, statements: typeof LIST_STATEMENTS | typeof DETAIL_LIST_STATEMENTS, bucket: string, window: KeyWindow): Promise<R[]> {
  assertWindow(window.prefix, window.after);
  if (window.limit <= 0) return [];
  const low = lowerBound(window.prefix, window.after, window.inclusive === true);
  const end = prefixEnd(window.prefix);
  const statement = statements[low.exclusive ? '>' : '>='][end === null ? 0 : 1];
  return (await q.all(statement, { bucket, low: low.value, end: end ?? '', limit: window.limit })) as R[];
}

export async function listObjects(q: StatementRunner, bucket: string, window: KeyWindow): Promise<ObjectSummary[]> {
  return (await listRows<SummaryRow>(q, LIST_STATEMENTS, bucket, window)).map(toSummary);
}

/** listObjects with each object's stored headers, user metadata and tags: three more columns, read only when asked for. */
export async function listObjectsWithDetails(q: StatementRunner, bucket: string, window: KeyWindow): Promise<DetailedSummary[]> {
  return (await listRows<DetailRow>(q, DETAIL_LIST_STATEMENTS, bucket, window)).map(toDetailedSummary);
}

/** Key ascending, then newest first: the order of the versions_history index. */
export async function listVersions(db: Db, bucket: string, window: VersionWindow): Promise<ObjectSummary[]> {
  assertWindow(window.prefix, window.afterKey);
  if (window.limit <= 0) return [];
  const low = lowerBound(window.prefix, window.afterKey, window.inclusive === true && window.afterSeq === null);
  const end = prefixEnd(window.prefix);
  const { afterSeq } = window;
  const rows = await db
    .selectFrom('versions')
    .select(SUMMARY_COLUMNS)
    .where('bucket', '=', bucket)
    .$if(!low.exclusive, (q) => q.where('key', '>=', low.value))
    .$if(low.exclusive && afterSeq === null, (q) => q.where('key', '>', low.value))
    // Resume inside the marker key: its older versions, then the keys after it.
    .$if(low.exclusive && afterSeq !== null, (q) =>
      q
        .where('key', '>=', low.value)
        .where((eb) => eb.or([eb('key', '>', low.value), eb('id', '<', afterSeq ?? 0)])),
    )
    .$if(end !== null, (q) => q.where('key', '<', end ?? ''))
    .orderBy('key')
    .orderBy('id', 'desc')
    .limit(window.limit)
    .execute();
  return rows.map(toSummary);
}

/** Named columns, not `v.*`: a prepared statement must keep its result type when a migration adds a column. */

function versionWithExtents(db: Db) {
  return db
    .selectFrom('versions as v')
    .leftJoin('version_extents as e', 'e.version_id', 'v.id')
    .select(VERSION_COLUMNS.map((c) => `v.${c}` as const))
    .select(['e.blob', 'e.blob_offset', 'e.length'])
    .orderBy('e.ord');
}

/** The latest row is the newest (see VersionsTable): one probe of versions_history. */
const latestWithExtents = defineStatement<{ bucket: string; key: string }>()('latestWithExtents', (db, p) =>
  versionWithExtents(db).where('v.id', '=', (eb) =>
    eb
      .selectFrom('versions')
      .select('id')
      .where('bucket', '=', p.bucket)
      .where('key', '=', p.key)
      .orderBy('id', 'desc')
      .limit(1),
  ),
);

const versionIdWithExtents = defineStatement<{ bucket: string; key: string; versionId: string }>()(
  'versionWithExtents',
  (db, p) =>
    versionWithExtents(db)
      .where('v.bucket', '=', p.bucket)
      .where('v.key', '=', p.key)
      .where('v.version_id', '=', p.versionId),
);

/** A version with its extents, in one statement (a left join, one row per extent). */
export async function readVersion(
  q: StatementRunner,
  bucket: string,
  key: string,
  versionId: string | null,
): Promise<ObjectVersion | null> {
  assertStorableKey(key);
  const rows =
    versionId === null
      ? await q.all(latestWithExtents, { bucket, key })
      : await q.all(versionIdWithExtents, { bucket, key, versionId });
  const first = rows[0];
  return first === undefined ? null : toVersion(first, extentsOf(rows));
}

/** Uploads by key, then upload id, after the (key, upload id) markers as S3 defines them. */
export async function listUploads(db: Db, bucket: string, window: UploadWindow): Promise<MultipartUpload[]> {
  assertWindow(window.prefix, window.keyMarker);
  if (window.limit <= 0) return [];
  const low = lowerBound(window.prefix, window.keyMarker);
  const end = prefixEnd(window.prefix);
  const idMarker = low.exclusive ? window.uploadIdMarker : null;
  const rows = await db
    .selectFrom('uploads')
    .selectAll()
    .where('bucket', '=', bucket)
    .$if(!low.exclusive, (q) => q.where('key', '>=', low.value))
    .$if(low.exclusive && idMarker === null, (q) => q.where('key', '>', low.value))
    .$if(idMarker !== null, (q) =>
      q
        .where('key', '>=', low.value)
        .where((eb) => eb.or([eb('key', '>', low.value), eb('upload_id', '>', idMarker ?? '')])),
    )
    .$if(end !== null, (q) => q.where('key', '<', end ?? ''))
    .orderBy('key')
    .orderBy('upload_id')
    .limit(window.limit)
    .execute();
  return rows.map(toUpload);
}

/** Parts after `afterPart` with their extents, in one statement. */
export async function listParts(db: Db, uploadId: string, afterPart: number, limit: number): Promise<UploadedPart[]> {
  if (limit <= 0) return [];
  const page = db
    .selectFrom('parts')
    .select('part_number')
    .where('upload_id', '=', uploadId)
    .where('part_number', '>', afterPart)
    .orderBy('part_number')
    .limit(limit);
  const rows = await db
    .selectFrom('parts as p')
    .leftJoin('part_extents as e', (j) =>
      j.onRef('e.upload_id', '=', 'p.upload_id').onRef('e.part_number', '=', 'p.part_number'),
    )
    .selectAll('p')
    .select(['e.blob', 'e.blob_offset', 'e.length'])
    .where('p.upload_id', '=', uploadId)
    .where('p.part_number', 'in', page)
    .orderBy('p.part_number')
    .orderBy('e.ord')
    .execute();
  const parts: UploadedPart[] = [];
  for (let i = 0; i < rows.length; ) {
    const first = rows[i];
    if (first === undefined) break;
    let j = i;
    while (rows[j]?.part_number === first.part_number) j++;
    parts.push(toPart(first, extentsOf(rows.slice(i, j))));
    i = j;
  }
  return parts;
}
