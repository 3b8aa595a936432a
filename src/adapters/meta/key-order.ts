/**
 * @module
 * Keys in UTF-8 byte order (S3's listing order), which is code point order.
 * JavaScript's `<` compares UTF-16 code units and disagrees above U+FFFF, so
 * comparisons here never use it. Prefix windows become key ranges
 * `[prefix, prefixEnd(prefix))`, which both engines serve from an index
 * (LIKE would not, and would need escaping).
 */
import { fail } from '../../core/errors.ts';

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Keys must be storable as UTF-8 text on both engines: PostgreSQL text cannot
 * hold U+0000, and a lone surrogate has no UTF-8 form (SQLite would store
 * U+FFFD instead). Rejected everywhere, so both engines behave alike.
 */
export function assertStorableKey(key: string, what = 'key'): void {
  if (key.includes('\u0000')) fail('InvalidArgument', `The ${what} must not contain U+0000.`);
  if (LONE_SURROGATE.test(key)) fail('InvalidArgument', `The ${what} is not valid Unicode.`);
}

/** Compares in UTF-8 byte order. */
export function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/**
 * The least string greater than every string starting with `prefix`, or null
 * when there is none (empty prefix, or only U+10FFFF). Increments the last
 * code point, skipping the surrogate range and carrying past U+10FFFF.
 */
export function prefixEnd(prefix: string): string | null {
  const points = Array.from(prefix, (c) => c.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = points.pop() ?? 0;
    if (last < 0x10ffff) {
      points.push(last === 0xd7ff ? 0xe000 : last + 1);
      return String.fromCodePoint(...points);
    }
  }
  return null;
}

/** Where a window over keys starts: at the prefix, or after a marker past it. */
export interface LowerBound {
  readonly value: string;
  /** True when `value` itself is excluded (a marker). */
  readonly exclusive: boolean;
}

/**
 * One lower bound for the index range, the tighter of prefix and marker. Both
 * as separate conditions would let a planner range on the prefix and filter
 * up to the marker, making deep pages cost their depth.
 */
export function lowerBound(prefix: string, marker: string | null, inclusive = false): LowerBound {
  if (marker !== null && compareKeys(marker, prefix) >= 0) return { value: marker, exclusive: !inclusive };
  return { value: prefix, exclusive: false };
}
