/**
 * @module
 * What differs between the engines, as seen by the one query layer
 * (`kysely-meta-store.ts`). Kept small: SQL that only one engine has, and
 * how to recognise its errors.
 */
import type { CompiledQuery, Kysely } from 'kysely';
import type { Engine } from './migrations.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

export interface MetaDialect {
  readonly engine: Engine;
  /** PostgreSQL schema the store lives in; the migration bookkeeping goes there too. */
  readonly schema?: string;
  /**
   * True where `SELECT ... FOR UPDATE / FOR KEY SHARE` exist (PostgreSQL).
   * SQLite runs one write transaction at a time and needs no row locks.
   */
  readonly rowLocks: boolean;
  /** Serialises the write transactions touching one key, until they end. */
  lockKey(trx: Db, bucket: string, key: string): Promise<void>;
  isUniqueViolation(error: unknown): boolean;
  /** Errors after which running the whole transaction again is correct (deadlock, serialization). */
  isRetryable(error: unknown): boolean;
  /** The engine's plan for a query, one line per step. */
  explain(db: Db, query: CompiledQuery): Promise<string[]>;
}

/** Runs `fn` as one write transaction and returns its result. */
export type Transact = <T>(fn: (trx: Db) => Promise<T>) => Promise<T>;
