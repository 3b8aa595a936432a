/**
 * @module
 * Conversions between domain records and rows, the same for both engines.
 */
import type { Insertable, Selectable } from 'kysely';
import { SignetError } from '../../core/errors.ts';
import type { SecretSeal } from '../../core/secret-seal.ts';
import type {
  AccessKey,
  Bucket,
  ChecksumAlgorithm,
  DetailedSummary,
  Extent,
  MultipartUpload,
  NewObjectVersion,
  ObjectSummary,
  ObjectVersion,
  PartInfo,
  Retention,
  RetentionMode,
  StoredHeaders,
  Tag,
  UploadedPart,
  User,
  VersioningStatus,
} from '../../core/types.ts';
import type {
  AccessKeysTable,
  BucketsTable,
  PartsTable,
  UploadsTable,
  UsersTable,
  VersionsTable,
} from './schema.ts';

export function flag(value: boolean): 0 | 1 {
  return value ? 1 : 0;
}

/** Values an engine may hand back for a 64-bit integer. */
function num(value: number | string | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

function retentionOf(mode: string | null, until: number | null): Retention | null {
  if (mode === null || until === null) return null;
  return { mode: mode as RetentionMode, until: new Date(num(until)) };
}

export function userRow(user: User): Insertable<UsersTable> {
  return { id: user.id, name: user.name, is_root: flag(user.isRoot), created_at: user.createdAt.getTime() };
}

export function toUser(row: Selectable<UsersTable>): User {
  return { id: row.id, name: row.name, isRoot: Boolean(row.is_root), createdAt: new Date(num(row.created_at)) };
}

/** The row of `key`, its secret sealed when `seal` is given. */
export function accessKeyRow(key: AccessKey, seal: SecretSeal | null): Insertable<AccessKeysTable> {
  return {
    access_key_id: key.accessKeyId,
    secret: seal === null ? key.secretKey : seal.seal(key.accessKeyId, key.secretKey),
    sealed_by: seal === null ? null : seal.keyId,
    user_id: key.userId,
    created_at: key.createdAt.getTime(),
  };
}

export function toAccessKey(row: Selectable<AccessKeysTable>, seal: SecretSeal | null): AccessKey {
  return {
    accessKeyId: row.access_key_id,
    secretKey: openSecret(row, seal),
    userId: row.user_id,
    createdAt: new Date(num(row.created_at)),
  };
}

function openSecret(row: Selectable<AccessKeysTable>, seal: SecretSeal | null): string {
  if (row.sealed_by === null) return row.secret;
  if (seal === null || seal.keyId !== row.sealed_by) {
    throw new SignetError('InternalError', `The secret of access key ${row.access_key_id} is sealed under master key ${row.sealed_by}, which is not configured`);
  }
  return seal.open(row.access_key_id, row.secret);
}

export function bucketRow(bucket: Bucket): Insertable<BucketsTable> {
  return {
    name: bucket.name,
    owner_id: bucket.ownerId,
    created_at: bucket.createdAt.getTime(),
    region: bucket.region,
    versioning: bucket.versioning,
    object_lock_enabled: flag(bucket.objectLockEnabled),
    config: JSON.stringify(bucket.config),
  };
}

export function toBucket(row: Selectable<BucketsTable>): Bucket {
  return {
    name: row.name,
    ownerId: row.owner_id,
    createdAt: new Date(num(row.created_at)),
    region: row.region,
    versioning: row.versioning as VersioningStatus,
    objectLockEnabled: Boolean(row.object_lock_enabled),
    config: JSON.parse(row.config) as Record<string, unknown>,
  };
}

/** The row of a new version, stored under `versionId` as the latest. */
export function versionRow(v: NewObjectVersion, versionId: string): VersionInsert {
  return {
    bucket: v.bucket,
    key: v.key,
    version_id: versionId,
    is_latest: 1,
    is_delete_marker: flag(v.isDeleteMarker),
    size: v.size,
    etag: v.etag,
    last_modified: v.lastModified.getTime(),
    owner_id: v.ownerId,
    headers: JSON.stringify(v.headers),
    user_metadata: JSON.stringify(v.userMetadata),
    checksum_algorithm: v.checksum?.algorithm ?? null,
    checksum_value: v.checksum?.value ?? null,
    checksum_type: v.checksum?.type ?? null,
    sha256: v.sha256,
    tags: JSON.stringify(v.tags),
    retention_mode: v.retention?.mode ?? null,
    retention_until: v.retention?.until.getTime() ?? null,
    legal_hold: flag(v.legalHold),
    parts: v.parts === null ? null : JSON.stringify(v.parts),
    inline_data: v.inline,
  };
}

/** Every column a new version row sets (all but the generated id). */
export const VERSION_INSERT_COLUMNS = [
  'bucket',
  'key',
  'version_id',
  'is_latest',
  'is_delete_marker',
  'size',
  'etag',
  'last_modified',
  'owner_id',
  'headers',
  'user_metadata',
  'checksum_algorithm',
  'checksum_value',
  'checksum_type',
  'sha256',
  'tags',
  'retention_mode',
  'retention_until',
  'legal_hold',
  'parts',
  'inline_data',
] as const satisfies readonly (keyof Insertable<VersionsTable>)[];

/** A new version's row with every column present (the parameters of the insert statement). */
export type VersionInsert = {
  readonly [K in (typeof VERSION_INSERT_COLUMNS)[number]]: Exclude<Insertable<VersionsTable>[K], undefined>;
};

/** Columns listings read: only what a listing shows (a narrow row decodes several times faster). */
export const SUMMARY_COLUMNS = [
  'id',
  'bucket',
  'key',
  'version_id',
  'is_latest',
  'is_delete_marker',
  'size',
  'etag',
  'last_modified',
  'owner_id',
  'checksum_algorithm',
  'checksum_value',
  'checksum_type',
] as const;

export type SummaryRow = Pick<Selectable<VersionsTable>, (typeof SUMMARY_COLUMNS)[number]>;

export function toSummary(row: SummaryRow): ObjectSummary {
  const checksum =
    row.checksum_algorithm !== null && row.checksum_value !== null && row.checksum_type !== null
      ? {
          algorithm: row.checksum_algorithm as ChecksumAlgorithm,
          value: row.checksum_value,
          type: row.checksum_type as 'FULL_OBJECT' | 'COMPOSITE',
        }
      : null;
  return {
    bucket: row.bucket,
    key: row.key,
    versionId: row.version_id,
    seq: num(row.id),
    isLatest: Boolean(row.is_latest),
    isDeleteMarker: Boolean(row.is_delete_marker),
    size: num(row.size),
    etag: row.etag,
    lastModified: new Date(num(row.last_modified)),
    ownerId: row.owner_id,
    checksum,
  };
}

/** Columns of a listing that also shows stored headers, user metadata and tags. */
export const DETAIL_COLUMNS = [...SUMMARY_COLUMNS, 'headers', 'user_metadata', 'tags'] as const;

export type DetailRow = Pick<Selectable<VersionsTable>, (typeof DETAIL_COLUMNS)[number]>;

export function toDetailedSummary(row: DetailRow): DetailedSummary {
  return {
    ...toSummary(row),
    headers: JSON.parse(row.headers) as StoredHeaders,
    userMetadata: JSON.parse(row.user_metadata) as Record<string, string>,
    tags: JSON.parse(row.tags) as Tag[],
  };
}

/** Every column of a version row: what reading one version takes. */
export const VERSION_COLUMNS = ['id', ...VERSION_INSERT_COLUMNS] as const;

export type VersionRow = Pick<Selectable<VersionsTable>, (typeof VERSION_COLUMNS)[number]>;

export interface ExtentColumns {
  readonly blob: string | null;
  readonly blob_offset: number | null;
  readonly length: number | null;
}

/** Extents from the rows of a left join (one row with nulls when there are none). */
export function extentsOf(rows: readonly ExtentColumns[]): Extent[] {
  const extents: Extent[] = [];
  for (const r of rows) {
    if (r.blob === null || r.blob_offset === null || r.length === null) continue;
    extents.push({ blob: r.blob, offset: num(r.blob_offset), length: num(r.length) });
  }
  return extents;
}

export function toVersion(row: VersionRow, extents: readonly Extent[]): ObjectVersion {
  return {
    ...toSummary(row),
    headers: JSON.parse(row.headers) as StoredHeaders,
    userMetadata: JSON.parse(row.user_metadata) as Record<string, string>,
    sha256: row.sha256,
    tags: JSON.parse(row.tags) as Tag[],
    retention: retentionOf(row.retention_mode, row.retention_until),
    legalHold: Boolean(row.legal_hold),
    parts: row.parts === null ? null : (JSON.parse(row.parts) as PartInfo[]),
    inline: row.inline_data === null ? null : Buffer.from(row.inline_data),
    extents,
  };
}

export function uploadRow(u: MultipartUpload): Insertable<UploadsTable> {
  return {
    upload_id: u.uploadId,
    bucket: u.bucket,
    key: u.key,
    initiated: u.initiated.getTime(),
    owner_id: u.ownerId,
    headers: JSON.stringify(u.headers),
    user_metadata: JSON.stringify(u.userMetadata),
    tags: JSON.stringify(u.tags),
    checksum_algorithm: u.checksumAlgorithm,
    checksum_type: u.checksumType,
    retention_mode: u.retention?.mode ?? null,
    retention_until: u.retention?.until.getTime() ?? null,
    legal_hold: flag(u.legalHold),
  };
}

export function toUpload(row: Selectable<UploadsTable>): MultipartUpload {
  return {
    uploadId: row.upload_id,
    bucket: row.bucket,
    key: row.key,
    initiated: new Date(num(row.initiated)),
    ownerId: row.owner_id,
    headers: JSON.parse(row.headers) as StoredHeaders,
    userMetadata: JSON.parse(row.user_metadata) as Record<string, string>,
    tags: JSON.parse(row.tags) as Tag[],
    checksumAlgorithm: row.checksum_algorithm as ChecksumAlgorithm | null,
    checksumType: row.checksum_type as 'FULL_OBJECT' | 'COMPOSITE' | null,
    retention: retentionOf(row.retention_mode, row.retention_until),
    legalHold: Boolean(row.legal_hold),
  };
}

export function partRow(p: UploadedPart): Insertable<PartsTable> {
  return {
    upload_id: p.uploadId,
    part_number: p.partNumber,
    size: p.size,
    etag: p.etag,
    md5: p.md5,
    checksums: JSON.stringify(p.checksums),
    last_modified: p.lastModified.getTime(),
  };
}

export function toPart(row: Selectable<PartsTable>, extents: readonly Extent[]): UploadedPart {
  return {
    uploadId: row.upload_id,
    partNumber: row.part_number,
    size: num(row.size),
    etag: row.etag,
    md5: row.md5,
    checksums: JSON.parse(row.checksums) as UploadedPart['checksums'],
    lastModified: new Date(num(row.last_modified)),
    extents,
  };
}

