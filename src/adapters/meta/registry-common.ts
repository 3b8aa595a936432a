/**
 * @module
 * What the registry's query modules share: how they reach the database (one
 * write-transaction runner, one reader), and small helpers for errors,
 * substring filters and keyset pages.
 */
import { sql } from 'kysely';
import type { Expression, SqlBool } from 'kysely';
import { fail } from '../../core/errors.ts';
import type { Db, MetaDialect } from './meta-dialect.ts';
import type { Model } from '../../core/registry/registry-types.ts';
import { forUpdate } from './object-writes.ts';
import type { Tx } from './object-writes.ts';
import { toModel } from './registry-rows.ts';

export interface RegistryContext {
  /** Where reads outside write transactions go. */
  readonly reader: Db;
  readonly dialect: MetaDialect;
  /** Runs one write transaction (on SQLite, inside the group commit). */
  readonly write: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;
}

export type RegistryResource = 'model' | 'version' | 'hub' | 'hub-content' | 'token' | 'grant' | 'file';

export function notFound(resource: RegistryResource, message: string): never {
  fail('ResourceNotFound', message, { Resource: resource });
}

export function inUse(resource: RegistryResource, message: string): never {
  fail('ResourceInUse', message, { Resource: resource });
}

/** Runs an insert or update; a unique violation becomes ResourceInUse. */
export async function unique<T>(
  dialect: MetaDialect,
  resource: RegistryResource,
  message: string,
  run: () => Promise<T>,
): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (dialect.isUniqueViolation(e)) inUse(resource, message);
    throw e;
  }
}

/**
 * `column` contains `text`, case-sensitively, on both engines (LIKE is
 * case-insensitive on SQLite and would need escaping).
 */
export function contains(dialect: MetaDialect, column: string, text: string): Expression<SqlBool> {
  const fn = dialect.engine === 'sqlite' ? sql`instr` : sql`strpos`;
  return sql<SqlBool>`${fn}(${sql.ref(column)}, ${text}) > 0`;
}

/** The direction of a listing and the comparison that continues it after an item. */
export function direction(order: 'Ascending' | 'Descending'): { readonly dir: 'asc' | 'desc'; readonly cmp: '>' | '<' } {
  return order === 'Ascending' ? { dir: 'asc', cmp: '>' } : { dir: 'desc', cmp: '<' };
}

/** The model row, locked until the transaction ends; ResourceNotFound if absent. */
export async function lockModel(tx: Tx, id: string): Promise<Model> {
  const q = tx.db.selectFrom('registry_models').selectAll().where('id', '=', id);
  const row = await forUpdate(tx.dialect, q).executeTakeFirst();
  if (row === undefined) notFound('model', `No model ${id}.`);
  return toModel(row);
}

/** Rows per multi-row INSERT or IN list, well under both engines' parameter limits. */
export const CHUNK = 500;

export function chunks<T>(items: readonly T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
