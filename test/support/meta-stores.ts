/**
 * @module
 * Every MetaStore implementation, ready for tests: each factory opens a
 * fresh, migrated, empty store and gives back a cleanup that closes it and
 * removes its data.
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
import pg from 'pg';
import { openPostgresMetaStore } from '../../src/adapters/meta/postgres-meta-store.ts';
import { openSqliteMetaStore } from '../../src/adapters/meta/sqlite-meta-store.ts';
import type { MetaStore } from '../../src/ports/meta-store.ts';

export type MetaStoreName = 'sqlite' | 'postgres';

export interface OpenedMetaStore {
  readonly store: MetaStore;
  /** Closes the store and deletes its data (folder or schema). Safe to call twice. */
  cleanup(): Promise<void>;
}

export interface MetaStoreFactory {
  readonly name: MetaStoreName;
  /** Why this store cannot run here (PostgreSQL unreachable), or null when it can. */
  unavailable(): Promise<string | null>;
  /** A fresh, migrated, empty store. */
  open(): Promise<OpenedMetaStore>;
}

export const PG_URL = process.env.SIGNET_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

function once(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | null = null;
  return () => (done ??= fn());
}

const sqliteFactory: MetaStoreFactory = {
  name: 'sqlite',
  unavailable: () => Promise.resolve(null),
  async open() {
    const dir = await mkdtemp(join(tmpdir(), 'signet-meta-'));
    const store = await openSqliteMetaStore(join(dir, 'meta.db'));
    await store.migrate();
    return {
      store,
      cleanup: once(async () => {
        await store.close();
        await rm(dir, { recursive: true, force: true });
      }),
    };
  },
};

let postgresProblem: Promise<string | null> | null = null;

/** One connection attempt per process; the reason it failed, or null. */
function checkPostgres(): Promise<string | null> {
  postgresProblem ??= (async () => {
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
  return postgresProblem;
}

async function dropSchema(schema: string): Promise<void> {
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
  async open() {
    const schema = `signet_test_${randomBytes(6).toString('hex')}`;
    const store = await openPostgresMetaStore(PG_URL, { schema });
    try {
      await store.migrate();
    } catch (e) {
      await store.close();
      await dropSchema(schema);
      throw e;
    }
    return {
      store,
      cleanup: once(async () => {
        await store.close();
        await dropSchema(schema);
      }),
    };
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
