/**
 * @module
 * The embedded MetaStore: one SQLite file through better-sqlite3.
 *
 * - WAL with `synchronous=FULL` (or NORMAL by choice, see {@link SqliteSync}):
 *   an acknowledged write survives power loss.
 *   Group commit (`group-commit.ts`) makes one fsync serve every write that
 *   arrives together, so durability does not cap small-object throughput.
 * - WAL checkpoints run in a worker thread (`sqlite-checkpointer.ts`), not
 *   inside the writer's commits on the event loop.
 * - Two connections: the writer runs the batched transactions; reads use a
 *   second, query-only connection, so they never queue behind a batch and
 *   see only committed data (WAL readers do not block the writer).
 * - Users, access keys and buckets are kept in memory (`catalog-cache.ts`),
 *   emptied by this store's own catalog writes and by any other process's commit.
 * - Prepared statements are cached per connection by SQL text, so a query
 *   Kysely compiles again is not parsed again by SQLite; the hot paths'
 *   statements (`statements.ts`) skip Kysely's executor altogether.
 */
import { open, type FileHandle } from 'node:fs/promises';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteAdapter, SqliteDialect } from 'kysely';
import type { DialectAdapter, SqliteDatabase } from 'kysely';
import type { MetaStore } from '../../ports/meta-store.ts';
import { CatalogCache } from './catalog-cache.ts';
import type { SecretSeal } from '../../core/secret-seal.ts';
import { coalescedSync } from './coalesced-sync.ts';
import { GroupCommit } from './group-commit.ts';
import { startCheckpointer } from './sqlite-checkpointer.ts';
import type { ControlStatement, RunControl } from './group-commit.ts';
import { KyselyMetaStore } from './kysely-meta-store.ts';
import type { Db, MetaDialect } from './meta-dialect.ts';
import type { Database } from './schema.ts';
import { StatementCache, bindParams, kyselyRunner } from './statements.ts';
import type { BoundStatement, StatementDef, StatementRunner } from './statements.ts';

/** How long a connection waits for another process's lock before SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 10_000;
const STATEMENT_CACHE_SIZE = 256;

function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

export const SQLITE_DIALECT: MetaDialect = {
  engine: 'sqlite',
  rowLocks: false,
  // One writer connection, one transaction at a time: keys need no lock.
  lockKey: () => Promise.resolve(),
  isUniqueViolation: (e) => {
    const code = errorCode(e);
    return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
  },
  isRetryable: () => false,
  async explain(db: Db, query: CompiledQuery): Promise<string[]> {
    const plan = await db.executeQuery<{ detail: string }>(
      CompiledQuery.raw(`explain query plan ${query.sql}`, [...query.parameters]),
    );
    return plan.rows.map((r) => r.detail);
  },
};

/**
 * SQLite DDL is transactional, though Kysely's adapter says otherwise; saying
 * so makes the Migrator run all pending migrations in one transaction, so a
 * crash never leaves half a migration behind.
 */
class TransactionalDdlSqliteDialect extends SqliteDialect {
  override createAdapter(): DialectAdapter {
    return new (class extends SqliteAdapter {
      override get supportsTransactionalDdl(): boolean {
        return true;
      }
    })();
  }
}

/**
 * The subset of better-sqlite3 Kysely uses, with statements reused by SQL
 * text (LRU). On the writer, Kysely's transactions (migrations) begin
 * IMMEDIATE: that takes the write lock before the Migrator reads its
 * bookkeeping, so processes migrating one file at once take turns (a
 * deferred transaction would read, then fail to write after another's commit).
 */
function cachingStatements(db: BetterSqlite3.Database, role: 'writer' | 'reader'): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => db.close(),
    prepare(sqlText: string) {
      const text = role === 'writer' && sqlText === 'begin' ? 'begin immediate' : sqlText;
      let stmt = cache.get(text);
      if (stmt !== undefined) {
        cache.delete(text);
      } else {
        stmt = db.prepare(text);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value ?? '');
      }
      cache.set(text, stmt);
      return stmt;
    },
  };
}

interface Connection {
  readonly raw: BetterSqlite3.Database;
  readonly db: Kysely<Database>;
}

/**
 * `full` (default): every committed batch is fsynced (see {@link walFsync})
 * before it is acknowledged; an acknowledged write survives power loss.
 * `normal`: the WAL is fsynced at checkpoints only; an acknowledged write
 * survives a crash of the process (SIGKILL) but the last commits may be lost
 * on power loss; the database stays consistent either way.
 */
export type SqliteSync = 'full' | 'normal';

export interface SqliteMetaStoreOptions {
  readonly synchronous?: SqliteSync;
  /** Seals access-key secrets at rest. */
  readonly secrets?: SecretSeal;
}

