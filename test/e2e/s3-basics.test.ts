import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';

describeEachMeta('S3 basics with the AWS SDK', (kind) => {
  let t: TestSignet;
  let s3: S3Client;
  before(async () => {
    t = await startTestSignet(kind);
    s3 = t.s3();
  });
  after(async () => {
    s3?.destroy();
    await t?.close();
  });

  it('creates a bucket, puts, gets, lists and deletes objects', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'basics' }));
    const buckets = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(buckets.Buckets?.map((b) => b.Name), ['basics']);
    await s3.send(new PutObjectCommand({ Bucket: 'basics', Key: 'a/b.txt', Body: 'hello', ContentType: 'text/plain', Metadata: { color: 'blue' } }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'basics', Key: 'a/b.txt' }));
    assert.equal(await got.Body?.transformToString(), 'hello');
    assert.equal(got.ContentType, 'text/plain');
    assert.equal(got.Metadata?.color, 'blue');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'basics', Key: 'a/b.txt' }));
    assert.equal(head.ContentLength, 5);
    const list = await s3.send(new ListObjectsV2Command({ Bucket: 'basics' }));
    assert.deepEqual(list.Contents?.map((c) => c.Key), ['a/b.txt']);
    await s3.send(new DeleteObjectCommand({ Bucket: 'basics', Key: 'a/b.txt' }));
    await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: 'basics', Key: 'a/b.txt' })), (e: Error) => e.name === 'NotFound');
  });
});
