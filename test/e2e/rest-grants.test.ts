import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { assertGrantServes, basic, enc, fetchBytes, modelPath, postForm, putObjects, Rest, ROOT_BASIC, sha256B64, sha256Hex, TestClock, type GrantBody } from './rest-helpers.ts';

interface UploadBody {
  fileId: string;
  uploadNeeded: boolean;
  presignedUrl: string;
  presignedUrlFields: Record<string, string>;
  presignedUrlExpiration: string;
}

describeEachMeta('REST download and upload grants', (kind) => {
  let t: TestSignet;
  let root: Rest;
  const clock = new TestClock();
  const v1 = { 'config.json': '{"layers":12}', 'weights/part-0.bin': Buffer.alloc(100_000, 7) };
  const v2 = { 'config.json': '{"layers":24}', 'weights/part-0.bin': Buffer.alloc(70_000, 9) };
  const m = modelPath('acme/nlp', 'bert');
  const download = (path: string, body: Record<string, unknown> = {}) => root.expect<GrantBody>(201, 'POST', path, body);

  before(async () => {
    t = await startTestSignet(kind, { clock: clock.now });
    root = new Rest(t.url, ROOT_BASIC);
    await putObjects(t, 'models', { 'bert/config.json': v1['config.json'], 'bert/weights/part-0.bin': v1['weights/part-0.bin'] });
    await root.expect(201, 'POST', '/models', { namespace: 'acme/nlp', name: 'bert' });
    await root.expect(201, 'POST', `${m}/versions`, { source: 's3://models/bert/', label: 'v1.0.0' });
  });
  after(async () => t?.close());

  it('every URL downloads the registered bytes with plain fetch, with Range, and a version stays correct after the prefix is overwritten', async () => {
    await assertGrantServes(await download(`${m}/versions/1/download`), v1);
    await putObjects(t, 'models', { 'bert/config.json': v2['config.json'], 'bert/weights/part-0.bin': v2['weights/part-0.bin'] });
    await root.expect(201, 'POST', `${m}/versions`, { source: 's3://models/bert/', label: 'v2.0.0' });
    await assertGrantServes(await download(`${m}/versions/1/download`), v1);
    await assertGrantServes(await download(`${m}/versions/v2.0.0/download`), v2);
    await assertGrantServes(await download(`${m}/versions/latest/download`), v2);
    await root.expect(200, 'POST', `${m}/stages`, { moves: [{ stage: 'production', to: 1 }] });
    await assertGrantServes(await download(`${m}/stages/production/download`), v1);

    const grant = await download(`${m}/versions/1/download`);
    const weights = grant.files.find((f) => f.path === 'weights/part-0.bin')!;
    assert.match(weights.url, /x-signet-grant=/);
    const ranged = await fetchBytes(weights.url, { headers: { range: 'bytes=10-19' } });
    assert.equal(ranged.status, 206);
    assert.deepEqual(ranged.bytes, v1['weights/part-0.bin'].subarray(10, 20));
  });

  it('pages a grant with limit and cursor, in path order', async () => {
    const first = await download(`${m}/versions/1/download`, { limit: 1 });
    assert.deepEqual(first.files.map((f) => f.path), ['config.json']);
    assert.ok(first.nextCursor);
    const second = await download(`${m}/versions/1/download`, { limit: 1, cursor: first.nextCursor });
    assert.deepEqual(second.files.map((f) => f.path), ['weights/part-0.bin']);
    assert.equal(second.nextCursor, null);
    // A cursor from one version does not continue another's listing.
    await root.problem(400, 'InvalidArgument', 'POST', `${m}/versions/2/download`, { limit: 1, cursor: first.nextCursor });
  });

  it('URLs expire when they say, and a refresh re-signs them under the same grant', async () => {
    const grant = await download(`${m}/versions/1/download`, { expiresIn: 60 });
    assert.equal(new Date(grant.expiresAt).getTime(), clock.now().getTime() + 60_000);
    assert.ok(grant.files.every((f) => f.expiresAt === grant.expiresAt));
    clock.advance(59_000);
    assert.equal((await fetchBytes(grant.files[0]!.url)).status, 200);
    clock.advance(2_000);
    assert.equal((await fetchBytes(grant.files[0]!.url)).status, 403);
    const refreshed = await root.expect<GrantBody>(200, 'POST', `/grants/${grant.grantId}/refresh`, { expiresIn: 600 });
    assert.equal(refreshed.grantId, grant.grantId);
    await assertGrantServes(refreshed, v1);
    await root.problem(400, 'InvalidArgument', 'POST', `${m}/versions/1/download`, { expiresIn: 8 * 24 * 3600 });
    await root.problem(404, 'ResourceNotFound', 'POST', '/grants/nope/refresh', {});
  });

  it('a gated model gives no URL until its EULA is accepted (recorded, or for one request)', async () => {
    const g = modelPath('acme', 'gated');
    await root.expect(201, 'POST', '/models', { namespace: 'acme', name: 'gated', gate: { eula: 'https://example.com/eula-v1', version: '1' } });
    await root.expect(201, 'POST', `${g}/versions`, { source: 's3://models/bert/config.json' });
    const key = await t.signet.identity.addKey((await t.signet.identity.addUser('carol')).name);
    const carol = root.as(basic(key.accessKeyId, key.secretKey));
    const refused = await carol.problem(403, 'EulaNotAccepted', 'POST', `${g}/versions/1/download`, {});
    assert.match(refused.detail, /EULA/);
    await carol.problem(403, 'EulaNotAccepted', 'POST', `${g}/versions/latest/download`, {});
    const accepted = await carol.expect<{ userName: string; eula: string; eulaVersion: string }>(201, 'POST', `${g}/acceptances`);
    assert.deepEqual([accepted.userName, accepted.eula, accepted.eulaVersion], ['carol', 'https://example.com/eula-v1', '1']);
    await assertGrantServes(await carol.expect<GrantBody>(201, 'POST', `${g}/versions/1/download`, {}), { 'config.json': v2['config.json'] });

    // Root accepts for this request only (SageMaker's AcceptEula): audited, not kept as a standing acceptance.
    await root.problem(403, 'EulaNotAccepted', 'POST', `${g}/versions/1/download`, {});
    await download(`${g}/versions/1/download`, { acceptEula: true });
    await root.problem(403, 'EulaNotAccepted', 'POST', `${g}/versions/1/download`, {});
    const listed = await root.expect<{ items: { userName: string }[] }>(200, 'GET', `${g}/acceptances`);
    assert.deepEqual(listed.items.map((a) => a.userName).sort(), ['carol']);
    const rootAudit = await root.expect<{ items: { detail: { how: string } }[] }>(200, 'GET', `/audit?action=eula.accept&userName=root`);
    assert.deepEqual(rootAudit.items.map((e) => e.detail.how), ['request']);
    await carol.problem(403, 'AccessDenied', 'GET', `${g}/acceptances`);
    const audit = await root.expect<{ items: { action: string; userName: string }[] }>(200, 'GET', `/audit?action=eula.accept&userName=carol`);
    assert.ok(audit.items.length >= 1 && audit.items.every((e) => e.action === 'eula.accept' && e.userName === 'carol'));
    await root.expect(200, 'GET', '/acceptances?limit=10');
  });

  it('upload grants: the right bytes land, other bytes and sizes are refused, a known digest needs no upload', async () => {
    // Above the inline threshold: the bytes are a blob the store can find by digest.
    const content = Buffer.from('hello upload grant '.repeat(6000));
    const grant = await root.expect<UploadBody>(201, 'POST', '/uploads', { fileName: 'notes.txt', fileContentsSha256: sha256B64(content), scope: 'APPLICATION' });
    assert.equal(grant.uploadNeeded, true);
    assert.ok(grant.presignedUrl && Object.keys(grant.presignedUrlFields).length > 0);
    assert.ok(new Date(grant.presignedUrlExpiration).getTime() > clock.now().getTime());

    const wrong = await postForm(grant.presignedUrl, grant.presignedUrlFields, Buffer.from('not the declared bytes'));
    assert.ok(wrong.status >= 400 && wrong.status < 500, `${wrong.status} ${wrong.text}`);
    assert.equal(await t.signet.meta.getVersion('signet-registry', grant.presignedUrlFields.key!, null), null, 'nothing stored');
    const good = await postForm(grant.presignedUrl, grant.presignedUrlFields, content);
    assert.ok(good.status >= 200 && good.status < 300, `${good.status} ${good.text}`);

    const again = await root.expect<UploadBody>(201, 'POST', '/uploads', { fileName: 'copy.txt', sha256: sha256Hex(content), size: content.length, scope: 'SESSION', sessionId: 'sess-1' });
    assert.equal(again.uploadNeeded, false);

    // Declared without a size, the range is 1 byte to 5 GiB: an empty body (with the right digest) is outside it.
    const empty = await root.expect<UploadBody>(201, 'POST', '/uploads', { fileName: 'empty.txt', fileContentsSha256: sha256B64(''), scope: 'APPLICATION' });
    const refused = await postForm(empty.presignedUrl, empty.presignedUrlFields, Buffer.alloc(0));
    assert.ok(refused.status >= 400 && refused.status < 500, `${refused.status} ${refused.text}`);
    // With a size, only that size fits.
    const sized = await root.expect<UploadBody>(201, 'POST', '/uploads', { fileName: 'x.bin', sha256: sha256B64('abcdef'), size: 3, scope: 'APPLICATION' });
    const tooBig = await postForm(sized.presignedUrl, sized.presignedUrlFields, 'abcdef');
    assert.ok(tooBig.status >= 400 && tooBig.status < 500, `${tooBig.status} ${tooBig.text}`);

    await root.problem(400, 'InvalidArgument', 'POST', '/uploads', { fileName: 'x', fileContentsSha256: 'nope', scope: 'APPLICATION' });
    await root.problem(400, 'InvalidArgument', 'POST', '/uploads', { fileName: 'x', fileContentsSha256: sha256B64('x'), scope: 'SESSION' });
    await root.problem(400, 'InvalidArgument', 'POST', '/uploads', { fileName: 'x', fileContentsSha256: sha256B64('x'), scope: 'FOREVER' });
  });

  it('publishes a version: declare, upload what is missing, finalize (refused while a file is missing)', async () => {
    const p = modelPath('acme', 'published');
    await root.expect(201, 'POST', '/models', { namespace: 'acme', name: 'published' });
    const files = { 'a.txt': Buffer.from('first file of the publish flow'), 'dir/b.bin': Buffer.alloc(80_000, 3), 'known.json': Buffer.from(v1['config.json']) };
    const declared = Object.entries(files).map(([path, bytes]) => ({ path, size: bytes.length, sha256: sha256Hex(bytes) }));
    const answer = await root.expect<{ version: { number: number; status: string }; uploads: (UploadBody & { path: string })[] }>(201, 'POST', `${p}/publish`, { files: declared, label: 'v1' });
    assert.equal(answer.version.status, 'Pending');
    const needed = answer.uploads.filter((u) => u.uploadNeeded).map((u) => u.path).sort();
    assert.deepEqual(needed, ['a.txt', 'dir/b.bin'], 'the store already holds known.json');
    await root.problem(400, 'InvalidRequest', 'POST', `${p}/versions/1/download`, {});

    const upload = (path: keyof typeof files) => {
      const u = answer.uploads.find((x) => x.path === path)!;
      return postForm(u.presignedUrl, u.presignedUrlFields, files[path]);
    };
    assert.ok((await upload('a.txt')).status < 300);
    const missing = await root.problem(400, 'InvalidRequest', 'POST', `${p}/versions/1/finalize`);
    assert.match(missing.detail, /dir\/b\.bin/);
    assert.equal((await root.expect<{ status: string }>(200, 'GET', `${p}/versions/1`)).status, 'Pending');
    assert.ok((await upload('dir/b.bin')).status < 300);
    const done = await root.expect<{ status: string; fileCount: number }>(200, 'POST', `${p}/versions/1/finalize`);
    assert.equal(done.status, 'Completed');
    assert.equal(done.fileCount, 3);
    await assertGrantServes(await download(`${p}/versions/v1/download`), files);
  });

  it('hubs: import content from S3, list, download, reference from another hub, delete', async () => {
    await root.expect(201, 'POST', '/hubs', { name: 'public', description: 'models for all' });
    await root.expect(201, 'POST', '/hubs', { name: 'team' });
    await root.problem(409, 'ResourceInUse', 'POST', '/hubs', { name: 'public' });
    const content = await root.expect<{ arn: string; version: string; fileCount: number }>(201, 'POST', '/hubs/public/contents', {
      type: 'Model',
      name: 'bert-base',
      version: '1.0.0',
      document: { HostingArtifactUri: 's3://models/bert/' },
      searchKeywords: ['nlp'],
    });
    assert.equal(content.fileCount, 2);
    assert.match(content.arn, /^arn:aws:sagemaker:us-east-1:\d{12}:hub-content\/public\/Model\/bert-base\/1\.0\.0$/);
    const listed = await root.expect<{ items: { name: string }[] }>(200, 'GET', '/hubs/public/contents/Model');
    assert.deepEqual(listed.items.map((c) => c.name), ['bert-base']);
    await assertGrantServes(await download('/hubs/public/contents/Model/bert-base/download'), v2);
    await assertGrantServes(await download('/hubs/public/contents/Model/bert-base/versions/1.0.0/download'), v2);
    await root.expect(200, 'PATCH', '/hubs/public/contents/Model/bert-base/versions/1.0.0', { description: 'BERT' });
    assert.equal((await root.expect<{ description: string }>(200, 'GET', '/hubs/public/contents/Model/bert-base')).description, 'BERT');

    const ref = await root.expect<{ type: string; name: string }>(201, 'POST', '/hubs/team/references', { sourceArn: content.arn });
    assert.equal(ref.type, 'ModelReference');
    await assertGrantServes(await download(`/hubs/team/contents/ModelReference/${enc(ref.name)}/download`), v2);
    await root.expect(204, 'DELETE', `/hubs/team/references/${enc(ref.name)}`);
    await root.problem(409, 'ResourceInUse', 'DELETE', '/hubs/public');
    await root.expect(204, 'DELETE', '/hubs/public/contents/Model/bert-base');
    await root.expect(204, 'DELETE', '/hubs/public');
    await root.problem(404, 'ResourceNotFound', 'GET', '/hubs/public');
    await root.problem(400, 'InvalidArgument', 'GET', '/hubs/team/contents/Spaceship');
  });
});
