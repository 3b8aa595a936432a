/**
 * @module
 * Reads the XML body of a request (bounded, digest-checked).
 */
import { fail } from '../../../core/errors.ts';
import { readSmallBody } from '../../../core/small-body.ts';
import type { DecodeBodyOptions } from '../auth/auth-gate.ts';
import type { S3Request } from '../s3-context.ts';

/** S3 refuses request documents larger than this (DeleteObjects of 1000 long keys fits). */
export const MAX_XML_BODY = 2 * 1024 * 1024;

/**
 * The body, at most `limit` bytes. `requireDigest`: operations S3 only
 * accepts with Content-MD5 or an x-amz-checksum-* (DeleteObjects, PutObjectTagging...).
 */
export async function readXmlBody(r: S3Request, limit: number, requireDigest: boolean, options?: DecodeBodyOptions): Promise<Buffer> {
  const body = r.body(options);
  if (requireDigest && body.expect.md5 === undefined && body.expect.checksum === undefined && body.expect.algorithm === undefined) {
    fail('InvalidRequest', 'Missing required header for this request: Content-MD5');
  }
  return readSmallBody(body, limit);
}
