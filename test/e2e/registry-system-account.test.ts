import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { GetObjectCommand, ListBucketsCommand, ListObjectsV2Command, PutBucketPolicyCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { SYSTEM_BUCKET, SYSTEM_USER } from '../../src/core/registry/system-account.ts';
import { describeEachMeta, ROOT, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { signedFetch } from '../support/signed-fetch.ts';

/** The registry's system bucket holds pinned files: nobody but the registry may touch it, root included. */
describeEachMeta('registry system account', (kind) => {
  let t: TestSignet;
  const root = { accessKeyId: ROOT.user, secretAccessKey: ROOT.password };

  before(async () => {
    t = await startTestSignet(kind);
  });
  after(async () => t?.close());

  it('the system bucket is neither listed nor reachable for root', async () => {
    const s3 = t.s3();
    const names = ((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).map((b) => b.Name);
    assert.equal(names.includes(SYSTEM_BUCKET), false);
    const denied = (e: Error) => e.name === 'AccessDenied';
    await assert.rejects(s3.send(new PutObjectCommand({ Bucket: SYSTEM_BUCKET, Key: 'files/x/model.bin', Body: 'evil' })), denied);
    await assert.rejects(s3.send(new ListObjectsV2Command({ Bucket: SYSTEM_BUCKET })), denied);
    await assert.rejects(s3.send(new GetObjectCommand({ Bucket: SYSTEM_BUCKET, Key: 'files/x/model.bin' })), denied);
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${SYSTEM_BUCKET}/*` }] });
    await assert.rejects(s3.send(new PutBucketPolicyCommand({ Bucket: SYSTEM_BUCKET, Policy: policy })), denied);
    s3.destroy();
  });

  it('the system user is not listed and cannot be removed, nor can its key', async () => {
    const admin = (path: string) => `${t.url}/_signet/admin/v1/${path}`;
    const users = (await (await signedFetch(admin('users'), root)).json()) as { users: { name: string }[] };
    assert.equal(users.users.some((u) => u.name === SYSTEM_USER), false);
    assert.equal((await signedFetch(admin(`users/${SYSTEM_USER}`), { ...root, method: 'DELETE' })).status, 404);
    assert.equal((await signedFetch(admin(`users/${SYSTEM_USER}/keys`), root)).status, 404);
    const system = await t.signet.meta.getUser({ name: SYSTEM_USER });
    const [key] = await t.signet.meta.listAccessKeys(system!.id);
    assert.equal((await signedFetch(admin(`keys/${key!.accessKeyId}`), { ...root, method: 'DELETE' })).status, 404);
    assert.notEqual(await t.signet.meta.getAccessKey(key!.accessKeyId), null);
  });
});
