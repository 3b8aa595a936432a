/**
 * @module
 * Streaming decoders for aws-chunked bodies, signed
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html) or
 * unsigned with trailers (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming-trailers.html):
 *
 *   hex-size[;chunk-signature=sig] CRLF data CRLF ... 0[;chunk-signature=sig] CRLF trailer-lines CRLF
 *
 * Bytes are passed on as they arrive and a chunk's signature is checked when
 * the chunk ends: every failure errors the stream before it ends, so a
 * consumer that commits only after 'end' never keeps unverified bytes.
 * Memory stays bounded by the line limits below, whatever the chunk size.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BodyExpectations } from '../../../core/body.ts';
import { fail } from '../../../core/errors.ts';
import { ByteReader } from './byte-reader.ts';
import { assertChecksumValue, checksumAlgorithmOfName } from './checksums.ts';
import type { ChunkSigningContext } from './payload-mode.ts';
import { EMPTY_SHA256, hmacSha256, sha256Hex, signaturesEqual } from './sigv4-crypto.ts';
import { SIGNATURE_MISMATCH } from './sigv4.ts';

/** Longest chunk header line (MinIO's bound too). */
export const MAX_CHUNK_HEADER = 4096;
/** Longest trailer section, all lines together. */
export const MAX_TRAILER_SECTION = 16 * 1024;

export interface AwsChunkedOptions {
  /** Chunk signatures to verify, seeded by the request signature; null for STREAMING-UNSIGNED-PAYLOAD-TRAILER. */
  readonly signing: ChunkSigningContext | null;
  /** With `signing`: the trailer section carries x-amz-trailer-signature (…-PAYLOAD-TRAILER). */
  readonly trailer: boolean;
  /** Trailer names announced in x-amz-trailer, lower case; no others are accepted. */
  readonly trailerNames: readonly string[];
  /** Receives x-amz-checksum-* trailer values before the stream ends. */
  readonly expect: BodyExpectations;
  /** x-amz-decoded-content-length, when given: the decoded size must equal it. */
  readonly decodedLength: number | null;
}

/** Decodes an aws-chunked body. The source is read, never destroyed. */
export function decodeAwsChunked(source: Readable | AsyncIterable<unknown>, opts: AwsChunkedOptions): Readable {
  return Readable.from(decode(new ByteReader(source, 'aws-chunked'), opts), { objectMode: false });
}

/** Content-Encoding without the aws-chunked token (S3 stores what is left), or undefined if nothing is. */
export function stripAwsChunked(contentEncoding: string | undefined): string | undefined {
  const rest = (contentEncoding ?? '').split(',').map((t) => t.trim()).filter((t) => t !== '' && t.toLowerCase() !== 'aws-chunked');
  return rest.length > 0 ? rest.join(',') : undefined;
}

async function* decode(reader: ByteReader, o: AwsChunkedOptions): AsyncGenerator<Buffer> {
  try {
    let prev = o.signing?.seedSignature ?? '';
    let total = 0;
    for (;;) {
      const line = await reader.readLine(MAX_CHUNK_HEADER);
      if (line === null) fail('IncompleteBody', 'The aws-chunked body ended before its final chunk.');
      const chunk = parseChunkHeader(line, o.signing !== null);
      const hash = o.signing ? createHash('sha256') : null;
      for await (const piece of reader.take(chunk.size)) {
        hash?.update(piece);
        total += piece.length;
        if (o.decodedLength !== null && total > o.decodedLength) fail('IncompleteBody', 'The aws-chunked body is longer than x-amz-decoded-content-length.');
        yield piece;
      }
      if (o.signing && hash) prev = verifyChunk(o.signing, prev, hash.digest('hex'), chunk.signature);
      if (chunk.size === 0) break;
      await reader.expectCrlf();
    }
    await readTrailers(reader, o, prev);
    if (!(await reader.atEnd())) fail('InvalidRequest', 'Malformed aws-chunked body: data after the final chunk.');
    if (o.decodedLength !== null && total !== o.decodedLength) {
      fail('IncompleteBody', 'You did not provide the number of bytes specified by the x-amz-decoded-content-length HTTP header.');
    }
  } finally {
    await reader.release();
  }
}

