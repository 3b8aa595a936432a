/**
 * Encryption at rest with the master key (SSE-S3), through the AWS SDK v3:
 * the bucket's default encryption configuration, the bytes on disk (blob
 * files, inline rows, the SQLite files) never holding the plaintext, ranged
 * GETs across chunk boundaries of single-part, multipart and copied
 * objects, copies between encrypted and plain buckets, and restarts with
 * the wrong master key or none.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketEncryptionCommand,
  GetBucketEncryptionCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { storedAccessKeyRows } from '../support/meta-stores.ts';
import { describeEachMeta, ROOT, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { bytesOf, pattern, rejectsS3 } from './sdk-helpers.ts';
import { assertStoredEncrypted, customerKey, filesContaining, markedBody, MASTER_ENV, MASTER_KEY, OTHER_MASTER_KEY, RestartableSignet } from './sse-helpers.ts';

const MiB = 1024 * 1024;
const CHUNK = 64 * 1024;

async function enableDefault(s3: S3Client, bucket: string): Promise<void> {
  await s3.send(
    new PutBucketEncryptionCommand({
      Bucket: bucket,
      ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
    }),
  );
}

async function getRange(s3: S3Client, bucket: string, key: string, start: number, end: number): Promise<Buffer> {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, Range: `bytes=${start}-${end}` }));
  assert.equal(r.ContentRange, `bytes ${start}-${end}/${r.ContentRange!.split('/')[1]}`);
  return bytesOf(r.Body);
}

/** Random ranges (seeded), plus ones that start, end or straddle a 64 KiB chunk boundary. */
function ranges(size: number, count: number, seed: number): [number, number][] {
  let s = seed;
  const next = (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
  const out: [number, number][] = [[0, 0], [size - 1, size - 1], [0, size - 1]];
  for (let b = CHUNK; b < size && out.length < count / 2; b += CHUNK * (1 + next(20))) {
    out.push([b - 1, b], [b, Math.min(size - 1, b + next(3 * CHUNK))], [Math.max(0, b - next(CHUNK)), b - 1]);
  }
  while (out.length < count) {
    const a = next(size);
    out.push([a, Math.min(size - 1, a + next(3 * CHUNK))]);
  }
  return out;
}

async function assertRanges(s3: S3Client, bucket: string, key: string, body: Buffer, count: number, seed: number): Promise<void> {
  for (const [a, b] of ranges(body.length, count, seed)) {
    const got = await getRange(s3, bucket, key, a, b);
    assert.ok(got.equals(body.subarray(a, b + 1)), `${key} bytes ${a}-${b}`);
  }
}

async function multipart(s3: S3Client, bucket: string, key: string, parts: readonly Buffer[], extra: { ServerSideEncryption?: 'AES256' } = {}): Promise<string | undefined> {
  const { UploadId, ServerSideEncryption } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...extra }));
  const done = [];
  for (const [i, body] of parts.entries()) {
    const { ETag } = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: i + 1, Body: body }));
    done.push({ PartNumber: i + 1, ETag });
  }
  const completed = await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId, MultipartUpload: { Parts: done } }));
  assert.equal(completed.ServerSideEncryption, ServerSideEncryption);
  return completed.ServerSideEncryption;
}

