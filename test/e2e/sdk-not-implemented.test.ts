/**
 * Operations Signet does not serve yet: the AWS SDK v3 sees S3's
 * NotImplemented (HTTP 501) as an S3ServiceException, and nothing changes.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import {
  CreateBucketCommand,
  GetBucketCorsCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectAttributesCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectRetentionCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  PutBucketCorsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketPolicyCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectRetentionCommand,
  RestoreObjectCommand,
  SelectObjectContentCommand,
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

  it('PutBucketVersioning is NotImplemented (501) and versioning stays off', async () => {
    const e = await notImplemented(s3.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } })));
    assert.match(e.message, /PutBucketVersioning/);
    assert.equal(e.$fault, 'server');
    const v = await s3.send(new GetBucketVersioningCommand({ Bucket: B }));
    assert.equal(v.Status, undefined);
    await notImplemented(s3.send(new ListObjectVersionsCommand({ Bucket: B })));
  });

  it('bucket policies: GetBucketPolicy and PutBucketPolicy are NotImplemented', async () => {
    await notImplemented(s3.send(new GetBucketPolicyCommand({ Bucket: B })));
    const policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*` }],
    });
    await notImplemented(s3.send(new PutBucketPolicyCommand({ Bucket: B, Policy: policy })));
    // Still not public: an unsigned GET is refused.
    const res = await fetch(`${t.url}/${B}/obj.csv`);
    assert.equal(res.status, 403);
    await res.arrayBuffer();
  });

  it('lifecycle, CORS and bucket tagging configurations are NotImplemented and not stored', async () => {
    await notImplemented(
      s3.send(
        new PutBucketLifecycleConfigurationCommand({
          Bucket: B,
          LifecycleConfiguration: { Rules: [{ ID: 'expire', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } }] },
        }),
      ),
    );
    await notImplemented(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: B })));
    await notImplemented(s3.send(new PutBucketCorsCommand({ Bucket: B, CORSConfiguration: { CORSRules: [{ AllowedMethods: ['GET'], AllowedOrigins: ['*'] }] } })));
    await notImplemented(s3.send(new GetBucketCorsCommand({ Bucket: B })));
    await notImplemented(s3.send(new PutBucketTaggingCommand({ Bucket: B, Tagging: { TagSet: [{ Key: 'k', Value: 'v' }] } })));
    await notImplemented(s3.send(new GetBucketTaggingCommand({ Bucket: B })));
    await s3.send(new HeadBucketCommand({ Bucket: B }));
  });

  it('object lock: retention and legal hold are NotImplemented; the object is untouched', async () => {
    await notImplemented(s3.send(new GetObjectRetentionCommand({ Bucket: B, Key: 'obj.csv' })));
    await notImplemented(
      s3.send(new PutObjectRetentionCommand({ Bucket: B, Key: 'obj.csv', Retention: { Mode: 'GOVERNANCE', RetainUntilDate: new Date(Date.now() + 86400_000) } })),
    );
    await notImplemented(s3.send(new GetObjectLegalHoldCommand({ Bucket: B, Key: 'obj.csv' })));
    await notImplemented(s3.send(new PutObjectLegalHoldCommand({ Bucket: B, Key: 'obj.csv', LegalHold: { Status: 'ON' } })));
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'obj.csv' }));
    assert.equal(head.ObjectLockMode, undefined);
    assert.equal(head.ObjectLockLegalHoldStatus, undefined);
    // A bucket with object lock cannot be created either, and none is.
    await notImplemented(s3.send(new CreateBucketCommand({ Bucket: 'locked', ObjectLockEnabledForBucket: true })));
    const buckets = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(buckets.Buckets?.map((b) => b.Name), [B]);
  });

  it('GetObjectAttributes, RestoreObject and SelectObjectContent are NotImplemented', async () => {
    await notImplemented(s3.send(new GetObjectAttributesCommand({ Bucket: B, Key: 'obj.csv', ObjectAttributes: ['ETag', 'ObjectSize'] })));
    await notImplemented(s3.send(new RestoreObjectCommand({ Bucket: B, Key: 'obj.csv', RestoreRequest: { Days: 1 } })));
    await notImplemented(
      s3.send(
        new SelectObjectContentCommand({
          Bucket: B,
          Key: 'obj.csv',
          Expression: 'SELECT * FROM S3Object',
          ExpressionType: 'SQL',
          InputSerialization: { CSV: { FileHeaderInfo: 'USE' } },
          OutputSerialization: { CSV: {} },
        }),
      ),
    );
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
    const res = await fetch(`${t.url}/${B}?policy`);
    assert.equal(res.status, 403);
    assert.match(await res.text(), /<Code>AccessDenied<\/Code>/);
  });
});
