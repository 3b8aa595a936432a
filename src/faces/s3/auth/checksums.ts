/**
 * @module
 * The x-amz-checksum-* family shared by headers, aws-chunked trailers and
 * POST form fields: names, algorithms and well-formed values
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/checking-object-integrity.html).
 */
import { DIGEST_LENGTH } from '../../../core/checksums.ts';
import { fail } from '../../../core/errors.ts';
import { CHECKSUM_ALGORITHMS } from '../../../core/types.ts';
import type { ChecksumAlgorithm } from '../../../core/types.ts';

const PREFIX = 'x-amz-checksum-';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** `x-amz-checksum-crc32` → CRC32; null for other names (…-algorithm, …-type, …-mode, unknown). */
export function checksumAlgorithmOfName(name: string): ChecksumAlgorithm | null {
  const lower = name.toLowerCase();
  if (!lower.startsWith(PREFIX)) return null;
  const alg = lower.slice(PREFIX.length).toUpperCase();
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(alg) ? (alg as ChecksumAlgorithm) : null;
}

export function checksumHeaderName(alg: ChecksumAlgorithm): string {
  return PREFIX + alg.toLowerCase();
}

/** An algorithm named in x-amz-sdk-checksum-algorithm and friends (case-insensitive). */
export function parseChecksumAlgorithm(value: string, source: string): ChecksumAlgorithm {
  const alg = value.trim().toUpperCase();
  if (!(CHECKSUM_ALGORITHMS as readonly string[]).includes(alg)) {
    fail('InvalidRequest', `Value for ${source} header is invalid. Valid types: ${CHECKSUM_ALGORITHMS.join(', ')}.`);
  }
  return alg as ChecksumAlgorithm;
}

/** True when `value` is base64 of exactly one `alg` digest. */
export function isChecksumValue(alg: ChecksumAlgorithm, value: string): boolean {
  return BASE64.test(value) && Buffer.from(value, 'base64').length === DIGEST_LENGTH[alg];
}

/** Fails with InvalidArgument unless `value` is a well-formed `alg` checksum. */
export function assertChecksumValue(alg: ChecksumAlgorithm, value: string, source: string): void {
  if (!isChecksumValue(alg, value)) fail('InvalidArgument', `Value for ${source} is invalid.`, { ArgumentName: source });
}

/** Content-MD5: base64 of 16 bytes, else InvalidDigest. */
export function assertContentMd5(value: string): void {
  if (!BASE64.test(value) || Buffer.from(value, 'base64').length !== 16) {
    fail('InvalidDigest', 'The Content-MD5 you specified is not valid.');
  }
}
