/**
 * Customer-provided keys (SSE-C) through the AWS SDK v3 and minio-js: round
 * trips, reads without the key or with another refused (400 / 403), copies
 * with SSE-C sources and destinations, multipart uploads, ranged reads, no
 * shared blob between objects of the same plaintext, no plaintext and no
 * key on disk; and minio-js's bucket encryption calls.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { readAll } from '../support/minio-helpers.ts';
import { bytesOf, pattern, rejectsHead, rejectsS3, withHeaders } from './sdk-helpers.ts';
import { assertStoredEncrypted, customerKey, filesContaining, markedBody, MASTER_ENV } from './sse-helpers.ts';

const MiB = 1024 * 1024;
const ssec = (key: string) => ({ SSECustomerAlgorithm: 'AES256', SSECustomerKey: key });
const copySsec = (key: string) => ({ CopySourceSSECustomerAlgorithm: 'AES256', CopySourceSSECustomerKey: key });
const keyMd5 = (key: string) => createHash('md5').update(Buffer.from(key, 'base64')).digest('base64');

describeEachMeta('SSE-C', (kind) => {
  let t: TestSignet;
  let s3: S3Client;
  const k1 = customerKey();
  const k2 = customerKey();

  before(async () => {
    t = await startTestSignet(kind, { env: MASTER_ENV });
    s3 = t.s3();
    for (const b of ['ssec', 'ssec2', 'enc']) await s3.send(new CreateBucketCommand({ Bucket: b }));
  });
  after(() => t.close());

  const get = async (bucket: string, key: string, extra: object = {}) => bytesOf((await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra }))).Body);

  it('round trip: PUT, GET, HEAD with the key; the ETag is no MD5 of the data; bytes and key are nowhere on disk', async () => {
    for (const [key, size] of [['small', 5000], ['large', 700_000]] as const) {
      const body = markedBody(size, `MARK-SSEC-${key}`);
      const put = await s3.send(new PutObjectCommand({ Bucket: 'ssec', Key: key, Body: body, ...ssec(k1) }));
      assert.equal(put.SSECustomerAlgorithm, 'AES256');
      assert.equal(put.SSECustomerKeyMD5, keyMd5(k1));
      assert.equal(put.ServerSideEncryption, undefined);
      assert.notEqual(put.ETag, `"${createHash('md5').update(body).digest('hex')}"`);
      const got = await s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: key, ...ssec(k1) }));
      assert.equal(got.SSECustomerAlgorithm, 'AES256');
      assert.equal(got.SSECustomerKeyMD5, keyMd5(k1));
      assert.equal(got.ETag, put.ETag);
      assert.ok((await bytesOf(got.Body)).equals(body));
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'ssec', Key: key, ...ssec(k1) }));
      assert.equal(head.ContentLength, size);
      assert.equal(head.SSECustomerAlgorithm, 'AES256');
      await assertStoredEncrypted(t.signet, 'ssec', key, `MARK-SSEC-${key}`);
      const v = await t.signet.meta.getVersion('ssec', key, null);
      assert.equal(v?.sha256, null, 'no plaintext fingerprint in the metadata');
    }
    assert.deepEqual(await filesContaining(t.dataDir, 'MARK-SSEC'), []);
    assert.deepEqual(await filesContaining(t.dataDir, k1), [], 'the key (base64) is not stored');
    assert.deepEqual(await filesContaining(t.dataDir, Buffer.from(k1, 'base64').toString('latin1')), [], 'the key (raw) is not stored');
  });

  it('GET and HEAD without the key are 400 InvalidRequest, with another key 403 AccessDenied', async () => {
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'small' })), 'InvalidRequest', 400);
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'small', ...ssec(k2) })), 'AccessDenied', 403);
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'large', Range: 'bytes=0-10', ...ssec(k2) })), 'AccessDenied', 403);
    await rejectsHead(s3.send(new HeadObjectCommand({ Bucket: 'ssec', Key: 'small' })), 400);
    await rejectsHead(s3.send(new HeadObjectCommand({ Bucket: 'ssec', Key: 'small', ...ssec(k2) })), 403);
    // A key for an object that has none.
    await s3.send(new PutObjectCommand({ Bucket: 'ssec', Key: 'unencrypted', Body: 'plain' }));
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'unencrypted', ...ssec(k1) })), 'InvalidRequest', 400);
  });

  it('refuses malformed SSE-C requests', async () => {
    // The MD5 of another key.
    await rejectsS3(
      s3.send(withHeaders(new PutObjectCommand({ Bucket: 'ssec', Key: 'bad', Body: 'x', ...ssec(k1) }), { 'x-amz-server-side-encryption-customer-key-md5': keyMd5(k2) })),
      'InvalidArgument',
      400,
    );
    // A key of 16 bytes.
    const short = Buffer.alloc(16, 1).toString('base64');
    await rejectsS3(
      s3.send(
        withHeaders(new PutObjectCommand({ Bucket: 'ssec', Key: 'bad', Body: 'x', ...ssec(k1) }), {
          'x-amz-server-side-encryption-customer-key': short,
          'x-amz-server-side-encryption-customer-key-md5': createHash('md5').update(Buffer.from(short, 'base64')).digest('base64'),
        }),
      ),
      'InvalidArgument',
      400,
    );
    // SSE-C together with SSE-S3.
    await rejectsS3(s3.send(new PutObjectCommand({ Bucket: 'ssec', Key: 'bad', Body: 'x', ServerSideEncryption: 'AES256', ...ssec(k1) })), 'InvalidArgument', 400);
    // An algorithm other than AES256.
    await rejectsS3(s3.send(withHeaders(new PutObjectCommand({ Bucket: 'ssec', Key: 'bad', Body: 'x', ...ssec(k1) }), { 'x-amz-server-side-encryption-customer-algorithm': 'AES128' })), 'InvalidArgument', 400);
  });

  it('copies: SSE-C source to another key, to SSE-S3, to plain; the source key is required', async () => {
    const body = await get('ssec', 'large', ssec(k1));
    await rejectsS3(s3.send(new CopyObjectCommand({ Bucket: 'ssec', Key: 'copy-nokey', CopySource: 'ssec/large' })), 'InvalidRequest', 400);
    await rejectsS3(s3.send(new CopyObjectCommand({ Bucket: 'ssec', Key: 'copy-wrong', CopySource: 'ssec/large', ...copySsec(k2) })), 'AccessDenied', 403);

    const toK2 = await s3.send(new CopyObjectCommand({ Bucket: 'ssec2', Key: 'k2', CopySource: 'ssec/large', ...copySsec(k1), ...ssec(k2) }));
    assert.equal(toK2.SSECustomerAlgorithm, 'AES256');
    assert.ok((await get('ssec2', 'k2', ssec(k2))).equals(body));
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: 'ssec2', Key: 'k2', ...ssec(k1) })), 'AccessDenied', 403);
    await assertStoredEncrypted(t.signet, 'ssec2', 'k2', 'MARK-SSEC');

    const toS3 = await s3.send(new CopyObjectCommand({ Bucket: 'enc', Key: 'from-ssec', CopySource: 'ssec/large', ...copySsec(k1), ServerSideEncryption: 'AES256' }));
    assert.equal(toS3.ServerSideEncryption, 'AES256');
    assert.ok((await get('enc', 'from-ssec')).equals(body));
    await assertStoredEncrypted(t.signet, 'enc', 'from-ssec', 'MARK-SSEC');

    await s3.send(new CopyObjectCommand({ Bucket: 'enc', Key: 'plain-from-ssec', CopySource: 'ssec/small', ...copySsec(k1) }));
    assert.ok((await get('enc', 'plain-from-ssec')).equals(await get('ssec', 'small', ssec(k1))));

    // Plain and SSE-S3 sources into SSE-C.
    await s3.send(new CopyObjectCommand({ Bucket: 'ssec2', Key: 'from-s3', CopySource: 'enc/from-ssec', ...ssec(k2) }));
    assert.ok((await get('ssec2', 'from-s3', ssec(k2))).equals(body));
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: 'ssec2', Key: 'from-s3' })), 'InvalidRequest', 400);

    // Same key: the copy shares the encrypted blobs; the range still reads right.
    await s3.send(new CopyObjectCommand({ Bucket: 'ssec', Key: 'same-key', CopySource: 'ssec/large', ...copySsec(k1), ...ssec(k1) }));
    const [a, b] = await Promise.all([t.signet.meta.getVersion('ssec', 'large', null), t.signet.meta.getVersion('ssec', 'same-key', null)]);
    assert.deepEqual(b?.extents, a?.extents);
    assert.ok((await get('ssec', 'same-key', { Range: 'bytes=65530-131080', ...ssec(k1) })).equals(body.subarray(65530, 131081)));
  });

  it('the same plaintext under different keys or in different buckets never shares a blob', async () => {
    const body = markedBody(300_000, 'MARK-DEDUP');
    await s3.send(new PutObjectCommand({ Bucket: 'ssec', Key: 'dup', Body: body, ...ssec(k1) }));
    await s3.send(new PutObjectCommand({ Bucket: 'ssec', Key: 'dup-k2', Body: body, ...ssec(k2) }));
    await s3.send(new PutObjectCommand({ Bucket: 'ssec2', Key: 'dup', Body: body, ...ssec(k1) }));
    await s3.send(new PutObjectCommand({ Bucket: 'enc', Key: 'dup', Body: body, ServerSideEncryption: 'AES256' }));
    const blobs = new Set<string>();
    for (const [bucket, key] of [['ssec', 'dup'], ['ssec', 'dup-k2'], ['ssec2', 'dup'], ['enc', 'dup']]) {
      const v = await t.signet.meta.getVersion(bucket!, key!, null);
      assert.equal(v?.extents.length, 1);
      blobs.add(v!.extents[0]!.blob);
      assert.notEqual(v!.extents[0]!.blob, createHash('sha256').update(body).digest('hex'), 'not named by the plaintext');
    }
    assert.equal(blobs.size, 4);
    assert.deepEqual(await filesContaining(t.dataDir, 'MARK-DEDUP'), []);
  });

  it('multipart: every part needs the key; UploadPartCopy from an SSE-C source; ranged reads', async () => {
    const parts = [pattern(5 * MiB + 3, 31), pattern(5 * MiB + 222, 32)];
    const { UploadId, SSECustomerAlgorithm } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'ssec', Key: 'mp', ...ssec(k2) }));
    assert.equal(SSECustomerAlgorithm, 'AES256');
    await rejectsS3(s3.send(new UploadPartCommand({ Bucket: 'ssec', Key: 'mp', UploadId, PartNumber: 1, Body: parts[0] })), 'InvalidRequest', 400);
    await rejectsS3(s3.send(new UploadPartCommand({ Bucket: 'ssec', Key: 'mp', UploadId, PartNumber: 1, Body: parts[0], ...ssec(k1) })), 'AccessDenied', 403);
    const p1 = await s3.send(new UploadPartCommand({ Bucket: 'ssec', Key: 'mp', UploadId, PartNumber: 1, Body: parts[0], ...ssec(k2) }));
    assert.equal(p1.SSECustomerKeyMD5, keyMd5(k2));
    const p2 = await s3.send(new UploadPartCommand({ Bucket: 'ssec', Key: 'mp', UploadId, PartNumber: 2, Body: parts[1], ...ssec(k2) }));
    // A third part copied from an SSE-C object under another key (re-encrypted under the upload's).
    const large = await get('ssec', 'large', ssec(k1));
    const p3 = await s3.send(
      new UploadPartCopyCommand({ Bucket: 'ssec', Key: 'mp', UploadId, PartNumber: 3, CopySource: 'ssec/large', CopySourceRange: 'bytes=1000-200000', ...copySsec(k1), ...ssec(k2) }),
    );
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: 'ssec',
        Key: 'mp',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }, { PartNumber: 3, ETag: p3.CopyPartResult?.ETag }] },
        ...ssec(k2),
      }),
    );
    assert.match(done.ETag ?? '', /-3"$/);
    const whole = Buffer.concat([...parts, large.subarray(1000, 200001)]);
    assert.ok((await get('ssec', 'mp', ssec(k2))).equals(whole));
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: 'ssec', Key: 'mp', ...ssec(k1) })), 'AccessDenied', 403);
    for (const [a, b] of [[0, 0], [65535, 65536], [5 * MiB - 10, 5 * MiB + 70_000], [whole.length - 200_000, whole.length - 1], [123_456, 4_567_890]] as const) {
      assert.ok((await get('ssec', 'mp', { Range: `bytes=${a}-${b}`, ...ssec(k2) })).equals(whole.subarray(a, b + 1)), `bytes ${a}-${b}`);
    }
  });

  it('minio-js: putObject and getObject with SSE-C headers; set/get/removeBucketEncryption', async () => {
    const mc = t.minio();
    const body = markedBody(150_000, 'MARK-MINIO-SSEC');
    const sse = {
      'X-Amz-Server-Side-Encryption-Customer-Algorithm': 'AES256',
      'X-Amz-Server-Side-Encryption-Customer-Key': k1,
      'X-Amz-Server-Side-Encryption-Customer-Key-MD5': keyMd5(k1),
    };
    await mc.putObject('ssec', 'minio', Readable.from([body]), body.length, sse);
    const got = await readAll(await mc.getObject('ssec', 'minio', { SSECustomerAlgorithm: 'AES256', SSECustomerKey: k1, SSECustomerKeyMD5: keyMd5(k1) }));
    assert.ok(got.equals(body));
    const partial = await readAll(await mc.getPartialObject('ssec', 'minio', 70_000, 1000, { SSECustomerAlgorithm: 'AES256', SSECustomerKey: k1, SSECustomerKeyMD5: keyMd5(k1) }));
    assert.ok(partial.equals(body.subarray(70_000, 71_000)));
    await assert.rejects(async () => readAll(await mc.getObject('ssec', 'minio')), (e: { code?: string }) => e.code === 'InvalidRequest');
    await assertStoredEncrypted(t.signet, 'ssec', 'minio', 'MARK-MINIO');

    await mc.makeBucket('minio-enc');
    await assert.rejects(mc.getBucketEncryption('minio-enc'), (e: { code?: string }) => e.code === 'ServerSideEncryptionConfigurationNotFoundError');
    await mc.setBucketEncryption('minio-enc'); // minio's default rule: AES256
    const config = await mc.getBucketEncryption('minio-enc');
    assert.equal(JSON.stringify(config).includes('AES256'), true);
    await mc.putObject('minio-enc', 'obj', Readable.from([body]), body.length);
    assert.ok((await readAll(await mc.getObject('minio-enc', 'obj'))).equals(body));
    await assertStoredEncrypted(t.signet, 'minio-enc', 'obj', 'MARK-MINIO');
    await mc.removeBucketEncryption('minio-enc');
    await assert.rejects(mc.getBucketEncryption('minio-enc'), (e: { code?: string }) => e.code === 'ServerSideEncryptionConfigurationNotFoundError');
    await mc.putObject('minio-enc', 'after', Readable.from([Buffer.from('plain again')]), 11);
    assert.equal((await t.signet.meta.getVersion('minio-enc', 'after', null))?.headers.encryption, undefined);
  });
});
