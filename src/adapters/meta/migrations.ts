/**
 * @module
 * Versioned schema migrations, in code, for both engines. Each migration is
 * written once against Kysely's schema builder; {@link columnTypes} names the
 * few types that differ. Migrations run through Kysely's `Migrator` (its
 * bookkeeping in `signet_migration`), inside one transaction, under its
 * PostgreSQL session advisory lock, so nodes starting together are safe.
 *
 * Rules for later migrations: append, never edit a released one; add columns
 * with `alterTable(...).addColumn(...)` (nullable or with a default: both
 * engines add them without rewriting the table). On SQLite, added columns land
 * after `inline_data`; reading them on rows with large inline data walks the
 * row's overflow pages, so do not put columns a listing reads there.
 */
import { Migrator, sql } from 'kysely';
import type { ColumnDataType, ColumnDefinitionBuilder, Expression, Kysely, Migration } from 'kysely';

export type Engine = 'sqlite' | 'postgres';

/** A migration bound to nothing: it is told which engine it runs on. */
export interface SignetMigration {
  /** Sorts in run order: `0001_initial`, `0002_...`. */
  readonly name: string;
  // Migrations work on any table, including ones no longer in `Database`.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  up(db: Kysely<any>, engine: Engine): Promise<void>;
}

type DataType = ColumnDataType | Expression<unknown>;

/** The column types that differ between the engines. */
export function columnTypes(engine: Engine): {
  /** Names, keys and ids: compared in UTF-8 byte order. */
  readonly key: DataType;
  readonly text: DataType;
  readonly flag: DataType;
  readonly int32: DataType;
  readonly int64: DataType;
  readonly blob: DataType;
} {
  if (engine === 'sqlite') {
    // SQLite's BINARY collation is memcmp over UTF-8: byte order already.
    return { key: 'text', text: 'text', flag: 'integer', int32: 'integer', int64: 'integer', blob: 'blob' };
  }
  return {
    key: sql`text collate "C"`,
    text: 'text',
    flag: 'boolean',
    int32: 'integer',
    int64: 'bigint',
    blob: 'bytea',
  };
}

