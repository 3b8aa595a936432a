/**
 * @module
 * What the signature says about the body, decided once by the gate: a closed
 * union the body decoder switches on. Values of x-amz-content-sha256 per
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 */
import { fail } from '../../../core/errors.ts';
import { UNSIGNED_PAYLOAD } from './sigv4.ts';
import type { SigV4Verified } from './sigv4.ts';

export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';

/** What an aws-chunked signed body needs to check each chunk (all from the seed request). */
export interface ChunkSigningContext {
  /** Hex signature of the request: the "previous signature" of the first chunk. */
  readonly seedSignature: string;
  /** ISO 8601 basic request time. */
  readonly amzDate: string;
  /** `date/region/service/aws4_request`. */
  readonly scope: string;
  readonly signingKey: Buffer;
}

export type PayloadMode =
  /** Nothing to check beyond Content-MD5 / checksums: UNSIGNED-PAYLOAD, presigned URLs, SigV2. */
  | { readonly kind: 'unsigned' }
  /** The body must hash to `hex` (lower case); ingest checks it via BodyExpectations.sha256. */
  | { readonly kind: 'sha256'; readonly hex: string }
  /** aws-chunked with chunk signatures; `trailer` adds signed trailing headers. */
  | { readonly kind: 'streaming-signed'; readonly trailer: boolean; readonly signing: ChunkSigningContext }
  /** aws-chunked without signatures, checksum in a trailer (AWS SDK v3 / CLI default for uploads). */
  | { readonly kind: 'streaming-unsigned-trailer' };

const INVALID_SHA256 =
  'x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.';

function signingOf(v: SigV4Verified): ChunkSigningContext {
  return { seedSignature: v.signature, amzDate: v.amzDate, scope: v.scope, signingKey: v.signingKey };
}

/** The mode for a header-signed SigV4 request, from the payload hash it signed. */
export function payloadModeForHeader(v: SigV4Verified): PayloadMode {
  const h = v.payloadHash;
  if (/^[0-9a-fA-F]{64}$/.test(h)) return { kind: 'sha256', hex: h.toLowerCase() };
  switch (h) {
    case UNSIGNED_PAYLOAD:
      return { kind: 'unsigned' };
    case STREAMING_SIGNED:
      return { kind: 'streaming-signed', trailer: false, signing: signingOf(v) };
    case STREAMING_SIGNED_TRAILER:
      return { kind: 'streaming-signed', trailer: true, signing: signingOf(v) };
    case STREAMING_UNSIGNED_TRAILER:
      return { kind: 'streaming-unsigned-trailer' };
    default:
      return fail('InvalidArgument', INVALID_SHA256, { ArgumentName: 'x-amz-content-sha256' });
  }
}

/** A presigned URL has no chunk framing: its payload is unsigned or a plain digest. */
export function payloadModeForPresigned(v: SigV4Verified): PayloadMode {
  if (v.payloadHash === UNSIGNED_PAYLOAD) return { kind: 'unsigned' };
  if (/^[0-9a-fA-F]{64}$/.test(v.payloadHash)) return { kind: 'sha256', hex: v.payloadHash.toLowerCase() };
  return fail('InvalidArgument', 'X-Amz-Content-Sha256 of a presigned URL must be UNSIGNED-PAYLOAD or a valid sha256 value.', {
    ArgumentName: 'X-Amz-Content-Sha256',
  });
}
