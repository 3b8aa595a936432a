/**
 * Acceptance: minio-js 8 clients holding different users' keys against a real
 * Signet, on each metadata engine. A bucket belongs to the user who made it: a
 * second user (carol) is refused root's bucket with AccessDenied, while root
 * reaches carol's. Bad credentials get S3's authentication errors.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import type * as Minio from 'minio';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { collect, errorCode, readAll } from '../support/minio-helpers.ts';

describeEachMeta('minio-js: users, keys and bucket ownership', (kind) => {
  let t: TestSignet;
  let root: Minio.Client;
  let carol: Minio.Client;
  before(async () => {
    t = await startTestSignet(kind);
    root = t.minio();
    await t.signet.identity.addUser('carol');
    const k = await t.signet.identity.addKey('carol');
    carol = t.minio({ accessKey: k.accessKeyId, secretKey: k.secretKey });
    await root.makeBucket('root-bucket');
    await root.putObject('root-bucket', 'private.txt', 'root only', undefined, { 'Content-Type': 'text/plain' });
    await carol.makeBucket('carol-bucket');
    await carol.putObject('carol-bucket', 'notes.txt', 'carol wrote this');
  });
  after(async () => {
    await t?.close();
  });

  it("carol cannot read, list, write or delete in root's bucket (AccessDenied)", async () => {
    assert.equal(await errorCode(carol.getObject('root-bucket', 'private.txt')), 'AccessDenied');
    assert.equal(await errorCode(carol.getPartialObject('root-bucket', 'private.txt', 0, 4)), 'AccessDenied');
    assert.equal(await errorCode(carol.statObject('root-bucket', 'private.txt')), 'AccessDenied');
    assert.equal(await errorCode(carol.bucketExists('root-bucket')), 'AccessDenied');
    assert.equal(await errorCode(collect(carol.listObjectsV2('root-bucket', '', true))), 'AccessDenied');
    assert.equal(await errorCode(collect(carol.listObjects('root-bucket', '', true))), 'AccessDenied');
    assert.equal(await errorCode(carol.putObject('root-bucket', 'intruder.txt', 'x')), 'AccessDenied');
    assert.equal(await errorCode(carol.removeObject('root-bucket', 'private.txt')), 'AccessDenied');
    assert.equal(await errorCode(carol.getObjectTagging('root-bucket', 'private.txt')), 'AccessDenied');
    assert.equal(await errorCode(carol.setObjectTagging('root-bucket', 'private.txt', { by: 'carol' })), 'AccessDenied');
    assert.equal(await errorCode(carol.removeBucket('root-bucket')), 'AccessDenied');
    assert.equal(await errorCode(carol.getBucketVersioning('root-bucket')), 'AccessDenied');
    assert.equal(await errorCode(carol.initiateNewMultipartUpload('root-bucket', 'mp', {})), 'AccessDenied');
    // Copying out of root's bucket into her own is refused too.
    assert.equal(await errorCode(carol.copyObject('carol-bucket', 'stolen.txt', 'root-bucket/private.txt')), 'AccessDenied');
    assert.equal(await errorCode(carol.statObject('carol-bucket', 'stolen.txt')), 'NotFound');

    // DeleteObjects on a bucket she cannot reach is refused as a whole.
    assert.equal(await errorCode(carol.removeObjects('root-bucket', ['private.txt'])), 'AccessDenied');

    // A URL carol presigns for root's object is refused.
    const url = await carol.presignedGetObject('root-bucket', 'private.txt');
    const fetched = await fetch(url);
    assert.equal(fetched.status, 403);
    assert.match(await fetched.text(), /<Code>AccessDenied<\/Code>/);

    // Nothing changed.
    assert.equal((await readAll(await root.getObject('root-bucket', 'private.txt'))).toString(), 'root only');
    assert.deepEqual(await root.getObjectTagging('root-bucket', 'private.txt'), []);
    assert.deepEqual((await collect(root.listObjectsV2('root-bucket', '', true))).map((o) => o.name), ['private.txt']);
  });

  it("carol's bucket names: root's name is taken (BucketAlreadyExists), listBuckets shows only hers", async () => {
    assert.equal(await errorCode(carol.makeBucket('root-bucket')), 'BucketAlreadyExists');
    assert.deepEqual((await carol.listBuckets()).map((b) => b.name), ['carol-bucket']);
    const rootSees = (await root.listBuckets()).map((b) => b.name).sort();
    assert.deepEqual(rootSees, ['carol-bucket', 'root-bucket']);
  });

  it("root can read, list and tag carol's bucket and objects", async () => {
    assert.equal(await root.bucketExists('carol-bucket'), true);
    assert.equal((await readAll(await root.getObject('carol-bucket', 'notes.txt'))).toString(), 'carol wrote this');
    assert.equal((await root.statObject('carol-bucket', 'notes.txt')).size, 'carol wrote this'.length);
    const listed = await collect(root.listObjectsV2('carol-bucket', '', true));
    assert.deepEqual(listed.map((o) => o.name), ['notes.txt']);
    await root.setObjectTagging('carol-bucket', 'notes.txt', { reviewed: 'root' });
    assert.deepEqual(await carol.getObjectTagging('carol-bucket', 'notes.txt'), [{ Key: 'reviewed', Value: 'root' }]);
    await root.copyObject('root-bucket', 'from-carol.txt', 'carol-bucket/notes.txt');
    assert.equal((await readAll(await root.getObject('root-bucket', 'from-carol.txt'))).toString(), 'carol wrote this');
    const url = await root.presignedGetObject('carol-bucket', 'notes.txt');
    assert.equal(await (await fetch(url)).text(), 'carol wrote this');
  });

  it('a wrong secret and an unknown access key are refused', async () => {
    const k = await t.signet.identity.addKey('carol');
    const wrongSecret = t.minio({ accessKey: k.accessKeyId, secretKey: `${k.secretKey}x` });
    assert.equal(await errorCode(wrongSecret.getObject('carol-bucket', 'notes.txt')), 'SignatureDoesNotMatch');
    assert.equal(await errorCode(wrongSecret.listBuckets()), 'SignatureDoesNotMatch');
    const unknown = t.minio({ accessKey: 'SNUNKNOWNKEY0000000', secretKey: 'whatever-secret' });
    assert.equal(await errorCode(unknown.getObject('carol-bucket', 'notes.txt')), 'InvalidAccessKeyId');
    // The second key of carol works like the first.
    const second = t.minio({ accessKey: k.accessKeyId, secretKey: k.secretKey });
    assert.equal((await readAll(await second.getObject('carol-bucket', 'notes.txt'))).toString(), 'carol wrote this');
  });
});
