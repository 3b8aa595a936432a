/**
 * @module
 * The hot path of every PUT and UploadPart: stream a request body once,
 * hashing it and storing it (inline when small, else as one blob), and check
 * it against what the client declared.
 *
 * SHA-256 is computed exactly once, here, because it serves twice: it names
 * the blob (content addressing, hence dedup) and it verifies
 * `x-amz-content-sha256`. MD5 gives the ETag and checks Content-MD5. When the
 * client asks for SHA256 as its additional checksum, that same digest is
 * reused rather than computed again.
 *
 * Checks against declarations run after the last byte, not before: a
 * trailer (aws-chunked) fills `expect.checksum` just before the stream ends.
 * Size limits are checked as bytes arrive, so an oversized body is refused
 * without being stored.
 *
 * On any failure the blob writer is aborted, so nothing is left behind. The
 * source stream is not destroyed on our own errors (size limit, digest
 * mismatch): the face owns the connection and decides whether to drain it or
 * close it after sending the error.
 */
import type { Readable } from 'node:stream';
import type { BlobStore, BlobWriter } from '../ports/blob-store.ts';
import type { Body, BodyExpectations } from './body.ts';
import { createHasher, DIGEST_LENGTH, type Hasher } from './checksums.ts';
import { fail, SignetError } from './errors.ts';
import type { ChecksumAlgorithm, Extent } from './types.ts';

export interface IngestOptions {
  /** Bodies of at most this many bytes stay in memory and come back `inline`; -1 stores everything as a blob. */
  readonly inlineThreshold: number;
  /** Larger bodies fail with EntityTooLarge, as soon as that is known. */
  readonly maxSize: number;
  /** Encrypts what is stored (SSE, `core/sse.ts`); absent: the bytes are stored as received. */
  readonly encrypt?: StoreTransform;
}

/** Where a body's bytes go: {@link Sink}, or a layer in front of one. */
export interface ByteSink {
  /** Returns a promise only when it needs awaiting before the next write. */
  write(chunk: Buffer): Promise<void> | undefined;
  /** `sha256` and `size` of the bytes written. */
  finish(sha256: string, size: number): Promise<Pick<IngestResult, 'inline' | 'extents'>>;
  abort(): Promise<void>;
}

/**
 * Puts a layer in front of the sink that stores: it is handed a way to open
 * that sink (with the inline threshold in stored bytes) and the threshold in
 * body bytes, and its `finish` answers in body terms (extent lengths).
 */
export type StoreTransform = (open: (inlineThreshold: number) => ByteSink, inlineThreshold: number) => ByteSink;

export interface IngestResult {
  readonly size: number;
  /** hex; the ETag of a single-part object. */
  readonly md5: string;
  /** hex; also the blob's name when the body went to a blob. */
  readonly sha256: string;
  /** base64, for the algorithm(s) the client named (header, trailer or SDK hint). */
  readonly checksums: Partial<Record<ChecksumAlgorithm, string>>;
  /** The bytes when small enough to keep in the metadata row; null when in a blob. */
  readonly inline: Buffer | null;
  /** One extent covering the whole blob, or none when inline. */
  readonly extents: Extent[];
}

export async function ingest(body: Body, blobs: BlobStore, opts: IngestOptions): Promise<IngestResult> {
  const declared = body.length;
  if (declared !== null && declared > opts.maxSize) tooLarge(opts.maxSize, declared);
  const digests = new Digests(algorithmsToCompute(body.expect));
  // A declared length above the threshold goes straight to a blob; otherwise buffer first.
  const atOnce = declared !== null && declared > opts.inlineThreshold;
  const sink: ByteSink = opts.encrypt
    ? opts.encrypt((threshold) => new Sink(blobs, threshold, atOnce), opts.inlineThreshold)
    : new Sink(blobs, opts.inlineThreshold, atOnce);
  try {
    const size = await pump(body.stream, declared, opts.maxSize, digests, sink);
    const sums = digests.finish();
    verify(body, size, sums);
    const sha256 = sums.sha256.toString('hex');
    const stored = await sink.finish(sha256, size);
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const [alg, digest] of sums.checksums) checksums[alg] = digest.toString('base64');
    return { size, md5: sums.md5.toString('hex'), sha256, checksums, ...stored };
  } catch (e) {
    await sink.abort();
    throw e;
  }
}

/** Reads the whole stream through the digests into the sink; returns the byte count. */
async function pump(stream: Readable, declared: number | null, maxSize: number, digests: Digests, sink: ByteSink): Promise<number> {
  // Not destroyed when we stop early: see the module comment.
  const it = stream.iterator({ destroyOnReturn: false });
  let size = 0;
  try {
    for (;;) {
      const next = await it.next();
      if (next.done) return size;
      const chunk = asBuffer(next.value);
      size += chunk.length;
      if (size > maxSize) tooLarge(maxSize, declared ?? undefined);
      if (declared !== null && size > declared) {
        fail('IncompleteBody', `The body is longer than the declared length of ${declared} bytes`);
      }
      digests.update(chunk);
      const pending = sink.write(chunk);
      if (pending) await pending;
    }
  } finally {
    await it.return?.();
  }
}

function asBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  if (typeof value === 'string') return Buffer.from(value);
  throw new SignetError('InternalError', 'A body stream must yield bytes');
}

