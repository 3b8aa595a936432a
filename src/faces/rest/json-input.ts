/**
 * @module
 * Type-checked reading of JSON bodies and query strings. Each refusal is
 * InvalidArgument naming the member (`files[2].path`), so a client sees at
 * once what to fix. Only the wire types are checked here; what a valid name
 * or size is stays the core's rule.
 */
import { fail } from '../../core/errors.ts';

export type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses a body that must be one JSON object (an empty body is `{}`). */
export function parseJsonObject(buf: Buffer): JsonObject {
  if (buf.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch (e) {
    fail('InvalidArgument', `the body is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(value)) fail('InvalidArgument', 'the body must be a JSON object');
  return value;
}

/** The members of one JSON object; unknown members are refused up front. */
export class Members {
  readonly #value: JsonObject;
  readonly #where: string;

  constructor(value: unknown, allowed: readonly string[], where = '') {
    if (!isObject(value)) fail('InvalidArgument', `${where || 'the body'} must be a JSON object`);
    for (const name of Object.keys(value)) {
      if (!allowed.includes(name)) fail('InvalidArgument', `unknown member "${where}${name}" (expected one of: ${allowed.join(', ')})`);
    }
    this.#value = value;
    this.#where = where;
  }

  has(name: string): boolean {
    return this.#value[name] !== undefined;
  }

  #bad(name: string, what: string): never {
    return fail('InvalidArgument', `"${this.#where}${name}" must be ${what}`);
  }

  string(name: string): string | undefined {
    const v = this.#value[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.#bad(name, 'a string');
    return v;
  }

  requiredString(name: string): string {
    if (!this.has(name)) fail('InvalidArgument', `"${this.#where}${name}" is required`);
    return this.string(name)!;
  }

  /** undefined when absent, null when JSON null. */
  nullableString(name: string): string | null | undefined {
    return this.#value[name] === null ? null : this.string(name);
  }

  integer(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const v = this.#value[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) this.#bad(name, `an integer from ${min} to ${max}`);
    return v;
  }

  requiredInteger(name: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (!this.has(name)) fail('InvalidArgument', `"${this.#where}${name}" is required`);
    return this.integer(name, min, max)!;
  }

  nullableInteger(name: string, min: number): number | null | undefined {
    return this.#value[name] === null ? null : this.integer(name, min);
  }

  boolean(name: string): boolean | undefined {
    const v = this.#value[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.#bad(name, 'true or false');
    return v;
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.string(name);
    if (v !== undefined && !values.includes(v as T)) this.#bad(name, `one of ${values.join(', ')}`);
    return v as T | undefined;
  }

  stringArray(name: string): string[] | undefined {
    const v = this.#value[name];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) this.#bad(name, 'an array of strings');
    return v as string[];
  }

  stringMap(name: string): Record<string, string> | undefined {
    const v = this.#value[name];
    if (v === undefined) return undefined;
    if (!isObject(v) || Object.values(v).some((s) => typeof s !== 'string')) this.#bad(name, 'an object whose values are strings');
    return v as Record<string, string>;
  }

  /** A nested object, read with its own allowed members. */
  object(name: string, allowed: readonly string[]): Members | undefined {
    const v = this.#value[name];
    if (v === undefined) return undefined;
    return new Members(v, allowed, `${this.#where}${name}.`);
  }

  /** A nested object or null (null: remove). */
  nullableObject(name: string, allowed: readonly string[]): Members | null | undefined {
    return this.#value[name] === null ? null : this.object(name, allowed);
  }

  /** An array of objects, each read with the same allowed members (how many is the core's limit; the body cap bounds it here). */
  objects(name: string, allowed: readonly string[]): Members[] | undefined {
    const v = this.#value[name];
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) this.#bad(name, 'an array of objects');
    return v.map((item, i) => new Members(item, allowed, `${this.#where}${name}[${i}].`));
  }

  /** The raw value, for members whose type the core checks (e.g. a JSON document). */
  raw(name: string): unknown {
    return this.#value[name];
  }
}

/** Query parameters; unknown ones are refused (a typo must not silently widen a listing). */
export class QueryParams {
  readonly #params: URLSearchParams;

  constructor(params: URLSearchParams, allowed: readonly string[]) {
    for (const name of new Set(params.keys())) {
      // SigV4 query authentication travels in the query too.
      if (name.toLowerCase().startsWith('x-amz-')) continue;
      if (!allowed.includes(name)) fail('InvalidArgument', `unknown query parameter "${name}"${allowed.length > 0 ? ` (expected one of: ${allowed.join(', ')})` : ''}`);
      if (params.getAll(name).length > 1) fail('InvalidArgument', `query parameter "${name}" is given more than once`);
    }
    this.#params = params;
  }

  string(name: string): string | undefined {
    return this.#params.get(name) ?? undefined;
  }

  integer(name: string, min: number, max: number): number | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    const n = /^-?\d{1,16}$/.test(v) ? Number(v) : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) fail('InvalidArgument', `query parameter "${name}" must be an integer from ${min} to ${max}`);
    return n;
  }

  boolean(name: string): boolean | undefined {
    const v = this.string(name);
    if (v === undefined) return undefined;
    if (v !== 'true' && v !== 'false') fail('InvalidArgument', `query parameter "${name}" must be true or false`);
    return v === 'true';
  }

  date(name: string): Date | undefined {
    const v = this.string(name);
    return v === undefined ? undefined : parseDate(v, `query parameter "${name}"`);
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.string(name);
    if (v !== undefined && !values.includes(v as T)) fail('InvalidArgument', `query parameter "${name}" must be one of ${values.join(', ')}`);
    return v as T | undefined;
  }
}

/** ISO 8601 date-time (or date); InvalidArgument naming `what` otherwise. */
export function parseDate(value: string, what: string): Date {
  const ok = /^\d{4}-\d{2}-\d{2}([Tt ][\d:.]+([Zz]|[+-]\d{2}:?\d{2})?)?$/.test(value);
  const d = new Date(value);
  if (!ok || Number.isNaN(d.getTime())) fail('InvalidArgument', `${what} must be an ISO 8601 date-time, e.g. 2024-05-01T12:00:00Z`);
  return d;
}