const SIGNED_CHUNK = /^([0-9a-fA-F]{1,16});chunk-signature=([0-9a-f]{64})$/;
// Unsigned chunks may carry chunk extensions (RFC 9112 §7.1.1); they are ignored.
const UNSIGNED_CHUNK = /^([0-9a-fA-F]{1,16})(?:;.*)?$/;

function parseChunkHeader(line: Buffer, signed: boolean): { size: number; signature: string } {
  const m = (signed ? SIGNED_CHUNK : UNSIGNED_CHUNK).exec(line.toString('latin1'));
  const size = m ? parseInt(m[1] as string, 16) : NaN;
  if (!m || !Number.isSafeInteger(size)) fail('InvalidRequest', 'Malformed aws-chunked body: bad chunk header.');
  return { size, signature: m[2] ?? '' };
}

/** Checks one chunk signature and returns it: it chains into the next one. */
function verifyChunk(s: ChunkSigningContext, prev: string, dataSha256: string, given: string): string {
  const toSign = `AWS4-HMAC-SHA256-PAYLOAD\n${s.amzDate}\n${s.scope}\n${prev}\n${EMPTY_SHA256}\n${dataSha256}`;
  const expected = hmacSha256(s.signingKey, toSign).toString('hex');
  if (!signaturesEqual(expected, given)) fail('SignatureDoesNotMatch', `${SIGNATURE_MISMATCH} (aws-chunked chunk signature)`);
  return expected;
}

/** Lines up to the empty one; null if the body ends right after the final chunk. */
async function readTrailerLines(reader: ByteReader): Promise<string[] | null> {
  const lines: string[] = [];
  let budget = MAX_TRAILER_SECTION;
  for (;;) {
    const line = await reader.readLine(budget);
    if (line === null) return lines.length === 0 ? null : fail('IncompleteBody', 'The aws-chunked trailer section is not terminated.');
    if (line.length === 0) return lines;
    budget -= line.length + 2;
    lines.push(line.toString('latin1'));
  }
}

function splitTrailer(line: string): [name: string, value: string] {
  const colon = line.indexOf(':');
  if (colon <= 0) fail('InvalidRequest', 'Malformed aws-chunked body: bad trailer line.');
  return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
}

async function readTrailers(reader: ByteReader, o: AwsChunkedOptions, prev: string): Promise<void> {
  const signedTrailer = o.signing !== null && o.trailer;
  const lines = await readTrailerLines(reader);
  // Tolerated: an SDK that announces no trailer may end right after "0\r\n".
  if (lines === null && (signedTrailer || o.trailerNames.length > 0)) {
    fail('IncompleteBody', 'The aws-chunked body ended before its trailers.');
  }
  const entries = (lines ?? []).map(splitTrailer);
  if (signedTrailer && o.signing) verifyTrailer(o.signing, prev, entries);
  applyTrailers(signedTrailer ? entries.slice(0, -1) : entries, o);
}

/** The last trailer line is x-amz-trailer-signature, over the canonical `name:value\n` lines before it. */
function verifyTrailer(s: ChunkSigningContext, prev: string, entries: ReadonlyArray<[string, string]>): void {
  const last = entries.at(-1);
  if (!last || last[0] !== 'x-amz-trailer-signature') fail('IncompleteBody', 'The aws-chunked body lacks x-amz-trailer-signature.');
  const canonical = entries.slice(0, -1).map(([n, v]) => `${n}:${v}\n`).join('');
  const toSign = `AWS4-HMAC-SHA256-TRAILER\n${s.amzDate}\n${s.scope}\n${prev}\n${sha256Hex(canonical)}`;
  const expected = hmacSha256(s.signingKey, toSign).toString('hex');
  if (!signaturesEqual(expected, last[1])) fail('SignatureDoesNotMatch', `${SIGNATURE_MISMATCH} (aws-chunked trailer signature)`);
}

function applyTrailers(entries: ReadonlyArray<[string, string]>, o: AwsChunkedOptions): void {
  const missing = new Set(o.trailerNames);
  for (const [name, value] of entries) {
    if (!missing.delete(name)) fail('InvalidRequest', `The trailer ${name} was not announced in x-amz-trailer.`);
    const alg = checksumAlgorithmOfName(name);
    if (alg) {
      assertChecksumValue(alg, value, name);
      o.expect.checksum = { algorithm: alg, value };
    }
  }
  if (missing.size > 0) fail('IncompleteBody', `The aws-chunked body lacks the trailer ${[...missing].join(', ')}.`);
}
