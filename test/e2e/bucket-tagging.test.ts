/**
 * Bucket tagging (GetBucketTagging, PutBucketTagging, DeleteBucketTagging)
 * driven by the AWS SDK v3 and by minio-js 8 (setBucketTagging,
 * getBucketTagging, removeBucketTagging) against a real Signet on each
 * metadata engine: round trips, NoSuchTagSet, InvalidTag, and only the
 * owner (or root) may touch them.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketTaggingCommand,
  GetBucketTaggingCommand,
  PutBucketTaggingCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type * as Minio from 'minio';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { errorCode } from '../support/minio-helpers.ts';
import { rejectsS3 } from './sdk-helpers.ts';

describeEachMeta('bucket tagging (SDK v3 and minio-js)', (kind) => {
  let t: TestSignet;
  let s3: S3Client;
  let minio: Minio.Client;
  let carol: S3Client;

  before(async () => {
    t = await startTestSignet(kind);
    s3 = t.s3();
    minio = t.minio();
    await s3.send(new CreateBucketCommand({ Bucket: 'tagged' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'tagged-minio' }));
    await t.signet.identity.addUser('carol');
    const k = await t.signet.identity.addKey('carol');
    carol = t.s3({ accessKeyId: k.accessKeyId, secretAccessKey: k.secretKey });
  });
  after(async () => {
    s3?.destroy();
    carol?.destroy();
    await t?.close();
  });

  it('SDK: none yet → NoSuchTagSet; put, get (order kept), replace, delete', async () => {
    await rejectsS3(s3.send(new GetBucketTaggingCommand({ Bucket: 'tagged' })), 'NoSuchTagSet', 404);
    const first = [
      { Key: 'team', Value: 'vision' },
      { Key: 'cost-center', Value: '42' },
      { Key: 'empty', Value: '' },
      { Key: 'unicode ✓', Value: 'värde' },
    ];
    await s3.send(new PutBucketTaggingCommand({ Bucket: 'tagged', Tagging: { TagSet: first } }));
    assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket: 'tagged' }))).TagSet, first);
    const second = [{ Key: 'team', Value: 'nlp' }];
    await s3.send(new PutBucketTaggingCommand({ Bucket: 'tagged', Tagging: { TagSet: second } }));
    assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket: 'tagged' }))).TagSet, second);
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: 'tagged' }));
    await rejectsS3(s3.send(new GetBucketTaggingCommand({ Bucket: 'tagged' })), 'NoSuchTagSet', 404);
    // Deleting again is fine, as in S3.
    await s3.send(new DeleteBucketTaggingCommand({ Bucket: 'tagged' }));
  });

  it('SDK: up to 50 tags; InvalidTag for 51, duplicate keys, long keys or values, aws: keys; nothing changes', async () => {
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
    await s3.send(new PutBucketTaggingCommand({ Bucket: 'tagged', Tagging: { TagSet: fifty } }));
    const bad = [
      [...fifty, { Key: 'k50', Value: 'v' }],
      [
        { Key: 'dup', Value: 'a' },
        { Key: 'dup', Value: 'b' },
      ],
      [{ Key: 'x'.repeat(129), Value: 'v' }],
      [{ Key: 'k', Value: 'x'.repeat(257) }],
      [{ Key: '', Value: 'v' }],
      [{ Key: 'aws:createdBy', Value: 'me' }],
    ];
    for (const TagSet of bad) await rejectsS3(s3.send(new PutBucketTaggingCommand({ Bucket: 'tagged', Tagging: { TagSet } })), 'InvalidTag', 400);
    assert.deepEqual((await s3.send(new GetBucketTaggingCommand({ Bucket: 'tagged' }))).TagSet, fifty);
    await rejectsS3(s3.send(new GetBucketTaggingCommand({ Bucket: 'no-such-bucket' })), 'NoSuchBucket', 404);
  });

  it("SDK: another user can neither read nor change the owner's tags", async () => {
    await rejectsS3(carol.send(new GetBucketTaggingCommand({ Bucket: 'tagged' })), 'AccessDenied', 403);
    await rejectsS3(carol.send(new PutBucketTaggingCommand({ Bucket: 'tagged', Tagging: { TagSet: [{ Key: 'by', Value: 'carol' }] } })), 'AccessDenied', 403);
    await rejectsS3(carol.send(new DeleteBucketTaggingCommand({ Bucket: 'tagged' })), 'AccessDenied', 403);
    assert.equal((await s3.send(new GetBucketTaggingCommand({ Bucket: 'tagged' }))).TagSet?.length, 50);
  });

  it('minio-js: setBucketTagging, getBucketTagging, removeBucketTagging', async () => {
    assert.equal(await errorCode(minio.getBucketTagging('tagged-minio')), 'NoSuchTagSet');
    await minio.setBucketTagging('tagged-minio', { project: 'llama', stage: 'prod' });
    const tags = await minio.getBucketTagging('tagged-minio');
    assert.deepEqual(
      [...tags].sort((a, b) => a.Key.localeCompare(b.Key)),
      [
        { Key: 'project', Value: 'llama' },
        { Key: 'stage', Value: 'prod' },
      ],
    );
    // The SDK reads what minio-js wrote.
    assert.equal((await s3.send(new GetBucketTaggingCommand({ Bucket: 'tagged-minio' }))).TagSet?.length, 2);
    await minio.removeBucketTagging('tagged-minio');
    assert.equal(await errorCode(minio.getBucketTagging('tagged-minio')), 'NoSuchTagSet');
  });

  it('minio-js: InvalidTag for an aws: key, and the tags stay as they were', async () => {
    await minio.setBucketTagging('tagged-minio', { keep: 'me' });
    assert.equal(await errorCode(minio.setBucketTagging('tagged-minio', { 'aws:reserved': 'x' })), 'InvalidTag');
    assert.deepEqual(await minio.getBucketTagging('tagged-minio'), [{ Key: 'keep', Value: 'me' }]);
  });
});
