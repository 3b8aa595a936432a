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
import type { ColumnDataType, Expression, Kysely, Migration } from 'kysely';

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