describeEachMeta('SSE-S3', (kind) => {
  let t: TestSignet;
  let s3: S3Client;

  before(async () => {
    t = await startTestSignet(kind, { env: MASTER_ENV });
    s3 = t.s3();
    for (const b of ['enc', 'plain', 'perreq']) await s3.send(new CreateBucketCommand({ Bucket: b }));
    await enableDefault(s3, 'enc');
  });
  after(() => t.close());

  it('bucket encryption configuration: none, put, get, delete; aws:kms is not served', async () => {
    await rejectsS3(s3.send(new GetBucketEncryptionCommand({ Bucket: 'plain' })), 'ServerSideEncryptionConfigurationNotFoundError', 404);
    const got = await s3.send(new GetBucketEncryptionCommand({ Bucket: 'enc' }));
    assert.deepEqual(got.ServerSideEncryptionConfiguration?.Rules?.map((r) => r.ApplyServerSideEncryptionByDefault?.SSEAlgorithm), ['AES256']);
    await rejectsS3(
      s3.send(
        new PutBucketEncryptionCommand({
          Bucket: 'plain',
          ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: 'k' } }] },
        }),
      ),
      'NotImplemented',
      501,
    );
    await s3.send(new CreateBucketCommand({ Bucket: 'toggle' }));
    await enableDefault(s3, 'toggle');
    await s3.send(new DeleteBucketEncryptionCommand({ Bucket: 'toggle' }));
    await rejectsS3(s3.send(new GetBucketEncryptionCommand({ Bucket: 'toggle' })), 'ServerSideEncryptionConfigurationNotFoundError', 404);
    await rejectsS3(s3.send(new GetBucketEncryptionCommand({ Bucket: 'no-such-bucket' })), 'NoSuchBucket', 404);
  });

  it('encrypts small (inline), large (blob) and multipart objects on disk and reads them back', async () => {
    const small = markedBody(4096, 'MARK-SMALL-inline-plaintext');
    const large = markedBody(3 * MiB + 17, 'MARK-LARGE-blob-plaintext', 2);
    const parts = [markedBody(5 * MiB, 'MARK-MULTI-part-plaintext', 3), markedBody(MiB + 333, 'MARK-MULTI-part-plaintext', 4)];
    const put1 = await s3.send(new PutObjectCommand({ Bucket: 'enc', Key: 'small', Body: small }));
    const put2 = await s3.send(new PutObjectCommand({ Bucket: 'enc', Key: 'large', Body: large }));
    assert.equal(put1.ServerSideEncryption, 'AES256');
    assert.equal(put2.ServerSideEncryption, 'AES256');
    assert.equal(await multipart(s3, 'enc', 'multi', parts), 'AES256');
    // A control: the scan does find plaintext that is stored as it came.
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'control', Body: markedBody(200_000, 'MARK-CONTROL-plain') }));
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'control-small', Body: markedBody(3000, 'MARK-CONTROL-inline') }));

    for (const [key, body] of [['small', small], ['large', large], ['multi', Buffer.concat(parts)]] as const) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: 'enc', Key: key }));
      assert.equal(head.ServerSideEncryption, 'AES256');
      assert.equal(head.ContentLength, body.length);
      const got = await s3.send(new GetObjectCommand({ Bucket: 'enc', Key: key }));
      assert.equal(got.ServerSideEncryption, 'AES256');
      assert.ok((await bytesOf(got.Body)).equals(body), `${key} round trip`);
    }
    assert.equal(put1.ETag, `"${(await import('node:crypto')).createHash('md5').update(small).digest('hex')}"`, 'SSE-S3 ETags are the MD5, as S3');

    await assertStoredEncrypted(t.signet, 'enc', 'small', 'MARK-SMALL');
    await assertStoredEncrypted(t.signet, 'enc', 'large', 'MARK-LARGE');
    await assertStoredEncrypted(t.signet, 'enc', 'multi', 'MARK-MULTI');
    for (const marker of ['MARK-SMALL', 'MARK-LARGE', 'MARK-MULTI']) {
      assert.deepEqual(await filesContaining(t.dataDir, marker), [], `${marker} is nowhere on disk`);
    }
    assert.ok((await filesContaining(t.dataDir, 'MARK-CONTROL-plain')).length > 0, 'the scan finds a plain blob');
    if (kind === 'sqlite') assert.ok((await filesContaining(t.dataDir, 'MARK-CONTROL-inline')).length > 0, 'the scan finds plain inline bytes');
    const plain = await s3.send(new HeadObjectCommand({ Bucket: 'plain', Key: 'control' }));
    assert.equal(plain.ServerSideEncryption, undefined);
  });

  it('x-amz-server-side-encryption on PUT and CreateMultipartUpload encrypts in a bucket without a default', async () => {
    const body = markedBody(100_000, 'MARK-PERREQ');
    const put = await s3.send(new PutObjectCommand({ Bucket: 'perreq', Key: 'one', Body: body, ServerSideEncryption: 'AES256' }));
    assert.equal(put.ServerSideEncryption, 'AES256');
    assert.equal(await multipart(s3, 'perreq', 'mp', [markedBody(5 * MiB, 'MARK-PERREQ', 5), Buffer.from('tail')], { ServerSideEncryption: 'AES256' }), 'AES256');
    await s3.send(new PutObjectCommand({ Bucket: 'perreq', Key: 'plain', Body: Buffer.from('not encrypted') }));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'perreq', Key: 'plain' }))).ServerSideEncryption, undefined);
    assert.ok((await bytesOf((await s3.send(new GetObjectCommand({ Bucket: 'perreq', Key: 'one' }))).Body)).equals(body));
    await assertStoredEncrypted(t.signet, 'perreq', 'one', 'MARK-PERREQ');
    await assertStoredEncrypted(t.signet, 'perreq', 'mp', 'MARK-PERREQ');
    await rejectsS3(s3.send(new PutObjectCommand({ Bucket: 'perreq', Key: 'kms', Body: 'x', ServerSideEncryption: 'aws:kms' })), 'NotImplemented', 501);
  });

  it('POST form uploads: SSE fields ask for SSE-S3 or SSE-C as a PUT\'s headers do, once the policy allows them', async () => {
    const post = (key: string, fields: Record<string, string>) => createPresignedPost(s3, { Bucket: 'perreq', Key: key, Fields: fields, Expires: 600 });
    const send = (p: { url: string; fields: Record<string, string> }, body: Buffer, extra: Record<string, string> = {}) => {
      const form = new FormData();
      for (const [k, v] of Object.entries({ ...p.fields, ...extra })) form.append(k, v);
      form.append('file', new Blob([body]), 'upload.bin');
      return fetch(p.url, { method: 'POST', body: form });
    };

    const sseS3 = markedBody(100_000, 'MARK-POST-S3');
    const r1 = await send(await post('post/s3', { 'x-amz-server-side-encryption': 'AES256' }), sseS3);
    assert.equal(r1.status, 204, await r1.clone().text());
    assert.equal(r1.headers.get('x-amz-server-side-encryption'), 'AES256');
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: 'perreq', Key: 'post/s3' }))).ServerSideEncryption, 'AES256');
    await assertStoredEncrypted(t.signet, 'perreq', 'post/s3', 'MARK-POST-S3');

    const key = customerKey();
    const md5 = createHash('md5').update(Buffer.from(key, 'base64')).digest('base64');
    const ssec = { 'x-amz-server-side-encryption-customer-algorithm': 'AES256', 'x-amz-server-side-encryption-customer-key': key, 'x-amz-server-side-encryption-customer-key-MD5': md5 };
    const sseC = markedBody(3000, 'MARK-POST-C');
    const r2 = await send(await post('post/c', ssec), sseC);
    assert.equal(r2.status, 204, await r2.clone().text());
    assert.equal(r2.headers.get('x-amz-server-side-encryption-customer-key-md5'), md5);
    await assertStoredEncrypted(t.signet, 'perreq', 'post/c', 'MARK-POST-C');
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: 'perreq', Key: 'post/c' })), 'InvalidRequest', 400);
    const got = await s3.send(new GetObjectCommand({ Bucket: 'perreq', Key: 'post/c', SSECustomerAlgorithm: 'AES256', SSECustomerKey: key, SSECustomerKeyMD5: md5 }));
    assert.ok((await bytesOf(got.Body)).equals(sseC));

    // Refused, storing nothing: a key whose MD5 does not match, aws:kms, and an SSE field the policy does not allow.
    const badMd5 = await send(await post('post/bad-md5', { ...ssec, 'x-amz-server-side-encryption-customer-key-MD5': md5.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) }), sseC);
    assert.equal(badMd5.status, 400);
    const kms = await send(await post('post/kms', { 'x-amz-server-side-encryption': 'aws:kms' }), sseC);
    assert.equal(kms.status, 501);
    const unlisted = await send(await post('post/unlisted', {}), sseC, { 'x-amz-server-side-encryption': 'AES256' });
    assert.equal(unlisted.status, 403);
    for (const k of ['post/bad-md5', 'post/kms', 'post/unlisted']) await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: 'perreq', Key: k })), 'NotFound', 404);
  });

  it('ranged GETs across chunk boundaries: single-part, multipart and copied objects', async () => {
    const single = pattern(MiB + 12345, 21);
    await s3.send(new PutObjectCommand({ Bucket: 'enc', Key: 'r/single', Body: single }));
    await assertRanges(s3, 'enc', 'r/single', single, 60, 1);

    const inline = pattern(CHUNK - 10, 22);
    await s3.send(new PutObjectCommand({ Bucket: 'enc', Key: 'r/inline', Body: inline }));
    await assertRanges(s3, 'enc', 'r/inline', inline, 20, 2);

    const parts = [pattern(5 * MiB + 7, 23), pattern(300_001, 24)];
    await multipart(s3, 'enc', 'r/multi', parts);
    const whole = Buffer.concat(parts);
    await assertRanges(s3, 'enc', 'r/multi', whole, 60, 3);
    // partNumber reads are ranges too.
    const p2 = await s3.send(new GetObjectCommand({ Bucket: 'enc', Key: 'r/multi', PartNumber: 2 }));
    assert.ok((await bytesOf(p2.Body)).equals(parts[1]!));

    // CopyObject between encrypted objects shares the encrypted blobs.
    const copy = await s3.send(new CopyObjectCommand({ Bucket: 'enc', Key: 'r/copy', CopySource: 'enc/r/multi' }));
    assert.equal(copy.ServerSideEncryption, 'AES256');
    await assertRanges(s3, 'enc', 'r/copy', whole, 30, 4);

    // UploadPartCopy with ranges that start and end inside chunks, then more ranges of the result.
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'enc', Key: 'r/partcopy' }));
    const a: [number, number] = [CHUNK + 5, CHUNK + 5 + 5 * MiB];
    const b: [number, number] = [3 * CHUNK - 1, 5 * MiB + 200_000];
    const done = [];
    for (const [i, [from, to]] of [a, b].entries()) {
      const r = await s3.send(
        new UploadPartCopyCommand({ Bucket: 'enc', Key: 'r/partcopy', UploadId, PartNumber: i + 1, CopySource: 'enc/r/multi', CopySourceRange: `bytes=${from}-${to}` }),
      );
      done.push({ PartNumber: i + 1, ETag: r.CopyPartResult?.ETag });
    }
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'enc', Key: 'r/partcopy', UploadId, MultipartUpload: { Parts: done } }));
    const expected = Buffer.concat([whole.subarray(a[0], a[1] + 1), whole.subarray(b[0], b[1] + 1)]);
    assert.ok((await bytesOf((await s3.send(new GetObjectCommand({ Bucket: 'enc', Key: 'r/partcopy' }))).Body)).equals(expected));
    await assertRanges(s3, 'enc', 'r/partcopy', expected, 40, 5);
    // UploadPartCopy of an inline encrypted source (written to a blob as its envelope).
    const { UploadId: u2 } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'enc', Key: 'r/fromsmall' }));
    const r = await s3.send(new UploadPartCopyCommand({ Bucket: 'enc', Key: 'r/fromsmall', UploadId: u2, PartNumber: 1, CopySource: 'enc/r/inline', CopySourceRange: 'bytes=10-1000' }));
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: 'enc', Key: 'r/fromsmall', UploadId: u2, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: r.CopyPartResult?.ETag }] } }));
    assert.ok((await bytesOf((await s3.send(new GetObjectCommand({ Bucket: 'enc', Key: 'r/fromsmall' }))).Body)).equals(inline.subarray(10, 1001)));
  });

  it('copies between encrypted and plain buckets encrypt or decrypt the bytes', async () => {
    const body = markedBody(200_000, 'MARK-COPY-plain-source');
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'src', Body: body }));
    const intoEnc = await s3.send(new CopyObjectCommand({ Bucket: 'enc', Key: 'from-plain', CopySource: 'plain/src' }));
    assert.equal(intoEnc.ServerSideEncryption, 'AES256');
    await assertStoredEncrypted(t.signet, 'enc', 'from-plain', 'MARK-COPY');
    assert.ok((await bytesOf((await s3.send(new GetObjectCommand({ Bucket: 'enc', Key: 'from-plain' }))).Body)).equals(body));
    await assertRanges(s3, 'enc', 'from-plain', body, 10, 6);

    const out = await s3.send(new CopyObjectCommand({ Bucket: 'plain', Key: 'from-enc', CopySource: 'enc/large' }));
    assert.equal(out.ServerSideEncryption, undefined);
    const v = await t.signet.meta.getVersion('plain', 'from-enc', null);
    assert.equal(v?.headers.encryption, undefined);
    const large = await bytesOf((await s3.send(new GetObjectCommand({ Bucket: 'enc', Key: 'large' }))).Body);
    assert.ok((await bytesOf((await s3.send(new GetObjectCommand({ Bucket: 'plain', Key: 'from-enc' }))).Body)).equals(large));

    // Encrypting an object in place: a copy onto itself that asks for AES256.
    await s3.send(new PutObjectCommand({ Bucket: 'plain', Key: 'inplace', Body: body }));
    const inplace = await s3.send(new CopyObjectCommand({ Bucket: 'plain', Key: 'inplace', CopySource: 'plain/inplace', ServerSideEncryption: 'AES256' }));
    assert.equal(inplace.ServerSideEncryption, 'AES256');
    await assertStoredEncrypted(t.signet, 'plain', 'inplace', 'MARK-COPY');
  });
});

