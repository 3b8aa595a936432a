/**
 * @module
 * Byte ranges for GET (RFC 9110 §14.1.2): `bytes=a-b`, `bytes=a-`, `bytes=-n`.
 * A header that does not parse is ignored, as HTTP says; one that parses but
 * cannot be satisfied is InvalidRange (416). S3 serves a single range only.
 */
import { fail } from './errors.ts';

export interface ByteRange {
  readonly start: number;
  /** Inclusive. */
  readonly end: number;
}

export function parseRange(header: string | undefined, size: number): ByteRange | null {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) unsatisfiable(size);
    return size === 0 ? unsatisfiable(size) : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return null;
  if (start >= size) unsatisfiable(size);
  return { start, end };
}

function unsatisfiable(size: number): never {
  fail('InvalidRange', 'The requested range is not satisfiable', { ActualObjectSize: size });
}
