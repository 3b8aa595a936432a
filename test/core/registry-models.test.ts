/**
 * The Models service and pinning against real stores: SQLite and PostgreSQL
 * (one fresh store per engine), a real LocalFsBlobStore, objects written
 * through the core's Objects and Multipart (what the S3 face calls), and the
 * real upload grants (recorded on the way, to check what they were asked).
 * The test writes uploaded bytes to the granted system-bucket key as the
 * system account, where the presigned POST would put them.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { LocalFsBlobStore } from '../../src/adapters/blob/local-fs-blob-store.ts';
import { Buckets } from '../../src/core/buckets.ts';
import { isSignetError } from '../../src/core/errors.ts';
import { readExtents } from '../../src/core/extent-reader.ts';
import { collectGarbage } from '../../src/core/gc.ts';
import { Multipart, MIN_PART_SIZE } from '../../src/core/multipart.ts';
import { Objects } from '../../src/core/objects.ts';
import { Cursors } from '../../src/core/registry/cursors.ts';
import { Models, type UploadGranter } from '../../src/core/registry/models.ts';
import { Pinning } from '../../src/core/registry/pinning.ts';
import type { UploadRequest } from '../../src/core/registry/registry-api.ts';
import type { FileOwner, Model, RegisteredFile, RegistryPrincipal, TokenScope } from '../../src/core/registry/registry-types.ts';
import { parseS3Uri } from '../../src/core/registry/s3-uri.ts';
import { ensureSystemAccount, type SystemAccount } from '../../src/core/registry/system-account.ts';
import { UploadGrants } from '../../src/core/registry/upload-grants.ts';
import { UrlSigner } from '../../src/core/registry/url-signer.ts';
import type { Principal } from '../../src/core/types.ts';
import type { MetaStore } from '../../src/ports/meta-store.ts';
import { describeEachMetaStore, type OpenedMetaStore } from '../support/meta-stores.ts';
import { rejectsWith } from '../support/rejects-with.ts';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
/** Objects above this go to blobs; below, inline: both paths get exercised. */
const INLINE = 1024;


/** The real upload grants, with a record of each request and answer. */
class RecordingGranter implements UploadGranter {
  readonly granted: { request: UploadRequest; owner: FileOwner | null; objectKey: string; uploadNeeded: boolean }[] = [];
  readonly #inner: UploadGranter;

  constructor(inner: UploadGranter) {
    this.#inner = inner;
  }

  async grant(who: RegistryPrincipal, request: UploadRequest, owner: FileOwner | null) {
    const grant = await this.#inner.grant(who, request, owner);
    this.granted.push({ request, owner, objectKey: grant.objectKey, uploadNeeded: grant.uploadNeeded });
    return grant;
  }
}

interface World {
  opened: OpenedMetaStore;
  meta: MetaStore;
  blobs: LocalFsBlobStore;
  blobDir: string;
  objects: Objects;
  multipart: Multipart;
  buckets: Buckets;
  system: SystemAccount;
  models: Models;
  granter: RecordingGranter;
  alice: RegistryPrincipal;
  bob: RegistryPrincipal;
  aliceReader: RegistryPrincipal;
  aliceS3: Principal;
  clock: () => Date;
}

function principal(userId: string, userName: string, scopes: TokenScope[]): RegistryPrincipal {
  return { userId, userName, isRoot: false, scopes: new Set(scopes), via: 'token', tokenId: null };
}

async function openWorld(open: () => Promise<OpenedMetaStore>): Promise<World> {
  const opened = await open();
  const meta = opened.store;
  const blobDir = await mkdtemp(join(tmpdir(), 'signet-registry-models-'));
  const blobs = new LocalFsBlobStore(blobDir);
  // Strictly increasing: every record gets its own millisecond, so orders by time are exact.
  let last = 0;
  const clock = () => new Date((last = Math.max(Date.now(), last + 1)));
  const buckets = new Buckets(meta, 'us-east-1', clock);
  const ctx = { meta, blobs, buckets, clock, inlineThreshold: INLINE };
  const objects = new Objects(ctx);
  const multipart = new Multipart(ctx, objects);
  const system = await ensureSystemAccount(meta, 'us-east-1', clock);
  const cursors = new Cursors(system.cursorKey);
  const pinning = new Pinning({ meta, blobs, buckets, system, clock });
  const signer = new UrlSigner(system, 'us-east-1');
  const granter = new RecordingGranter(new UploadGrants({ meta, pinning, signer, clock, bucket: system.bucket }));
  const models = new Models({ meta, pinning, uploads: granter, cursors, clock });
  for (const name of ['alice', 'bob']) await meta.createUser({ id: `id-${name}`, name, isRoot: false, createdAt: clock() });
  const aliceS3: Principal = { userId: 'id-alice', userName: 'alice', isRoot: false, accessKeyId: 'AK-alice' };
  await buckets.create(aliceS3, 'data');
  await buckets.create(aliceS3, 'versioned');
  await meta.updateBucket('versioned', { versioning: 'Enabled' });
  return {
    opened,
    meta,
    blobs,
    blobDir,
    objects,
    multipart,
    buckets,
    system,
    models,
    granter,
    alice: principal('id-alice', 'alice', ['write']),
    bob: principal('id-bob', 'bob', ['write']),
    aliceReader: principal('id-alice', 'alice', ['read']),
    aliceS3,
    clock,
  };
}

