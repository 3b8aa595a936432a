import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, it } from 'node:test';
import { CreateBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import { describeEachMeta, ROOT, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { signedFetch } from '../support/signed-fetch.ts';

const run = promisify(execFile);

describeEachMeta('admin API and CLI', (kind) => {
  let t: TestSignet;
  const root = { accessKeyId: ROOT.user, secretAccessKey: ROOT.password };
  const admin = (path: string) => `${t.url}/_signet/admin/v1/${path}`;

  before(async () => {
    t = await startTestSignet(kind);
  });
  after(async () => t?.close());

  it('adds a user and a key over the API; the key works for S3 and stops working once removed', async () => {
    const created = await signedFetch(admin('users'), { ...root, method: 'POST', body: JSON.stringify({ name: 'alice' }) });
    assert.equal(created.status, 201);
    assert.equal(((await created.json()) as { name: string }).name, 'alice');
    const keyRes = await signedFetch(admin('users/alice/keys'), { ...root, method: 'POST', body: '{}' });
    assert.equal(keyRes.status, 201);
    const key = (await keyRes.json()) as { accessKeyId: string; secretKey: string };
    const alice = t.s3({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretKey });
    await alice.send(new CreateBucketCommand({ Bucket: 'alice-bucket' }));
    const owned = await alice.send(new ListBucketsCommand({}));
    assert.equal(owned.Owner?.DisplayName, 'alice');
    const listed = (await (await signedFetch(admin('users/alice/keys'), root)).json()) as { keys: { accessKeyId: string }[] };
    assert.deepEqual(listed.keys.map((k) => k.accessKeyId), [key.accessKeyId]);
    assert.equal('secretKey' in (listed.keys[0] as object), false);

    const removed = await signedFetch(admin(`keys/${key.accessKeyId}`), { ...root, method: 'DELETE' });
    assert.equal(removed.status, 204);
    await assert.rejects(alice.send(new ListBucketsCommand({})), (e: Error) => e.name === 'InvalidAccessKeyId');
    alice.destroy();
  });

  it('answers problem+json for errors and refuses non-root callers', async () => {
    const missing = await signedFetch(admin('users/nobody'), { ...root, method: 'DELETE' });
    assert.equal(missing.status, 404);
    assert.match(missing.headers.get('content-type') ?? '', /application\/problem\+json/);
    assert.equal(((await missing.json()) as { code: string }).code, 'NoSuchUser');
    const dup = await signedFetch(admin('users'), { ...root, method: 'POST', body: JSON.stringify({ name: 'dup' }) });
    assert.equal(dup.status, 201);
    const again = await signedFetch(admin('users'), { ...root, method: 'POST', body: JSON.stringify({ name: 'dup' }) });
    assert.equal(again.status, 409);
    const bad = await signedFetch(admin('users'), { ...root, method: 'POST', body: '{not json' });
    assert.equal(bad.status, 400);
    const unsigned = await fetch(admin('users'));
    assert.equal(unsigned.status, 403);
    const k = await t.signet.identity.addKey('dup');
    const notRoot = await signedFetch(admin('users'), { accessKeyId: k.accessKeyId, secretAccessKey: k.secretKey });
    assert.equal(notRoot.status, 403);
    const users = (await (await signedFetch(admin('users'), root)).json()) as { users: { name: string }[] };
    assert.deepEqual(users.users.map((u) => u.name).sort(), ['alice', 'dup', 'root'].sort());
  });

  it('manages users and keys with the signet admin command', async () => {
    const cli = (...args: string[]) =>
      run(process.execPath, ['--import', 'tsx', 'src/main.ts', 'admin', ...args, '--data', t.dataDir, '--meta', metaArg(t)], { env: { ...process.env, SIGNET_ROOT_USER: '', SIGNET_ROOT_PASSWORD: '' } });
    await cli('user', 'add', 'bob');
    const added = await cli('key', 'add', 'bob', '--access-key', 'BOBKEY123', '--secret-key', 'bob-secret-1234');
    assert.match(added.stdout, /BOBKEY123/);
    assert.match((await cli('user', 'ls')).stdout, /^bob\t/m);
    assert.match((await cli('key', 'ls', 'bob')).stdout, /^BOBKEY123\t/m);
    const bob = t.s3({ accessKeyId: 'BOBKEY123', secretAccessKey: 'bob-secret-1234' });
    assert.deepEqual((await bob.send(new ListBucketsCommand({}))).Buckets ?? [], []);
    await cli('key', 'rm', 'BOBKEY123');
    await assert.rejects(bob.send(new ListBucketsCommand({})), (e: Error) => e.name === 'InvalidAccessKeyId');
    await cli('user', 'rm', 'bob');
    assert.doesNotMatch((await cli('user', 'ls')).stdout, /^bob\t/m);
    await assert.rejects(cli('user', 'rm', 'bob'), (e: { stderr: string }) => /no user "bob"/.test(e.stderr));
    bob.destroy();
  });

  it('prints --help for every command', async () => {
    for (const args of [[], ['serve'], ['admin'], ['admin', 'user'], ['admin', 'user', 'add'], ['admin', 'key', 'add'], ['gc']]) {
      const out = await run(process.execPath, ['--import', 'tsx', 'src/main.ts', ...args, '--help']);
      assert.match(out.stdout, /Usage: signet/);
    }
  });
});

function metaArg(t: TestSignet): string {
  const m = t.config.meta;
  return m.kind === 'sqlite' ? `sqlite:${m.file}` : `${m.url}${m.url.includes('?') ? '&' : '?'}schema=${m.schema}`;
}
