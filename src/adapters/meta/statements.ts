/**
 * @module
 * Statements built by Kysely once and run many times. Building and compiling
 * a Kysely query costs more CPU than SQLite spends running a point query, so
 * the hot paths (putVersion of a small object, getVersion) use these: the
 * query is written once with Kysely against the one schema, compiled per
 * dialect on first use with named slots for its parameters, and then only
 * the parameters change. SQLite runs the compiled SQL as a cached
 * better-sqlite3 statement; PostgreSQL sends it through Kysely as a named
 * prepared statement, so the server plans it once per connection.
 */
import type { Compilable, CompiledQuery } from 'kysely';
import type { Db, MetaDialect } from './meta-dialect.ts';

/** A query over named parameters `P`, built once per dialect. */
export interface StatementDef<P extends object, R> {
  readonly name: string;
  /** Builds the query; `p`'s fields are placeholders, usable wherever a value goes. */
  readonly build: (db: Db, p: P, dialect: MetaDialect) => Compilable<R>;
}

/** `defineStatement<Params>()(name, build)`: the parameter type is explicit, the row type inferred. */
export function defineStatement<P extends object>() {
  return <R>(name: string, build: (db: Db, p: P, dialect: MetaDialect) => Compilable<R>): StatementDef<P, R> => ({
    name,
    build,
  });
}

/** A placeholder standing for the parameter `name` while the query compiles. */
class Slot {
  constructor(readonly name: string) {}
}

/** A compiled statement and, per parameter, the slot it takes or its constant. */
export interface BoundStatement {
  readonly compiled: CompiledQuery;
  readonly params: readonly (Slot | { readonly value: unknown })[];
}

/** Compiles each definition once, with the dialect of `compiler`. */
export class StatementCache {
  readonly #compiler: Db;
  readonly #dialect: MetaDialect;
  readonly #onCompiled: ((sql: string) => void) | undefined;
  readonly #bound = new Map<StatementDef<never, unknown>, BoundStatement>();

  /** `onCompiled` learns each statement's SQL (PostgreSQL prepares those server-side). */
  constructor(compiler: Db, dialect: MetaDialect, onCompiled?: (sql: string) => void) {
    this.#compiler = compiler;
    this.#dialect = dialect;
    this.#onCompiled = onCompiled;
  }

  get(def: StatementDef<never, unknown>): BoundStatement {
    let bound = this.#bound.get(def);
    if (bound === undefined) {
      const slots = new Proxy({}, { get: (_t, name) => new Slot(String(name)) }) as never;
      const compiled = def.build(this.#compiler, slots, this.#dialect).compile();
      const params = compiled.parameters.map((v) => (v instanceof Slot ? v : { value: v }));
      bound = { compiled, params };
      this.#bound.set(def, bound);
      this.#onCompiled?.(compiled.sql);
    }
    return bound;
  }
}

/** The parameter values for one run, in the compiled order. */
export function bindParams(bound: BoundStatement, values: object): unknown[] {
  const named = values as Record<string, unknown>;
  return bound.params.map((p) => (p instanceof Slot ? named[p.name] : p.value));
}

/** Runs statements on one connection (inside a transaction when given one). */
export interface StatementRunner {
  /** The rows a statement returns (SELECT, or RETURNING). */
  all<P extends object, R>(def: StatementDef<P, R>, params: P): Promise<R[]>;
  /** Runs a statement that returns no rows; resolves to the number of rows it changed. */
  run<P extends object>(def: StatementDef<P, unknown>, params: P): Promise<number>;
}

/** Runs statements through Kysely on `db` (a pool, a connection or a transaction). */
export function kyselyRunner(db: Db, cache: StatementCache): StatementRunner {
  const execute = (def: StatementDef<never, unknown>, params: object) => {
    const bound = cache.get(def);
    return db.executeQuery({ ...bound.compiled, parameters: bindParams(bound, params) });
  };
  return {
    async all<P extends object, R>(def: StatementDef<P, R>, params: P): Promise<R[]> {
      return (await execute(def as StatementDef<never, unknown>, params)).rows as R[];
    },
    async run<P extends object>(def: StatementDef<P, unknown>, params: P): Promise<number> {
      return Number((await execute(def as StatementDef<never, unknown>, params)).numAffectedRows ?? 0n);
    },
  };
}
