/**
 * The gate's choice of scheme, and decodeBody's reading of the body headers.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { authenticate, decodeBody, detectAuthMethod } from '../../src/faces/s3/auth/auth-gate.ts';
import type { AuthRequest } from '../../src/faces/s3/auth/request-view.ts';
import { parseQuery } from '../../src/faces/s3/auth/request-view.ts';
import { collect, lookup, rejectsWith } from './helpers.ts';

const req = (headers: AuthRequest['headers'], rawQuery = ''): AuthRequest => ({ method: 'GET', rawPath: '/b/k', rawQuery, headers: { host: 'h', ...headers } });
const opts = { lookup, now: new Date(), services: ['s3'] };

describe('detectAuthMethod', () => {
  it('finds each scheme', () => {
    assert.equal(detectAuthMethod(req({ authorization: 'AWS4-HMAC-SHA256 Credential=a/b' })), 'sigv4-header');
    assert.equal(detectAuthMethod(req({ authorization: 'AWS AKID:sig' })), 'sigv2-header');
    assert.equal(detectAuthMethod(req({}, 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00')), 'sigv4-query');
    assert.equal(detectAuthMethod(req({}, 'x-amz-credential=a')), 'sigv4-query');
    assert.equal(detectAuthMethod(req({}, 'AWSAccessKeyId=a&Expires=1&Signature=x')), 'sigv2-query');
  });

  it('refuses several schemes at once', async () => {
    await rejectsWith(() => detectAuthMethod(req({ authorization: 'AWS A:b' }, 'X-Amz-Signature=00')), 'InvalidArgument', /Only one auth mechanism/);
    await rejectsWith(() => detectAuthMethod(req({}, 'X-Amz-Signature=00&Signature=x')), 'InvalidArgument');
  });

  it('refuses anonymous requests and unknown schemes', async () => {
    await rejectsWith(authenticate(req({}), opts), 'AccessDenied', /Anonymous/);
    await rejectsWith(authenticate(req({ authorization: 'Bearer abc' }), opts), 'InvalidArgument', /Unsupported Authorization Type/);
    await rejectsWith(authenticate(req({ authorization: '' }), opts), 'InvalidArgument');
    await rejectsWith(authenticate(req({ authorization: 'AWS4-ECDSA-P256-SHA256 Credential=x' }), opts), 'NotImplemented');
  });

  it('with allowAnonymous (the S3 face), no signature at all is the anonymous principal; a bad one is still refused', async () => {
    const anonymous = await authenticate(req({}), { ...opts, allowAnonymous: true });
    assert.equal(anonymous.method, 'anonymous');
    assert.equal(anonymous.principal.anonymous, true);
    assert.equal(anonymous.principal.isRoot, false);
    assert.deepEqual(anonymous.payload, { kind: 'unsigned' });
    await rejectsWith(authenticate(req({ authorization: 'Bearer abc' }), { ...opts, allowAnonymous: true }), 'InvalidArgument');
    await rejectsWith(authenticate(req({}, 'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00'), { ...opts, allowAnonymous: true }), 'AuthorizationQueryParametersError');
  });
});

describe('decodeBody', () => {
  const unsigned = { kind: 'unsigned' } as const;
  const body = (headers: AuthRequest['headers']) => decodeBody(Readable.from([Buffer.from('abc')]), unsigned, headers);

  it('passes a plain body through with its Content-Length', async () => {
    const b = body({ 'content-length': '3' });
    assert.equal(b.length, 3);
    assert.equal((await collect(b.stream)).toString(), 'abc');
    assert.equal(body({}).length, null);
  });

  it('validates Content-MD5', async () => {
    assert.equal(body({ 'content-md5': 'kAFQmDzST7DWlj99KOF/cg==' }).expect.md5, 'kAFQmDzST7DWlj99KOF/cg==');
    await rejectsWith(() => body({ 'content-md5': 'abc' }), 'InvalidDigest');
    await rejectsWith(() => body({ 'content-md5': 'AAAAAAAAAAAAAAAAAAAAAAAAAAAA' }), 'InvalidDigest');
  });

  it('reads one x-amz-checksum-* header and the algorithm', async () => {
    const b = body({ 'x-amz-checksum-sha256': 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=', 'x-amz-sdk-checksum-algorithm': 'SHA256' });
    assert.deepEqual(b.expect.checksum, { algorithm: 'SHA256', value: 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=' });
    assert.equal(b.expect.algorithm, 'SHA256');
    assert.equal(body({ 'x-amz-checksum-algorithm': 'crc32c' }).expect.algorithm, 'CRC32C');
    await rejectsWith(() => body({ 'x-amz-checksum-crc32': 'AAAA' }), 'InvalidArgument');
    await rejectsWith(() => body({ 'x-amz-checksum-crc32': 'AAAAAA==', 'x-amz-checksum-sha1': 'AAAAAAAAAAAAAAAAAAAAAAAAAAA=' }), 'InvalidRequest');
    await rejectsWith(() => body({ 'x-amz-checksum-crc32': 'AAAAAA==', 'x-amz-sdk-checksum-algorithm': 'SHA1' }), 'InvalidRequest');
    await rejectsWith(() => body({ 'x-amz-sdk-checksum-algorithm': 'MD5' }), 'InvalidRequest');
    assert.equal(decodeBody(Readable.from([]), unsigned, { 'x-amz-checksum-sha256': 'abc-3' }, { ignoreChecksumHeaders: true }).expect.checksum, undefined);
  });

  it('carries the sha256 payload digest', () => {
    const b = decodeBody(Readable.from([]), { kind: 'sha256', hex: 'ab'.repeat(32) }, {});
    assert.equal(b.expect.sha256, 'ab'.repeat(32));
  });

  it('checks the aws-chunked headers', async () => {
    const mode = { kind: 'streaming-unsigned-trailer' } as const;
    await rejectsWith(() => decodeBody(Readable.from([]), mode, { 'x-amz-trailer': 'x-amz-meta-foo' }), 'InvalidRequest');
    await rejectsWith(() => decodeBody(Readable.from([]), mode, { 'x-amz-trailer': 'x-amz-checksum-crc32', 'x-amz-checksum-crc32': 'AAAAAA==' }), 'InvalidRequest');
    await rejectsWith(() => decodeBody(Readable.from([]), mode, { 'x-amz-decoded-content-length': '-1' }), 'InvalidArgument');
    const signed = { kind: 'streaming-signed', trailer: false, signing: { seedSignature: '', amzDate: '', scope: '', signingKey: Buffer.alloc(32) } } as const;
    await rejectsWith(() => decodeBody(Readable.from([]), signed, {}), 'MissingContentLength');
  });
});

describe('parseQuery', () => {
  it('decodes names and values, + as space, bare names as empty values', () => {
    assert.deepEqual(parseQuery('a=1&b&c=x+y%2Bz&&d=%E2%82%AC&bad=%zz'), [['a', '1'], ['b', ''], ['c', 'x y+z'], ['d', '€'], ['bad', '%zz']]);
  });
});
