/**
 * @module
 * The metadata schema as Kysely sees it: one `Database` interface for both
 * engines. The DDL lives in `migrations.ts`; these types must follow it.
 *
 * Conventions that keep the two engines identical from the code's side:
 * - Instants are integers, milliseconds since the epoch (`bigint` on
 *   PostgreSQL, parsed back to numbers by the pool), so they round-trip
 *   exactly on both engines.
 * - Flags are `boolean` on PostgreSQL and 0/1 on SQLite. The code writes 0/1
 *   (PostgreSQL infers boolean for the parameter) and reads with `Boolean()`.
 *   Predicates the partial indexes depend on are written bare (`is_latest`),
 *   never `= 1`, so both planners match them.
 * - JSON documents are text, so key order survives (jsonb would reorder).
 * - Keys, buckets and ids compare in UTF-8 byte order: SQLite's BINARY
 *   collation, `COLLATE "C"` on PostgreSQL.
 */
import type { ColumnType, Generated } from 'kysely';

/** Read as boolean (PostgreSQL) or 0/1 (SQLite); written as 0/1. */
export type Flag = ColumnType<boolean | 0 | 1, 0 | 1, 0 | 1>;

/** 64-bit integers; the PostgreSQL pool parses int8 to number (all values stay below 2^53). */
export type Int64 = number;

export interface UsersTable {
  id: string;
  name: string;
  is_root: Flag;
  created_at: Int64;
}

export interface AccessKeysTable {
  access_key_id: string;
  /** The secret in clear, or sealed (`core/secret-seal.ts`) when `sealed_by` names a master key. */
  secret: string;
  /** Id of the master key `secret` is sealed under; null: in clear (no master key configured). */
  sealed_by: string | null;
  user_id: string;
  created_at: Int64;
}

export interface BucketsTable {
  name: string;
  owner_id: string;
  created_at: Int64;
  region: string;
  versioning: string;
  object_lock_enabled: Flag;
  /** JSON object: configuration documents by kind. */
  config: string;
}

/**
 * Every version and delete marker of every key. `id` is also the version's
 * `seq`: global and increasing, so within a key the newest is highest
 * (writers of one key are serialised, so no older id commits after a newer).
 * Invariant kept by every write: a key's latest row (`is_latest`) is its
 * newest row. The flag exists for the listing's partial index.
 */
export interface VersionsTable {
  id: Generated<Int64>;
  bucket: string;
  key: string;
  version_id: string;
  is_latest: Flag;
  is_delete_marker: Flag;
  size: Int64;
  etag: string;
  last_modified: Int64;
  owner_id: string;
  /** JSON StoredHeaders. */
  headers: string;
  /** JSON object of user metadata. */
  user_metadata: string;
  checksum_algorithm: string | null;
  checksum_value: string | null;
  checksum_type: string | null;
  sha256: string | null;
  /** JSON array of [key, value]. */
  tags: string;
  retention_mode: string | null;
  retention_until: Int64 | null;
  legal_hold: Flag;
  /** JSON PartInfo[] for multipart objects. */
  parts: string | null;
  /** Small objects' bytes. Last column: SQLite reads earlier columns without touching its overflow pages. */
  inline_data: Buffer | null;
}

export interface VersionExtentsTable {
  version_id: Int64;
  ord: number;
  blob: string;
  blob_offset: Int64;
  length: Int64;
}

export interface UploadsTable {
  upload_id: string;
  bucket: string;
  key: string;
  initiated: Int64;
  owner_id: string;
  headers: string;
  user_metadata: string;
  tags: string;
  checksum_algorithm: string | null;
  checksum_type: string | null;
  retention_mode: string | null;
  retention_until: Int64 | null;
  legal_hold: Flag;
}

export interface PartsTable {
  upload_id: string;
  part_number: number;
  size: Int64;
  etag: string;
  md5: string;
  /** JSON object: base64 checksum by algorithm. */
  checksums: string;
  last_modified: Int64;
}

export interface PartExtentsTable {
  upload_id: string;
  part_number: number;
  ord: number;
  blob: string;
  blob_offset: Int64;
  length: Int64;
}

/** API tokens; only the SHA-256 of the secret. */
export interface RegistryTokensTable {
  id: string;
  user_id: string;
  name: string;
  /** JSON array of scopes. */
  scopes: string;
  secret_hash: string;
  created_at: Int64;
  expires_at: Int64 | null;
  revoked_at: Int64 | null;
}

export interface RegistryModelsTable {
  id: string;
  namespace: string;
  name: string;
  description: string;
  unversioned: Flag;
  gate_eula: string | null;
  gate_version: string | null;
  created_at: Int64;
  created_by: string;
  /** The highest version number ever given: numbers are never reused. */
  last_number: Int64;
}

