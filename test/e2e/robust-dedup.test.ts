/**
 * Acceptance: content addressing. The same bytes are stored once whatever
 * the number of keys; CopyObject and UploadPartCopy write no blob bytes; the
 * garbage collector removes a blob once nothing references it, and never one
 * that a version or an open multipart upload still references.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { storedBytes } from '../../src/adapters/blob/local-fs-blob-store.ts';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';

const MIB = 1024 * 1024;
const BIG = 20 * MIB;

function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

describeEachMeta('robust: dedup and garbage collection', (kind) => {
  let t: TestSignet;
  let s3: S3Client;
  let bucketNo = 0;

  before(async () => {
    t = await startTestSignet(kind, { env: { SIGNET_GC_GRACE_MS: '0' } });
    s3 = t.s3();
  });
  after(async () => {
    s3?.destroy();
    await t?.close();
  });

  async function newBucket(): Promise<string> {
    const name = `dedup-${++bucketNo}`;
    await s3.send(new CreateBucketCommand({ Bucket: name }));
    return name;
  }

  async function read(bucket: string, key: string): Promise<Buffer> {
    const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from(await got.Body!.transformToByteArray());
  }

  async function assertObject(bucket: string, key: string, body: Buffer): Promise<void> {
    const got = await read(bucket, key);
    assert.equal(got.length, body.length, `${key}: length`);
    assert.equal(sha256(got), sha256(body), `${key}: content`);
  }

  const put = (bucket: string, key: string, body: Buffer) => s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  const stored = () => storedBytes(t.signet.blobs);
  const blobExists = async (body: Buffer) => (await t.signet.blobs.stat(sha256(body))) !== null;

  describe('dedup', () => {
    it('the same 20 MiB body under three keys is stored once', async () => {
      const bucket = await newBucket();
      const body = randomBytes(BIG);
      const start = await stored();
      await put(bucket, 'one', body);
      const afterOne = await stored();
      assert.equal(afterOne.bytes - start.bytes, BIG, 'the first PUT stores 20 MiB');
      assert.equal(afterOne.count - start.count, 1, 'in one blob');
      await put(bucket, 'two', body);
      await put(bucket, 'dir/three', body);
      assert.deepEqual(await stored(), afterOne, 'the second and third PUT store nothing');
      for (const key of ['one', 'two', 'dir/three']) await assertObject(bucket, key, body);
      // Another bucket, same bytes: still nothing new.
      const other = await newBucket();
      await put(other, 'four', body);
      assert.deepEqual(await stored(), afterOne);
    });

    it('CopyObject of a 20 MiB object writes no blob bytes', async () => {
      const bucket = await newBucket();
      const other = await newBucket();
      const body = randomBytes(BIG);
      await put(bucket, 'source', body);
      const before = await stored();
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy', CopySource: `${bucket}/source` }));
      await s3.send(new CopyObjectCommand({ Bucket: other, Key: 'elsewhere/copy', CopySource: `${bucket}/source` }));
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'replaced-metadata', CopySource: `${bucket}/source`, MetadataDirective: 'REPLACE', Metadata: { a: 'b' } }));
      const after = await stored();
      assert.equal(after.bytes, before.bytes, 'storedBytes unchanged');
      assert.equal(after.count, before.count, 'blob count unchanged');
      await assertObject(bucket, 'copy', body);
      await assertObject(other, 'elsewhere/copy', body);
      await assertObject(bucket, 'replaced-metadata', body);
    });

    it('UploadPartCopy of ranges of a 20 MiB object writes no blob bytes', async () => {
      const bucket = await newBucket();
      const body = randomBytes(BIG);
      await put(bucket, 'source', body);
      const before = await stored();
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'assembled' }));
      const ranges = [
        [0, 8 * MIB - 1],
        [8 * MIB, BIG - 1],
        [0, 1000],
      ] as const;
      const parts = [];
      for (const [i, [a, b]] of ranges.entries()) {
        const r = await s3.send(new UploadPartCopyCommand({ Bucket: bucket, Key: 'assembled', UploadId, PartNumber: i + 1, CopySource: `${bucket}/source`, CopySourceRange: `bytes=${a}-${b}` }));
        parts.push({ PartNumber: i + 1, ETag: r.CopyPartResult!.ETag! });
      }
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'assembled', UploadId, MultipartUpload: { Parts: parts } }));
      assert.deepEqual(await stored(), before, 'no blob bytes written');
      await assertObject(bucket, 'assembled', Buffer.concat([body, body.subarray(0, 1001)]));
    });
  });

  describe('garbage collection (SIGNET_GC_GRACE_MS=0)', () => {
    it('removes the blob once the three keys (and a copy) holding it are deleted', async () => {
      const bucket = await newBucket();
      const body = randomBytes(BIG);
      const start = await stored();
      for (const key of ['a', 'b', 'c']) await put(bucket, key, body);
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'd', CopySource: `${bucket}/a` }));
      assert.equal((await stored()).bytes - start.bytes, BIG);

      for (const key of ['a', 'b', 'c']) {
        await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
        await t.signet.runGc();
        assert.ok(await blobExists(body), `still referenced after deleting ${key}`);
        await assertObject(bucket, 'd', body);
      }
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'd' }));
      const report = await t.signet.runGc();
      assert.equal(await blobExists(body), false, 'the blob is removed');
      assert.ok(report.deleted >= 1 && report.freedBytes >= BIG, JSON.stringify(report));
      assert.deepEqual(await stored(), start, 'back to where we started');
    });

    it('never removes a blob a version or an open multipart upload references', async () => {
      const bucket = await newBucket();
      const kept = randomBytes(6 * MIB);
      const copied = randomBytes(6 * MIB);
      const partBody = randomBytes(6 * MIB);
      const abortedBody = randomBytes(6 * MIB);
      const sliced = randomBytes(12 * MIB);

      // Two keys share a blob; one goes.
      await put(bucket, 'keep-1', kept);
      await put(bucket, 'keep-2', kept);
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'keep-1' }));
      // A copy outlives its source.
      await put(bucket, 'copy-src', copied);
      await s3.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy-dst', CopySource: `${bucket}/copy-src` }));
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'copy-src' }));
      // A part of an upload still open.
      const open = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'open' }));
      const part = await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'open', UploadId: open.UploadId, PartNumber: 1, Body: partBody }));
      // A slice copied into an open upload outlives the source.
      await put(bucket, 'slice-src', sliced);
      const sliceUpload = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'slice' }));
      const slicePart = await s3.send(
        new UploadPartCopyCommand({ Bucket: bucket, Key: 'slice', UploadId: sliceUpload.UploadId, PartNumber: 1, CopySource: `${bucket}/slice-src`, CopySourceRange: `bytes=${MIB}-${7 * MIB - 1}` }),
      );
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'slice-src' }));
      // A part of an aborted upload: garbage.
      const aborted = await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'aborted' }));
      await s3.send(new UploadPartCommand({ Bucket: bucket, Key: 'aborted', UploadId: aborted.UploadId, PartNumber: 1, Body: abortedBody }));
      await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'aborted', UploadId: aborted.UploadId }));

      await t.signet.runGc();
      assert.ok(await blobExists(kept), 'a blob another key still holds');
      assert.ok(await blobExists(copied), 'a blob a copy still holds');
      assert.ok(await blobExists(partBody), 'a part of an open upload');
      assert.ok(await blobExists(sliced), 'a blob a copied part still slices');
      assert.equal(await blobExists(abortedBody), false, 'a part of an aborted upload is collected');

      await assertObject(bucket, 'keep-2', kept);
      await assertObject(bucket, 'copy-dst', copied);
      await s3.send(
        new CompleteMultipartUploadCommand({ Bucket: bucket, Key: 'open', UploadId: open.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag! }] } }),
      );
      await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'slice',
          UploadId: sliceUpload.UploadId,
          MultipartUpload: { Parts: [{ PartNumber: 1, ETag: slicePart.CopyPartResult!.ETag! }] },
        }),
      );
      await t.signet.runGc();
      await assertObject(bucket, 'open', partBody);
      await assertObject(bucket, 'slice', sliced.subarray(MIB, 7 * MIB));
      await assertObject(bucket, 'keep-2', kept);
      await assertObject(bucket, 'copy-dst', copied);
    });
  });
});
