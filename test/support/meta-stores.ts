/**
 * @module
 * Every MetaStore implementation, ready for tests: each factory opens a
 * fresh, migrated, empty store and gives back a cleanup that closes it and
 * removes its data; `openAnother()` opens a second node on the same data,
 * `location` lets another process open it.
 *
 * - `sqlite`: a database file in a new temporary folder.
 * - `postgres`: `SIGNET_TEST_PG_URL` (default
 *   `postgres://postgres@127.0.0.1:5432/test`), in a fresh random schema that
 *   cleanup drops.
 *
 * When PostgreSQL is unreachable its suite fails under CI (`CI=true`), so a
 * broken CI database is never mistaken for a pass, and is skipped with the
 * reason elsewhere. {@link describeEachMetaStore} applies that rule.
 *
 * ```ts
 * await describeEachMetaStore('my feature', (factory) => {
 *   let opened: OpenedMetaStore;
 *   beforeEach(async () => { opened = await factory.open(); });
 *   afterEach(() => opened.cleanup());
 *   it('works', async () => { await opened.store.ping(); });
 * });
 * ```
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { openPostgresMetaStore } from '../../src/adapters/meta/postgres-meta-store.ts';
import { openSqliteMetaStore } from '../../src/adapters/meta/sqlite-meta-store.ts';
import type { SecretSeal } from '../../src/core/secret-seal.ts';
import type { MetaStore } from '../../src/ports/meta-store.ts';

export type MetaStoreName = 'sqlite' | 'postgres';

/** Where a store's data lives: enough for another process to open it ({@link openMetaStoreAt}). */
export type MetaStoreLocation =
  | { readonly engine: 'sqlite'; readonly file: string }
  | { readonly engine: 'postgres'; readonly url: string; readonly schema: string };

export interface OpenedMetaStore {
  readonly store: MetaStore;
  readonly location: MetaStoreLocation;
  /**
   * Another store on the same data, as a second node would open it; not
   * migrated. Closed by cleanup(). SQLite: better-sqlite3 waits for locks
   * synchronously, so two stores in one process must not contend for the
   * write lock (one would block the thread the other needs); use another
   * process for that.
   */
  openAnother(options?: StoreOptions): Promise<MetaStore>;
  /** Closes every store opened here and deletes their data (folder or schema). Safe to call twice. */
  cleanup(): Promise<void>;
}

/** How a store is opened beyond its location. */
export interface StoreOptions {
  /** Seals access-key secrets at rest (a master key is configured). */
  readonly secrets?: SecretSeal;
}

export interface OpenOptions {
  /** Run migrations before handing the store out. Default true. */
  readonly migrate?: boolean;
}

export interface MetaStoreFactory {
  readonly name: MetaStoreName;
  /** Why this store cannot run here (PostgreSQL unreachable), or null when it can. */
  unavailable(): Promise<string | null>;
  /** A fresh, empty store (migrated unless told otherwise). */
  open(options?: OpenOptions): Promise<OpenedMetaStore>;
}

export const PG_URL = process.env.SIGNET_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Opens a store on existing data (which may not be migrated yet). */
export function openMetaStoreAt(location: MetaStoreLocation, options: StoreOptions = {}): Promise<MetaStore> {
  return location.engine === 'sqlite'
    ? openSqliteMetaStore(location.file, options)
    : openPostgresMetaStore(location.url, { schema: location.schema, ...options });
}

/** Runs one statement on a store's data around the store (as a copy of the database, or a tamperer, would see it). */
export async function queryAround<Row>(location: MetaStoreLocation, text: string, params: unknown[] = []): Promise<Row[]> {
  if (location.engine === 'sqlite') {
    const db = new BetterSqlite3(location.file);
    try {
      const statement = db.prepare(text);
      if (statement.reader) return statement.all(...params) as Row[];
      statement.run(...params);
      return [];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: location.url, options: `-c search_path=${location.schema}` });
  await client.connect();
  try {
    let n = 0;
    return (await client.query(text.replace(/\?/g, () => `$${++n}`), params)).rows as Row[];
  } finally {
    await client.end();
  }
}

/** The access_keys rows as stored. */
export function storedAccessKeyRows(location: MetaStoreLocation): Promise<{ access_key_id: string; secret: string; sealed_by: string | null }[]> {
  return queryAround(location, 'select access_key_id, secret, sealed_by from access_keys order by access_key_id');
}

/** Opens stores on one database, closes them all and then removes the data, once. */
async function opened(
  location: MetaStoreLocation,
  removeData: () => Promise<void>,
  options: OpenOptions,
): Promise<OpenedMetaStore> {
  const openStore = (storeOptions?: StoreOptions) => openMetaStoreAt(location, storeOptions);
  const stores: MetaStore[] = [];
  let cleaning: Promise<void> | null = null;
  const cleanup = () =>
    (cleaning ??= (async () => {
      await Promise.allSettled(stores.map((s) => s.close()));
      await removeData();
    })());
  const openAnother = async (storeOptions?: StoreOptions) => {
    const store = await openStore(storeOptions);
    stores.push(store);
    return store;
  };
  try {
    const store = await openAnother();
    if (options.migrate ?? true) await store.migrate();
    return { store, location, openAnother, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

const sqliteFactory: MetaStoreFactory = {
  name: 'sqlite',
  unavailable: () => Promise.resolve(null),
  async open(options = {}) {
    const dir = await mkdtemp(join(tmpdir(), 'signet-meta-'));
    const removeDir = () => rm(dir, { recursive: true, force: true });
    return opened({ engine: 'sqlite', file: join(dir, 'meta.db') }, removeDir, options);
  },
};

let pgProbe: Promise<string | null> | null = null;

/** One connection attempt per process; the reason it failed, or null. */
export function checkPostgres(): Promise<string | null> {
  pgProbe ??= (async () => {
    const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      await client.query('select 1');
      return null;
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return `PostgreSQL at ${PG_URL} is unreachable (${why}); set SIGNET_TEST_PG_URL`;
    } finally {
      await client.end().catch(() => undefined);
    }
  })();
  return pgProbe;
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    await client.query(`drop schema if exists ${schema} cascade`);
  } finally {
    await client.end();
  }
}

const postgresFactory: MetaStoreFactory = {
  name: 'postgres',
  unavailable: checkPostgres,
  async open(options = {}) {
    const schema = `signet_test_${randomBytes(6).toString('hex')}`;
    return opened({ engine: 'postgres', url: PG_URL, schema }, () => dropSchema(schema), options);
  },
};

/** Every implementation, in a fixed order. */
export function metaStoreFactories(): MetaStoreFactory[] {
  return [sqliteFactory, postgresFactory];
}

/**
 * Declares `define`'s tests once per implementation, in a suite named
 * `${title} (${name})`. An unavailable implementation gets one failing test
 * under CI and a skipped suite elsewhere, both carrying the reason.
 */
export async function describeEachMetaStore(
  title: string,
  define: (factory: MetaStoreFactory) => void,
): Promise<void> {
  for (const factory of metaStoreFactories()) {
    const problem = await factory.unavailable();
    const name = `${title} (${factory.name})`;
    if (problem === null) {
      describe(name, () => define(factory));
    } else if (process.env.CI === 'true') {
      it(name, () => assert.fail(`${problem}. CI must run the ${factory.name} suite.`));
    } else {
      describe(name, { skip: problem }, () => undefined);
    }
  }
}
