/**
 * Bucket policies against a real Signet on each metadata engine, driven by
 * the AWS SDK v3, minio-js 8 (setBucketPolicy / getBucketPolicy) and plain
 * fetch for anonymous requests: public-read on a prefix, another user let in
 * by a policy naming it and shut out again by a Deny, Deny over the owner and
 * root (but never over managing the policy), conditions, and MalformedPolicy
 * changing nothing.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketPolicyCommand,
  GetBucketPolicyStatusCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketPolicyCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type * as Minio from 'minio';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { errorCode, readAll } from '../support/minio-helpers.ts';
import { rejectsHead, rejectsS3 } from './sdk-helpers.ts';

const B = 'public-models';

function doc(...Statement: unknown[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement });
}

const publicRead = { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/public/*` };

describeEachMeta('bucket policy', (kind) => {
  let t: TestSignet;
  let s3: S3Client;
  let minio: Minio.Client;
  let dave: S3Client;
  let daveMinio: Minio.Client;

  /** An unsigned request, as a browser or curl without credentials sends it. */
  const anonymous = async (method: string, path: string, body?: string) => {
    const res = await fetch(`${t.url}${path}`, { method, body });
    const text = await res.text();
    return { status: res.status, text, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] };
  };

  const putPolicy = (policy: string, client = s3) => client.send(new PutBucketPolicyCommand({ Bucket: B, Policy: policy }));
  const storedPolicy = async () => (await s3.send(new GetBucketPolicyCommand({ Bucket: B }))).Policy;

  before(async () => {
    t = await startTestSignet(kind);
    s3 = t.s3();
    minio = t.minio();
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    for (const [key, body] of [
      ['public/a.txt', 'public weights'],
      ['private/b.txt', 'secret weights'],
      ['shared/notes.txt', 'for dave'],
      ['shared/locked/x.txt', 'do not touch'],
    ]) {
      await s3.send(new PutObjectCommand({ Bucket: B, Key: key, Body: body }));
    }
    await t.signet.identity.addUser('dave');
    const k = await t.signet.identity.addKey('dave');
    dave = t.s3({ accessKeyId: k.accessKeyId, secretAccessKey: k.secretKey });
    daveMinio = t.minio({ accessKey: k.accessKeyId, secretKey: k.secretKey });
    await dave.send(new CreateBucketCommand({ Bucket: 'dave-own' }));
  });
  after(async () => {
    s3?.destroy();
    dave?.destroy();
    await t?.close();
  });

  describe('anonymous access', () => {
    it('without a policy every anonymous request is refused (AccessDenied), and there is no policy to read', async () => {
      assert.equal((await anonymous('GET', `/${B}/public/a.txt`)).code, 'AccessDenied');
      assert.equal((await anonymous('GET', `/${B}?list-type=2`)).code, 'AccessDenied');
      assert.equal((await anonymous('GET', '/')).code, 'AccessDenied');
      assert.equal((await anonymous('PUT', '/anon-bucket')).code, 'AccessDenied');
      await rejectsS3(s3.send(new GetBucketPolicyCommand({ Bucket: B })), 'NoSuchBucketPolicy', 404);
      await rejectsS3(s3.send(new GetBucketPolicyStatusCommand({ Bucket: B })), 'NoSuchBucketPolicy', 404);
    });

    it('public-read on a prefix: GET and HEAD inside work, outside 403, PUT and DELETE 403, listing 403', async () => {
      await putPolicy(doc(publicRead));
      assert.equal(await storedPolicy(), doc(publicRead));
      assert.equal((await s3.send(new GetBucketPolicyStatusCommand({ Bucket: B }))).PolicyStatus?.IsPublic, true);

      const got = await anonymous('GET', `/${B}/public/a.txt`);
      assert.equal(got.status, 200);
      assert.equal(got.text, 'public weights');
      assert.equal((await fetch(`${t.url}/${B}/public/a.txt`, { method: 'HEAD' })).status, 200);
      const missing = await anonymous('GET', `/${B}/public/missing.txt`);
      assert.equal(missing.status, 404);
      assert.equal(missing.code, 'NoSuchKey');

      for (const [method, path] of [
        ['GET', `/${B}/private/b.txt`],
        ['HEAD', `/${B}/private/b.txt`],
        ['PUT', `/${B}/public/new.txt`],
        ['DELETE', `/${B}/public/a.txt`],
        ['GET', `/${B}?list-type=2&prefix=public/`],
        ['GET', `/${B}/public/a.txt?tagging`],
        ['GET', `/${B}?policy`],
        ['GET', `/${B}?lifecycle`],
      ] as const) {
        const res = await anonymous(method, path, method === 'PUT' ? 'anonymous was here' : undefined);
        assert.equal(res.status, 403, `${method} ${path}`);
        if (method !== 'HEAD') assert.equal(res.code, 'AccessDenied', `${method} ${path}`);
      }
      // Nothing was written or deleted.
      await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'public/new.txt' })), 'NotFound', 404);
      await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'public/a.txt' }));
    });

    it('after DeleteBucketPolicy, anonymous GET is refused again', async () => {
      await s3.send(new DeleteBucketPolicyCommand({ Bucket: B }));
      assert.equal((await anonymous('GET', `/${B}/public/a.txt`)).code, 'AccessDenied');
      await rejectsS3(s3.send(new GetBucketPolicyCommand({ Bucket: B })), 'NoSuchBucketPolicy', 404);
    });

    it('conditions decide: aws:SourceIp ranges and s3:prefix for anonymous listing', async () => {
      await putPolicy(doc({ ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } }));
      assert.equal((await anonymous('GET', `/${B}/public/a.txt`)).code, 'AccessDenied', 'the test client is 127.0.0.1');
      assert.equal((await s3.send(new GetBucketPolicyStatusCommand({ Bucket: B }))).PolicyStatus?.IsPublic, false);
      await putPolicy(
        doc(
          { ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128'] } } },
          { Sid: 'ListPublic', Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${B}`, Condition: { StringLike: { 's3:prefix': 'public/*' } } },
        ),
      );
      assert.equal((await anonymous('GET', `/${B}/public/a.txt`)).status, 200);
      const listed = await anonymous('GET', `/${B}?list-type=2&prefix=public/`);
      assert.equal(listed.status, 200);
      assert.match(listed.text, /<Key>public\/a\.txt<\/Key>/);
      assert.doesNotMatch(listed.text, /private/);
      assert.equal((await anonymous('GET', `/${B}?list-type=2`)).code, 'AccessDenied', 'no prefix: the condition does not hold');
      assert.equal((await anonymous('GET', `/${B}?list-type=2&prefix=private/`)).code, 'AccessDenied');
      await s3.send(new DeleteBucketPolicyCommand({ Bucket: B }));
    });
  });

  describe('another user', () => {
    it('is refused everything while no policy names it', async () => {
      await rejectsS3(dave.send(new GetObjectCommand({ Bucket: B, Key: 'shared/notes.txt' })), 'AccessDenied', 403);
      await rejectsS3(dave.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'shared/' })), 'AccessDenied', 403);
      await rejectsS3(dave.send(new PutObjectCommand({ Bucket: B, Key: 'shared/new.txt', Body: 'x' })), 'AccessDenied', 403);
    });

    it('gets what a policy naming it allows, and nothing more', async () => {
      await putPolicy(
        doc(
          { Sid: 'DaveRW', Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::000000000000:user/dave'] }, Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::${B}/shared/*` },
          { Sid: 'DaveList', Effect: 'Allow', Principal: { AWS: 'dave' }, Action: 's3:ListBucket', Resource: `arn:aws:s3:::${B}`, Condition: { StringEquals: { 's3:prefix': 'shared/' } } },
          { Sid: 'DaveTmp', Effect: 'Allow', Principal: { AWS: 'dave' }, Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${B}/shared/tmp/*` },
        ),
      );
      assert.equal(await (await dave.send(new GetObjectCommand({ Bucket: B, Key: 'shared/notes.txt' }))).Body?.transformToString(), 'for dave');
      await dave.send(new PutObjectCommand({ Bucket: B, Key: 'shared/from-dave.txt', Body: 'hello' }));
      assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: B, Key: 'shared/from-dave.txt' }))).Body?.transformToString(), 'hello');
      const listed = await dave.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'shared/' }));
      assert.deepEqual(listed.Contents?.map((o) => o.Key), ['shared/from-dave.txt', 'shared/locked/x.txt', 'shared/notes.txt']);
      // minio-js with dave's keys reads through the same policy.
      assert.equal((await readAll(await daveMinio.getObject(B, 'shared/notes.txt'))).toString(), 'for dave');

      await rejectsS3(dave.send(new ListObjectsV2Command({ Bucket: B })), 'AccessDenied', 403);
      await rejectsS3(dave.send(new GetObjectCommand({ Bucket: B, Key: 'private/b.txt' })), 'AccessDenied', 403);
      await rejectsS3(dave.send(new DeleteObjectCommand({ Bucket: B, Key: 'shared/notes.txt' })), 'AccessDenied', 403);
      await rejectsS3(dave.send(new GetBucketPolicyCommand({ Bucket: B })), 'AccessDenied', 403);
      await rejectsS3(dave.send(new DeleteBucketPolicyCommand({ Bucket: B })), 'AccessDenied', 403);
      assert.equal(await errorCode(daveMinio.getObject(B, 'private/b.txt')), 'AccessDenied');
      // The anonymous public is not dave.
      assert.equal((await anonymous('GET', `/${B}/shared/notes.txt`)).code, 'AccessDenied');
    });

    it('copies need GetObject on the source and PutObject on the destination', async () => {
      await dave.send(new CopyObjectCommand({ Bucket: 'dave-own', Key: 'copy.txt', CopySource: `${B}/shared/notes.txt` }));
      assert.equal(await (await dave.send(new GetObjectCommand({ Bucket: 'dave-own', Key: 'copy.txt' }))).Body?.transformToString(), 'for dave');
      await rejectsS3(dave.send(new CopyObjectCommand({ Bucket: 'dave-own', Key: 'stolen.txt', CopySource: `${B}/private/b.txt` })), 'AccessDenied', 403);
      await rejectsS3(dave.send(new CopyObjectCommand({ Bucket: B, Key: 'private/overwrite.txt', CopySource: `${B}/shared/notes.txt` })), 'AccessDenied', 403);
      await dave.send(new CopyObjectCommand({ Bucket: B, Key: 'shared/copy.txt', CopySource: `${B}/shared/notes.txt` }));
    });

    it('DeleteObjects is decided key by key', async () => {
      await s3.send(new PutObjectCommand({ Bucket: B, Key: 'shared/tmp/scratch.txt', Body: 'x' }));
      const out = await dave.send(
        new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: [{ Key: 'shared/tmp/scratch.txt' }, { Key: 'shared/notes.txt' }] } }),
      );
      assert.deepEqual(out.Deleted?.map((d) => d.Key), ['shared/tmp/scratch.txt']);
      assert.deepEqual(out.Errors?.map((e) => [e.Key, e.Code]), [['shared/notes.txt', 'AccessDenied']]);
      await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'shared/notes.txt' }));
    });

    it('a Deny takes it away again, and a Deny binds the owner and root too, except for managing the policy', async () => {
      const allowDave = { Sid: 'DaveRW', Effect: 'Allow', Principal: { AWS: 'dave' }, Action: ['s3:GetObject', 's3:PutObject'], Resource: `arn:aws:s3:::${B}/shared/*` };
      await putPolicy(doc(allowDave, { Sid: 'Locked', Effect: 'Deny', Principal: '*', Action: 's3:PutObject', Resource: `arn:aws:s3:::${B}/shared/locked/*` }));
      await dave.send(new PutObjectCommand({ Bucket: B, Key: 'shared/ok.txt', Body: 'fine' }));
      await rejectsS3(dave.send(new PutObjectCommand({ Bucket: B, Key: 'shared/locked/y.txt', Body: 'no' })), 'AccessDenied', 403);
      // Root (the test's S3 client) is the bucket's owner here: the Deny binds it as well.
      await rejectsS3(s3.send(new PutObjectCommand({ Bucket: B, Key: 'shared/locked/y.txt', Body: 'no' })), 'AccessDenied', 403);
      assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: B, Key: 'shared/locked/x.txt' }))).Body?.transformToString(), 'do not touch');

      await putPolicy(doc(allowDave, { Sid: 'NoDave', Effect: 'Deny', Principal: { AWS: 'dave' }, Action: 's3:*', Resource: `arn:aws:s3:::${B}/*` }));
      await rejectsS3(dave.send(new GetObjectCommand({ Bucket: B, Key: 'shared/notes.txt' })), 'AccessDenied', 403);
      await rejectsS3(dave.send(new PutObjectCommand({ Bucket: B, Key: 'shared/again.txt', Body: 'x' })), 'AccessDenied', 403);

      // Everyone denied everything: the owner can still read, replace and delete the policy.
      const lockout = doc({ Sid: 'All', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/*`] });
      await putPolicy(lockout);
      await rejectsS3(s3.send(new GetObjectCommand({ Bucket: B, Key: 'public/a.txt' })), 'AccessDenied', 403);
      await rejectsHead(s3.send(new HeadBucketCommand({ Bucket: B })), 403);
      assert.equal(await storedPolicy(), lockout);
      await s3.send(new DeleteBucketPolicyCommand({ Bucket: B }));
      assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: B, Key: 'public/a.txt' }))).Body?.transformToString(), 'public weights');
      await rejectsS3(dave.send(new GetObjectCommand({ Bucket: B, Key: 'shared/notes.txt' })), 'AccessDenied', 403);
    });

    it('only the owner (or root) may put a policy', async () => {
      await rejectsS3(putPolicy(doc(publicRead), dave), 'AccessDenied', 403);
      await rejectsS3(s3.send(new GetBucketPolicyCommand({ Bucket: B })), 'NoSuchBucketPolicy', 404);
    });
  });

  describe('malformed policies', () => {
    it('are refused with MalformedPolicy and change nothing', async () => {
      await putPolicy(doc(publicRead));
      const bad: string[] = [
        'not json at all',
        '{"Version":"2012-10-17"}',
        doc({ ...publicRead, Effect: 'Perhaps' }),
        doc({ ...publicRead, Action: 's3:GetObjekt' }),
        doc({ ...publicRead, Action: 'ec2:RunInstances' }),
        doc({ ...publicRead, Resource: 'arn:aws:s3:::someone-elses-bucket/*' }),
        doc({ ...publicRead, Resource: `arn:aws:s3:::${B}` }),
        doc({ ...publicRead, Principal: { AWS: 'arn:aws:iam::000000000000:user/nobody-by-that-name' } }),
        doc({ ...publicRead, Principal: { Service: 'lambda.amazonaws.com' } }),
        doc({ ...publicRead, Condition: { StringEquals: { 'aws:MadeUpKey': 'x' } } }),
        doc({ ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': '300.0.0.1/8' } } }),
        doc({ ...publicRead, Condition: { FuzzyMatch: { 'aws:UserAgent': 'x' } } }),
        doc(publicRead, publicRead),
        JSON.stringify({ Version: '2012-10-17', Statement: [publicRead], Comment: 'extra' }),
      ];
      for (const policy of bad) await rejectsS3(putPolicy(policy), 'MalformedPolicy', 400);
      assert.equal(await storedPolicy(), doc(publicRead));
      assert.equal((await anonymous('GET', `/${B}/public/a.txt`)).status, 200);
      assert.equal((await anonymous('GET', `/${B}/private/b.txt`)).code, 'AccessDenied');
    });

    it('minio-js: setBucketPolicy, getBucketPolicy, a malformed one refused, setBucketPolicy("") removes it', async () => {
      const policy = doc({ ...publicRead, Sid: 'ViaMinio', Resource: `arn:aws:s3:::${B}/private/*` });
      await minio.setBucketPolicy(B, policy);
      assert.equal(await minio.getBucketPolicy(B), policy);
      assert.equal((await anonymous('GET', `/${B}/private/b.txt`)).text, 'secret weights');
      assert.equal(await errorCode(minio.setBucketPolicy(B, '{"Statement": "nope"}')), 'MalformedPolicy');
      assert.equal(await minio.getBucketPolicy(B), policy);
      await minio.setBucketPolicy(B, '');
      assert.equal(await errorCode(minio.getBucketPolicy(B)), 'NoSuchBucketPolicy');
      assert.equal((await anonymous('GET', `/${B}/private/b.txt`)).code, 'AccessDenied');
    });
  });
});