function bodyOf(data: Buffer) {
  return { stream: Readable.from([data]), length: data.length, expect: {} };
}

async function put(w: World, bucket: string, key: string, data: Buffer, who: Principal = w.aliceS3) {
  return w.objects.put(who, { bucket, key, body: bodyOf(data), headers: { contentType: 'application/octet-stream' }, userMetadata: {}, tags: [] });
}

/** The bytes a system-bucket object serves now. */
async function systemBytes(w: World, objectKey: string): Promise<Buffer | null> {
  const v = await w.meta.getVersion(w.system.bucket, objectKey, null);
  if (v === null || v.isDeleteMarker) return null;
  if (v.inline !== null) return v.inline;
  const chunks: Buffer[] = [];
  for await (const c of readExtents(w.blobs, v, 0, v.size - 1)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function allFiles(w: World, model: Model, number: number): Promise<RegisteredFile[]> {
  const page = await w.models.listFiles(w.alice, { id: model.id }, number, { limit: 1000 });
  return [...page.items];
}

async function gcNow(w: World) {
  return collectGarbage(w.meta, w.blobs, new Date(Date.now() + 60_000), 0);
}

let modelCounter = 0;
async function newModel(w: World, extra: { unversioned?: boolean } = {}): Promise<Model> {
  modelCounter++;
  return w.models.createModel(w.alice, { namespace: 'acme/models', name: `m${modelCounter}/dvc.yaml:clf`, ...extra });
}

await describeEachMetaStore('registry models', (factory) => {
  let w: World;
  before(async () => {
    w = await openWorld(() => factory.open());
  });
  after(async () => {
    await w?.opened.cleanup();
    if (w) await rm(w.blobDir, { recursive: true, force: true });
  });

  describe('registering', () => {
    it('pins every object under a prefix, with paths relative to it, in byte order', async () => {
      const big = randomBytes(5000);
      const small = Buffer.from('{"a":1}');
      const tok = Buffer.from('tokens');
      await put(w, 'data', 'llama/v1/weights.bin', big);
      await put(w, 'data', 'llama/v1/config.json', small);
      await put(w, 'data', 'llama/v1/sub/dir/tok.txt', tok);
      await put(w, 'data', 'llama/v1/sub/', Buffer.alloc(0)); // a console "folder"
      await put(w, 'data', 'llama/v10/other.bin', Buffer.from('not mine'));
      const model = await newModel(w);
      const { version: v } = await w.models.registerVersion(w.alice, { id: model.id }, { source: parseS3Uri('s3://data/llama/v1/'), label: 'v1.0.0', metadata: { framework: 'torch' } });
      assert.equal(v.number, 1);
      assert.equal(v.status, 'Completed');
      assert.equal(v.sourceUri, 's3://data/llama/v1/');
      assert.equal(v.fileCount, 3);
      assert.equal(v.totalSize, big.length + small.length + tok.length);
      assert.equal(v.createdBy, 'alice');
      const files = await allFiles(w, model, 1);
      assert.deepEqual(files.map((f) => f.path), ['config.json', 'sub/dir/tok.txt', 'weights.bin']);
      assert.deepEqual(files.map((f) => f.sha256), [sha256(small), sha256(tok), sha256(big)]);
      for (const [f, data] of [[files[0]!, small], [files[1]!, tok], [files[2]!, big]] as const) {
        assert.match(f.objectKey, /^files\/[^/]+\//);
        assert.deepEqual(await systemBytes(w, f.objectKey), data);
      }
    });

    it('pins one object (path = last segment or as given), a prefix without "/", and an explicit list', async () => {
      const data = randomBytes(3000);
      await put(w, 'data', 'single/model.safetensors', data);
      const model = await newModel(w);
      const ref = { id: model.id };
      await w.models.registerVersion(w.alice, ref, { source: parseS3Uri('s3://data/single/model.safetensors') });
      assert.deepEqual((await allFiles(w, model, 1)).map((f) => f.path), ['model.safetensors']);
      await w.models.registerVersion(w.alice, ref, { source: { kind: 's3-object', bucket: 'data', key: 'single/model.safetensors', path: 'weights/m.st' } });
      assert.deepEqual((await allFiles(w, model, 2)).map((f) => f.path), ['weights/m.st']);
      await put(w, 'data', 'pfx/a.bin', Buffer.from('a'));
      await put(w, 'data', 'pfx/b/c.bin', Buffer.from('c'));
      const { version: v3 } = await w.models.registerVersion(w.alice, ref, { source: parseS3Uri('s3://data/pfx', true) });
      assert.deepEqual((await allFiles(w, model, 3)).map((f) => f.path), ['a.bin', 'b/c.bin']);
      assert.equal(v3.sourceUri, 's3://data/pfx');
      const old = await put(w, 'versioned', 'k', Buffer.from('first'));
      await put(w, 'versioned', 'k', Buffer.from('second'));
      await w.models.registerVersion(w.alice, ref, {
        source: { kind: 'files', files: [{ path: 'b/old.txt', bucket: 'versioned', key: 'k', versionId: old.versionId }, { path: 'a.txt', bucket: 'versioned', key: 'k' }] },
      });
      const files = await allFiles(w, model, 4);
      assert.deepEqual(files.map((f) => f.path), ['a.txt', 'b/old.txt']);
      assert.equal((await systemBytes(w, files[0]!.objectKey))!.toString(), 'second');
      assert.equal((await systemBytes(w, files[1]!.objectKey))!.toString(), 'first');
    });

    it('keeps serving the pinned bytes after the source is overwritten, deleted and the GC runs', async () => {
      const before = randomBytes(4000);
      const inline = Buffer.from('small and inline');
      await put(w, 'data', 'overwrite/w.bin', before);
      await put(w, 'data', 'overwrite/i.txt', inline);
      const model = await newModel(w);
      await w.models.registerVersion(w.alice, { id: model.id }, { source: parseS3Uri('s3://data/overwrite/') });
      await put(w, 'data', 'overwrite/w.bin', randomBytes(4000));
      await w.objects.delete(w.aliceS3, 'data', 'overwrite/i.txt', null);
      await gcNow(w);
      const files = await allFiles(w, model, 1);
      assert.deepEqual(await systemBytes(w, files.find((f) => f.path === 'w.bin')!.objectKey), before);
      assert.deepEqual(await systemBytes(w, files.find((f) => f.path === 'i.txt')!.objectKey), inline);
    });

    it('computes the SHA-256 of a multipart source, which has none', async () => {
      const part1 = randomBytes(MIN_PART_SIZE);
      const part2 = randomBytes(1000);
      const upload = await w.multipart.create(w.aliceS3, { bucket: 'data', key: 'mp/big.bin', headers: {}, userMetadata: {}, tags: [], checksumAlgorithm: null, checksumType: null });
      const p1 = await w.multipart.uploadPart(w.aliceS3, 'data', 'mp/big.bin', upload.uploadId, 1, bodyOf(part1));
      const p2 = await w.multipart.uploadPart(w.aliceS3, 'data', 'mp/big.bin', upload.uploadId, 2, bodyOf(part2));
      const done = await w.multipart.complete(w.aliceS3, 'data', 'mp/big.bin', upload.uploadId, [
        { partNumber: 1, etag: p1.etag, checksums: {} },
        { partNumber: 2, etag: p2.etag, checksums: {} },
      ]);
      assert.equal(done.sha256, null);
      const model = await newModel(w);
      await w.models.registerVersion(w.alice, { id: model.id }, { source: parseS3Uri('s3://data/mp/big.bin') });
      const [file] = await allFiles(w, model, 1);
      const whole = Buffer.concat([part1, part2]);
      assert.equal(file!.sha256, sha256(whole));
      assert.equal(file!.size, whole.length);
      const pinned = await w.meta.getVersion(w.system.bucket, file!.objectKey, null);
      assert.equal(pinned!.sha256, sha256(whole));
    });

    it('refuses a caller who may not read the source, and sources that do not exist; registers nothing', async () => {
      const model = await newModel(w);
      const ref = { id: model.id };
      await rejectsWith(w.models.registerVersion(w.bob, ref, { source: parseS3Uri('s3://data/llama/v1/') }), 'AccessDenied');
      await rejectsWith(w.models.registerVersion(w.alice, ref, { source: parseS3Uri('s3://nosuch-bucket/x/') }), 'NoSuchBucket');
      await rejectsWith(w.models.registerVersion(w.alice, ref, { source: parseS3Uri('s3://data/llama/nothing.bin') }), 'NoSuchKey');
      await rejectsWith(w.models.registerVersion(w.alice, ref, { source: parseS3Uri('s3://data/empty/prefix/') }), 'InvalidArgument', /no objects under s3:\/\/data\/empty\/prefix\//);
      await rejectsWith(w.models.registerVersion(w.aliceReader, ref, { source: parseS3Uri('s3://data/llama/v1/') }), 'AccessDenied');
      assert.equal((await w.models.listVersions(w.alice, ref, {})).items.length, 0);
    });

    it('undoes the pins when the version cannot be stored (label taken, unversioned model full)', async () => {
      const model = await newModel(w);
      await w.models.registerVersion(w.alice, { id: model.id }, { source: parseS3Uri('s3://data/llama/v1/'), label: 'same' });
      const count = async () => (await w.meta.listObjects(w.system.bucket, { prefix: '', after: null, limit: 100000 })).length;
      const objectsBefore = await count();
      await rejectsWith(w.models.registerVersion(w.alice, { id: model.id }, { source: parseS3Uri('s3://data/llama/v1/'), label: 'same' }), 'ResourceInUse');
      const single = await newModel(w, { unversioned: true });
      await w.models.registerVersion(w.alice, { id: single.id }, { source: parseS3Uri('s3://data/single/model.safetensors') });
      await rejectsWith(w.models.registerVersion(w.alice, { id: single.id }, { source: parseS3Uri('s3://data/single/model.safetensors') }), 'ResourceInUse');
      assert.equal(await count(), objectsBefore + 1);
      // The stage refusing the new version leaves nothing either.
      await rejectsWith(
        w.models.registerVersion(w.alice, { id: model.id }, { source: parseS3Uri('s3://data/llama/v1/'), stage: { stage: 'prod', expect: 7 } }),
        'Conflict',
      );
      assert.equal(await count(), objectsBefore + 1);
      assert.equal((await w.models.listVersions(w.alice, { id: model.id }, {})).items.length, 1);
    });
  });

  describe('deleting', () => {
    it('keeps bytes another version still uses; frees them when nothing does', async () => {
      const data = randomBytes(6000);
      await put(w, 'data', 'shared/w.bin', data);
      const a = await newModel(w);
      const b = await newModel(w);
      await w.models.registerVersion(w.alice, { id: a.id }, { source: parseS3Uri('s3://data/shared/') });
      await w.models.registerVersion(w.alice, { id: b.id }, { source: parseS3Uri('s3://data/shared/') });
      const [fa] = await allFiles(w, a, 1);
      const [fb] = await allFiles(w, b, 1);
      await w.objects.delete(w.aliceS3, 'data', 'shared/w.bin', null);
      await w.models.deleteVersion(w.alice, { id: a.id }, 1);
      await rejectsWith(w.models.getVersion(w.alice, { id: a.id }, { number: 1 }), 'ResourceNotFound');
      assert.equal(await systemBytes(w, fa!.objectKey), null);
      await gcNow(w);
      assert.deepEqual(await systemBytes(w, fb!.objectKey), data);
      await w.models.deleteModel(w.alice, { id: b.id });
      await rejectsWith(w.models.getModel(w.alice, { id: b.id }), 'ResourceNotFound');
      assert.equal(await systemBytes(w, fb!.objectKey), null);
      await gcNow(w);
      assert.equal(await w.blobs.stat(sha256(data)), null);
    });
  });

  describe('stages', () => {
    let model: Model;
    before(async () => {
      model = await newModel(w);
      for (let i = 0; i < 3; i++) await w.models.registerVersion(w.alice, { id: model.id }, { source: parseS3Uri('s3://data/llama/v1/') });
    });

    it('moves with compare-and-swap, swaps atomically, and answers which version a stage held at a time', async () => {
      const ref = { id: model.id };
      const t0 = w.clock();
      await w.models.moveStages(w.alice, ref, [{ stage: 'champion', to: 1, expect: null }]);
      await w.models.moveStages(w.alice, ref, [{ stage: 'challenger', to: 2 }]);
      const t1 = w.clock();
      await rejectsWith(w.models.moveStages(w.alice, ref, [{ stage: 'champion', to: 3, expect: 2 }]), 'Conflict');
      // Swap: both or neither.
      await rejectsWith(w.models.moveStages(w.alice, ref, [{ stage: 'champion', to: 2, expect: 1 }, { stage: 'challenger', to: 1, expect: 3 }]), 'Conflict');
      assert.equal((await w.models.getVersion(w.alice, ref, { stage: 'champion' })).number, 1);
      const moved = await w.models.moveStages(w.alice, ref, [{ stage: 'champion', to: 2, expect: 1 }, { stage: 'challenger', to: 1, expect: 2 }]);
      assert.deepEqual(moved.map((s) => [s.stage, s.number]).sort(), [['challenger', 1], ['champion', 2]]);
      assert.equal((await w.models.getVersion(w.alice, ref, { stage: 'champion' })).number, 2);
      assert.equal(await w.models.stageAt(w.alice, ref, 'champion', t0), null);
      assert.equal(await w.models.stageAt(w.alice, ref, 'champion', t1), 1);
      assert.equal(await w.models.stageAt(w.alice, ref, 'champion', w.clock()), 2);
      assert.equal((await w.models.getStages(w.aliceReader, ref)).length, 2);
      await rejectsWith(w.models.moveStages(w.aliceReader, ref, [{ stage: 'x', to: 1 }]), 'AccessDenied');
    });

    it('pages the history newest first and refuses bad moves', async () => {
      const ref = { id: model.id };
      const first = await w.models.stageHistory(w.alice, ref, 'champion', { limit: 1 });
      assert.equal(first.items.length, 1);
      assert.equal(first.items[0]!.number, 2);
      const second = await w.models.stageHistory(w.alice, ref, 'champion', { limit: 1, cursor: first.nextCursor });
      assert.equal(second.items[0]!.number, 1);
      assert.equal(second.nextCursor, null);
      await rejectsWith(w.models.stageHistory(w.alice, ref, 'challenger', { cursor: first.nextCursor }), 'InvalidArgument', /pagination token/);
      await rejectsWith(w.models.moveStages(w.alice, ref, [{ stage: 'prod', to: 99 }]), 'ResourceNotFound');
      await rejectsWith(w.models.moveStages(w.alice, ref, [{ stage: 'bad stage!', to: 1 }]), 'InvalidArgument');
      await rejectsWith(w.models.moveStages(w.alice, ref, [{ stage: 'a', to: 1 }, { stage: 'a', to: 2 }]), 'InvalidArgument');
      await rejectsWith(w.models.getVersion(w.alice, ref, { stage: 'nowhere' }), 'ResourceNotFound');
      // Deleting the version a stage points at clears the stage.
      await w.models.moveStages(w.alice, ref, [{ stage: 'old', to: 3 }]);
      await w.models.deleteVersion(w.alice, ref, 3);
      assert.equal(await w.models.stageAt(w.alice, ref, 'old', w.clock()), null);
    });
  });

  describe('selecting and listing', () => {
    it('finds the latest Completed version, and versions by label', async () => {
      const model = await newModel(w);
      const ref = { id: model.id };
      await w.models.registerVersion(w.alice, ref, { source: parseS3Uri('s3://data/llama/v1/'), label: '1.0.0' });
      await w.models.registerVersion(w.alice, ref, { source: parseS3Uri('s3://data/llama/v1/'), label: '1.1.0' });
      await w.models.declareVersion(w.alice, ref, { files: [{ path: 'x.bin', size: 5, sha256: sha256(Buffer.from('later')) }], baseUrl: 'http://signet', face: 'rest' });
      assert.equal((await w.models.getVersion(w.aliceReader, ref, { latest: true })).number, 2);
      assert.equal((await w.models.getVersion(w.alice, ref, { label: '1.0.0' })).number, 1);
      await rejectsWith(w.models.getVersion(w.alice, ref, { label: '9.9.9' }), 'ResourceNotFound');
      await w.models.updateVersion(w.alice, ref, 1, { label: '1.0.1', approval: 'Approved', description: 'first' });
      const v1 = await w.models.getVersion(w.alice, ref, { label: '1.0.1' });
      assert.equal(v1.approval, 'Approved');
      await rejectsWith(w.models.updateVersion(w.alice, ref, 1, { label: '1.1.0' }), 'ResourceInUse');
      await rejectsWith(w.models.updateVersion(w.alice, ref, 3, { status: 'Completed' }), 'InvalidRequest');
      await rejectsWith(w.models.moveStages(w.alice, ref, [{ stage: 'prod', to: 3 }]), 'InvalidRequest', /Pending/);
      const empty = await newModel(w);
      await rejectsWith(w.models.getVersion(w.alice, { id: empty.id }, { latest: true }), 'ResourceNotFound');
    });

    it('pages with cursors bound to their listing; forged or foreign cursors are refused', async () => {
      const a = await newModel(w);
      const b = await newModel(w);
      for (let i = 0; i < 5; i++) await w.models.registerVersion(w.alice, { id: a.id }, { source: parseS3Uri('s3://data/single/model.safetensors') });
      await w.models.registerVersion(w.alice, { id: b.id }, { source: parseS3Uri('s3://data/single/model.safetensors') });
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await w.models.listVersions(w.alice, { id: a.id }, { limit: 2, cursor });
        seen.push(...page.items.map((v) => v.number));
        cursor = page.nextCursor;
      } while (cursor !== null);
      assert.deepEqual(seen, [1, 2, 3, 4, 5]);
      const page1 = await w.models.listVersions(w.alice, { id: a.id }, { limit: 2 });
      await rejectsWith(w.models.listVersions(w.alice, { id: b.id }, { cursor: page1.nextCursor }), 'InvalidArgument', /pagination token/);
      const [body, mac] = page1.nextCursor!.split('.');
      const forged = Buffer.from(JSON.stringify(4)).toString('base64url') + '.' + mac;
      await rejectsWith(w.models.listVersions(w.alice, { id: a.id }, { cursor: forged }), 'InvalidArgument', /pagination token/);
      await rejectsWith(w.models.listVersions(w.alice, { id: a.id }, { cursor: `${body}.x${mac}` }), 'InvalidArgument');
      await rejectsWith(w.models.listFiles(w.alice, { id: a.id }, 1, { cursor: page1.nextCursor }), 'InvalidArgument');
      await rejectsWith(w.models.listVersions(w.alice, { id: a.id }, { limit: 0 }), 'InvalidArgument');
      await rejectsWith(w.models.listVersions(w.alice, { id: a.id }, { limit: 1001 }), 'InvalidArgument');
      const files = await w.models.listFiles(w.alice, { id: a.id }, 1, { limit: 1 });
      assert.equal(files.nextCursor, null);
    });

    it('lists models and packages with filters, in order, across pages', async () => {
      const ns = 'pkg-test';
      const made: Model[] = [];
      for (const name of ['beta', 'alpha', 'gamma']) made.push(await w.models.createModel(w.alice, { namespace: ns, name }));
      const solo = await w.models.createModel(w.alice, { namespace: ns, name: 'solo', unversioned: true });
      for (const m of made) {
        for (let i = 0; i < 2; i++) await w.models.registerVersion(w.alice, { id: m.id }, { source: parseS3Uri('s3://data/single/model.safetensors') });
      }
      await w.models.registerVersion(w.alice, { id: solo.id }, { source: parseS3Uri('s3://data/single/model.safetensors'), approval: 'Approved' });
      const models = await w.models.listModels(w.alice, { namespace: ns, limit: 3 });
      assert.deepEqual(models.items.map((m) => m.name), ['alpha', 'beta', 'gamma']);
      const rest = await w.models.listModels(w.alice, { namespace: ns, limit: 3, cursor: models.nextCursor });
      assert.deepEqual(rest.items.map((m) => m.name), ['solo']);
      await rejectsWith(w.models.listModels(w.alice, { namespace: 'other', cursor: models.nextCursor }), 'InvalidArgument');

      const names: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await w.models.listPackages(w.alice, { namespace: ns, sortBy: 'Name', order: 'Descending', limit: 2, cursor });
        names.push(...page.items.map((p) => `${p.model.name}#${p.version.number}`));
        cursor = page.nextCursor;
      } while (cursor !== null);
      assert.deepEqual(names, ['solo#1', 'gamma#2', 'gamma#1', 'beta#2', 'beta#1', 'alpha#2', 'alpha#1']);
      const byTime: string[] = [];
      cursor = null;
      do {
        const page = await w.models.listPackages(w.alice, { namespace: ns, type: 'VERSIONED', limit: 4, cursor });
        byTime.push(...page.items.map((p) => `${p.model.name}#${p.version.number}`));
        cursor = page.nextCursor;
      } while (cursor !== null);
      assert.deepEqual(byTime, ['beta#1', 'beta#2', 'alpha#1', 'alpha#2', 'gamma#1', 'gamma#2']);
      const unversioned = await w.models.listPackages(w.alice, { namespace: ns, type: 'UNVERSIONED' });
      assert.deepEqual(unversioned.items.map((p) => p.model.name), ['solo']);
      const approved = await w.models.listPackages(w.alice, { namespace: ns, approval: 'Approved' });
      assert.deepEqual(approved.items.map((p) => p.model.name), ['solo']);
      const page = await w.models.listPackages(w.alice, { namespace: ns, limit: 2 });
      await rejectsWith(w.models.listPackages(w.alice, { namespace: ns, limit: 2, sortBy: 'Name', cursor: page.nextCursor }), 'InvalidArgument');
      await rejectsWith(w.models.listPackages(w.alice, { type: 'ALL' as 'BOTH' }), 'InvalidArgument');
    });
  });

  describe('publishing', () => {
    it('declares, grants uploads only for content the store lacks, and finalizes once the bytes match', async () => {
      const known = randomBytes(3000); // registered already: reused without upload
      await put(w, 'data', 'publish/known.bin', known);
      const seed = await newModel(w);
      await w.models.registerVersion(w.alice, { id: seed.id }, { source: parseS3Uri('s3://data/publish/known.bin') });
      const bare = randomBytes(2500); // a user's object: a blob, reused without upload
      await put(w, 'data', 'publish/bare.bin', bare);
      const fresh = randomBytes(2000);
      const tiny = Buffer.from('tiny');
      const model = await newModel(w);
      const ref = { id: model.id };
      const granted = w.granter.granted.length;
      const { version, uploads } = await w.models.declareVersion(w.alice, ref, {
        label: 'p1',
        files: [
          { path: 'weights/known.bin', size: known.length, sha256: sha256(known) },
          { path: 'weights/bare.bin', size: bare.length, sha256: createHash('sha256').update(bare).digest('base64') },
          { path: 'fresh.bin', size: fresh.length, sha256: sha256(fresh).toUpperCase() },
          { path: 'empty.txt', size: 0, sha256: sha256(Buffer.alloc(0)) },
          { path: 'tiny.txt', size: tiny.length, sha256: createHash('sha256').update(tiny).digest('base64') },
        ],
        baseUrl: 'http://signet.test',
        face: 'rest',
      });
      assert.equal(version.status, 'Pending');
      assert.deepEqual(uploads.map((u) => u.path), ['fresh.bin', 'tiny.txt']);
      assert.ok(uploads.every((u) => !('objectKey' in u) && u.uploadNeeded && u.url.startsWith('http://signet.test/') && Object.keys(u.fields).length > 0));
      const grants = w.granter.granted.slice(granted).sort((a, b) => a.request.fileName.localeCompare(b.request.fileName));
      assert.deepEqual(grants.map((g) => [g.request.fileName, g.request.scope, g.owner]), [['fresh.bin', 'APPLICATION', null], ['tiny.txt', 'APPLICATION', null]]);
      assert.equal(grants[0]!.request.sha256, sha256(fresh));
      const files = await allFiles(w, model, version.number);
      assert.equal(files.find((f) => f.path === 'weights/bare.bin')!.sha256, sha256(bare));
      assert.deepEqual(await systemBytes(w, files.find((f) => f.path === 'weights/known.bin')!.objectKey), known);
      assert.deepEqual(await systemBytes(w, files.find((f) => f.path === 'weights/bare.bin')!.objectKey), bare);

      await rejectsWith(w.models.finalizeVersion(w.alice, ref, version.number), 'InvalidRequest', /fresh\.bin, tiny\.txt/);
      await put(w, w.system.bucket, grants[0]!.objectKey, fresh, w.system.principal);
      await put(w, w.system.bucket, grants[1]!.objectKey, Buffer.from('TINY'), w.system.principal);
      await rejectsWith(w.models.finalizeVersion(w.alice, ref, version.number), 'InvalidRequest', /^1 file\(s\).*tiny\.txt$/);
      assert.equal((await w.models.getVersion(w.alice, ref, { number: version.number })).status, 'Pending');
      await put(w, w.system.bucket, grants[1]!.objectKey, tiny, w.system.principal);
      const done = await w.models.finalizeVersion(w.alice, ref, version.number);
      assert.equal(done.status, 'Completed');
      assert.equal((await w.models.getVersion(w.alice, ref, { latest: true })).number, version.number);
      assert.equal((await w.models.finalizeVersion(w.alice, ref, version.number)).status, 'Completed');

      // The reused bytes outlive the version they were found in.
      await w.objects.delete(w.aliceS3, 'data', 'publish/known.bin', null);
      await w.objects.delete(w.aliceS3, 'data', 'publish/bare.bin', null);
      await w.models.deleteModel(w.alice, { id: seed.id });
      await gcNow(w);
      for (const f of await allFiles(w, model, version.number)) {
        const bytes = await systemBytes(w, f.objectKey);
        assert.ok(bytes !== null, f.path);
        assert.equal(sha256(bytes), f.sha256, f.path);
      }
    });

    it('refuses bad declarations before granting anything', async () => {
      const model = await newModel(w);
      const ref = { id: model.id };
      const granted = w.granter.granted.length;
      const declare = (files: { path: string; size: number; sha256: string }[]) => w.models.declareVersion(w.alice, ref, { files, baseUrl: 'http://x', face: 'rest' });
      const good = sha256(Buffer.from('x'));
      await rejectsWith(declare([{ path: '../etc/passwd', size: 1, sha256: good }]), 'InvalidArgument', /file path/);
      await rejectsWith(declare([{ path: '/abs', size: 1, sha256: good }]), 'InvalidArgument');
      await rejectsWith(declare([{ path: 'a', size: 1, sha256: good }, { path: 'a', size: 1, sha256: good }]), 'InvalidArgument', /twice/);
      await rejectsWith(declare([{ path: 'a', size: 1, sha256: good }, { path: 'a/b', size: 1, sha256: good }]), 'InvalidArgument', /folder/);
      await rejectsWith(declare([{ path: 'a', size: -1, sha256: good }]), 'InvalidArgument', /size/);
      await rejectsWith(declare([{ path: 'a', size: 1, sha256: 'abc' }]), 'InvalidArgument', /sha256/);
      assert.equal(w.granter.granted.length, granted);
      assert.equal((await w.models.listVersions(w.alice, ref, {})).items.length, 0);
    });
  });

  describe('validation', () => {
    it('refuses bad names and fields with InvalidArgument naming the field', async () => {
      const bad: [Parameters<Models['createModel']>[1], RegExp][] = [
        [{ namespace: '', name: 'x' }, /namespace/],
        [{ namespace: 'a//b', name: 'x' }, /namespace/],
        [{ namespace: 'ok', name: '/lead' }, /model name/],
        [{ namespace: 'ok', name: 'a/../b' }, /model name/],
        [{ namespace: 'ok', name: 'x'.repeat(257) }, /model name/],
        [{ namespace: 'ok', name: 'tab\there' }, /model name/],
        [{ namespace: 'ok', name: 'x', description: 'd'.repeat(4097) }, /description/],
        [{ namespace: 'ok', name: 'x', gate: { eula: '', version: '1' } }, /gate eula/],
      ];
      for (const [input, message] of bad) await rejectsWith(w.models.createModel(w.alice, input), 'InvalidArgument', message);
      const model = await w.models.createModel(w.alice, { namespace: 'ok', name: 'path/to/dvc.yaml:model' });
      await rejectsWith(w.models.createModel(w.alice, { namespace: 'ok', name: 'path/to/dvc.yaml:model' }), 'ResourceInUse');
      const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
      await rejectsWith(w.models.registerVersion(w.alice, { id: model.id }, { source: { kind: 'none' }, metadata: many }), 'InvalidArgument', /metadata/);
      await rejectsWith(w.models.registerVersion(w.alice, { id: model.id }, { source: { kind: 'none' }, label: 'bad label' }), 'InvalidArgument', /label/);
      await rejectsWith(w.models.getModel(w.alice, { namespace: 'ok', name: 'missing' }), 'ResourceNotFound');
      const { version: none } = await w.models.registerVersion(w.alice, { namespace: 'ok', name: 'path/to/dvc.yaml:model' }, { source: { kind: 'none' } });
      assert.equal(none.fileCount, 0);
    });

    it('parses s3:// URIs', () => {
      assert.deepEqual(parseS3Uri('s3://bkt/k/x.bin'), { kind: 's3-object', bucket: 'bkt', key: 'k/x.bin' });
      assert.deepEqual(parseS3Uri('s3://bkt/k/'), { kind: 's3-prefix', bucket: 'bkt', prefix: 'k/' });
      assert.deepEqual(parseS3Uri('s3://bkt'), { kind: 's3-prefix', bucket: 'bkt', prefix: '' });
      assert.deepEqual(parseS3Uri('s3://bkt/k', true), { kind: 's3-prefix', bucket: 'bkt', prefix: 'k' });
      for (const bad of ['http://bkt/k', 's3://', 's3://Bad_Bucket/k', 'bkt/k']) {
        assert.throws(() => parseS3Uri(bad), (e: unknown) => isSignetError(e) && e.code === 'InvalidArgument', bad);
      }
    });
  });
});
