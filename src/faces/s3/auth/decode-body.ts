/**
 * @module
 * Turns the raw request stream into the core's {@link Body}: undoes
 * aws-chunked framing when the payload mode says so, and gathers what the
 * client claims about the bytes (Content-MD5, x-amz-content-sha256,
 * x-amz-checksum-*) into BodyExpectations for ingest to check in one pass.
 */
import type { Readable } from 'node:stream';
import type { Body, BodyExpectations, DeclaredChecksum } from '../../../core/body.ts';
import { fail } from '../../../core/errors.ts';
import type { ChecksumAlgorithm } from '../../../core/types.ts';
import { decodeAwsChunked } from './chunked.ts';
import { assertChecksumValue, assertContentMd5, checksumAlgorithmOfName, parseChecksumAlgorithm } from './checksums.ts';
import type { PayloadMode } from './payload-mode.ts';
import { headerValue } from './request-view.ts';
import type { AuthRequest } from './request-view.ts';

type Headers = AuthRequest['headers'];

export interface DecodeBodyOptions {
  /**
   * Leave x-amz-checksum-* headers out of the expectations: for
   * CompleteMultipartUpload they describe the object, not the XML body.
   */
  readonly ignoreChecksumHeaders?: boolean;
}

const ONE_CHECKSUM = 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.';

function checksumFromHeaders(headers: Headers): DeclaredChecksum | undefined {
  const found: DeclaredChecksum[] = [];
  for (const name of Object.keys(headers)) {
    const algorithm = checksumAlgorithmOfName(name);
    const value = algorithm ? headerValue(headers, name)?.trim() : undefined;
    if (!algorithm || value === undefined) continue;
    assertChecksumValue(algorithm, value, `${name} header`);
    found.push({ algorithm, value });
  }
  if (found.length > 1) fail('InvalidRequest', ONE_CHECKSUM);
  return found[0];
}

/** x-amz-trailer: S3 accepts one checksum trailer and nothing else. */
function trailerNamesOf(headers: Headers): string[] {
  const names = (headerValue(headers, 'x-amz-trailer') ?? '').split(',').map((n) => n.trim().toLowerCase()).filter((n) => n !== '');
  if (names.length > 1 || names.some((n) => checksumAlgorithmOfName(n) === null)) {
    fail('InvalidRequest', 'The value specified in the x-amz-trailer header is not supported');
  }
  return names;
}

function declaredAlgorithm(headers: Headers, implied: ChecksumAlgorithm | undefined): ChecksumAlgorithm | undefined {
  const source = headerValue(headers, 'x-amz-sdk-checksum-algorithm') !== undefined ? 'x-amz-sdk-checksum-algorithm' : 'x-amz-checksum-algorithm';
  const text = headerValue(headers, source);
  const named = text === undefined ? undefined : parseChecksumAlgorithm(text, source);
  if (named && implied && named !== implied) {
    fail('InvalidRequest', `Value for ${source} header is invalid: it names ${named} but the checksum sent is ${implied}.`);
  }
  return named ?? implied;
}

function lengthHeader(headers: Headers, name: string): number | null {
  const v = headerValue(headers, name)?.trim();
  if (v === undefined) return null;
  if (!/^\d{1,15}$/.test(v)) fail('InvalidArgument', `Invalid ${name} header.`, { ArgumentName: name });
  return Number(v);
}

function expectationsOf(headers: Headers, payload: PayloadMode, trailerNames: readonly string[], opts: DecodeBodyOptions): BodyExpectations {
  const expect: BodyExpectations = {};
  const md5 = headerValue(headers, 'content-md5')?.trim();
  if (md5 !== undefined) {
    assertContentMd5(md5);
    expect.md5 = md5;
  }
  if (payload.kind === 'sha256') expect.sha256 = payload.hex;
  const checksum = opts.ignoreChecksumHeaders ? undefined : checksumFromHeaders(headers);
  const trailerAlg = trailerNames.map(checksumAlgorithmOfName).find((a) => a !== null) ?? undefined;
  if (checksum && trailerAlg) fail('InvalidRequest', ONE_CHECKSUM);
  if (checksum) expect.checksum = checksum;
  const algorithm = declaredAlgorithm(headers, checksum?.algorithm ?? trailerAlg);
  if (algorithm) expect.algorithm = algorithm;
  return expect;
}

/**
 * The body of a request authenticated with `payload`. Fails synchronously on
 * malformed headers; failures inside the body (bad chunk signature, short
 * body...) error the returned stream before it ends.
 */
export function decodeBody(stream: Readable, payload: PayloadMode, headers: Headers, opts: DecodeBodyOptions = {}): Body {
  const chunked = payload.kind === 'streaming-signed' || payload.kind === 'streaming-unsigned-trailer';
  const trailerNames = chunked ? trailerNamesOf(headers) : [];
  const expect = expectationsOf(headers, payload, trailerNames, opts);
  if (!chunked) return { stream, length: lengthHeader(headers, 'content-length'), expect };
  const decodedLength = lengthHeader(headers, 'x-amz-decoded-content-length');
  if (decodedLength === null && payload.kind === 'streaming-signed') {
    fail('MissingContentLength', 'You must provide the x-amz-decoded-content-length HTTP header with a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body.');
  }
  const signing = payload.kind === 'streaming-signed' ? payload.signing : null;
  const trailer = payload.kind === 'streaming-signed' ? payload.trailer : true;
  const decoded = decodeAwsChunked(stream, { signing, trailer, trailerNames, expect, decodedLength });
  return { stream: decoded, length: decodedLength, expect };
}
