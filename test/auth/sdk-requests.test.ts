/**
 * Requests exactly as the AWS SDK v3 S3 client builds and signs them
 * (captured, never sent) pass the gate, and their bodies decode: including
 * the STREAMING-UNSIGNED-PAYLOAD-TRAILER framing it uses for streamed uploads.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand, UploadPartCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { authenticate, decodeBody } from '../../src/faces/s3/auth/auth-gate.ts';
import { PRINCIPAL, capturingClient, collect, lookup, rejectsWith } from './helpers.ts';

const opts = () => ({ lookup, now: new Date(), services: ['s3'] });

describe('AWS SDK v3 requests', () => {
  it('PutObject with a buffer: sha256 payload, CRC32 header checksum', async () => {
    const { client, captured } = capturingClient();
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'dir/a key+plus ü.txt', Body: Buffer.from('hello') }));
    const [c] = captured;
    assert.ok(c);
    const auth = await authenticate(c.req, opts());
    assert.deepEqual(auth.principal, PRINCIPAL);
    assert.equal(auth.region, 'eu-west-3');
    assert.equal(auth.payload.kind, 'sha256');
    const body = decodeBody(Readable.from([c.body]), auth.payload, c.req.headers);
    assert.equal(body.length, 5);
    assert.equal(body.expect.sha256, '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    assert.deepEqual(body.expect.checksum, { algorithm: 'CRC32', value: 'NhCmhg==' });
    assert.equal((await collect(body.stream)).toString(), 'hello');
  });

  it('PutObject and UploadPart with a stream: aws-chunked unsigned body with a CRC32 trailer', async () => {
    const { client, captured } = capturingClient();
    const text = 'hello world, '.repeat(10_000);
    await client.send(new PutObjectCommand({ Bucket: 'b', Key: 'k', Body: Readable.from([Buffer.from(text)]), ContentLength: text.length }));
    await client.send(new UploadPartCommand({ Bucket: 'b', Key: 'k', UploadId: 'u1', PartNumber: 3, Body: Readable.from([Buffer.from(text)]), ContentLength: text.length }));
    for (const c of captured) {
      const auth = await authenticate(c.req, opts());
      assert.deepEqual(auth.payload, { kind: 'streaming-unsigned-trailer' });
      const body = decodeBody(Readable.from([c.body]), auth.payload, c.req.headers);
      assert.equal(body.length, text.length);
      assert.equal(body.expect.algorithm, 'CRC32');
      const before = body.expect.checksum;
      assert.equal(before, undefined, 'the trailer is read with the body');
      assert.equal((await collect(body.stream)).toString(), text);
      assert.equal(body.expect.checksum?.algorithm, 'CRC32');
    }
  });

  it('ListObjectsV2 with awkward prefix characters', async () => {
    const { client, captured } = capturingClient();
    await client.send(new ListObjectsV2Command({ Bucket: 'b', Prefix: "a b+c/é*(x)!'~", Delimiter: '/' }));
    const [c] = captured;
    assert.ok(c);
    await authenticate(c.req, opts());
    await rejectsWith(authenticate({ ...c.req, rawQuery: c.req.rawQuery.replace('delimiter=%2F', 'delimiter=-') }, opts()), 'SignatureDoesNotMatch');
  });

  it('getSignedUrl (s3-request-presigner) URLs verify, and tampering fails', async () => {
    const { client } = capturingClient('us-west-2');
    const url = new URL(await getSignedUrl(client, new GetObjectCommand({ Bucket: 'b', Key: 'photos/a b.jpg', ResponseContentType: 'image/jpeg' }), { expiresIn: 300 }));
    const req = { method: 'GET', rawPath: url.pathname, rawQuery: url.search.slice(1), headers: { host: url.host } };
    const auth = await authenticate(req, opts());
    assert.equal(auth.method, 'sigv4-query');
    assert.equal(auth.region, 'us-west-2');
    assert.deepEqual(auth.payload, { kind: 'unsigned' });
    await rejectsWith(authenticate({ ...req, rawQuery: req.rawQuery.replace('image%2Fjpeg', 'text%2Fhtml') }, opts()), 'SignatureDoesNotMatch');
    await rejectsWith(authenticate({ ...req, headers: { host: 'evil.example' } }, opts()), 'SignatureDoesNotMatch');
    await rejectsWith(authenticate(req, { ...opts(), now: new Date(Date.now() + 301_000) }), 'AccessDenied', /expired/);
  });

  it('a presigned PUT carries its body unsigned', async () => {
    const { client } = capturingClient();
    const url = new URL(await getSignedUrl(client, new PutObjectCommand({ Bucket: 'b', Key: 'up.bin' }), { expiresIn: 60 }));
    const req = { method: 'PUT', rawPath: url.pathname, rawQuery: url.search.slice(1), headers: { host: url.host, 'content-length': '3' } };
    const auth = await authenticate(req, opts());
    const body = decodeBody(Readable.from([Buffer.from('abc')]), auth.payload, req.headers);
    assert.equal(body.length, 3);
    assert.deepEqual(body.expect, {});
  });
});
