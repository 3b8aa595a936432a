import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { fetchBytes, modelPath, putObjects, Rest, ROOT_BASIC, TestClock } from './rest-helpers.ts';

const REPO = 'iterative/demo-bank-customer-churn';

describeEachMeta('DVC Studio get-download-uris', (kind) => {
  let t: TestSignet;
  let root: Rest;
  let token: string;
  const clock = new TestClock();
  const v1 = { '.mlem/model/clf-model': 'model v1 bytes', 'data/features.json': '["age","balance"]' };
  const v2 = { '.mlem/model/clf-model': 'model v2 bytes, longer', 'data/features.json': '["age","balance","tenure"]' };
  const mono = { 'model.pkl': 'monorepo model' };

  /** GET get-download-uris with these parameters and Authorization header. */
  const dvc = async (params: Record<string, string>, auth: string | null = `token ${token}`) => {
    const res = await fetch(`${t.url}/api/model-registry/get-download-uris?${new URLSearchParams(params)}`, { headers: auth === null ? {} : { authorization: auth } });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, string> };
  };

  /** Asserts the answer is `{path: url}` for exactly `files`, each URL serving its bytes. */
  const assertServes = async (answer: Record<string, string>, files: Record<string, string>) => {
    assert.deepEqual(Object.keys(answer).sort(), Object.keys(files).sort());
    for (const [path, url] of Object.entries(answer)) {
      const got = await fetchBytes(url);
      assert.equal(got.status, 200, path);
      assert.equal(got.bytes.toString(), files[path]);
    }
  };

  before(async () => {
    t = await startTestSignet(kind, { clock: clock.now });
    root = new Rest(t.url, ROOT_BASIC);
    token = (await root.token(['read'])).token;
    const prefixed = (prefix: string, files: Record<string, string>) => Object.fromEntries(Object.entries(files).map(([k, v]) => [prefix + k, v]));
    await putObjects(t, 'dvc', { ...prefixed('churn/v1/', v1), ...prefixed('churn/v2/', v2), ...prefixed('mono/', mono) });
    const m = modelPath(REPO, 'randomforest-model');
    await root.expect(201, 'POST', '/models', { namespace: REPO, name: 'randomforest-model' });
    await root.expect(201, 'POST', `${m}/versions`, { source: 's3://dvc/churn/v1/', label: 'v1.0.0' });
    await root.expect(201, 'POST', `${m}/versions`, { source: 's3://dvc/churn/v2/', label: 'v2.0.0' });
    await root.expect(200, 'POST', `${m}/stages`, { moves: [{ stage: 'prod', to: 1 }] });
    const mm = modelPath(REPO, 'path/to/dvc.yaml:model');
    await root.expect(201, 'POST', '/models', { namespace: REPO, name: 'path/to/dvc.yaml:model' });
    await root.expect(201, 'POST', `${mm}/versions`, { source: 's3://dvc/mono/', label: 'v0.1.0' });
  });
  after(async () => t?.close());

  it('answers the seed example shapes: a version, a stage, the latest, a monorepo model name', async () => {
    const byVersion = await dvc({ repo: `git@github.com:${REPO}.git`, name: 'randomforest-model', version: 'v2.0.0' });
    assert.equal(byVersion.status, 200);
    assert.match(byVersion.headers.get('content-type') ?? '', /^application\/json/);
    await assertServes(byVersion.body, v2);
    await assertServes((await dvc({ repo: REPO, name: 'randomforest-model', version: 'v1.0.0' })).body, v1);
    await assertServes((await dvc({ repo: REPO, name: 'randomforest-model', stage: 'prod' })).body, v1);
    await assertServes((await dvc({ repo: REPO, name: 'randomforest-model' })).body, v2);
    await assertServes((await dvc({ repo: REPO, name: 'path/to/dvc.yaml:model' })).body, mono);
    await assertServes((await dvc({ repo: REPO, name: 'path/to/dvc.yaml:model', version: 'v0.1.0' })).body, mono);
  });

  it('resolves every form of repo a user pastes to the same namespace', async () => {
    const forms = [
      REPO,
      `${REPO}/`,
      `git@github.com:${REPO}.git`,
      `git@github.com:${REPO}`,
      `https://github.com/${REPO}`,
      `https://github.com/${REPO}.git`,
      `https://github.com/${REPO}/`,
      `ssh://git@github.com/${REPO}.git`,
      `github.com/${REPO}`,
    ];
    for (const repo of forms) {
      const r = await dvc({ repo, name: 'randomforest-model', version: 'v1.0.0' });
      assert.equal(r.status, 200, `${repo}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(Object.keys(r.body).sort(), Object.keys(v1).sort(), repo);
    }
  });

  it('URLs are valid for one hour', async () => {
    const r = await dvc({ repo: REPO, name: 'randomforest-model', version: 'v1.0.0' });
    const url = r.body['.mlem/model/clf-model']!;
    assert.equal(new URL(url).searchParams.get('X-Amz-Expires'), '3600');
    clock.advance(3599_000);
    assert.equal((await fetchBytes(url)).status, 200);
    clock.advance(2_000);
    assert.equal((await fetchBytes(url)).status, 403);
  });

  it('refuses both version and stage, missing parameters, unknown models and versions with {"detail"}', async () => {
    const both = await dvc({ repo: REPO, name: 'randomforest-model', version: 'v1.0.0', stage: 'prod' });
    assert.equal(both.status, 400);
    assert.match(both.body.detail!, /only one of "version" and "stage"/i);
    assert.equal((await dvc({ name: 'randomforest-model' })).status, 400);
    assert.match((await dvc({ repo: REPO })).body.detail!, /"name"/);
    const unknown = await dvc({ repo: 'someone/else', name: 'randomforest-model' });
    assert.equal(unknown.status, 404);
    assert.equal(typeof unknown.body.detail, 'string');
    assert.equal((await dvc({ repo: REPO, name: 'randomforest-model', version: 'v9.9.9' })).status, 404);
    assert.equal((await dvc({ repo: REPO, name: 'randomforest-model', stage: 'nowhere' })).status, 404);
    const post = await fetch(`${t.url}/api/model-registry/get-download-uris`, { method: 'POST', headers: { authorization: `token ${token}` } });
    assert.equal(post.status, 405);
    assert.equal((await fetch(`${t.url}/api/model-registry/other`, { headers: { authorization: `token ${token}` } })).status, 404);
  });

  it('needs a token: missing, malformed or revoked is 401; a read-scoped token (or Bearer) is enough', async () => {
    const params = { repo: REPO, name: 'randomforest-model' };
    const missing = await dvc(params, null);
    assert.equal(missing.status, 401);
    assert.equal(typeof missing.body.detail, 'string');
    assert.equal((await dvc(params, 'token not-a-token')).status, 401);
    assert.equal((await dvc(params, `token ${token}x`)).status, 401);
    const other = await root.token(['read']);
    assert.equal((await dvc(params, `Bearer ${other.token}`)).status, 200);
    await root.expect(200, 'DELETE', `/tokens/${other.id}`);
    assert.equal((await dvc(params, `token ${other.token}`)).status, 401);
  });

  it('a gated model gives no URL until the EULA is accepted (403), then does', async () => {
    const g = modelPath(REPO, 'gated');
    await root.expect(201, 'POST', '/models', { namespace: REPO, name: 'gated', gate: { eula: 'Model licence', version: '2024-01' } });
    await root.expect(201, 'POST', `${g}/versions`, { source: 's3://dvc/mono/' });
    const refused = await dvc({ repo: REPO, name: 'gated' });
    assert.equal(refused.status, 403);
    assert.match(refused.body.detail!, /EULA/);
    await root.as(`Bearer ${token}`).expect(201, 'POST', `${g}/acceptances`);
    await assertServes((await dvc({ repo: REPO, name: 'gated' })).body, mono);
  });

  it('pages through every grant page: a version of more files than one page comes back whole', async () => {
    // 1,005 paths over 5 objects (registered with an explicit file list): more than one grant page of 1,000.
    await putObjects(t, 'dvc', Object.fromEntries([0, 1, 2, 3, 4].map((i) => [`shard/${i}`, `s${i}`])));
    const paths = Array.from({ length: 1005 }, (_, i) => `shard-${String(i).padStart(4, '0')}.bin`);
    const mp = modelPath(REPO, 'many');
    await root.expect(201, 'POST', '/models', { namespace: REPO, name: 'many' });
    await root.expect(201, 'POST', `${mp}/versions`, { files: paths.map((path, i) => ({ path, s3Uri: `s3://dvc/shard/${i % 5}` })) });
    const r = await dvc({ repo: REPO, name: 'many' });
    assert.equal(r.status, 200);
    assert.deepEqual(Object.keys(r.body).sort(), paths);
    assert.equal((await fetchBytes(r.body['shard-1004.bin']!)).bytes.toString(), 's4');
  });
});
