/**
 * @module
 * Evaluates S3 Select expressions. An AST is compiled once into closures
 * over a {@link Row}; each record then costs a few calls.
 *
 * Values: strings (every CSV field is one), numbers, booleans, JSON objects
 * and arrays, null, and MISSING (`undefined`: a column the record does not
 * have). Comparisons and arithmetic read a numeric string as its number when
 * the other side is a number; a value that cannot be compared is unknown
 * (null), so WHERE drops the record. CAST is explicit and fails the query
 * (CastFailed) when the value does not convert.
 */
import { fail } from '../errors.ts';
import type { AggregateName, CastType, Expr, PathPart } from './sql-parser.ts';

export type SqlValue = string | number | boolean | null | undefined | readonly unknown[] | { readonly [k: string]: unknown };

/** One input record as expressions see it. */
export interface Row {
  /** The top-level column named by `part` (position `_N`, header or JSON key); undefined when absent. */
  column(part: PathPart): SqlValue;
  /** Every field with its output name, for `SELECT *`. */
  fields(): [string, SqlValue][];
}

export type Compiled = (row: Row) => SqlValue;

const NUMERIC = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** The number a value stands for, or null. */
export function toNumber(v: SqlValue): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && NUMERIC.test(v)) return Number(v);
  return null;
}

function isNumberLike(v: SqlValue): boolean {
  return typeof v === 'number';
}

/** Text of a value as S3 Select writes it. */
export function toText(v: SqlValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

export function formatNumber(n: number): string {
  return Number.isFinite(n) ? String(n) : n > 0 ? 'Infinity' : n < 0 ? '-Infinity' : 'NaN';
}

/** -1, 0, 1, or null when the two cannot be compared. */
function compare(a: SqlValue, b: SqlValue): number | null {
  if (a === null || a === undefined || b === null || b === undefined) return null;
  if (isNumberLike(a) || isNumberLike(b)) {
    const x = toNumber(a);
    const y = toNumber(b);
    if (x === null || y === null) return null;
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' || typeof b === 'boolean') {
    const x = typeof a === 'boolean' ? a : truth(a);
    const y = typeof b === 'boolean' ? b : truth(b);
    if (x === null || y === null) return null;
    return x === y ? 0 : x ? 1 : -1;
  }
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x === y ? 0 : null;
}

/** SQL's three-valued truth of a value: true, false or null (unknown). */
export function truth(v: SqlValue): boolean | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') {
    const s = v.toLowerCase();
    if (s === 'true') return true;
    if (s === 'false') return false;
  }
  return null;
}

function castFailed(v: SqlValue, type: string): never {
  fail('CastFailed', `Attempt to convert from one data type to another using CAST failed in the SQL expression: ${JSON.stringify(toText(v))} is not a valid ${type}.`);
}

export function cast(v: SqlValue, type: CastType): SqlValue {
  if (v === null || v === undefined) return v;
  switch (type) {
    case 'INT': {
      const n = typeof v === 'boolean' ? (v ? 1 : 0) : toNumber(v);
      if (n === null || !Number.isFinite(n)) castFailed(v, 'INT');
      return Math.trunc(n);
    }
    case 'FLOAT':
    case 'DECIMAL': {
      const n = typeof v === 'boolean' ? (v ? 1 : 0) : toNumber(v);
      if (n === null) castFailed(v, type);
      return n;
    }
    case 'STRING':
      return toText(v);
    case 'BOOL': {
      const t = typeof v === 'number' ? v !== 0 : truth(v);
      if (t === null) castFailed(v, 'BOOL');
      return t;
    }
  }
}

/** Reads one step of a path below a value (JSON objects and arrays); MISSING when absent. */
export function descend(v: SqlValue, part: PathPart): SqlValue {
  if (v === null || v === undefined || typeof v !== 'object') return undefined;
  if ('index' in part) return Array.isArray(v) ? (v[part.index] as SqlValue) : undefined;
  if (Array.isArray(v)) return undefined;
  const o = v as Record<string, unknown>;
  if (Object.hasOwn(o, part.name)) return o[part.name] as SqlValue;
  if (part.quoted) return undefined;
  const lower = part.name.toLowerCase();
  const key = Object.keys(o).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : (o[key] as SqlValue);
}

