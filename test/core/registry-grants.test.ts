/**
 * Download and upload grants, gates and hubs against a whole Signet (real
 * HTTP, SQLite and PostgreSQL): the URLs the registry mints are fetched with
 * plain fetch from the S3 face, as curl or a browser would. A second
 * registry over the same stores, with a clock the test sets, mints URLs "in
 * the past" to prove expiry against the server's real clock.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { CreateBucketCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Buckets } from '../../src/core/buckets.ts';
import type { DownloadGrant, DownloadRequest, Registry, UploadGrant } from '../../src/core/registry/registry-api.ts';
import { createRegistry } from '../../src/core/registry/registry.ts';
import type { RegistryPrincipal } from '../../src/core/registry/registry-types.ts';
import { parseS3Uri } from '../../src/core/registry/s3-uri.ts';
import type { SystemAccount } from '../../src/core/registry/system-account.ts';
import { UrlSigner } from '../../src/core/registry/url-signer.ts';
import { describeEachMeta, ROOT, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { rejectsWith } from '../support/rejects-with.ts';

const BUCKET = 'models';
const sha256Hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const sha256B64 = (b: Buffer): string => createHash('sha256').update(b).digest('base64');


async function fetchBytes(url: string, init?: RequestInit): Promise<{ status: number; body: Buffer }> {
  const res = await fetch(url, init);
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()) };
}

/** Posts the grant's form as a browser would: its fields, then the file. */
async function postForm(grant: UploadGrant, bytes: Buffer): Promise<{ status: number; text: string }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(grant.fields)) form.append(name, value);
  form.append('file', new Blob([bytes]), 'upload.bin');
  const res = await fetch(grant.url, { method: 'POST', body: form });
  return { status: res.status, text: await res.text() };
}

function withQuery(url: string, edit: (q: URLSearchParams) => void): string {
  const u = new URL(url);
  const q = new URLSearchParams(u.search);
  edit(q);
  return `${u.origin}${u.pathname}?${q.toString().replaceAll('+', '%20')}`;
}

