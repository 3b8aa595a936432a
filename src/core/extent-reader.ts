/**
 * @module
 * Streams a byte range of an object's data, wherever it lives: the inline
 * bytes, or the ordered extents (slices of blobs). A range inside a single
 * extent is the blob store's own stream (one file read, no extra layer).
 */
import { Readable } from 'node:stream';
import type { BlobStore } from '../ports/blob-store.ts';
import { fail } from './errors.ts';
import type { Extent } from './types.ts';

export interface ExtentSource {
  readonly inline: Buffer | null;
  readonly extents: readonly Extent[];
}

/** A slice of one blob to read. */
interface Slice {
  readonly blob: string;
  readonly offset: number;
  readonly length: number;
}

/**
 * Bytes `start..endInclusive` of the data; `endInclusive = start - 1` reads
 * nothing (an empty object). The stream fails if a blob is missing or short.
 */
export function readExtents(blobs: BlobStore, source: ExtentSource, start: number, endInclusive: number): Readable {
  const total = source.inline ? source.inline.length : source.extents.reduce((n, e) => n + e.length, 0);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(endInclusive) || start < 0 || endInclusive < start - 1 || endInclusive >= total) {
    fail('InvalidRange', `Cannot read bytes ${start}-${endInclusive} of ${total}`);
  }
  if (source.inline) return bufferStream(source.inline.subarray(start, endInclusive + 1));
  const slices = slicesOf(source.extents, start, endInclusive + 1);
  if (slices.length === 0) return bufferStream(Buffer.alloc(0));
  if (slices.length === 1) return blobs.read(slices[0]!.blob, slices[0]!.offset, slices[0]!.length);
  return Readable.from(concatenate(blobs, slices), { objectMode: false });
}

/** The parts of the extents that cover `[from, to)` of the data, in order. */
export function slicesOf(extents: readonly Extent[], from: number, to: number): Slice[] {
  const out: Slice[] = [];
  let at = 0; // data offset of the current extent
  for (const e of extents) {
    const lo = Math.max(from, at);
    const hi = Math.min(to, at + e.length);
    if (lo < hi) out.push({ blob: e.blob, offset: e.offset + (lo - at), length: hi - lo });
    at += e.length;
    if (at >= to) break;
  }
  return out;
}

/** One blob stream after the other; only one is open at a time. */
async function* concatenate(blobs: BlobStore, slices: readonly Slice[]): AsyncGenerator<Buffer> {
  for (const s of slices) {
    // for-await destroys the inner stream if the consumer stops early.
    for await (const chunk of blobs.read(s.blob, s.offset, s.length)) yield chunk as Buffer;
  }
}

function bufferStream(buf: Buffer): Readable {
  return new Readable({
    read() {
      if (buf.length > 0) this.push(buf);
      this.push(null);
    },
  });
}
