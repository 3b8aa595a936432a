/**
 * Operations Signet does not serve yet: the AWS SDK v3 sees S3's
 * NotImplemented (HTTP 501) as an S3ServiceException, and nothing changes.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import {
  CreateBucketCommand,
  GetBucketWebsiteCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutBucketWebsiteCommand,
  PutObjectCommand,
  RestoreObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { rejectsS3 } from './sdk-helpers.ts';

const B = 'unserved';

describeEachMeta('SDK v3: operations not implemented yet', (kind) => {
  let t: TestSignet;
  let s3: S3Client;

  before(async () => {
    t = await startTestSignet(kind);
    s3 = t.s3();
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'obj.csv', Body: 'a,b\n1,2\n', ContentType: 'text/csv' }));
  });
  after(async () => {
    s3?.destroy();
    await t?.close();
  });

  const notImplemented = (run: Promise<unknown>) => rejectsS3(run, 'NotImplemented', 501);

  it('website configurations are NotImplemented and not stored', async () => {
    await notImplemented(s3.send(new PutBucketWebsiteCommand({ Bucket: B, WebsiteConfiguration: { IndexDocument: { Suffix: 'index.html' } } })));
    await notImplemented(s3.send(new GetBucketWebsiteCommand({ Bucket: B })));
    await s3.send(new HeadBucketCommand({ Bucket: B }));
  });

  it('GetObjectAttributes and RestoreObject are NotImplemented', async () => {
    await notImplemented(s3.send(new GetObjectAttributesCommand({ Bucket: B, Key: 'obj.csv', ObjectAttributes: ['ETag', 'ObjectSize'] })));
    await notImplemented(s3.send(new RestoreObjectCommand({ Bucket: B, Key: 'obj.csv', RestoreRequest: { Days: 1 } })));
  });

  it('public canned ACLs are NotImplemented and store nothing', async () => {
    await notImplemented(s3.send(new PutObjectCommand({ Bucket: B, Key: 'public.txt', Body: 'x', ACL: 'public-read' })));
    await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'public.txt' })), 'NotFound', 404);
  });

  it('after all of that, the bucket and object are as they were', async () => {
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'obj.csv' }));
    assert.equal(await got.Body?.transformToString(), 'a,b\n1,2\n');
    assert.equal(got.ContentType, 'text/csv');
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: B, Key: 'obj.csv' }));
    assert.deepEqual(tags.TagSet, []);
  });

  it('an unauthenticated call to an unserved operation is refused before NotImplemented', async () => {
    const res = await fetch(`${t.url}/${B}?website`);
    assert.equal(res.status, 403);
    assert.match(await res.text(), /<Code>AccessDenied<\/Code>/);
  });
});
