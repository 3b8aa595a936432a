/**
 * @module
 * Reads a small request body (XML, JSON) into memory with a hard cap, and
 * checks it against what the client declared, like ingest does for objects.
 */
import { createHash } from 'node:crypto';
import type { Body } from './body.ts';
import { checksumOf } from './checksums.ts';
import { fail } from './errors.ts';

export async function readSmallBody(body: Body, limit: number): Promise<Buffer> {
  if (body.length !== null && body.length > limit) fail('MaxMessageLengthExceeded', 'Your request was too big.');
  const chunks: Buffer[] = [];
  let size = 0;
  // Not destroyed when we stop early (as in ingest): destroying the request
  // would cut the connection before the error answer is sent; the face drains
  // or closes it after answering.
  for await (const chunk of body.stream.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) fail('MaxMessageLengthExceeded', 'Your request was too big.');
    chunks.push(chunk);
  }
  const buf = Buffer.concat(chunks);
  if (body.length !== null && size < body.length) fail('IncompleteBody', 'You did not provide the number of bytes specified by the Content-Length HTTP header.');
  verify(buf, body);
  return buf;
}

function verify(buf: Buffer, body: Body): void {
  const { md5, sha256, checksum } = body.expect;
  if (md5 !== undefined && createHash('md5').update(buf).digest('base64') !== md5) {
    fail('BadDigest', 'The Content-MD5 you specified did not match what we received.');
  }
  if (sha256 !== undefined && createHash('sha256').update(buf).digest('hex') !== sha256) {
    fail('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  if (checksum !== undefined) {
    if (checksumOf(checksum.algorithm, buf) !== checksum.value) {
      fail('BadDigest', `The ${checksum.algorithm} you specified did not match the calculated checksum.`);
    }
  }
}