/** SQLite STRICT tables reject values of the wrong type instead of storing them. */
function tableEnd(engine: Engine): Expression<unknown> {
  return engine === 'sqlite' ? sql`strict` : sql``;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function createAccounts(db: Kysely<any>, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema
    .createTable('users')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('name', t.key, (c) => c.notNull().unique())
    .addColumn('is_root', t.flag, (c) => c.notNull())
    .addColumn('created_at', t.int64, (c) => c.notNull())
    .modifyEnd(tableEnd(engine))
    .execute();
  await db.schema
    .createTable('access_keys')
    .addColumn('access_key_id', t.key, (c) => c.primaryKey())
    .addColumn('secret', t.text, (c) => c.notNull())
    .addColumn('user_id', t.key, (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('created_at', t.int64, (c) => c.notNull())
    .modifyEnd(tableEnd(engine))
    .execute();
  await db.schema.createIndex('access_keys_user').on('access_keys').columns(['user_id', 'created_at']).execute();
  await db.schema
    .createTable('buckets')
    .addColumn('name', t.key, (c) => c.primaryKey())
    .addColumn('owner_id', t.key, (c) => c.notNull())
    .addColumn('created_at', t.int64, (c) => c.notNull())
    .addColumn('region', t.text, (c) => c.notNull())
    .addColumn('versioning', t.text, (c) =>
      c.notNull().check(sql`versioning in ('Unversioned', 'Enabled', 'Suspended')`),
    )
    .addColumn('object_lock_enabled', t.flag, (c) => c.notNull())
    .addColumn('config', t.text, (c) => c.notNull())
    .modifyEnd(tableEnd(engine))
    .execute();
  await db.schema.createIndex('buckets_owner').on('buckets').columns(['owner_id', 'name']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function createVersions(db: Kysely<any>, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema
    .createTable('versions')
    .addColumn('id', engine === 'sqlite' ? 'integer' : 'bigint', (c) =>
      // AUTOINCREMENT: ids (the versions' seq) are never reused, even after the newest row is deleted.
      engine === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey().generatedAlwaysAsIdentity(),
    )
    .addColumn('bucket', t.key, (c) => c.notNull().references('buckets.name'))
    .addColumn('key', t.key, (c) => c.notNull())
    .addColumn('version_id', t.key, (c) => c.notNull())
    .addColumn('is_latest', t.flag, (c) => c.notNull())
    .addColumn('is_delete_marker', t.flag, (c) => c.notNull())
    .addColumn('size', t.int64, (c) => c.notNull())
    .addColumn('etag', t.text, (c) => c.notNull())
    .addColumn('last_modified', t.int64, (c) => c.notNull())
    .addColumn('owner_id', t.key, (c) => c.notNull())
    .addColumn('headers', t.text, (c) => c.notNull())
    .addColumn('user_metadata', t.text, (c) => c.notNull())
    .addColumn('checksum_algorithm', t.text)
    .addColumn('checksum_value', t.text)
    .addColumn('checksum_type', t.text)
    .addColumn('sha256', t.text)
    .addColumn('tags', t.text, (c) => c.notNull())
    .addColumn('retention_mode', t.text, (c) => c.check(sql`retention_mode in ('GOVERNANCE', 'COMPLIANCE')`))
    .addColumn('retention_until', t.int64)
    .addColumn('legal_hold', t.flag, (c) => c.notNull())
    .addColumn('parts', t.text)
    .addColumn('inline_data', t.blob)
    .addUniqueConstraint('versions_key_version', ['bucket', 'key', 'version_id'])
    .modifyEnd(tableEnd(engine))
    .execute();
  // Listing: only current, non-deleted rows are in it, so noncurrent versions
  // and delete markers cost a listing nothing. Queries must repeat this exact
  // predicate (bare flags) for both planners to pick the index.
  await db.schema
    .createIndex('versions_current')
    .on('versions')
    .columns(['bucket', 'key'])
    .where(sql<boolean>`is_latest and not is_delete_marker`)
    .execute();
  // listVersions' order, and the newest row of a key, which is always its
  // latest: the lookup of the latest costs one probe however many versions.
  await db.schema.createIndex('versions_history').on('versions').columns(['bucket', 'key', 'id desc']).execute();
  await db.schema
    .createTable('version_extents')
    .addColumn('version_id', t.int64, (c) => c.notNull().references('versions.id').onDelete('cascade'))
    .addColumn('ord', t.int32, (c) => c.notNull())
    .addColumn('blob', t.text, (c) => c.notNull())
    .addColumn('blob_offset', t.int64, (c) => c.notNull())
    .addColumn('length', t.int64, (c) => c.notNull())
    .addPrimaryKeyConstraint('version_extents_pk', ['version_id', 'ord'])
    .modifyEnd(tableEnd(engine))
    .execute();
  await db.schema.createIndex('version_extents_blob').on('version_extents').column('blob').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function createUploads(db: Kysely<any>, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema
    .createTable('uploads')
    .addColumn('upload_id', t.key, (c) => c.primaryKey())
    .addColumn('bucket', t.key, (c) => c.notNull().references('buckets.name').onDelete('cascade'))
    .addColumn('key', t.key, (c) => c.notNull())
    .addColumn('initiated', t.int64, (c) => c.notNull())
    .addColumn('owner_id', t.key, (c) => c.notNull())
    .addColumn('headers', t.text, (c) => c.notNull())
    .addColumn('user_metadata', t.text, (c) => c.notNull())
    .addColumn('tags', t.text, (c) => c.notNull())
    .addColumn('checksum_algorithm', t.text)
    .addColumn('checksum_type', t.text)
    .addColumn('retention_mode', t.text, (c) => c.check(sql`retention_mode in ('GOVERNANCE', 'COMPLIANCE')`))
    .addColumn('retention_until', t.int64)
    .addColumn('legal_hold', t.flag, (c) => c.notNull())
    .modifyEnd(tableEnd(engine))
    .execute();
  await db.schema.createIndex('uploads_key').on('uploads').columns(['bucket', 'key', 'upload_id']).execute();
  await db.schema
    .createTable('parts')
    .addColumn('upload_id', t.key, (c) => c.notNull().references('uploads.upload_id').onDelete('cascade'))
    .addColumn('part_number', t.int32, (c) => c.notNull())
    .addColumn('size', t.int64, (c) => c.notNull())
    .addColumn('etag', t.text, (c) => c.notNull())
    .addColumn('md5', t.text, (c) => c.notNull())
    .addColumn('checksums', t.text, (c) => c.notNull())
    .addColumn('last_modified', t.int64, (c) => c.notNull())
    .addPrimaryKeyConstraint('parts_pk', ['upload_id', 'part_number'])
    .modifyEnd(tableEnd(engine))
    .execute();
  await db.schema
    .createTable('part_extents')
    .addColumn('upload_id', t.key, (c) => c.notNull())
    .addColumn('part_number', t.int32, (c) => c.notNull())
    .addColumn('ord', t.int32, (c) => c.notNull())
    .addColumn('blob', t.text, (c) => c.notNull())
    .addColumn('blob_offset', t.int64, (c) => c.notNull())
    .addColumn('length', t.int64, (c) => c.notNull())
    .addPrimaryKeyConstraint('part_extents_pk', ['upload_id', 'part_number', 'ord'])
    .addForeignKeyConstraint(
      'part_extents_part',
      ['upload_id', 'part_number'],
      'parts',
      ['upload_id', 'part_number'],
      (c) => c.onDelete('cascade'),
    )
    .modifyEnd(tableEnd(engine))
    .execute();
  await db.schema.createIndex('part_extents_blob').on('part_extents').column('blob').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDb = Kysely<any>;

/** The id column of an append-only log: never reused, even after the newest row is deleted. */
function seqColumn(engine: Engine): [DataType, (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder] {
  return engine === 'sqlite'
    ? ['integer', (c) => c.primaryKey().autoIncrement()]
    : ['bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity()];
}

async function createTokensAndModels(db: AnyDb, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema
    .createTable('registry_tokens')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('user_id', t.key, (c) => c.notNull())
    .addColumn('name', t.text, (c) => c.notNull())
    .addColumn('scopes', t.text, (c) => c.notNull())
    .addColumn('secret_hash', t.text, (c) => c.notNull())
    .addColumn('created_at', t.int64, (c) => c.notNull())
    .addColumn('expires_at', t.int64)
    .addColumn('revoked_at', t.int64)
    .modifyEnd(tableEnd(engine))
    .execute();
  await db.schema.createIndex('registry_tokens_user').on('registry_tokens').columns(['user_id', 'created_at']).execute();
  await db.schema.createIndex('registry_tokens_created').on('registry_tokens').column('created_at').execute();
  await db.schema
    .createTable('registry_models')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('namespace', t.key, (c) => c.notNull())
    .addColumn('name', t.key, (c) => c.notNull())
    .addColumn('description', t.text, (c) => c.notNull())
    .addColumn('unversioned', t.flag, (c) => c.notNull())
    .addColumn('gate_eula', t.text)
    .addColumn('gate_version', t.text)
    .addColumn('created_at', t.int64, (c) => c.notNull())
    .addColumn('created_by', t.key, (c) => c.notNull())
    .addColumn('last_number', t.int64, (c) => c.notNull())
    .addUniqueConstraint('registry_models_namespace_name', ['namespace', 'name'])
    .modifyEnd(tableEnd(engine))
    .execute();
  // ListModelPackages sorted by Name walks models in this order.
  await db.schema.createIndex('registry_models_name').on('registry_models').columns(['name', 'namespace']).execute();
  // ListModelPackageGroups sorted by CreationTime.
  await db.schema.createIndex('registry_models_created').on('registry_models').columns(['created_at', 'id']).execute();
}

async function createModelVersions(db: AnyDb, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema
    .createTable('registry_model_versions')
    .addColumn('model_id', t.key, (c) => c.notNull().references('registry_models.id').onDelete('cascade'))
    .addColumn('number', t.int64, (c) => c.notNull())
    .addColumn('label', t.key)
    .addColumn('description', t.text, (c) => c.notNull())
    .addColumn('metadata', t.text, (c) => c.notNull())
    .addColumn('approval', t.text, (c) =>
      c.notNull().check(sql`approval in ('Approved', 'Rejected', 'PendingManualApproval')`),
    )
    .addColumn('status', t.text, (c) =>
      c.notNull().check(sql`status in ('Pending', 'InProgress', 'Completed', 'Failed', 'Deleting')`),
    )
    .addColumn('created_at', t.int64, (c) => c.notNull())
    .addColumn('created_by', t.key, (c) => c.notNull())
    .addColumn('updated_at', t.int64, (c) => c.notNull())
    .addColumn('file_count', t.int64, (c) => c.notNull())
    .addColumn('total_size', t.int64, (c) => c.notNull())
    .addColumn('source_uri', t.text)
    // Last: possibly large, and listings need the columns before it.
    .addColumn('document', t.text)
    .addPrimaryKeyConstraint('registry_model_versions_pk', ['model_id', 'number'])
    // NULL labels never collide, on both engines.
    .addUniqueConstraint('registry_model_versions_label', ['model_id', 'label'])
    .modifyEnd(tableEnd(engine))
    .execute();
  // ListModelPackages sorted by CreationTime: a page is one index range.
  await db.schema
    .createIndex('registry_model_versions_created')
    .on('registry_model_versions')
    .columns(['created_at', 'model_id', 'number'])
    .execute();
  await db.schema
    .createTable('registry_files')
    .addColumn('owner_kind', t.key, (c) => c.notNull().check(sql`owner_kind in ('version', 'hub-content')`))
    .addColumn('owner_id', t.key, (c) => c.notNull())
    .addColumn('owner_number', t.int64, (c) => c.notNull())
    .addColumn('path', t.key, (c) => c.notNull())
    .addColumn('size', t.int64, (c) => c.notNull())
    .addColumn('sha256', t.key, (c) => c.notNull())
    .addColumn('object_key', t.key, (c) => c.notNull())
    .addPrimaryKeyConstraint('registry_files_pk', ['owner_kind', 'owner_id', 'owner_number', 'path'])
    .modifyEnd(tableEnd(engine))
    .execute();
  await db.schema.createIndex('registry_files_sha256').on('registry_files').column('sha256').execute();
  await db.schema.createIndex('registry_files_object_key').on('registry_files').column('object_key').execute();
}

async function createStages(db: AnyDb, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema
    .createTable('registry_stages')
    .addColumn('model_id', t.key, (c) => c.notNull().references('registry_models.id').onDelete('cascade'))
    .addColumn('stage', t.key, (c) => c.notNull())
    .addColumn('number', t.int64, (c) => c.notNull())
    .addColumn('status', t.text)
    .addColumn('description', t.text)
    .addColumn('moved_at', t.int64, (c) => c.notNull())
    .addColumn('moved_by', t.key, (c) => c.notNull())
    .addPrimaryKeyConstraint('registry_stages_pk', ['model_id', 'stage'])
    .modifyEnd(tableEnd(engine))
    .execute();
  const [seqType, seq] = seqColumn(engine);
  await db.schema
    .createTable('registry_stage_events')
    .addColumn('seq', seqType, seq)
    .addColumn('model_id', t.key, (c) => c.notNull())
    .addColumn('stage', t.key, (c) => c.notNull())
    .addColumn('number', t.int64)
    .addColumn('previous', t.int64)
    .addColumn('at', t.int64, (c) => c.notNull())
    .addColumn('actor', t.key, (c) => c.notNull())
    .modifyEnd(tableEnd(engine))
    .execute();
  await db.schema.createIndex('registry_stage_events_model').on('registry_stage_events').columns(['model_id', 'seq']).execute();
  await db.schema
    .createIndex('registry_stage_events_stage')
    .on('registry_stage_events')
    .columns(['model_id', 'stage', 'seq'])
    .execute();
  await db.schema
    .createIndex('registry_stage_events_at')
    .on('registry_stage_events')
    .columns(['model_id', 'stage', 'at'])
    .execute();
}

async function createHubs(db: AnyDb, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema
    .createTable('registry_hubs')
    .addColumn('name', t.key, (c) => c.primaryKey())
    .addColumn('id', t.key, (c) => c.notNull().unique())
    .addColumn('display_name', t.text, (c) => c.notNull())
    .addColumn('description', t.text, (c) => c.notNull())
    .addColumn('search_keywords', t.text, (c) => c.notNull())
    .addColumn('created_at', t.int64, (c) => c.notNull())
    .addColumn('updated_at', t.int64, (c) => c.notNull())
    .modifyEnd(tableEnd(engine))
    .execute();
  await db.schema.createIndex('registry_hubs_created').on('registry_hubs').columns(['created_at', 'name']).execute();
  await db.schema
    .createTable('registry_hub_contents')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('hub_name', t.key, (c) => c.notNull().references('registry_hubs.name'))
    .addColumn('type', t.key, (c) => c.notNull())
    .addColumn('name', t.key, (c) => c.notNull())
    .addColumn('version', t.key, (c) => c.notNull())
    // versionSortKey(version): dotted numbers compare right as strings.
    .addColumn('version_key', t.key, (c) => c.notNull())
    // The highest (version_key, version) of its hub, type and name; kept by every write.
    .addColumn('is_latest', t.flag, (c) => c.notNull())
    .addColumn('display_name', t.text, (c) => c.notNull())
    .addColumn('description', t.text, (c) => c.notNull())
    .addColumn('markdown', t.text, (c) => c.notNull())
    .addColumn('search_keywords', t.text, (c) => c.notNull())
    .addColumn('support_status', t.text)
    .addColumn('document_schema_version', t.text, (c) => c.notNull())
    .addColumn('artifact_uri', t.text)
    .addColumn('eula_uri', t.text)
    .addColumn('reference_arn', t.text)
    .addColumn('created_at', t.int64, (c) => c.notNull())
    .addColumn('updated_at', t.int64, (c) => c.notNull())
    .addColumn('file_count', t.int64, (c) => c.notNull())
    .addColumn('total_size', t.int64, (c) => c.notNull())
    // Last: possibly large, and listings need the columns before it.
    .addColumn('document', t.text, (c) => c.notNull())
    .addUniqueConstraint('registry_hub_contents_version', ['hub_name', 'type', 'name', 'version'])
    .modifyEnd(tableEnd(engine))
    .execute();
  await db.schema
    .createIndex('registry_hub_contents_order')
    .on('registry_hub_contents')
    .columns(['hub_name', 'type', 'name', 'version_key'])
    .execute();
  await db.schema
    .createIndex('registry_hub_contents_latest')
    .on('registry_hub_contents')
    .columns(['hub_name', 'type', 'name'])
    .where(sql<boolean>`is_latest`)
    .execute();
  await db.schema
    .createIndex('registry_hub_contents_created')
    .on('registry_hub_contents')
    .columns(['hub_name', 'type', 'created_at'])
    .execute();
}

async function createGatesAndGrants(db: AnyDb, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema
    .createTable('registry_acceptances')
    .addColumn('subject_kind', t.key, (c) => c.notNull().check(sql`subject_kind in ('model', 'hub-content')`))
    .addColumn('subject_id', t.key, (c) => c.notNull())
    .addColumn('user_id', t.key, (c) => c.notNull())
    .addColumn('eula', t.key, (c) => c.notNull())
    .addColumn('eula_version', t.key, (c) => c.notNull())
    .addColumn('user_name', t.text, (c) => c.notNull())
    .addColumn('at', t.int64, (c) => c.notNull())
    .addPrimaryKeyConstraint('registry_acceptances_pk', ['subject_kind', 'subject_id', 'user_id', 'eula', 'eula_version'])
    .modifyEnd(tableEnd(engine))
    .execute();
  await db.schema
    .createIndex('registry_acceptances_subject_at')
    .on('registry_acceptances')
    .columns(['subject_kind', 'subject_id', 'at'])
    .execute();
  await db.schema.createIndex('registry_acceptances_at').on('registry_acceptances').column('at').execute();
  await db.schema
    .createTable('registry_grants')
    .addColumn('id', t.key, (c) => c.primaryKey())
    .addColumn('kind', t.text, (c) => c.notNull().check(sql`kind in ('download', 'upload')`))
    .addColumn('user_id', t.key, (c) => c.notNull())
    .addColumn('token_id', t.key)
    .addColumn('face', t.text, (c) => c.notNull())
    .addColumn('subject', t.text, (c) => c.notNull())
    .addColumn('created_at', t.int64, (c) => c.notNull())
    .addColumn('expires_at', t.int64, (c) => c.notNull())
    .modifyEnd(tableEnd(engine))
    .execute();
  const [seqType, seq] = seqColumn(engine);
  await db.schema
    .createTable('registry_audit')
    .addColumn('seq', seqType, seq)
    .addColumn('at', t.int64, (c) => c.notNull())
    .addColumn('user_id', t.key, (c) => c.notNull())
    .addColumn('user_name', t.text, (c) => c.notNull())
    .addColumn('action', t.key, (c) => c.notNull())
    .addColumn('subject', t.text, (c) => c.notNull())
    .addColumn('detail', t.text, (c) => c.notNull())
    .modifyEnd(tableEnd(engine))
    .execute();
  await db.schema.createIndex('registry_audit_action').on('registry_audit').columns(['action', 'seq']).execute();
  await db.schema.createIndex('registry_audit_user').on('registry_audit').columns(['user_id', 'seq']).execute();
}

async function createUploadSlots(db: AnyDb, engine: Engine): Promise<void> {
  const t = columnTypes(engine);
  await db.schema
    .createTable('registry_upload_slots')
    .addColumn('file_id', t.key, (c) => c.primaryKey())
    .addColumn('scope', t.text, (c) => c.notNull().check(sql`scope in ('APPLICATION', 'SESSION')`))
    .addColumn('session_id', t.key)
    .addColumn('file_name', t.text, (c) => c.notNull())
    .addColumn('sha256', t.key, (c) => c.notNull())
    .addColumn('size', t.int64)
    .addColumn('object_key', t.key, (c) => c.notNull())
    .addColumn('owner_kind', t.key)
    .addColumn('owner_id', t.key)
    .addColumn('owner_number', t.int64)
    .addColumn('created_by', t.key, (c) => c.notNull())
    .addColumn('created_at', t.int64, (c) => c.notNull())
    .addColumn('expires_at', t.int64, (c) => c.notNull())
    .modifyEnd(tableEnd(engine))
    .execute();
  await db.schema
    .createIndex('registry_upload_slots_expiry')
    .on('registry_upload_slots')
    .columns(['scope', 'expires_at', 'file_id'])
    .execute();
  await db.schema.createIndex('registry_upload_slots_session').on('registry_upload_slots').column('session_id').execute();
}

/** Every migration, in order. Append only. */
export const SIGNET_MIGRATIONS: readonly SignetMigration[] = [
  {
    name: '0001_initial',
    async up(db, engine) {
      await createAccounts(db, engine);
      await createVersions(db, engine);
      await createUploads(db, engine);
    },
  },
  {
    name: '0002_registry',
    async up(db, engine) {
      await createTokensAndModels(db, engine);
      await createModelVersions(db, engine);
      await createStages(db, engine);
      await createHubs(db, engine);
      await createGatesAndGrants(db, engine);
      await createUploadSlots(db, engine);
    },
  },
  {
    // The master keys SSE-S3 data was written under: id and check value only.
    name: '0003_encryption',
    async up(db, engine) {
      const t = columnTypes(engine);
      await db.schema
        .createTable('encryption_keys')
        .addColumn('key_id', t.key, (c) => c.primaryKey())
        .addColumn('check_value', t.text, (c) => c.notNull())
        .addColumn('created_at', t.int64, (c) => c.notNull())
        .modifyEnd(tableEnd(engine))
        .execute();
    },
  },
  {
    // Access-key secrets sealed under the master key; the id of that key, null while in clear.
    name: '0004_sealed_secrets',
    async up(db, engine) {
      await db.schema.alterTable('access_keys').addColumn('sealed_by', columnTypes(engine).text).execute();
    },
  },
  {
    // Tags on models, versions and hubs (SageMaker's AddTags, ListTags, DeleteTags).
    name: '0005_registry_tags',
    async up(db, engine) {
      const t = columnTypes(engine);
      await db.schema
        .createTable('registry_tags')
        .addColumn('owner_kind', t.key, (c) => c.notNull())
        .addColumn('owner_id', t.key, (c) => c.notNull())
        .addColumn('owner_number', t.int64, (c) => c.notNull())
        .addColumn('tag_key', t.key, (c) => c.notNull())
        .addColumn('tag_value', t.text, (c) => c.notNull())
        .addPrimaryKeyConstraint('registry_tags_pk', ['owner_kind', 'owner_id', 'owner_number', 'tag_key'])
        .modifyEnd(tableEnd(engine))
        .execute();
    },
  },
  {
    // Idempotent registration: a version remembers the client token it was created with.
    name: '0006_version_client_tokens',
    async up(db, engine) {
      await db.schema.alterTable('registry_model_versions').addColumn('client_token', columnTypes(engine).key).execute();
      await db.schema
        .createIndex('registry_model_versions_client_token')
        .unique()
        .on('registry_model_versions')
        .columns(['model_id', 'client_token'])
        .where(sql<boolean>`client_token is not null`)
        .execute();
    },
  },
];

export interface RunMigrationsOptions {
  /** PostgreSQL schema holding the bookkeeping tables (the store's own schema). */
  readonly schema?: string;
  readonly migrations?: readonly SignetMigration[];
}

/** Brings the database to the latest migration; throws the first failure. */
export async function runMigrations(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
  engine: Engine,
  options: RunMigrationsOptions = {},
): Promise<void> {
  const list = options.migrations ?? SIGNET_MIGRATIONS;
  const migrations: Record<string, Migration> = {};
  for (const m of list) migrations[m.name] = { up: (trx) => m.up(trx, engine) };
  const migrator = new Migrator({
    db,
    provider: { getMigrations: () => Promise.resolve(migrations) },
    migrationTableName: 'signet_migration',
    migrationLockTableName: 'signet_migration_lock',
    // Without a schema Kysely looks for its tables in every schema; name ours.
    ...(options.schema === undefined ? {} : { migrationTableSchema: options.schema }),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const cause = error instanceof Error ? error : new Error(String(error));
    const what = failed === undefined ? 'Metadata migration' : `Metadata migration ${failed}`;
    throw new Error(`${what} failed: ${cause.message}`, { cause });
  }
}