describeEachMeta('SSE-S3 master key across restarts', (kind) => {
  const node = new RestartableSignet(kind);
  after(() => node.cleanup());

  it('without a key SSE-S3 is not served; with encrypted data, a missing or different key refuses the start', async () => {
    await node.start({});
    let s3 = node.s3();
    await s3.send(new CreateBucketCommand({ Bucket: 'keys' }));
    await rejectsS3(
      s3.send(new PutBucketEncryptionCommand({ Bucket: 'keys', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } })),
      'NotImplemented',
      501,
    );
    await rejectsS3(s3.send(new PutObjectCommand({ Bucket: 'keys', Key: 'x', Body: 'x', ServerSideEncryption: 'AES256' })), 'NotImplemented', 501);
    await s3.send(new PutObjectCommand({ Bucket: 'keys', Key: 'before', Body: 'plain before any key' }));
    await node.stop();

    // With no encrypted data yet, any key would do; the first one configured seals the access-key secrets.
    await node.start({ SIGNET_MASTER_KEY: MASTER_KEY });
    s3 = node.s3();
    const small = markedBody(1000, 'MARK-RESTART-small');
    const large = markedBody(500_000, 'MARK-RESTART-large');
    await s3.send(new PutObjectCommand({ Bucket: 'keys', Key: 'small', Body: small, ServerSideEncryption: 'AES256' }));
    await s3.send(new PutObjectCommand({ Bucket: 'keys', Key: 'large', Body: large, ServerSideEncryption: 'AES256' }));
    await node.stop();

    await assert.rejects(node.start({}), /no master key is configured/);
    await assert.rejects(node.start({ SIGNET_MASTER_KEY: OTHER_MASTER_KEY }), /but the configured master key is/);

    await node.start({ SIGNET_MASTER_KEY: MASTER_KEY });
    s3 = node.s3();
    assert.ok((await bytesOf((await s3.send(new GetObjectCommand({ Bucket: 'keys', Key: 'small' }))).Body)).equals(small));
    assert.ok((await bytesOf((await s3.send(new GetObjectCommand({ Bucket: 'keys', Key: 'large', Range: 'bytes=70000-70099' }))).Body)).equals(large.subarray(70000, 70100)));
    assert.equal(Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: 'keys', Key: 'before' }))).Body!.transformToByteArray()).toString(), 'plain before any key');
    assert.deepEqual(await filesContaining(await node.dataDir, 'MARK-RESTART'), []);
  });
});

