/**
 * @module
 * Reading AWS JSON 1.1 request members the way SageMaker's front end does:
 * a member of the wrong JSON type is a SerializationException; a missing
 * required member, a length, pattern, range or enum violation is collected
 * and reported together as one ValidationException ("2 validation errors
 * detected: Value 'x' at 'hubName' failed to satisfy constraint: ..."), with
 * members named in lowerCamelCase as AWS names them. Unknown members are
 * ignored, as AWS ignores them.
 */
import { SageMakerError } from './sagemaker-errors.ts';

export interface StringRule {
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly pattern?: RegExp;
  readonly values?: readonly string[];
}

export interface IntRule {
  readonly required?: boolean;
  readonly min?: number;
  readonly max?: number;
}

type Json = Record<string, unknown>;

/** Longest value quoted back in a validation message. */
const MAX_QUOTED = 256;

/** One JSON object of a request; nested objects share the parent's error list. */
export class Input {
  readonly #body: Json;
  readonly #path: string;
  readonly #errors: string[];

  constructor(body: Json, path = '', errors: string[] = []) {
    this.#body = body;
    this.#path = path;
    this.#errors = errors;
  }

  /** Parses a request body: SerializationException unless it is a JSON object (an empty body is `{}`). */
  static parse(text: string): Input {
    if (text.trim() === '') return new Input({});
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new SageMakerError('SerializationException', 'The request body is not valid JSON.');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new SageMakerError('SerializationException', 'The request body must be a JSON object.');
    }
    return new Input(value as Json);
  }

  string(name: string, rule: StringRule = {}): string | undefined {
    const v = this.#present(name, rule.required);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.#wrongType(name, v, 'a string');
    this.#checkString(this.#where(name), v, rule);
    return v;
  }

  int(name: string, rule: IntRule = {}): number | undefined {
    const v = this.#present(name, rule.required);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.#wrongType(name, v, 'an integer');
    if (rule.min !== undefined && v < rule.min) this.#violation(this.#where(name), v, `Member must have value greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && v > rule.max) this.#violation(this.#where(name), v, `Member must have value less than or equal to ${rule.max}`);
    return v;
  }

  bool(name: string): boolean | undefined {
    const v = this.#present(name, false);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.#wrongType(name, v, 'a boolean');
    return v;
  }

  /** Timestamps arrive as epoch seconds (what the SDKs send); ISO 8601 text is accepted too. */
  time(name: string): Date | undefined {
    const v = this.#present(name, false);
    if (v === undefined) return undefined;
    const date = typeof v === 'number' ? new Date(v * 1000) : typeof v === 'string' ? new Date(v) : null;
    if (date === null || Number.isNaN(date.getTime())) this.#wrongType(name, v, 'a timestamp');
    return date;
  }

  stringList(name: string, rule: { readonly required?: boolean; readonly min?: number; readonly max?: number; readonly item: StringRule }): string[] | undefined {
    const v = this.#present(name, rule.required);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) this.#wrongType(name, v, 'a list');
    this.#checkCount(name, v, rule.min, rule.max);
    return v.map((item, i) => {
      const where = `${this.#where(name)}.${i + 1}.member`;
      if (typeof item !== 'string') this.#wrongTypeAt(where, item, 'a string');
      this.#checkString(where, item, rule.item);
      return item;
    });
  }

  stringMap(name: string, rule: { readonly max?: number; readonly key: StringRule; readonly value: StringRule }): Record<string, string> | undefined {
    const v = this.#present(name, false);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.#wrongType(name, v, 'a map');
    const entries = Object.entries(v as Json);
    if (rule.max !== undefined && entries.length > rule.max) this.#violation(this.#where(name), '{…}', `Member must have length less than or equal to ${rule.max}`);
    const out: Record<string, string> = {};
    for (const [key, value] of entries) {
      if (typeof value !== 'string') this.#wrongTypeAt(`${this.#where(name)}.${key}`, value, 'a string');
      this.#checkString(`${this.#where(name)}.key`, key, rule.key);
      this.#checkString(`${this.#where(name)}.value`, value, rule.value);
      out[key] = value;
    }
    return out;
  }

  /** A nested structure, read with the same rules. */
  object(name: string, required = false): Input | undefined {
    const v = this.#present(name, required);
    if (v === undefined) return undefined;
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.#wrongType(name, v, 'a structure');
    return new Input(v as Json, this.#where(name), this.#errors);
  }

  objectList(name: string, rule: { readonly required?: boolean; readonly min?: number; readonly max?: number } = {}): Input[] | undefined {
    const v = this.#present(name, rule.required);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) this.#wrongType(name, v, 'a list');
    this.#checkCount(name, v, rule.min, rule.max);
    return v.map((item, i) => {
      const where = `${this.#where(name)}.${i + 1}.member`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) this.#wrongTypeAt(where, item, 'a structure');
      return new Input(item as Json, where, this.#errors);
    });
  }

  /** Records a constraint the caller checked itself (e.g. on the name inside an ARN). */
  violation(name: string, value: unknown, constraint: string): void {
    this.#violation(this.#where(name), value, constraint);
  }

  /** The member as sent, for echoing back a structure Signet keeps but does not interpret. */
  raw(name: string): unknown {
    return this.#body[name];
  }

  /** Throws the collected ValidationException, if any. Call once all members are read. */
  done(): void {
    const n = this.#errors.length;
    if (n === 0) return;
    const head = n === 1 ? '1 validation error detected: ' : `${n} validation errors detected: `;
    throw new SageMakerError('ValidationException', head + this.#errors.join('; '));
  }

  #present(name: string, required: boolean | undefined): unknown {
    const v = this.#body[name];
    if (v === undefined || v === null) {
      if (required) this.#errors.push(`Value null at '${this.#where(name)}' failed to satisfy constraint: Member must not be null`);
      return undefined;
    }
    return v;
  }

  #checkString(where: string, v: string, rule: StringRule): void {
    if (rule.min !== undefined && v.length < rule.min) this.#violation(where, v, `Member must have length greater than or equal to ${rule.min}`);
    if (rule.max !== undefined && v.length > rule.max) this.#violation(where, v, `Member must have length less than or equal to ${rule.max}`);
    if (rule.pattern !== undefined && !rule.pattern.test(v)) this.#violation(where, v, `Member must satisfy regular expression pattern: ${rule.pattern.source}`);
    if (rule.values !== undefined && !rule.values.includes(v)) this.#violation(where, v, `Member must satisfy enum value set: [${rule.values.join(', ')}]`);
  }

  #checkCount(name: string, v: unknown[], min: number | undefined, max: number | undefined): void {
    if (min !== undefined && v.length < min) this.#violation(this.#where(name), '[…]', `Member must have length greater than or equal to ${min}`);
    if (max !== undefined && v.length > max) this.#violation(this.#where(name), '[…]', `Member must have length less than or equal to ${max}`);
  }

  #violation(where: string, value: unknown, constraint: string): void {
    const shown = typeof value === 'string' ? (value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED)}…` : value) : String(value);
    this.#errors.push(`Value '${shown}' at '${where}' failed to satisfy constraint: ${constraint}`);
  }

  #wrongType(name: string, v: unknown, expected: string): never {
    return this.#wrongTypeAt(this.#where(name), v, expected);
  }

  #wrongTypeAt(where: string, v: unknown, expected: string): never {
    throw new SageMakerError('SerializationException', `Value at '${where}' must be ${expected}, not ${jsonTypeOf(v)}.`);
  }

  #where(name: string): string {
    const member = name.charAt(0).toLowerCase() + name.slice(1);
    return this.#path === '' ? member : `${this.#path}.${member}`;
  }
}

function jsonTypeOf(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'a structure';
  if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
  return `a ${typeof v}`;
}

/** AWS JSON timestamps: epoch seconds, with the milliseconds as a fraction. */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}

// Constraints from the SageMaker API reference, shared by several operations.
export const ENTITY_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
export const HUB_CONTENT_VERSION = /^\d{1,4}\.\d{1,4}\.\d{1,4}$/;
export const SORT_ORDERS = ['Ascending', 'Descending'] as const;
export const NEXT_TOKEN: StringRule = { max: 8192 };
export const MAX_RESULTS: IntRule = { min: 1, max: 100 };
/** SageMaker's list operations answer 10 items unless MaxResults says otherwise (e.g. ListEndpoints: "This value defaults to 10"). */
export const DEFAULT_PAGE = 10;