export interface RegistryModelVersionsTable {
  model_id: string;
  number: Int64;
  label: string | null;
  description: string;
  /** JSON object of strings. */
  metadata: string;
  approval: string;
  status: string;
  created_at: Int64;
  created_by: string;
  updated_at: Int64;
  file_count: Int64;
  total_size: Int64;
  source_uri: string | null;
  document: string | null;
  /** The caller's idempotency token (SageMaker's ClientToken), unique within the model; null when none was given. */
  client_token: string | null;
}

/** Files of versions (owner_id = model id, owner_number = version) and hub contents (owner_number 0). */
export interface RegistryFilesTable {
  owner_kind: 'version' | 'hub-content';
  owner_id: string;
  owner_number: Int64;
  path: string;
  size: Int64;
  sha256: string;
  object_key: string;
}

export interface RegistryStagesTable {
  model_id: string;
  stage: string;
  number: Int64;
  status: string | null;
  description: string | null;
  moved_at: Int64;
  moved_by: string;
}

export interface RegistryStageEventsTable {
  seq: Generated<Int64>;
  model_id: string;
  stage: string;
  number: Int64 | null;
  previous: Int64 | null;
  at: Int64;
  actor: string;
}

export interface RegistryHubsTable {
  name: string;
  id: string;
  display_name: string;
  description: string;
  /** JSON array of strings. */
  search_keywords: string;
  created_at: Int64;
  updated_at: Int64;
}

export interface RegistryHubContentsTable {
  id: string;
  hub_name: string;
  type: string;
  name: string;
  version: string;
  /** versionSortKey(version). */
  version_key: string;
  /** The highest (version_key, version) of its hub, type and name. */
  is_latest: Flag;
  display_name: string;
  description: string;
  markdown: string;
  /** JSON array of strings. */
  search_keywords: string;
  support_status: string | null;
  document_schema_version: string;
  artifact_uri: string | null;
  eula_uri: string | null;
  reference_arn: string | null;
  created_at: Int64;
  updated_at: Int64;
  file_count: Int64;
  total_size: Int64;
  document: string;
}

export interface RegistryAcceptancesTable {
  subject_kind: 'model' | 'hub-content';
  subject_id: string;
  user_id: string;
  eula: string;
  eula_version: string;
  user_name: string;
  at: Int64;
}

export interface RegistryGrantsTable {
  id: string;
  kind: string;
  user_id: string;
  token_id: string | null;
  face: string;
  subject: string;
  created_at: Int64;
  expires_at: Int64;
}

export interface RegistryAuditTable {
  seq: Generated<Int64>;
  at: Int64;
  user_id: string;
  user_name: string;
  action: string;
  subject: string;
  /** JSON object. */
  detail: string;
}

export interface RegistryUploadSlotsTable {
  file_id: string;
  scope: string;
  session_id: string | null;
  file_name: string;
  sha256: string;
  size: Int64 | null;
  object_key: string;
  owner_kind: 'version' | 'hub-content' | null;
  owner_id: string | null;
  owner_number: Int64 | null;
  created_by: string;
  created_at: Int64;
  expires_at: Int64;
}

export interface Database {
  users: UsersTable;
  access_keys: AccessKeysTable;
  buckets: BucketsTable;
  versions: VersionsTable;
  version_extents: VersionExtentsTable;
  uploads: UploadsTable;
  parts: PartsTable;
  part_extents: PartExtentsTable;
  registry_tokens: RegistryTokensTable;
  registry_models: RegistryModelsTable;
  registry_model_versions: RegistryModelVersionsTable;
  registry_files: RegistryFilesTable;
  registry_stages: RegistryStagesTable;
  registry_stage_events: RegistryStageEventsTable;
  registry_hubs: RegistryHubsTable;
  registry_hub_contents: RegistryHubContentsTable;
  registry_acceptances: RegistryAcceptancesTable;
  registry_grants: RegistryGrantsTable;
  registry_audit: RegistryAuditTable;
  registry_upload_slots: RegistryUploadSlotsTable;
  encryption_keys: EncryptionKeysTable;
  registry_tags: RegistryTagsTable;
}

/** Tags on models, versions and hubs (migration 0005_registry_tags); removed with their owner. */
export interface RegistryTagsTable {
  /** 'model' | 'version' | 'hub' | 'hub-content'. */
  owner_kind: string;
  /** The model id, the hub name, or the hub content version's id. */
  owner_id: string;
  /** The version number; 0 for models and hubs. */
  owner_number: Int64;
  tag_key: string;
  tag_value: string;
}

/** Master keys SSE-S3 data was written under (migration 0003_encryption). */
export interface EncryptionKeysTable {
  key_id: string;
  check_value: string;
  created_at: Int64;
}

/** Index names the code and the plan test refer to. */
export const INDEXES = {
  /** (bucket, key) of current, non-deleted objects: listObjects. */
  current: 'versions_current',
  /** (bucket, key, id desc): listVersions; the newest row of a key, which is its latest. */
  history: 'versions_history',
} as const;