describeEachMeta('access-key secrets under the master key', (kind) => {
  const node = new RestartableSignet(kind);
  after(() => node.cleanup());

  it('are sealed at rest: keys written before the key was set keep working, none is stored in clear, a start without the key is refused', async () => {
    const first = await node.start({});
    await first.identity.addUser('alice');
    const early = await first.identity.addKey('alice');
    await node.stop();

    const signet = await node.start(MASTER_ENV);
    const late = await signet.identity.addKey('alice');
    for (const key of [early, late]) {
      const alice = node.s3({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretKey });
      assert.equal((await alice.send(new ListBucketsCommand({}))).Owner?.DisplayName, 'alice');
      alice.destroy();
    }
    await rejectsS3(node.s3({ accessKeyId: late.accessKeyId, secretAccessKey: early.secretKey }).send(new ListBucketsCommand({})), 'SignatureDoesNotMatch', 403);
    const rows = await storedAccessKeyRows(await node.location());
    assert.ok(rows.length >= 3, 'root, the two keys of alice (and the registry\'s own)');
    for (const row of rows) {
      assert.ok(row.sealed_by !== null && ![early.secretKey, late.secretKey, ROOT.password].some((s) => row.secret.includes(s)), `${row.access_key_id} is sealed`);
    }
    // Never written in clear, so no byte in the data folder holds it.
    if (kind === 'sqlite') assert.deepEqual(await filesContaining(await node.dataDir, late.secretKey), []);
    await node.stop();

    await assert.rejects(node.start({}), /Access-key secrets are sealed under master key [0-9a-f]{16} but no master key is configured/);
    await node.start(MASTER_ENV);
  });
});

describe('SSE-S3 configuration', () => {
  it('SIGNET_MASTER_KEY takes 32 bytes as hex or base64, and nothing else', async () => {
    const { loadConfig } = await import('../../src/config.ts');
    assert.equal(loadConfig({}, { SIGNET_MASTER_KEY: MASTER_KEY }).masterKey?.length, 32);
    assert.equal(loadConfig({}, { SIGNET_MASTER_KEY: OTHER_MASTER_KEY }).masterKey?.length, 32);
    assert.equal(loadConfig({}, {}).masterKey, null);
    assert.throws(() => loadConfig({}, { SIGNET_MASTER_KEY: 'too-short' }), /SIGNET_MASTER_KEY must be 32 bytes/);
    assert.throws(() => loadConfig({}, { SIGNET_MASTER_KEY: Buffer.alloc(16).toString('base64') }), /32 bytes/);
  });
});
