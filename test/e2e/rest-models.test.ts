import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { documentedRoutes } from '../../src/faces/rest/openapi.ts';
import { REST_ROUTES } from '../../src/faces/rest/rest-routes.ts';
import { signedFetch } from '../support/signed-fetch.ts';
import { ROOT } from '../support/test-signet.ts';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';
import { enc, modelPath, putObjects, Rest, ROOT_BASIC, sha256Hex, TestClock } from './rest-helpers.ts';

interface Model {
  id: string;
  namespace: string;
  name: string;
  description: string;
  gate: { eula: string; version: string } | null;
}
interface Version {
  number: number;
  document: unknown;
  label: string | null;
  approval: string;
  status: string;
  description: string;
  metadata: Record<string, string>;
  fileCount: number;
  totalSize: number;
  sourceUri: string | null;
}
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

describeEachMeta('REST models, versions and tokens', (kind) => {
  let t: TestSignet;
  let root: Rest;
  const clock = new TestClock();

  before(async () => {
    t = await startTestSignet(kind, { clock: clock.now });
    root = new Rest(t.url, ROOT_BASIC);
    await putObjects(t, 'models', { 'bert/v1/config.json': '{"a":1}', 'bert/v1/weights.bin': 'weights-1', 'single.bin': 'single' });
  });
  after(async () => t?.close());

  it('serves the OpenAPI document without credentials, listing exactly the routes it serves', async () => {
    const res = await fetch(`${t.url}/api/v1/openapi.json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.equal(doc.openapi, '3.1.0');
    const served = REST_ROUTES.map((r) => `${r.method} ${r.path}`).sort();
    assert.deepEqual(documentedRoutes().sort(), served);
    const inDoc = Object.entries(doc.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    assert.deepEqual(inDoc.sort(), served);
  });

  it('creates tokens over Basic auth; a token works as Bearer and as DVC "token"; listing never shows a secret', async () => {
    const created = await root.expect<{ id: string; token: string; scopes: string[] }>(201, 'POST', '/tokens', { name: 'ci', scopes: ['write'] });
    assert.match(created.token, /^sgt_/);
    assert.deepEqual(created.scopes, ['read', 'write']);
    const me = await root.as(`Bearer ${created.token}`).expect<{ userName: string; via: string }>(200, 'GET', '/me');
    assert.equal(me.via, 'token');
    await root.as(`token ${created.token}`).expect(200, 'GET', '/me');
    const listed = await root.expect<Page<Record<string, unknown>>>(200, 'GET', '/tokens');
    assert.ok(listed.items.some((x) => x.id === created.id));
    assert.ok(listed.items.every((x) => !('token' in x) && !('secretHash' in x)));
  });

  it('accepts SigV4 signed over the JSON body, and refuses a wrong signature or a body changed after signing', async () => {
    const keys = { accessKeyId: ROOT.user, secretAccessKey: ROOT.password };
    const body = JSON.stringify({ namespace: 'sigv4', name: 'signed' });
    const res = await signedFetch(`${t.url}/api/v1/models`, { ...keys, method: 'POST', body });
    assert.equal(res.status, 201, await res.clone().text());
    assert.equal(((await res.json()) as Model).name, 'signed');
    assert.equal((await signedFetch(`${t.url}/api/v1${modelPath('sigv4', 'signed')}`, keys)).status, 200);
    const bad = await signedFetch(`${t.url}/api/v1/models`, { ...keys, secretAccessKey: 'wrong', method: 'POST', body: JSON.stringify({ namespace: 'sigv4', name: 'forged' }) });
    assert.equal(bad.status, 403);
    // Signed for one body, sent with another (its x-amz-content-sha256 header and signature stay the first's).
    const signer = new SignatureV4({ credentials: keys, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false });
    const u = new URL(`${t.url}/api/v1/models`);
    const signedBody = JSON.stringify({ namespace: 'sigv4', name: 'harmless' });
    const signed = await signer.sign({
      method: 'POST',
      protocol: u.protocol,
      hostname: u.hostname,
      port: Number(u.port),
      path: u.pathname,
      headers: { host: u.host, 'content-type': 'application/json', 'x-amz-content-sha256': sha256Hex(signedBody) },
      body: signedBody,
    });
    const tampered = await fetch(u, { method: 'POST', headers: signed.headers, body: JSON.stringify({ namespace: 'sigv4', name: 'forged' }) });
    assert.ok(tampered.status === 400 || tampered.status === 403, String(tampered.status));
    await root.problem(404, 'ResourceNotFound', 'GET', modelPath('sigv4', 'forged'));
  });

  it('answers 401 with WWW-Authenticate for no, malformed and unknown credentials', async () => {
    for (const auth of [null, 'Bearer nonsense', 'Bearer sgt_000000000000000000000000_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'Basic ' + Buffer.from('signet-root:wrong').toString('base64')]) {
      const r = await root.as(auth).call('GET', '/models');
      assert.equal(r.status, 401, String(auth));
      assert.match(r.headers.get('www-authenticate') ?? '', /^Bearer/);
      assert.match(r.headers.get('content-type') ?? '', /problem\+json/);
    }
  });

  it('creates, lists with a cursor, gets, patches and deletes models whose namespace and name hold "/"', async () => {
    const names = ['a', 'b', 'c', 'path/to/dvc.yaml:model', 'e'];
    for (const name of names) await root.expect(201, 'POST', '/models', { namespace: 'acme/vision', name, description: `model ${name}` });
    await root.problem(409, 'ResourceInUse', 'POST', '/models', { namespace: 'acme/vision', name: 'a' });
    const got = await root.expect<Model>(200, 'GET', modelPath('acme/vision', 'path/to/dvc.yaml:model'));
    assert.equal(got.name, 'path/to/dvc.yaml:model');
    assert.equal(got.namespace, 'acme/vision');

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `?namespace=${enc('acme/vision')}&limit=2${cursor ? `&cursor=${enc(cursor)}` : ''}`;
      const page: Page<Model> = await root.expect<Page<Model>>(200, 'GET', `/models${q}`);
      assert.ok(page.items.length <= 2);
      seen.push(...page.items.map((m) => m.name));
      cursor = page.nextCursor;
    } while (cursor !== null);
    assert.deepEqual(seen, [...names].sort());
    const contains = await root.expect<Page<Model>>(200, 'GET', `/models?nameContains=${enc('dvc.yaml')}`);
    assert.deepEqual(contains.items.map((m) => m.name), ['path/to/dvc.yaml:model']);

    const patched = await root.expect<Model>(200, 'PATCH', modelPath('acme/vision', 'a'), { description: 'new', gate: { eula: 'https://example.com/eula', version: '1' } });
    assert.equal(patched.description, 'new');
    assert.deepEqual(patched.gate, { eula: 'https://example.com/eula', version: '1' });
    const ungated = await root.expect<Model>(200, 'PATCH', modelPath('acme/vision', 'a'), { gate: null });
    assert.equal(ungated.gate, null);
    await root.expect(204, 'DELETE', modelPath('acme/vision', 'e'));
    await root.problem(404, 'ResourceNotFound', 'GET', modelPath('acme/vision', 'e'));
  });

  it('registers versions from a prefix, an object and a file list; gets them by number, label and latest; patches and deletes', async () => {
    const m = modelPath('acme', 'bert');
    await root.expect(201, 'POST', '/models', { namespace: 'acme', name: 'bert' });
    const v1 = await root.expect<Version>(201, 'POST', `${m}/versions`, { source: 's3://models/bert/v1/', label: 'v1.0.0', metadata: { team: 'nlp' } });
    assert.equal(v1.number, 1);
    assert.equal(v1.status, 'Completed');
    assert.equal(v1.fileCount, 2);
    assert.equal(v1.sourceUri, 's3://models/bert/v1/');
    assert.equal(v1.document, null);
    const card = { framework: 'pytorch', metrics: { f1: 0.91 } };
    const v2 = await root.expect<Version>(201, 'POST', `${m}/versions`, { source: 's3://models/single.bin', path: 'model/single.bin', label: 'v2.0.0', document: card });
    assert.equal(v2.number, 2);
    assert.deepEqual(v2.document, card);
    const v3 = await root.expect<Version>(201, 'POST', `${m}/versions`, {
      files: [
        { path: 'a/config.json', s3Uri: 's3://models/bert/v1/config.json' },
        { path: 'b.bin', s3Uri: 's3://models/single.bin' },
      ],
    });
    assert.equal(v3.number, 3);

    assert.equal((await root.expect<Version>(200, 'GET', `${m}/versions/2`)).label, 'v2.0.0');
    assert.equal((await root.expect<Version>(200, 'GET', `${m}/versions/v1.0.0`)).number, 1);
    assert.equal((await root.expect<Version>(200, 'GET', `${m}/versions/label:v2.0.0`)).number, 2);
    assert.equal((await root.expect<Version>(200, 'GET', `${m}/versions/latest`)).number, 3);
    const files = await root.expect<Page<{ path: string; size: number; sha256: string }>>(200, 'GET', `${m}/versions/2/files`);
    assert.deepEqual(files.items.map((f) => f.path), ['model/single.bin']);
    assert.equal(files.items[0]!.size, 6);
    assert.ok(!('objectKey' in files.items[0]!));

    const patched = await root.expect<Version>(200, 'PATCH', `${m}/versions/v1.0.0`, { approval: 'Approved', description: 'first', metadata: { team: 'nlp', f1: '0.9' } });
    assert.equal(patched.approval, 'Approved');
    assert.deepEqual(patched.metadata, { team: 'nlp', f1: '0.9' });
    await root.problem(409, 'ResourceInUse', 'PATCH', `${m}/versions/3`, { label: 'v1.0.0' });

    const page1 = await root.expect<Page<Version>>(200, 'GET', `${m}/versions?limit=2`);
    assert.deepEqual(page1.items.map((v) => v.number), [1, 2]);
    const page2 = await root.expect<Page<Version>>(200, 'GET', `${m}/versions?limit=2&cursor=${enc(page1.nextCursor!)}`);
    assert.deepEqual(page2.items.map((v) => v.number), [3]);
    assert.equal(page2.nextCursor, null);

    await root.expect(204, 'DELETE', `${m}/versions/3`);
    await root.problem(404, 'ResourceNotFound', 'GET', `${m}/versions/3`);
    assert.equal((await root.expect<Version>(200, 'GET', `${m}/versions/latest`)).number, 2);
    const packages = await root.expect<Page<{ model: Model; version: Version }>>(200, 'GET', `/packages?namespace=acme&modelName=bert&approval=Approved`);
    assert.deepEqual(packages.items.map((p) => p.version.number), [1]);
  });

  it('moves stages atomically with compare-and-swap, answers which version a stage held at a time, and keeps history', async () => {
    const m = modelPath('acme', 'staged');
    await root.expect(201, 'POST', '/models', { namespace: 'acme', name: 'staged' });
    for (let i = 0; i < 2; i++) await root.expect(201, 'POST', `${m}/versions`, { source: 's3://models/single.bin' });
    const before1 = clock.now().toISOString();
    clock.advance(1000);
    await root.expect(200, 'POST', `${m}/stages`, { moves: [{ stage: 'production', to: 1, expect: null }, { stage: 'staging', to: 2 }] });
    clock.advance(1000);
    const t1 = clock.now().toISOString();
    clock.advance(1000);

    // A stale expectation fails the whole batch: nothing moves.
    const conflict = await root.problem(409, 'Conflict', 'POST', `${m}/stages`, { moves: [{ stage: 'production', to: 2, expect: 1 }, { stage: 'staging', to: 1, expect: 1 }] });
    assert.match(conflict.detail, /staging|expect|version/i);
    type Pointers = Page<{ stage: string; number: number }>;
    const now = await root.expect<Pointers>(200, 'GET', `${m}/stages`);
    assert.deepEqual(Object.fromEntries(now.items.map((p) => [p.stage, p.number])), { production: 1, staging: 2 });

    // The swap (champion and challenger) in one call.
    const swapped = await root.expect<Pointers>(200, 'POST', `${m}/stages`, { moves: [{ stage: 'production', to: 2, expect: 1 }, { stage: 'staging', to: 1, expect: 2 }] });
    assert.deepEqual(Object.fromEntries(swapped.items.map((p) => [p.stage, p.number])), { production: 2, staging: 1 });
    clock.advance(1000);

    const at = async (when: string) => (await root.expect<{ number: number | null }>(200, 'GET', `${m}/stages/production?at=${enc(when)}`)).number;
    assert.equal(await at(before1), null);
    assert.equal(await at(t1), 1);
    assert.equal(await at(clock.now().toISOString()), 2);
    assert.equal((await root.expect<{ number: number | null }>(200, 'GET', `${m}/stages/production`)).number, 2);

    const history = await root.expect<Page<{ stage: string; number: number; previous: number | null }>>(200, 'GET', `${m}/history?stage=production`);
    assert.deepEqual(history.items.map((e) => [e.number, e.previous]), [[2, 1], [1, null]]);
  });

  it('registering with a clientToken twice answers the first version (200) and registers nothing more', async () => {
    const m = modelPath('acme', 'idempotent');
    await root.expect(201, 'POST', '/models', { namespace: 'acme', name: 'idempotent' });
    const first = await root.expect<Version>(201, 'POST', `${m}/versions`, { source: 's3://models/single.bin', label: 'once', clientToken: 'req-123' });
    const again = await root.expect<Version>(200, 'POST', `${m}/versions`, { source: 's3://models/single.bin', label: 'once', clientToken: 'req-123' });
    assert.deepEqual(again, first);
    assert.equal((await root.expect<Version>(201, 'POST', `${m}/versions`, { source: 's3://models/single.bin', clientToken: 'req-456' })).number, 2);
    await root.problem(400, 'InvalidArgument', 'POST', `${m}/versions`, { source: 's3://models/single.bin', clientToken: 'has space' });
    const page = await root.expect<Page<Version>>(200, 'GET', `${m}/versions`);
    assert.deepEqual(page.items.map((v) => v.number), [1, 2]);
  });

  it('a read-scoped token reads but cannot create, approve or delete; a revoked token stops at once', async () => {
    const m = modelPath('acme', 'bert');
    const read = await root.token(['read']);
    const reader = root.as(`Bearer ${read.token}`);
    await reader.expect(200, 'GET', m);
    await reader.expect(200, 'GET', `${m}/versions/1`);
    await reader.problem(403, 'AccessDenied', 'POST', '/models', { namespace: 'acme', name: 'nope' });
    await reader.problem(403, 'AccessDenied', 'PATCH', `${m}/versions/1`, { approval: 'Rejected' });
    await reader.problem(403, 'AccessDenied', 'DELETE', `${m}/versions/1`);
    await reader.problem(403, 'AccessDenied', 'DELETE', m);
    await reader.problem(403, 'AccessDenied', 'POST', `${m}/stages`, { moves: [{ stage: 'x', to: 1 }] });
    await reader.problem(403, 'AccessDenied', 'POST', '/tokens', { name: 'more', scopes: ['write'] });
    assert.equal((await root.expect<Version>(200, 'GET', `${m}/versions/1`)).approval, 'Approved');
    await root.problem(404, 'ResourceNotFound', 'GET', modelPath('acme', 'nope'));

    const writer = await root.token(['write']);
    const w = root.as(`Bearer ${writer.token}`);
    await w.expect(200, 'GET', '/me');
    const revoked = await root.expect<{ revokedAt: string | null }>(200, 'DELETE', `/tokens/${writer.id}`);
    assert.ok(revoked.revokedAt);
    await w.problem(401, 'Unauthenticated', 'GET', '/me');
    await w.problem(401, 'Unauthenticated', 'POST', '/models', { namespace: 'acme', name: 'late' });
    await root.problem(404, 'ResourceNotFound', 'GET', modelPath('acme', 'late'));
  });
});
