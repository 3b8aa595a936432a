/**
 * @module
 * Request bodies cut from one fixed random pool, so no workload pays for
 * generating bytes. Object `seed` is defined as the pool read from offset
 * `seed` onwards, wrapping around: byte p is `pool[(seed + p) % POOL_SIZE]`.
 * Small bodies are plain subarrays; big ones are streamed in pool slices.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';

export const KiB = 1024;
export const MiB = 1024 * KiB;

/** Bigger than any small body, and not a multiple of common sizes so objects differ. */
export const POOL_SIZE = 8 * MiB + 4093;
const pool = randomBytes(POOL_SIZE);

/** Largest slice written at once to a request. */
const WRITE_CHUNK = 1 * MiB;

/** A whole small body (at most the pool size), zero-copy. */
export function smallBody(seed: number, size: number): Buffer {
  const start = seed % (POOL_SIZE - size + 1);
  return pool.subarray(start, start + size);
}

/** The seed that makes {@link smallBody} and {@link matches} agree. */
export function smallSeed(seed: number, size: number): number {
  return seed % (POOL_SIZE - size + 1);
}

/** Writes `length` bytes of object `seed` with backpressure; does not end the stream. */
export async function writeBody(out: Writable, seed: number, length: number): Promise<void> {
  let pos = 0;
  while (pos < length) {
    const start = (seed + pos) % POOL_SIZE;
    const n = Math.min(WRITE_CHUNK, POOL_SIZE - start, length - pos);
    pos += n;
    if (!out.write(pool.subarray(start, start + n))) await once(out, 'drain');
  }
}

/** True when `chunk` equals object `seed`'s bytes at `pos`. For one-off checks, not timed paths. */
export function matches(seed: number, pos: number, chunk: Buffer): boolean {
  let done = 0;
  while (done < chunk.length) {
    const start = (seed + pos + done) % POOL_SIZE;
    const n = Math.min(POOL_SIZE - start, chunk.length - done);
    if (!pool.subarray(start, start + n).equals(chunk.subarray(done, done + n))) return false;
    done += n;
  }
  return true;
}
