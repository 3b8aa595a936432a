/**
 * @module
 * S3 Select's ScanRange: only the records that *start* within the range
 * [start, end] (inclusive, counted from 0) are processed; the last of them
 * is read to its end, past `end` if need be. A record starts at byte 0 or
 * right after a record delimiter. `Start` alone scans from there to the end
 * of the object; `End` alone scans the object's last `End` bytes.
 *
 * To tell whether a record starts exactly at `start`, the object is read
 * from `start - delimiter length` ({@link readOffset}): a delimiter ending in
 * that window means one does.
 */
import { fail } from '../errors.ts';

export interface ScanRange {
  readonly start?: number;
  readonly end?: number;
}

/** The range itself, or InvalidScanRange: it must not be empty, and End must not come before Start. */
export function checkScanRange(range: ScanRange): ScanRange {
  const { start, end } = range;
  if (start === undefined && end === undefined) fail('InvalidScanRange', 'The ScanRange must give a Start, an End, or both.');
  if (start !== undefined && end !== undefined && end < start) fail('InvalidScanRange', `The ScanRange End (${end}) is before its Start (${start}).`);
  return range;
}

/** The inclusive byte range a ScanRange covers in an object of `size` bytes; null when it covers no byte. */
export function resolveScanRange(range: ScanRange, size: number): { start: number; end: number } | null {
  const { start, end } = checkScanRange(range);
  if (start === undefined) return end === 0 || size === 0 ? null : { start: Math.max(0, size - end!), end: size - 1 };
  const last = Math.min(end ?? size - 1, size - 1);
  return start > last ? null : { start, end: last };
}

/** Where to start reading the object for a range beginning at `start`. */
export function readOffset(start: number, delimiter: Buffer): number {
  return Math.max(0, start - delimiter.length);
}

/**
 * The bytes of the records starting within [start, end], from `source`: the
 * object's bytes read from `from` ({@link readOffset}) to its end. Stops
 * reading once the last such record is complete.
 */
export async function* recordsStartingIn(
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  from: number,
  start: number,
  end: number,
  delimiter: Buffer,
): AsyncGenerator<Uint8Array> {
  const keep = delimiter.length - 1;
  let carry: Buffer = Buffer.alloc(0); // the last bytes seen, so a delimiter split across chunks is found
  let position = from; // offset in the object of the next chunk's first byte
  let emitting = start === 0;
  for await (const piece of source) {
    const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    const window = carry.length === 0 ? chunk : Buffer.concat([carry, chunk]);
    const windowStart = position - carry.length;
    position += chunk.length;
    let emitFrom = 0; // in `window`
    if (!emitting) {
      const at = window.indexOf(delimiter);
      if (at === -1) {
        carry = window.subarray(Math.max(0, window.length - keep));
        continue;
      }
      // Every delimiter read ends at or after start - 1: the record after it starts within or past the range.
      if (windowStart + at + delimiter.length > end) return;
      emitting = true;
      emitFrom = at + delimiter.length;
    }
    // The first delimiter whose last byte is at or after `end` ends the last record to process.
    const searchFrom = Math.max(emitFrom, end - delimiter.length + 1 - windowStart);
    const cut = window.indexOf(delimiter, Math.max(0, searchFrom));
    const fresh = Math.max(emitFrom, carry.length); // the carried bytes went out with the previous chunk
    if (cut !== -1) {
      const stop = cut + delimiter.length;
      if (stop > fresh) yield window.subarray(fresh, stop);
      return;
    }
    if (window.length > fresh) yield window.subarray(fresh);
    carry = window.subarray(Math.max(0, window.length - keep));
  }
}