function tooLarge(maxSize: number, proposed: number | undefined): never {
  fail('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', {
    ProposedSize: proposed,
    MaxSizeAllowed: maxSize,
  });
}

function algorithmsToCompute(expect: BodyExpectations): ChecksumAlgorithm[] {
  const algs = new Set<ChecksumAlgorithm>();
  if (expect.checksum) algs.add(expect.checksum.algorithm);
  if (expect.algorithm) algs.add(expect.algorithm);
  return [...algs];
}

interface Sums {
  readonly md5: Buffer;
  readonly sha256: Buffer;
  readonly checksums: ReadonlyMap<ChecksumAlgorithm, Buffer>;
}

class Digests {
  private readonly md5 = createHasher('MD5');
  private readonly sha256 = createHasher('SHA256');
  /** Additional checksums, except SHA256 which reuses `sha256`. */
  private readonly extra: [ChecksumAlgorithm, Hasher][];

  constructor(private readonly algorithms: readonly ChecksumAlgorithm[]) {
    this.extra = algorithms.filter((a) => a !== 'SHA256').map((a) => [a, createHasher(a)]);
  }

  update(chunk: Buffer): void {
    this.md5.update(chunk);
    this.sha256.update(chunk);
    for (const [, h] of this.extra) h.update(chunk);
  }

  finish(): Sums {
    const sha256 = this.sha256.digest();
    const checksums = new Map<ChecksumAlgorithm, Buffer>(this.extra.map(([a, h]) => [a, h.digest()]));
    if (this.algorithms.includes('SHA256')) checksums.set('SHA256', sha256);
    return { md5: this.md5.digest(), sha256, checksums };
  }
}

/** Declared vs received, in the order S3 reports problems. Reads `expect` now, after the end. */
function verify(body: Body, size: number, sums: Sums): void {
  const { expect, length } = body;
  if (length !== null && size < length) {
    fail('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header');
  }
  if (expect.md5 !== undefined) {
    const claimed = Buffer.from(expect.md5, 'base64');
    if (claimed.length !== DIGEST_LENGTH.MD5) fail('InvalidDigest', 'The Content-MD5 you specified was invalid.');
    if (!claimed.equals(sums.md5)) {
      fail('BadDigest', 'The Content-MD5 you specified did not match what we received.', {
        ExpectedDigest: expect.md5,
        CalculatedDigest: sums.md5.toString('base64'),
      });
    }
  }
  if (expect.sha256 !== undefined && expect.sha256.toLowerCase() !== sums.sha256.toString('hex')) {
    fail('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", {
      ClientComputedContentSHA256: expect.sha256,
      S3ComputedContentSHA256: sums.sha256.toString('hex'),
    });
  }
  if (expect.checksum) verifyChecksum(expect.checksum.algorithm, expect.checksum.value, sums);
}

function verifyChecksum(alg: ChecksumAlgorithm, value: string, sums: Sums): void {
  const computed = sums.checksums.get(alg);
  // A trailer naming another algorithm than the one announced before the body.
  if (!computed) fail('InvalidRequest', `The ${alg} checksum was not announced before the body`);
  const claimed = Buffer.from(value, 'base64');
  if (claimed.length !== DIGEST_LENGTH[alg]) {
    fail('InvalidRequest', `Value for x-amz-checksum-${alg.toLowerCase()} header is invalid.`);
  }
  if (!claimed.equals(computed)) fail('BadDigest', `The ${alg} you specified did not match the calculated checksum.`);
}

/**
 * Where the bytes go: memory while they may still be inline, then a blob
 * writer. Chunks are passed on as received (no copy), except the small
 * buffered head when spilling.
 */
class Sink implements ByteSink {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private writer: BlobWriter | null = null;
  private readonly memoryLimit: number;

  constructor(
    private readonly blobs: BlobStore,
    private readonly inlineThreshold: number,
    toBlobAtOnce: boolean,
  ) {
    this.memoryLimit = toBlobAtOnce ? -1 : inlineThreshold;
  }

  /** Returns a promise only when the writer needs awaiting (saves a tick per chunk otherwise). */
  write(chunk: Buffer): Promise<void> | undefined {
    if (this.writer) return this.writer.write(chunk);
    if (this.buffered + chunk.length <= this.memoryLimit) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      return undefined;
    }
    return this.spill(chunk);
  }

  async finish(sha256: string, size: number): Promise<Pick<IngestResult, 'inline' | 'extents'>> {
    // An empty body with a negative threshold (parts) still becomes a blob.
    if (!this.writer && size > this.inlineThreshold) await this.spill(Buffer.alloc(0));
    if (!this.writer) return { inline: Buffer.concat(this.chunks, this.buffered), extents: [] };
    await this.writer.commit(sha256);
    return { inline: null, extents: [{ blob: sha256, offset: 0, length: size }] };
  }

  async abort(): Promise<void> {
    this.chunks = [];
    // Keep the caller's error, not a cleanup one.
    await this.writer?.abort().catch(() => undefined);
  }

  private async spill(chunk: Buffer): Promise<void> {
    const writer = await this.blobs.createWriter();
    this.writer = writer;
    if (this.buffered > 0) await writer.write(Buffer.concat(this.chunks, this.buffered));
    this.chunks = [];
    this.buffered = 0;
    if (chunk.length > 0) await writer.write(chunk);
  }
}
