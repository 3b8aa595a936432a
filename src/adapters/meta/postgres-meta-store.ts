/**
 * @module
 * The scale-out MetaStore: PostgreSQL through a `pg` pool. Many nodes may
 * share one database: writers of one key serialise on a transaction-scoped
 * advisory lock, rows a write depends on are locked FOR KEY SHARE, and
 * migrations run under Kysely's advisory lock. The hot paths' statements
 * (`statements.ts`) are named prepared statements.
 */
import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import { fail } from '../../core/errors.ts';
import type { MetaStore } from '../../ports/meta-store.ts';
import { KyselyMetaStore } from './kysely-meta-store.ts';
import type { Db, MetaDialect } from './meta-dialect.ts';
import type { Database } from './schema.ts';
import { StatementCache, kyselyRunner } from './statements.ts';
import type { SecretSeal } from '../../core/secret-seal.ts';

export interface PostgresMetaStoreOptions {
  /** Schema to live in (created by migrate() if missing); default: the server's search_path. */
  readonly schema?: string;
  /** Connections in the pool. Default 10. */
  readonly poolSize?: number;
  /** Seals access-key secrets at rest. */
  readonly secrets?: SecretSeal;
}

const INT8_OID = 20;
/** Lower-case identifiers only: the same in search_path and in quoted DDL. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

function sqlState(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

function postgresDialect(schema: string | undefined): MetaDialect {
  return {
    engine: 'postgres',
    ...(schema === undefined ? {} : { schema }),
    rowLocks: true,
    async lockKey(trx: Db, bucket: string, key: string): Promise<void> {
      // Bucket names hold no '/', so the string names one key; a hash collision only serialises more.
      await sql`select pg_advisory_xact_lock(hashtextextended(${`${bucket}/${key}`}, 0))`.execute(trx);
    },
    isUniqueViolation: (e) => sqlState(e) === '23505',
    // Deadlock or serialization failure: the transaction was rolled back, running it again is correct.
    isRetryable: (e) => sqlState(e) === '40P01' || sqlState(e) === '40001',
    explain: explainPostgres,
  };
}

/**
 * EXPLAIN with sequential and bitmap scans priced out: on the test's tiny
 * tables a full scan is cheapest, which says nothing about 10 million rows.
 * With them off, a plan without a Sort node proves the index both matches
 * the predicate and yields the listing order (otherwise a seq scan or a
 * sort would still appear).
 */
async function explainPostgres(db: Db, query: CompiledQuery): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    await sql`set local enable_seqscan = off`.execute(trx);
    await sql`set local enable_bitmapscan = off`.execute(trx);
    const plan = await trx.executeQuery<{ 'QUERY PLAN': string }>(
      CompiledQuery.raw(`explain ${query.sql}`, [...query.parameters]),
    );
    return plan.rows.map((r) => r['QUERY PLAN']);
  });
}

function createPool(url: string, options: PostgresMetaStoreOptions): pg.Pool {
  // Sizes, ids and instants are int8; all stay below 2^53, so numbers are exact.
  const types = new pg.TypeOverrides();
  types.setTypeParser(INT8_OID, 'text', Number);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    types,
    ...(options.schema === undefined ? {} : { options: `-c search_path=${options.schema}` }),
  });
  // An idle client that breaks is dropped by the pool; the next query reports a lasting outage.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * The pool as Kysely sees it, with the prepared statements' SQL sent as
 * named statements: the server parses and plans them once per connection
 * (about 3 times faster for getVersion than planning every call).
 */
function namingPool(pool: pg.Pool, names: ReadonlyMap<string, string>): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => ({
    query: ((text: unknown, values?: readonly unknown[]) => {
      const name = typeof text === 'string' ? names.get(text) : undefined;
      if (name !== undefined) return client.query({ name, text: text as string, values: values as unknown[] });
      return (client.query as (...args: unknown[]) => unknown)(text, values);
    }) as PostgresPoolClient['query'],
    release: () => client.release(),
  });
  return {
    async connect() {
      const client = await pool.connect();
      let facade = wrapped.get(client);
      if (facade === undefined) {
        facade = wrap(client);
        wrapped.set(client, facade);
      }
      return facade;
    },
    end: () => pool.end(),
  };
}

/** Connects to `url` (one round trip, so a bad URL fails here). Call `migrate()` before use; it creates the schema. */
export async function openPostgresMetaStore(url: string, opts: PostgresMetaStoreOptions = {}): Promise<MetaStore> {
  if (opts.schema !== undefined && !SCHEMA_NAME.test(opts.schema)) {
    fail('InvalidArgument', `Schema name ${opts.schema} must match ${SCHEMA_NAME.source}.`);
  }
  const names = new Map<string, string>();
  const pool = namingPool(createPool(url, opts), names);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const fallback = await currentSchema(db);
  const dialect = postgresDialect(opts.schema ?? fallback);
  const cache = new StatementCache(db, dialect, (text) => names.set(text, `signet_${names.size + 1}`));
  return new KyselyMetaStore(db, dialect, {
    statements: { read: kyselyRunner(db, cache), write: (trx) => kyselyRunner(trx, cache) },
    secrets: opts.secrets,
  });
}

async function currentSchema(db: Db): Promise<string | undefined> {
  try {
    const { rows } = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    return rows[0]?.schema ?? undefined;
  } catch (e) {
    await db.destroy();
    throw e;
  }
}