describeEachMeta('registry grants', (kind) => {
  let t: TestSignet;
  let s3: S3Client;
  let registry: Registry;
  let system: SystemAccount;
  let root: RegistryPrincipal;
  let alice: RegistryPrincipal;
  let baseUrl: string;
  /** Files of version 1 of acme/llm, by path. */
  const files = new Map<string, Buffer>([
    ['config.json', Buffer.from('{"layers":2}')],
    ['odd name+%&=.txt', Buffer.from('odd bytes')],
    ['sub/dir/tok.txt', Buffer.from('tokens')],
    ['weights.bin', randomBytes(200 * 1024)],
  ]);
  const llm = { namespace: 'acme', name: 'llm' };
  const v1: DownloadRequest['target'] = { kind: 'model-version', model: llm, selector: { number: 1 } };

  /** A registry over the server's stores whose clock reads `at`. */
  async function registryAt(at: () => Date): Promise<Registry & { system: SystemAccount }> {
    const meta = t.signet.meta;
    return createRegistry({ meta, blobs: t.signet.blobs, buckets: new Buckets(meta, t.config.region, at), identity: t.signet.identity, clock: at, region: t.config.region });
  }

  async function put(key: string, body: Buffer): Promise<void> {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }

  /** The bytes the system bucket holds at `key` now, or null. */
  async function systemObject(key: string): Promise<Buffer | null> {
    const url = new UrlSigner(system, t.config.region).presignGet({ baseUrl, bucket: system.bucket, key, expiresIn: 60, grantId: 'test', now: new Date() });
    const got = await fetchBytes(url);
    if (got.status === 404) return null;
    assert.equal(got.status, 200, got.body.toString());
    return got.body;
  }

  before(async () => {
    t = await startTestSignet(kind);
    baseUrl = t.url;
    s3 = t.s3();
    registry = t.signet.registry;
    system = (await registryAt(() => new Date())).system;
    const rootKey = await t.signet.identity.lookup(ROOT.user);
    root = registry.tokens.fromSigned(rootKey!.principal);
    await t.signet.identity.addUser('alice');
    const key = await t.signet.identity.addKey('alice');
    alice = registry.tokens.fromSigned((await t.signet.identity.lookup(key.accessKeyId))!.principal);
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    for (const [path, body] of files) await put(`llm/v1/${path}`, body);
    await registry.models.createModel(root, llm);
    await registry.models.registerVersion(root, llm, { source: parseS3Uri(`s3://${BUCKET}/llm/v1/`) });
  });
  after(async () => {
    s3?.destroy();
    await t?.close();
  });

  describe('download', () => {
    it('mints one URL per file, in path order, that plain fetch downloads, with Range too', async () => {
      const grant = await registry.grants.download(alice, { target: v1, face: 'rest', baseUrl });
      assert.deepEqual(grant.files.map((f) => f.path), [...files.keys()].sort());
      assert.equal(grant.nextCursor, null);
      assert.equal(grant.resolved.kind, 'model-version');
      for (const f of grant.files) {
        const want = files.get(f.path)!;
        assert.equal(f.size, want.length);
        assert.equal(f.sha256, sha256Hex(want));
        assert.equal(new URL(f.url).searchParams.get('x-signet-grant'), grant.grantId);
        const got = await fetchBytes(f.url);
        assert.equal(got.status, 200, got.body.toString());
        assert.deepEqual(got.body, want, f.path);
      }
      const weights = grant.files.find((f) => f.path === 'weights.bin')!;
      const ranged = await fetchBytes(weights.url, { headers: { range: 'bytes=1000-1999' } });
      assert.equal(ranged.status, 206);
      assert.deepEqual(ranged.body, files.get('weights.bin')!.subarray(1000, 2000));
    });

    it('keeps serving the registered bytes after the bucket prefix is overwritten', async () => {
      await put('llm/v1/config.json', Buffer.from('{"layers":99}'));
      const grant = await registry.grants.download(alice, { target: v1, face: 'dvc', baseUrl });
      const config = grant.files.find((f) => f.path === 'config.json')!;
      assert.deepEqual((await fetchBytes(config.url)).body, files.get('config.json'));
      await put('llm/v1/config.json', files.get('config.json')!);
    });

    it('refuses a URL whose grant id was removed or changed (403)', async () => {
      const grant = await registry.grants.download(alice, { target: v1, face: 'rest', baseUrl });
      const url = grant.files[0]!.url;
      assert.equal((await fetchBytes(url)).status, 200);
      const removed = await fetchBytes(withQuery(url, (q) => q.delete('x-signet-grant')));
      assert.equal(removed.status, 403, removed.body.toString());
      assert.match(removed.body.toString(), /SignatureDoesNotMatch/);
      const changed = await fetchBytes(withQuery(url, (q) => q.set('x-signet-grant', 'someone-else')));
      assert.equal(changed.status, 403);
    });

    it('pages with sealed cursors, one grant per page, each audited', async () => {
      const seen: string[] = [];
      const grants = new Set<string>();
      let cursor: string | null = null;
      do {
        const page: DownloadGrant = await registry.grants.download(alice, { target: v1, face: 'sagemaker', baseUrl, limit: 3, cursor });
        seen.push(...page.files.map((f) => f.path));
        grants.add(page.grantId);
        cursor = page.nextCursor;
        if (cursor) {
          // Bound to its listing: another target or another caller cannot use it.
          await rejectsWith(registry.grants.download(root, { target: v1, face: 'sagemaker', baseUrl, cursor }), 'InvalidArgument', /pagination token/);
          await rejectsWith(registry.grants.download(alice, { target: v1, face: 'rest', baseUrl, cursor: cursor.slice(0, -2) + 'xx' }), 'InvalidArgument');
        }
      } while (cursor);
      assert.deepEqual(seen, [...files.keys()].sort());
      assert.equal(grants.size, 2);
      const audit = await registry.audit.list(root, { action: 'grant.download', userName: 'alice', limit: 2 });
      assert.equal(audit.items.length, 2);
      const newest = audit.items[0]!;
      assert.equal(newest.userName, 'alice');
      assert.ok(grants.has(String(newest.detail.grantId)));
      assert.equal(newest.detail.face, 'sagemaker');
      assert.equal(newest.detail.pageSize, 3);
      assert.ok(audit.nextCursor);
      await rejectsWith(registry.audit.list(alice, {}), 'AccessDenied');
    });

    it('gives each face its expiry and refuses REST expiries outside 1 s..7 days', async () => {
      const now = Date.now();
      const expiry = async (face: DownloadRequest['face'], expiresIn?: number) => {
        const g = await registry.grants.download(alice, { target: v1, face, baseUrl, limit: 1, expiresIn });
        return Math.round((g.expiresAt.getTime() - now) / 1000);
      };
      assert.ok(Math.abs((await expiry('sagemaker', 5000)) - 900) <= 2);
      assert.ok(Math.abs((await expiry('dvc')) - 3600) <= 2);
      assert.ok(Math.abs((await expiry('rest')) - 3600) <= 2);
      assert.ok(Math.abs((await expiry('rest', 604800)) - 604800) <= 2);
      await rejectsWith(registry.grants.download(alice, { target: v1, face: 'rest', baseUrl, expiresIn: 604801 }), 'InvalidArgument');
      await rejectsWith(registry.grants.download(alice, { target: v1, face: 'rest', baseUrl, expiresIn: 0 }), 'InvalidArgument');
    });

    it('URLs stop working when they say (server clock), not before', async () => {
      const past = (seconds: number) => registryAt(() => new Date(Date.now() - seconds * 1000));
      const fresh = await (await past(850)).grants.download(alice, { target: v1, face: 'sagemaker', baseUrl, limit: 1 });
      assert.equal((await fetchBytes(fresh.files[0]!.url)).status, 200);
      const stale = await (await past(950)).grants.download(alice, { target: v1, face: 'sagemaker', baseUrl, limit: 1 });
      const refused = await fetchBytes(stale.files[0]!.url);
      assert.equal(refused.status, 403);
      assert.match(refused.body.toString(), /expired/);
      const rest = await (await past(120)).grants.download(alice, { target: v1, face: 'rest', baseUrl, limit: 1, expiresIn: 60 });
      assert.equal((await fetchBytes(rest.files[0]!.url)).status, 403);
    });

    it('refresh re-signs the same grant with a fresh expiry; others need admin', async () => {
      const old = await (await registryAt(() => new Date(Date.now() - 7200 * 1000))).grants.download(alice, { target: v1, face: 'rest', baseUrl, expiresIn: 3600 });
      assert.equal((await fetchBytes(old.files[0]!.url)).status, 403);
      const fresh = await registry.grants.refresh(alice, old.grantId, { baseUrl });
      assert.equal(fresh.grantId, old.grantId);
      assert.deepEqual(fresh.files.map((f) => f.path), old.files.map((f) => f.path));
      assert.equal((await fetchBytes(fresh.files[0]!.url)).status, 200);
      assert.equal(new URL(fresh.files[0]!.url).searchParams.get('x-signet-grant'), old.grantId);
      const bob = { ...alice, userId: 'someone-else', userName: 'bob' };
      await rejectsWith(registry.grants.refresh(bob, old.grantId, { baseUrl }), 'AccessDenied');
      assert.equal((await registry.grants.refresh(root, old.grantId, { baseUrl })).grantId, old.grantId);
      await rejectsWith(registry.grants.refresh(alice, 'no-such-grant', { baseUrl }), 'ResourceNotFound');
      const audit = await registry.audit.list(root, { action: 'grant.refresh', limit: 5 });
      assert.ok(audit.items.some((e) => e.detail.grantId === old.grantId && e.userName === 'alice'));
    });

    it('resolves latest, label and stage; unknown targets are ResourceNotFound', async () => {
      await registry.models.moveStages(root, llm, [{ stage: 'prod', to: 1 }]);
      for (const selector of [{ latest: true } as const, { stage: 'prod' }]) {
        const g = await registry.grants.download(alice, { target: { kind: 'model-version', model: llm, selector }, face: 'dvc', baseUrl, limit: 1 });
        assert.equal(g.resolved.kind === 'model-version' && g.resolved.version.number, 1);
      }
      await rejectsWith(registry.grants.download(alice, { target: { kind: 'model-version', model: llm, selector: { number: 9 } }, face: 'dvc', baseUrl }), 'ResourceNotFound');
      await rejectsWith(registry.grants.download(alice, { target: { kind: 'model-version', model: { namespace: 'x', name: 'y' }, selector: { latest: true } }, face: 'dvc', baseUrl }), 'ResourceNotFound');
      await rejectsWith(registry.grants.download(alice, { target: { kind: 'hub-content', hubName: 'nohub', type: 'Model', name: 'm' }, face: 'sagemaker', baseUrl }), 'ResourceNotFound');
    });
  });

  describe('publishing and upload grants', () => {
    it('a Pending version gives no URLs; its upload grants take the right bytes and finalize completes it', async () => {
      const weights = randomBytes(100 * 1024);
      const readme = Buffer.from('fresh readme ' + randomBytes(8).toString('hex'));
      const ref = { namespace: 'acme', name: 'published' };
      await registry.models.createModel(alice, ref);
      const declared = await registry.models.declareVersion(alice, ref, {
        files: [
          { path: 'weights.bin', size: weights.length, sha256: sha256Hex(weights) },
          { path: 'README.md', size: readme.length, sha256: sha256B64(readme) },
          // Content the store holds already: no upload.
          { path: 'config.json', size: files.get('config.json')!.length, sha256: sha256Hex(files.get('config.json')!) },
        ],
        baseUrl,
        face: 'rest',
      });
      assert.deepEqual(declared.uploads.map((u) => u.path), ['README.md', 'weights.bin']);
      const target = { kind: 'model-version', model: ref, selector: { number: declared.version.number } } as const;
      await rejectsWith(registry.grants.download(alice, { target, face: 'rest', baseUrl }), 'InvalidRequest', /Pending/);
      await rejectsWith(registry.models.finalizeVersion(alice, ref, declared.version.number), 'InvalidRequest');
      const [readmeGrant, weightsGrant] = declared.uploads;
      const wrong = await postForm(weightsGrant!, randomBytes(weights.length));
      assert.equal(wrong.status, 400, wrong.text);
      assert.match(wrong.text, /BadDigest/);
      assert.equal((await postForm(weightsGrant!, weights)).status, 204);
      assert.equal((await postForm(readmeGrant!, readme)).status, 204);
      await registry.models.finalizeVersion(alice, ref, declared.version.number);
      const grant = await registry.grants.download(alice, { target, face: 'rest', baseUrl });
      const want = new Map([['README.md', readme], ['config.json', files.get('config.json')!], ['weights.bin', weights]]);
      for (const f of grant.files) assert.deepEqual((await fetchBytes(f.url)).body, want.get(f.path), f.path);
    });

    it('a presigned POST stores exactly the declared bytes, base64 or hex digest, size known or not', async () => {
      for (const [bytes, sha, size] of [
        [randomBytes(5000), 'b64', true],
        [randomBytes(70 * 1024), 'hex', false],
      ] as const) {
        const digest = sha === 'b64' ? sha256B64(bytes) : sha256Hex(bytes);
        const grant = await registry.grants.upload(alice, { fileName: 'data.bin', sha256: digest, scope: 'APPLICATION', baseUrl, face: 'rest', ...(size ? { size: bytes.length } : {}) });
        assert.equal(grant.uploadNeeded, true);
        assert.equal(grant.fields['x-amz-checksum-sha256'], sha256B64(bytes));
        const key = grant.fields.key!;
        assert.equal(key, `uploads/${grant.fileId}`);
        assert.ok(grant.expiresAt.getTime() - Date.now() <= 3600_000);
        const posted = await postForm(grant, bytes);
        assert.equal(posted.status, 204, posted.text);
        assert.deepEqual(await systemObject(key), bytes);
      }
    });

    it('refuses, and stores nothing of, a body with another digest or outside the size range', async () => {
      const bytes = randomBytes(4000);
      const sized = await registry.grants.upload(alice, { fileName: 'f', sha256: sha256B64(bytes), scope: 'APPLICATION', size: bytes.length, baseUrl, face: 'rest' });
      const other = await postForm(sized, Buffer.concat([bytes.subarray(0, -1), Buffer.from([bytes.at(-1)! ^ 1])]));
      assert.equal(other.status, 400, other.text);
      assert.match(other.text, /BadDigest/);
      const longer = await postForm(sized, Buffer.concat([bytes, Buffer.from('x')]));
      assert.equal(longer.status, 400, longer.text);
      assert.match(longer.text, /EntityTooLarge/);
      const shorter = await postForm(sized, bytes.subarray(1));
      assert.equal(shorter.status, 400, shorter.text);
      assert.match(shorter.text, /EntityTooSmall/);
      assert.equal(await systemObject(sized.fields.key!), null);
      const empty = Buffer.alloc(0);
      const unsized = await registry.grants.upload(alice, { fileName: 'f', sha256: sha256Hex(empty), scope: 'APPLICATION', baseUrl, face: 'rest' });
      assert.match((await postForm(unsized, empty)).text, /EntityTooSmall/);
      assert.equal(await systemObject(unsized.fields.key!), null);
      // The form is bound to its key: another key breaks the policy.
      const moved = { ...sized, fields: { ...sized.fields, key: 'uploads/elsewhere' } };
      assert.equal((await postForm(moved, bytes)).status, 403);
      assert.equal(await systemObject('uploads/elsewhere'), null);
    });

    it('needs no upload for content the store holds (size known)', async () => {
      const held = files.get('weights.bin')!;
      const grant = await registry.grants.upload(alice, { fileName: 'w.bin', sha256: sha256B64(held), scope: 'APPLICATION', size: held.length, baseUrl, face: 'rest' });
      assert.equal(grant.uploadNeeded, false);
      assert.equal(grant.url, '');
      assert.deepEqual(grant.fields, {});
      const unsized = await registry.grants.upload(alice, { fileName: 'w.bin', sha256: sha256B64(held), scope: 'APPLICATION', baseUrl, face: 'rest' });
      assert.equal(unsized.uploadNeeded, true);
      const audit = await registry.audit.list(root, { action: 'grant.upload', limit: 2 });
      assert.equal(audit.items[1]!.detail.uploadNeeded, false);
      assert.equal(audit.items[0]!.detail.uploadNeeded, true);
    });

    it('checks its input: digest, scope and sessionId, size, scope of the caller', async () => {
      const base = { fileName: 'f', sha256: sha256Hex(Buffer.from('x')), baseUrl, face: 'rest' } as const;
      await rejectsWith(registry.grants.upload(alice, { ...base, scope: 'APPLICATION', sha256: 'abc' }), 'InvalidArgument');
      await rejectsWith(registry.grants.upload(alice, { ...base, scope: 'APPLICATION', sessionId: 's1' }), 'InvalidArgument');
      await rejectsWith(registry.grants.upload(alice, { ...base, scope: 'SESSION' }), 'InvalidArgument');
      await rejectsWith(registry.grants.upload(alice, { ...base, scope: 'SESSION', sessionId: '../x' }), 'InvalidArgument');
      await rejectsWith(registry.grants.upload(alice, { ...base, scope: 'APPLICATION', size: 5 * 1024 ** 3 + 1 }), 'InvalidArgument');
      await rejectsWith(registry.grants.upload(alice, { ...base, scope: 'APPLICATION', fileName: '' }), 'InvalidArgument');
      await rejectsWith(registry.grants.upload({ ...alice, scopes: new Set(['read']) }, { ...base, scope: 'APPLICATION' }), 'AccessDenied');
    });

    it('SESSION files share the session expiry and are swept once it passes', async () => {
      const session = `s-${randomBytes(6).toString('hex')}`;
      const first = randomBytes(3000);
      const second = randomBytes(2000);
      const g1 = await registry.grants.upload(alice, { fileName: 'a', sha256: sha256B64(first), scope: 'SESSION', sessionId: session, baseUrl, face: 'rest' });
      await new Promise((r) => setTimeout(r, 20));
      const g2 = await registry.grants.upload(alice, { fileName: 'b', sha256: sha256B64(second), scope: 'SESSION', sessionId: session, baseUrl, face: 'rest' });
      for (const [g, bytes] of [[g1, first], [g2, second]] as const) {
        assert.match(g.fields.key!, new RegExp(`^sessions/${session}/`));
        assert.equal((await postForm(g, bytes)).status, 204);
      }
      const slots = await Promise.all([g1, g2].map((g) => t.signet.meta.registry.getUploadSlot(g.fileId)));
      assert.equal(slots[0]!.expiresAt.getTime(), slots[1]!.expiresAt.getTime());
      assert.ok(Math.abs(slots[0]!.expiresAt.getTime() - Date.now() - 24 * 3600_000) < 60_000);
      assert.equal(await registry.grants.sweepSessions(new Date()), 0);
      assert.deepEqual(await systemObject(g1.fields.key!), first);
      const removed = await registry.grants.sweepSessions(new Date(Date.now() + 25 * 3600_000));
      assert.ok(removed >= 2, `removed ${removed}`);
      assert.equal(await systemObject(g1.fields.key!), null);
      assert.equal(await systemObject(g2.fields.key!), null);
      assert.equal(await t.signet.meta.registry.getUploadSlot(g1.fileId), null);
      // Registered files are never swept.
      const grant = await registry.grants.download(alice, { target: v1, face: 'rest', baseUrl, limit: 1 });
      assert.equal((await fetchBytes(grant.files[0]!.url)).status, 200);
    });
  });

  describe('sweeping', () => {
    it('removes APPLICATION uploads nobody registered a day after their grant lapsed, never registered files', async () => {
      const bytes = randomBytes(1500);
      const grant = await registry.grants.upload(alice, { fileName: 'orphan', sha256: sha256B64(bytes), scope: 'APPLICATION', baseUrl, face: 'rest' });
      assert.equal((await postForm(grant, bytes)).status, 204);
      // Content already held: no upload, but a system object was set aside for the slot.
      const held = files.get('weights.bin')!;
      const skipped = await registry.grants.upload(alice, { fileName: 'w', sha256: sha256Hex(held), scope: 'APPLICATION', size: held.length, baseUrl, face: 'rest' });
      const heldKey = (await t.signet.meta.registry.getUploadSlot(skipped.fileId))!.objectKey;
      assert.deepEqual(await systemObject(heldKey), held);
      await registry.grants.sweepSessions(new Date(Date.now() + 3 * 3600_000));
      assert.deepEqual(await systemObject(grant.fields.key!), bytes);
      await registry.grants.sweepSessions(new Date(Date.now() + 26 * 3600_000));
      assert.equal(await systemObject(grant.fields.key!), null);
      assert.equal(await t.signet.meta.registry.getUploadSlot(grant.fileId), null);
      assert.equal(await systemObject(heldKey), null);
      const v1Grant = await registry.grants.download(alice, { target: v1, face: 'rest', baseUrl });
      for (const f of v1Grant.files) assert.deepEqual((await fetchBytes(f.url)).body, files.get(f.path), f.path);
      // The published version's files landed in uploads/ too, and stay.
      const published = await registry.grants.download(alice, { target: { kind: 'model-version', model: { namespace: 'acme', name: 'published' }, selector: { latest: true } }, face: 'rest', baseUrl });
      for (const f of published.files) assert.equal((await fetchBytes(f.url)).status, 200, f.path);
    });
  });

  describe('gates and hubs', () => {
    it('a gated model gives no URLs until its EULA is accepted, per request or once; recorded and listed', async () => {
      const ref = { namespace: 'acme', name: 'gated' };
      await registry.models.createModel(root, { ...ref, gate: { eula: 'https://example.com/eula', version: '1' } });
      await registry.models.registerVersion(root, ref, { source: parseS3Uri(`s3://${BUCKET}/llm/v1/weights.bin`) });
      const target = { kind: 'model-version', model: ref, selector: { latest: true } } as const;
      await rejectsWith(registry.grants.download(alice, { target, face: 'dvc', baseUrl }), 'EulaNotAccepted', /gated/);
      const g = await registry.grants.download(alice, { target, face: 'sagemaker', baseUrl, acceptEula: true });
      assert.equal((await fetchBytes(g.files[0]!.url)).status, 200);
      // Accepting with a request is good for that request only (audited, not kept).
      await rejectsWith(registry.grants.download(alice, { target, face: 'dvc', baseUrl }), 'EulaNotAccepted');
      await registry.gates.accept(alice, { kind: 'model', model: ref });
      await registry.grants.download(alice, { target, face: 'dvc', baseUrl }); // recorded: no need to accept again
      const bob = { ...alice, userId: 'bob-id', userName: 'bob' };
      await rejectsWith(registry.grants.download(bob, { target, face: 'rest', baseUrl }), 'EulaNotAccepted');
      // A new EULA version needs a new acceptance.
      await registry.models.updateModel(root, ref, { gate: { eula: 'https://example.com/eula', version: '2' } });
      await rejectsWith(registry.grants.download(alice, { target, face: 'dvc', baseUrl }), 'EulaNotAccepted');
      const accepted = await registry.gates.accept(alice, { kind: 'model', model: ref });
      assert.equal(accepted.eulaVersion, '2');
      await registry.grants.download(alice, { target, face: 'dvc', baseUrl });
      const listed = await registry.gates.listAcceptances(root, { kind: 'model', model: ref });
      assert.deepEqual(listed.map((a) => [a.userName, a.eulaVersion]), [['alice', '2'], ['alice', '1']]);
      await rejectsWith(registry.gates.listAcceptances(alice, null), 'AccessDenied');
      await rejectsWith(registry.gates.accept(alice, { kind: 'model', model: llm }), 'InvalidRequest');
      const audit = await registry.audit.list(root, { action: 'eula.accept', userName: 'alice' });
      assert.deepEqual(audit.items.map((e) => e.detail.how), ['accept', 'accept', 'request']);
    });

    it('hub content: pinned from HostingArtifactUri, gated by HostingEulaUri, ExpectedS3Url checked; references share both', async () => {
      await registry.hubs.createHub(root, { name: 'public-hub', description: 'source' });
      await registry.hubs.createHub(root, { name: 'team-hub' });
      await rejectsWith(registry.hubs.createHub(root, { name: 'team-hub' }), 'ResourceInUse');
      await rejectsWith(registry.hubs.createHub(root, { name: 'bad_name' }), 'InvalidArgument');
      const artifact = `s3://${BUCKET}/llm/v1/`;
      const document = JSON.stringify({ HostingArtifactUri: artifact, HostingEulaUri: 's3://eulas/llm.txt' });
      const imported = await registry.hubs.importContent(root, { hubName: 'public-hub', type: 'Model', name: 'llm', document, version: '2.0.0' });
      assert.equal(imported.fileCount, files.size);
      assert.equal(imported.eulaUri, 's3://eulas/llm.txt');
      await rejectsWith(registry.hubs.importContent(root, { hubName: 'public-hub', type: 'Model', name: 'llm', document, version: '2.0.0' }), 'ResourceInUse');
      await rejectsWith(registry.hubs.importContent(root, { hubName: 'public-hub', type: 'Model', name: 'x', document: '[1]' }), 'InvalidArgument');
      const target = { kind: 'hub-content', hubName: 'public-hub', type: 'Model', name: 'llm' } as const;
      await rejectsWith(registry.grants.download(alice, { target, face: 'sagemaker', baseUrl }), 'EulaNotAccepted');
      await rejectsWith(
        registry.grants.download(alice, { target, face: 'sagemaker', baseUrl, acceptEula: true, expectedS3Url: `s3://${BUCKET}/other/` }),
        'InvalidArgument',
        /ExpectedS3Url does not match/,
      );
      const g = await registry.grants.download(alice, { target, face: 'sagemaker', baseUrl, acceptEula: true, expectedS3Url: artifact.slice(0, -1) });
      assert.equal(g.files.length, files.size);
      for (const f of g.files) assert.deepEqual((await fetchBytes(f.url)).body, files.get(f.path), f.path);

      const arn = `arn:aws:sagemaker:${registry.account.region}:${registry.account.accountId}:hub-content/public-hub/Model/llm`;
      const reference = await registry.hubs.createReference(root, { hubName: 'team-hub', sourceArn: arn });
      assert.equal(reference.type, 'ModelReference');
      assert.equal(reference.eulaUri, imported.eulaUri);
      const refTarget = { kind: 'hub-content', hubName: 'team-hub', type: 'ModelReference', name: 'llm' } as const;
      // Once Alice accepts the source's EULA, the reference is open to her, not to bob.
      await rejectsWith(registry.grants.download(alice, { target: refTarget, face: 'sagemaker', baseUrl }), 'EulaNotAccepted');
      await registry.gates.accept(alice, { kind: 'hub-content', hubName: 'public-hub', type: 'Model', name: 'llm' });
      await registry.grants.download(alice, { target: refTarget, face: 'sagemaker', baseUrl });
      await rejectsWith(registry.grants.download({ ...alice, userId: 'bob-id', userName: 'bob' }, { target: refTarget, face: 'sagemaker', baseUrl }), 'EulaNotAccepted');
      await rejectsWith(registry.hubs.createReference(root, { hubName: 'public-hub', sourceArn: arn }), 'InvalidArgument');
      await rejectsWith(registry.hubs.createReference(root, { hubName: 'team-hub', sourceArn: arn.replace('llm', 'nope') }), 'ResourceNotFound');

      await rejectsWith(registry.hubs.deleteHub(root, 'public-hub'), 'ResourceInUse');
      await registry.hubs.deleteContent(root, 'public-hub', 'Model', 'llm', null);
      await registry.hubs.deleteHub(root, 'public-hub');
      // The reference keeps the shared files.
      const kept = await registry.grants.download(alice, { target: refTarget, face: 'sagemaker', baseUrl, acceptEula: true });
      for (const f of kept.files) assert.deepEqual((await fetchBytes(f.url)).body, files.get(f.path), f.path);
      await registry.hubs.deleteReference(root, 'team-hub', 'llm');
      assert.equal(await systemObject(new URL(kept.files[0]!.url).pathname.slice(`/${system.bucket}/`.length)), null);
    });

    it('lists hubs and contents with sealed cursors', async () => {
      for (const n of ['list-a', 'list-b', 'list-c']) await registry.hubs.createHub(root, { name: n });
      const names: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<Registry['hubs']['listHubs']>> = await registry.hubs.listHubs(alice, { nameContains: 'list-', sortBy: 'HubName', order: 'Ascending', limit: 2, cursor });
        names.push(...page.items.map((h) => h.name));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(names, ['list-a', 'list-b', 'list-c']);
      for (const v of ['1.0.0', '1.0.10', '1.0.9']) {
        await registry.hubs.importContent(root, { hubName: 'list-a', type: 'JsonDoc', name: 'doc', version: v, document: '{}' });
      }
      const versions = await registry.hubs.listContentVersions(alice, { hubName: 'list-a', type: 'JsonDoc', name: 'doc', sortBy: 'HubContentName', order: 'Ascending' });
      assert.deepEqual(versions.items.map((c) => c.version), ['1.0.0', '1.0.9', '1.0.10']);
      assert.equal((await registry.hubs.getContent(alice, 'list-a', 'JsonDoc', 'doc')).version, '1.0.10');
      const first = await registry.hubs.listHubs(alice, { limit: 1 });
      await rejectsWith(registry.hubs.listHubs(alice, { limit: 1, sortBy: 'HubName', cursor: first.nextCursor }), 'InvalidArgument');
    });
  });
});
