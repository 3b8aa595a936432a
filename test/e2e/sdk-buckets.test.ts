/**
 * Bucket operations through the AWS SDK v3 with default client settings:
 * naming rules, ownership between users, HeadBucket / ListBuckets /
 * GetBucketLocation / DeleteBucket / ACLs / versioning status.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { rejectsHead, rejectsS3 } from './sdk-helpers.ts';

describeEachMeta('SDK v3: buckets', (kind) => {
  let t: TestSignet;
  let s3: S3Client;
  let bob: S3Client;
  let rootId: string;
  let bobId: string;

  before(async () => {
    t = await startTestSignet(kind);
    s3 = t.s3();
    const user = await t.signet.identity.addUser('bob');
    bobId = user.id;
    const key = await t.signet.identity.addKey('bob');
    bob = t.s3({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretKey });
    const root = (await t.signet.identity.listUsers()).find((u) => u.isRoot);
    assert.ok(root);
    rootId = root.id;
  });
  after(async () => {
    s3?.destroy();
    bob?.destroy();
    await t?.close();
  });

  it('refuses invalid bucket names with InvalidBucketName', async () => {
    const bad = [
      'UpperCase',
      'ab',
      'a'.repeat(64),
      '192.168.1.1',
      'a..b',
      '-starts-with-dash',
      'ends-with-dash-',
      'under_score',
      'dot.-dash',
      'xn--punycode',
    ];
    for (const name of bad) {
      await rejectsS3(s3.send(new CreateBucketCommand({ Bucket: name })), 'InvalidBucketName', 400);
    }
    const listed = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(listed.Buckets ?? [], []);
  });

  it('accepts names at the limits: 3 and 63 characters, dots and dashes', async () => {
    for (const name of ['abc', 'a'.repeat(63), 'my.bucket-1', '1-2.3x']) {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
      await s3.send(new HeadBucketCommand({ Bucket: name }));
      await s3.send(new DeleteBucketCommand({ Bucket: name }));
    }
  });

  it('creating an owned bucket again is BucketAlreadyOwnedByYou (409)', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'twice' }));
    await rejectsS3(s3.send(new CreateBucketCommand({ Bucket: 'twice' })), 'BucketAlreadyOwnedByYou', 409);
    await s3.send(new DeleteBucketCommand({ Bucket: 'twice' }));
  });

  it('accepts a LocationConstraint equal to its region', async () => {
    // us-east-1 must not be sent as a constraint by real clients, but an explicit
    // one matching the server's region is harmless.
    const region = t.config.region;
    if (region !== 'us-east-1') {
      await s3.send(new CreateBucketCommand({ Bucket: 'located', CreateBucketConfiguration: { LocationConstraint: region as 'eu-west-1' } }));
      await s3.send(new DeleteBucketCommand({ Bucket: 'located' }));
    }
    await s3.send(new CreateBucketCommand({ Bucket: 'located' }));
    const loc = await s3.send(new GetBucketLocationCommand({ Bucket: 'located' }));
    // S3 reports us-east-1 as an empty LocationConstraint.
    assert.ok(loc.LocationConstraint === undefined || loc.LocationConstraint === ('' as never), `got ${String(loc.LocationConstraint)}`);
    await s3.send(new DeleteBucketCommand({ Bucket: 'located' }));
  });

  it('HeadBucket answers x-amz-bucket-region; a missing bucket is NotFound (404)', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'headed' }));
    const head = await s3.send(new HeadBucketCommand({ Bucket: 'headed' }));
    assert.equal(head.$metadata.httpStatusCode, 200);
    assert.equal(head.BucketRegion, 'us-east-1');
    await rejectsS3(s3.send(new HeadBucketCommand({ Bucket: 'no-such-bucket' })), 'NotFound', 404);
    await s3.send(new DeleteBucketCommand({ Bucket: 'headed' }));
  });

  it("ListBuckets names the caller as Owner and lists buckets in name order with creation dates", async () => {
    const before = Date.now() - 2000;
    for (const b of ['list-c', 'list-a', 'list-b']) await s3.send(new CreateBucketCommand({ Bucket: b }));
    const out = await s3.send(new ListBucketsCommand({}));
    assert.equal(out.Owner?.ID, rootId);
    assert.equal(out.Owner?.DisplayName, 'root');
    assert.deepEqual(out.Buckets?.map((b) => b.Name), ['list-a', 'list-b', 'list-c']);
    for (const b of out.Buckets ?? []) {
      assert.ok(b.CreationDate instanceof Date);
      assert.ok(b.CreationDate.getTime() >= before && b.CreationDate.getTime() <= Date.now() + 2000);
    }
    for (const b of ['list-a', 'list-b', 'list-c']) await s3.send(new DeleteBucketCommand({ Bucket: b }));
  });

  it('DeleteBucket refuses a non-empty bucket (BucketNotEmpty 409), then deletes it once empty', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'full' }));
    await s3.send(new PutObjectCommand({ Bucket: 'full', Key: 'x', Body: 'x' }));
    await rejectsS3(s3.send(new DeleteBucketCommand({ Bucket: 'full' })), 'BucketNotEmpty', 409);
    await s3.send(new HeadBucketCommand({ Bucket: 'full' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'full', Key: 'x' }));
    const del = await s3.send(new DeleteBucketCommand({ Bucket: 'full' }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await rejectsS3(s3.send(new HeadBucketCommand({ Bucket: 'full' })), 'NotFound', 404);
    await rejectsS3(s3.send(new DeleteBucketCommand({ Bucket: 'full' })), 'NoSuchBucket', 404);
  });

  it('operations on a missing bucket are NoSuchBucket (404)', async () => {
    await rejectsS3(s3.send(new ListObjectsV2Command({ Bucket: 'missing-bucket' })), 'NoSuchBucket', 404);
    await rejectsS3(s3.send(new PutObjectCommand({ Bucket: 'missing-bucket', Key: 'k', Body: 'x' })), 'NoSuchBucket', 404);
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: 'missing-bucket', Key: 'k' })), 'NoSuchBucket', 404);
    await rejectsS3(s3.send(new GetBucketLocationCommand({ Bucket: 'missing-bucket' })), 'NoSuchBucket', 404);
    await rejectsS3(s3.send(new GetBucketAclCommand({ Bucket: 'missing-bucket' })), 'NoSuchBucket', 404);
  });

  it('GetBucketAcl: the owner holds FULL_CONTROL; PutBucketAcl private is accepted, public-read is not', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'acl' }));
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: 'acl' }));
    assert.equal(acl.Owner?.ID, rootId);
    assert.equal(acl.Grants?.length, 1);
    assert.equal(acl.Grants?.[0]?.Permission, 'FULL_CONTROL');
    assert.equal(acl.Grants?.[0]?.Grantee?.ID, rootId);
    assert.equal(acl.Grants?.[0]?.Grantee?.Type, 'CanonicalUser');
    const put = await s3.send(new PutBucketAclCommand({ Bucket: 'acl', ACL: 'private' }));
    assert.equal(put.$metadata.httpStatusCode, 200);
    // The same document back (owner-only) is accepted too.
    await s3.send(new PutBucketAclCommand({ Bucket: 'acl', AccessControlPolicy: { Owner: acl.Owner, Grants: acl.Grants } }));
    await rejectsS3(s3.send(new PutBucketAclCommand({ Bucket: 'acl', ACL: 'public-read' })), 'NotImplemented', 501);
    const again = await s3.send(new GetBucketAclCommand({ Bucket: 'acl' }));
    assert.deepEqual(again.Grants?.map((g) => g.Permission), ['FULL_CONTROL']);
    await s3.send(new DeleteBucketCommand({ Bucket: 'acl' }));
  });

  it('GetBucketVersioning of a new bucket has no Status', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'versioning' }));
    const v = await s3.send(new GetBucketVersioningCommand({ Bucket: 'versioning' }));
    assert.equal(v.$metadata.httpStatusCode, 200);
    assert.equal(v.Status, undefined);
    assert.equal(v.MFADelete, undefined);
    await s3.send(new DeleteBucketCommand({ Bucket: 'versioning' }));
  });

  it("users: bob cannot see or touch root's buckets; root sees bob's; bob lists only his", async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'roots' }));
    await s3.send(new PutObjectCommand({ Bucket: 'roots', Key: 'secret.txt', Body: 'root data' }));
    await bob.send(new CreateBucketCommand({ Bucket: 'bobs' }));
    await bob.send(new PutObjectCommand({ Bucket: 'bobs', Key: 'mine.txt', Body: 'bob data' }));

    const bobList = await bob.send(new ListBucketsCommand({}));
    assert.deepEqual(bobList.Buckets?.map((b) => b.Name), ['bobs']);
    assert.equal(bobList.Owner?.ID, bobId);
    assert.equal(bobList.Owner?.DisplayName, 'bob');

    const rootList = await s3.send(new ListBucketsCommand({}));
    assert.deepEqual(rootList.Buckets?.map((b) => b.Name), ['bobs', 'roots']);

    // HEAD errors have no body: only the status tells.
    await rejectsHead(bob.send(new HeadBucketCommand({ Bucket: 'roots' })), 403);
    await rejectsS3(bob.send(new ListObjectsV2Command({ Bucket: 'roots' })), 'AccessDenied', 403);
    await rejectsS3(bob.send(new GetObjectCommand({ Bucket: 'roots', Key: 'secret.txt' })), 'AccessDenied', 403);
    await rejectsS3(bob.send(new PutObjectCommand({ Bucket: 'roots', Key: 'intruder.txt', Body: 'x' })), 'AccessDenied', 403);
    await rejectsS3(bob.send(new DeleteObjectCommand({ Bucket: 'roots', Key: 'secret.txt' })), 'AccessDenied', 403);
    await rejectsS3(bob.send(new GetBucketAclCommand({ Bucket: 'roots' })), 'AccessDenied', 403);
    await rejectsS3(bob.send(new GetBucketLocationCommand({ Bucket: 'roots' })), 'AccessDenied', 403);
    await rejectsS3(bob.send(new DeleteBucketCommand({ Bucket: 'roots' })), 'AccessDenied', 403);
    // The name is taken by someone else.
    await rejectsS3(bob.send(new CreateBucketCommand({ Bucket: 'roots' })), 'BucketAlreadyExists', 409);

    // Root's data is intact.
    const got = await s3.send(new GetObjectCommand({ Bucket: 'roots', Key: 'secret.txt' }));
    assert.equal(await got.Body?.transformToString(), 'root data');
    const keys = await s3.send(new ListObjectsV2Command({ Bucket: 'roots' }));
    assert.deepEqual(keys.Contents?.map((c) => c.Key), ['secret.txt']);

    // Root reads bob's bucket; the object's owner is bob.
    const bobs = await s3.send(new ListObjectsV2Command({ Bucket: 'bobs', FetchOwner: true }));
    assert.deepEqual(bobs.Contents?.map((c) => c.Key), ['mine.txt']);
    assert.equal(bobs.Contents?.[0]?.Owner?.ID, bobId);
    assert.equal(bobs.Contents?.[0]?.Owner?.DisplayName, 'bob');
    const bobObj = await s3.send(new GetObjectCommand({ Bucket: 'bobs', Key: 'mine.txt' }));
    assert.equal(await bobObj.Body?.transformToString(), 'bob data');
    const bobAcl = await s3.send(new GetBucketAclCommand({ Bucket: 'bobs' }));
    assert.equal(bobAcl.Owner?.ID, bobId);
    assert.equal(bobAcl.Owner?.DisplayName, 'bob');

    // Bob's own listing still shows only his bucket.
    const bobAgain = await bob.send(new ListBucketsCommand({}));
    assert.deepEqual(bobAgain.Buckets?.map((b) => b.Name), ['bobs']);
  });

  it('an unknown access key is InvalidAccessKeyId; a wrong secret is SignatureDoesNotMatch', async () => {
    const stranger = t.s3({ accessKeyId: 'NOSUCHKEY123', secretAccessKey: 'whatever-secret' });
    const wrong = t.s3({ accessKeyId: 'signet-root', secretAccessKey: 'not-the-secret' });
    try {
      await rejectsS3(stranger.send(new ListBucketsCommand({})), 'InvalidAccessKeyId', 403);
      await rejectsS3(wrong.send(new ListBucketsCommand({})), 'SignatureDoesNotMatch', 403);
    } finally {
      stranger.destroy();
      wrong.destroy();
    }
  });
});