/** A LIKE pattern (`%`, `_`, optional escape character) as a RegExp. */
export function likePattern(pattern: string, escape: string | null): RegExp {
  if (escape !== null && escape.length !== 1) fail('InvalidRequestParameter', 'The ESCAPE of LIKE must be one character.');
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (escape !== null && c === escape) {
      const next = pattern[++i];
      if (next === undefined) fail('InvalidRequestParameter', 'A LIKE pattern ends with its escape character.');
      re += next.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '%') re += '[\\s\\S]*';
    else if (c === '_') re += '[\\s\\S]';
    else re += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${re}$`, 'u');
}

function arithmetic(op: string, a: SqlValue, b: SqlValue): SqlValue {
  if (a === undefined || b === undefined) return undefined;
  const x = toNumber(a);
  const y = toNumber(b);
  if (x === null || y === null) return null;
  switch (op) {
    case '+':
      return x + y;
    case '-':
      return x - y;
    case '*':
      return x * y;
    case '/':
      if (y === 0) fail('InvalidRequestParameter', 'Division by zero in the SQL expression.');
      return x / y;
    default:
      if (y === 0) fail('InvalidRequestParameter', 'Division by zero in the SQL expression.');
      return x % y;
  }
}

function and(a: boolean | null, b: () => boolean | null): boolean | null {
  if (a === false) return false;
  const y = b();
  if (y === false) return false;
  return a === null || y === null ? null : true;
}

function or(a: boolean | null, b: () => boolean | null): boolean | null {
  if (a === true) return true;
  const y = b();
  if (y === true) return true;
  return a === null || y === null ? null : false;
}

/** An aggregate's running state; `result` is read once every record was seen. */
export class Accumulator {
  readonly name: AggregateName;
  readonly #arg: Compiled | null;
  #count = 0;
  #sum = 0;
  #best: SqlValue = null;

  constructor(name: AggregateName, arg: Compiled | null) {
    this.name = name;
    this.#arg = arg;
  }

  add(row: Row): void {
    if (this.#arg === null) {
      this.#count++;
      return;
    }
    const v = this.#arg(row);
    if (v === null || v === undefined) return;
    this.#count++;
    switch (this.name) {
      case 'COUNT':
        return;
      case 'SUM':
      case 'AVG': {
        const n = toNumber(v);
        if (n === null) fail('CastFailed', `Attempt to convert from one data type to another failed: ${this.name} of ${JSON.stringify(toText(v))}.`);
        this.#sum += n;
        return;
      }
      case 'MIN':
      case 'MAX': {
        const value = toNumber(v) ?? v;
        if (this.#best === null) {
          this.#best = value;
          return;
        }
        const c = compare(value, this.#best);
        if (c !== null && (this.name === 'MIN' ? c < 0 : c > 0)) this.#best = value;
        return;
      }
    }
  }

  result(): SqlValue {
    switch (this.name) {
      case 'COUNT':
        return this.#count;
      case 'SUM':
        return this.#count === 0 ? null : this.#sum;
      case 'AVG':
        return this.#count === 0 ? null : this.#sum / this.#count;
      default:
        return this.#best;
    }
  }
}

/**
 * Compiles an expression. Aggregates become {@link Accumulator}s pushed to
 * `accumulators`: the compiled closure reads their result, so it is to be
 * called once all records were added.
 */
export function compile(e: Expr, accumulators: Accumulator[] = []): Compiled {
  const c = (x: Expr) => compile(x, accumulators);
  switch (e.kind) {
    case 'literal': {
      const v = e.value;
      return () => v;
    }
    case 'column': {
      const [head, ...rest] = e.path;
      if (head === undefined) return () => undefined;
      if (rest.length === 0) return (row) => row.column(head);
      return (row) => {
        let v = row.column(head);
        for (const part of rest) v = descend(v, part);
        return v;
      };
    }
    case 'not': {
      const arg = c(e.arg);
      return (row) => {
        const t = truth(arg(row));
        return t === null ? null : !t;
      };
    }
    case 'negate': {
      const arg = c(e.arg);
      return (row) => {
        const v = arg(row);
        if (v === null || v === undefined) return v;
        const n = toNumber(v);
        return n === null ? null : -n;
      };
    }
    case 'binary': {
      const left = c(e.left);
      const right = c(e.right);
      switch (e.op) {
        case 'AND':
          return (row) => and(truth(left(row)), () => truth(right(row)));
        case 'OR':
          return (row) => or(truth(left(row)), () => truth(right(row)));
        case '||':
          return (row) => {
            const a = left(row);
            const b = right(row);
            return a === null || a === undefined || b === null || b === undefined ? null : toText(a) + toText(b);
          };
        case '=':
        case '!=':
        case '<':
        case '>':
        case '<=':
        case '>=': {
          const test = COMPARISONS[e.op];
          return (row) => {
            const r = compare(left(row), right(row));
            return r === null ? null : test(r);
          };
        }
        default: {
          const op = e.op;
          return (row) => arithmetic(op, left(row), right(row));
        }
      }
    }
    case 'like': {
      const arg = c(e.arg);
      const not = e.not;
      const fixed = e.pattern.kind === 'literal' && (e.escape === null || e.escape.kind === 'literal');
      const patternOf = c(e.pattern);
      const escapeOf = e.escape === null ? () => null : c(e.escape);
      const toRegExp = (row: Row): RegExp | null => {
        const p = patternOf(row);
        const esc = escapeOf(row);
        if (p === null || p === undefined) return null;
        return likePattern(toText(p), esc === null || esc === undefined ? null : toText(esc));
      };
      const constant = fixed ? toRegExp({ column: () => undefined, fields: () => [] }) : null;
      return (row) => {
        const v = arg(row);
        if (v === null || v === undefined) return null;
        const re = fixed ? constant : toRegExp(row);
        if (re === null) return null;
        return re.test(toText(v)) !== not;
      };
    }
    case 'between': {
      const arg = c(e.arg);
      const low = c(e.low);
      const high = c(e.high);
      const not = e.not;
      return (row) => {
        const v = arg(row);
        const a = compare(v, low(row));
        const b = compare(v, high(row));
        if (a === null || b === null) return null;
        return (a >= 0 && b <= 0) !== not;
      };
    }
    case 'in': {
      const arg = c(e.arg);
      const list = e.list.map(c);
      const not = e.not;
      return (row) => {
        const v = arg(row);
        let unknown = false;
        for (const item of list) {
          const r = compare(v, item(row));
          if (r === 0) return !not;
          if (r === null) unknown = true;
        }
        return unknown ? null : not;
      };
    }
    case 'is': {
      const arg = c(e.arg);
      const { what, not } = e;
      return (row) => {
        const v = arg(row);
        const is = what === 'MISSING' ? v === undefined : v === null || v === undefined;
        return is !== not;
      };
    }
    case 'cast': {
      const arg = c(e.arg);
      const type = e.type;
      return (row) => cast(arg(row), type);
    }
    case 'call':
      return compileCall(e.name, e.args.map(c));
    case 'aggregate': {
      const acc = new Accumulator(e.name, e.arg === '*' ? null : c(e.arg));
      accumulators.push(acc);
      return () => acc.result();
    }
  }
}

const COMPARISONS: Readonly<Record<'=' | '!=' | '<' | '>' | '<=' | '>=', (r: number) => boolean>> = {
  '=': (r) => r === 0,
  '!=': (r) => r !== 0,
  '<': (r) => r < 0,
  '>': (r) => r > 0,
  '<=': (r) => r <= 0,
  '>=': (r) => r >= 0,
};

function compileCall(name: string, args: Compiled[]): Compiled {
  const [a, b, c] = args as [Compiled, Compiled | undefined, Compiled | undefined];
  const text = (f: (s: string) => SqlValue) => (row: Row) => {
    const v = a(row);
    return v === null || v === undefined ? v : f(toText(v));
  };
  switch (name) {
    case 'LOWER':
      return text((s) => s.toLowerCase());
    case 'UPPER':
      return text((s) => s.toUpperCase());
    case 'CHAR_LENGTH':
    case 'CHARACTER_LENGTH':
      return text((s) => [...s].length);
    case 'TRIM':
      return text((s) => s.trim());
    case 'SUBSTRING':
      return (row) => {
        const v = a(row);
        if (v === null || v === undefined) return v;
        const chars = [...toText(v)];
        const start = toNumber(b!(row));
        const length = c === undefined ? null : toNumber(c(row));
        if (start === null || (c !== undefined && length === null)) return null;
        // SQL positions start at 1; a start before 1 shortens the length.
        const from = Math.trunc(start) - 1;
        const to = length === null ? chars.length : from + Math.trunc(length);
        return chars.slice(Math.max(0, from), Math.max(0, to)).join('');
      };
    case 'COALESCE':
      return (row) => {
        for (const f of args) {
          const v = f(row);
          if (v !== null && v !== undefined) return v;
        }
        return null;
      };
    case 'NULLIF':
      return (row) => {
        const x = a(row);
        return compare(x, b!(row)) === 0 ? null : x;
      };
    default:
      return fail('UnsupportedFunction', `Encountered an unsupported SQL function: ${name}.`);
  }
}