function connect(file: string, role: 'writer' | 'reader'): Connection {
  const raw = new BetterSqlite3(file);
  raw.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (role === 'writer') {
    raw.pragma('journal_mode = WAL');
    // NORMAL: SQLite itself does not fsync at commit; for `full`, walFsync does it off the event loop.
    raw.pragma('synchronous = NORMAL');
    raw.pragma('foreign_keys = ON');
  } else {
    raw.pragma('query_only = ON');
  }
  const dialect = new TransactionalDdlSqliteDialect({ database: cachingStatements(raw, role) });
  return { raw, db: new Kysely<Database>({ dialect }) };
}

/**
 * Runs prepared statements on the connection directly: synchronous, no
 * Kysely executor in between. On the writer it is only used inside a batch's
 * transaction (the group commit hands it to each operation).
 */
function directRunner(raw: BetterSqlite3.Database, cache: StatementCache): StatementRunner {
  const prepared = new Map<StatementDef<never, unknown>, { bound: BoundStatement; stmt: BetterSqlite3.Statement }>();
  const get = (def: StatementDef<never, unknown>) => {
    let entry = prepared.get(def);
    if (entry === undefined) {
      const bound = cache.get(def);
      entry = { bound, stmt: raw.prepare(bound.compiled.sql) };
      prepared.set(def, entry);
    }
    return entry;
  };
  return {
    async all<P extends object, R>(def: StatementDef<P, R>, params: P): Promise<R[]> {
      const { bound, stmt } = get(def as StatementDef<never, unknown>);
      return stmt.all(bindParams(bound, params)) as R[];
    },
    async run<P extends object>(def: StatementDef<P, unknown>, params: P): Promise<number> {
      const { bound, stmt } = get(def as StatementDef<never, unknown>);
      return stmt.run(bindParams(bound, params)).changes;
    },
  };
}

function controlRunner(raw: BetterSqlite3.Database): RunControl {
  const prepared = new Map<ControlStatement, BetterSqlite3.Statement>();
  return (statement) => {
    let stmt = prepared.get(statement);
    if (stmt === undefined) {
      stmt = raw.prepare(statement);
      prepared.set(statement, stmt);
    }
    stmt.run();
  };
}

/**
 * fsync (fdatasync) of the WAL file in libuv's thread pool: the same durability as
 * `synchronous=FULL` (every committed frame is on disk before any write of
 * the batch is acknowledged) without blocking the event loop for the fsync.
 */
function walFsync(path: string): { sync: () => Promise<void>; close: () => Promise<void> } {
  let handle: Promise<FileHandle> | null = null;
  return {
    sync: coalescedSync(async () => {
      handle ??= open(path, 'r');
      // fdatasync, as SQLite itself syncs: it skips the timestamps, and still writes a grown size.
      await (await handle).datasync();
    }),
    close: async () => {
      await (await handle)?.close();
    },
  };
}

/**
 * Whether another connection (another process: `signet admin` on the same
 * file) committed since the last call. On the writer, `data_version` moves
 * only for commits it did not make: this process's reader never writes and
 * the checkpointer's no-op commit at each WAL reset empties the cache too,
 * harmlessly (see `sqlite-checkpointer.ts`).
 * Asked once per event-loop turn: the pragma opens a read transaction (file
 * locks, a few µs), and a commit noticed at the next turn is no later than
 * one made just after this turn.
 */
function commitsElsewhere(writer: BetterSqlite3.Database): () => boolean {
  const stmt = writer.prepare('pragma data_version').pluck();
  let seen = stmt.get();
  let askedThisTurn = false;
  const nextTurn = () => {
    askedThisTurn = false;
  };
  return () => {
    if (askedThisTurn) return false;
    askedThisTurn = true;
    setImmediate(nextTurn);
    const now = stmt.get();
    if (now === seen) return false;
    seen = now;
    return true;
  };
}

/**
 * Opens (creating if needed) the database at `file`. Call `migrate()` before
 * use. `':memory:'` works, on a single connection (for throwaway use).
 */
export async function openSqliteMetaStore(file: string, options: SqliteMetaStoreOptions = {}): Promise<MetaStore> {
  const writer = connect(file, 'writer');
  const reader = file === ':memory:' ? writer : connect(file, 'reader');
  const durable = (options.synchronous ?? 'full') === 'full' && file !== ':memory:';
  const wal = durable ? walFsync(`${file}-wal`) : null;
  const group = new GroupCommit(writer.db, controlRunner(writer.raw), wal?.sync);
  const checkpointer = file === ':memory:' ? null : startCheckpointer(file, writer.raw, (task) => group.between(task));
  const cache = new StatementCache(writer.db, SQLITE_DIALECT);
  const write = directRunner(writer.raw, cache);
  // On one connection, reads must wait for Kysely's connection lock, or they would see a batch half done.
  const read = reader === writer ? kyselyRunner(writer.db, cache) : directRunner(reader.raw, cache);
  return new KyselyMetaStore(writer.db, SQLITE_DIALECT, {
    transact: (fn) => group.run(fn),
    reader: reader.db,
    statements: { read, write: () => write },
    catalog: new CatalogCache(commitsElsewhere(writer.raw)),
    secrets: options.secrets,
    beforeClose: async () => {
      await group.close();
      await wal?.close();
      await checkpointer?.close();
    },
  });
}
