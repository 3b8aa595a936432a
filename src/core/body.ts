/**
 * @module
 * A request body as the core receives it: already decoded from any transfer
 * framing (aws-chunked), with what the client claims about it. Faces build
 * it; `core/ingest.ts` consumes it.
 */
import type { Readable } from 'node:stream';
import type { ChecksumAlgorithm } from './types.ts';

export interface DeclaredChecksum {
  readonly algorithm: ChecksumAlgorithm;
  /** base64, as on the wire. */
  readonly value: string;
}

/**
 * What the client says the bytes must be. Mutable on purpose: a trailer
 * (`x-amz-checksum-*` after the last aws-chunked chunk) fills `checksum`
 * just before the stream ends, so ingest reads this only after the end.
 */
export interface BodyExpectations {
  /** Content-MD5, base64. */
  md5?: string;
  /** x-amz-content-sha256 when it is a real digest, hex. */
  sha256?: string;
  /** An x-amz-checksum-* value, from a header or a trailer. */
  checksum?: DeclaredChecksum;
  /** Algorithm to compute and store even with no value given (x-amz-sdk-checksum-algorithm, x-amz-trailer). */
  algorithm?: ChecksumAlgorithm;
}

export interface Body {
  /** Decoded payload bytes. */
  readonly stream: Readable;
  /** Exact decoded length when the client declared it; ingest fails with IncompleteBody on a short stream. */
  readonly length: number | null;
  readonly expect: BodyExpectations;
}
