/**
 * The BlobStore contract, run against every implementation. A factory makes
 * a fresh, empty store and says how to look at its temporaries (tests check
 * that failures leave none).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import { LocalFsBlobStore, storedBytes } from '../../src/adapters/blob/local-fs-blob-store.ts';
import type { BlobStore } from '../../src/ports/blob-store.ts';

export interface BlobStoreFactory {
  readonly name: string;
  create(): Promise<{ store: BlobStore; temporaries(): Promise<string[]>; cleanup(): Promise<void> }>;
}

const localFs: BlobStoreFactory = {
  name: 'local fs',
  async create() {
    const dir = await mkdtemp(join(tmpdir(), 'signet-blobs-'));
    const store = new LocalFsBlobStore(join(dir, 'blobs'));
    return {
      store,
      temporaries: async () => readdir(store.tmp).catch(() => []),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    };
  },
};

export const BLOB_STORE_FACTORIES: readonly BlobStoreFactory[] = [localFs];

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

async function put(store: BlobStore, data: Buffer, chunk = 1000): Promise<string> {
  const w = await store.createWriter();
  for (let o = 0; o < data.length; o += chunk) await w.write(data.subarray(o, o + chunk));
  const name = sha256(data);
  await w.commit(name);
  return name;
}

export function blobStoreContract(factory: BlobStoreFactory): void {
  describe(`BlobStore contract: ${factory.name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanups) await c();
    });
    const fresh = async () => {
      const f = await factory.create();
      cleanups.push(f.cleanup);
      await f.store.ping();
      return f;
    };

    it('writes, commits and reads whole and ranges', async () => {
      const { store, temporaries } = await fresh();
      const data = randomBytes(3 * 1024 * 1024 + 17);
      const name = await put(store, data, 64 * 1024);
      assert.deepEqual(await readAll(store.read(name, 0, data.length)), data);
      assert.deepEqual(await readAll(store.read(name, 5, 10)), data.subarray(5, 15));
      const mid = 1024 * 1024 - 3;
      assert.deepEqual(await readAll(store.read(name, mid, 2 * 1024 * 1024)), data.subarray(mid, mid + 2 * 1024 * 1024));
      assert.equal((await readAll(store.read(name, 100, 0))).length, 0);
      const info = await store.stat(name);
      assert.equal(info?.size, data.length);
      assert.equal(info?.sha256, name);
      assert.deepEqual(await temporaries(), []);
    });

    it('stores the empty blob', async () => {
      const { store } = await fresh();
      const name = await put(store, Buffer.alloc(0));
      assert.equal((await store.stat(name))?.size, 0);
      assert.equal((await readAll(store.read(name, 0, 0))).length, 0);
    });

    it('fails reads of missing blobs and past the end', async () => {
      const { store } = await fresh();
      const name = await put(store, Buffer.from('hello'));
      await assert.rejects(readAll(store.read('0'.repeat(64), 0, 1)));
      await assert.rejects(readAll(store.read('0'.repeat(64), 0, 0)));
      await assert.rejects(readAll(store.read(name, 3, 3)));
      assert.equal(await store.stat('1'.repeat(64)), null);
    });

    it('refreshes the mtime when committing an existing name', async () => {
      const { store } = await fresh();
      const data = Buffer.from('same bytes');
      const name = await put(store, data);
      const first = (await store.stat(name))!.modified;
      await sleep(20);
      await put(store, data);
      const second = (await store.stat(name))!.modified;
      assert.ok(second > first, `${second.toISOString()} should be after ${first.toISOString()}`);
      assert.deepEqual(await storedBytes(store), { count: 1, bytes: data.length });
    });

    it('abort leaves nothing, and is idempotent', async () => {
      const { store, temporaries } = await fresh();
      const w = await store.createWriter();
      await w.write(randomBytes(100_000));
      await w.abort();
      await w.abort();
      await assert.rejects(w.write(Buffer.from('x')));
      assert.deepEqual(await temporaries(), []);
      assert.deepEqual(await storedBytes(store), { count: 0, bytes: 0 });
    });

    it('delete removes a blob not modified since the cutoff', async () => {
      const { store, temporaries } = await fresh();
      const name = await put(store, Buffer.from('garbage'));
      await sleep(5);
      assert.equal(await store.delete(name, new Date()), true);
      assert.equal(await store.stat(name), null);
      assert.equal(await store.delete(name, new Date()), false);
      assert.deepEqual(await temporaries(), []);
    });

    it('delete loses to a re-commit after the cutoff', async () => {
      const { store, temporaries } = await fresh();
      const data = Buffer.from('wanted again');
      const name = await put(store, data);
      await sleep(5);
      const cutoff = new Date();
      await sleep(5);
      await put(store, data); // the race: a PUT of the same bytes lands after the GC's cutoff
      assert.equal(await store.delete(name, cutoff), false);
      assert.deepEqual(await readAll(store.read(name, 0, data.length)), data);
      assert.deepEqual(await temporaries(), []);
    });

    it('delete racing commits of the same name never loses the blob', async () => {
      const { store } = await fresh();
      const data = randomBytes(10_000);
      const name = await put(store, data);
      await sleep(5);
      const cutoff = new Date();
      await sleep(5);
      const writer = await store.createWriter();
      await writer.write(data);
      const [deleted] = await Promise.all([store.delete(name, cutoff), writer.commit(name)]);
      // Whatever the interleaving, the committed blob is there afterwards.
      assert.equal(typeof deleted, 'boolean');
      assert.deepEqual(await readAll(store.read(name, 0, data.length)), data);
    });

    it('lists every blob', async () => {
      const { store } = await fresh();
      const names = new Set<string>();
      for (let i = 0; i < 20; i++) names.add(await put(store, Buffer.from(`blob ${i}`)));
      const pending = await store.createWriter(); // temporaries are not blobs
      await pending.write(Buffer.from('not yet'));
      const listed = new Map<string, number>();
      for await (const b of store.list()) listed.set(b.sha256, b.size);
      assert.deepEqual(new Set(listed.keys()), names);
      for (const [, size] of listed) assert.ok(size >= 6);
      await pending.abort();
    });

    it('sweeps old temporaries only', async () => {
      const { store, temporaries } = await fresh();
      const old = await store.createWriter();
      await old.write(Buffer.from('crashed writer'));
      await sleep(20);
      const cutoff = new Date();
      await sleep(20); // ctime comes from the kernel's coarse clock (a few ms behind)
      const young = await store.createWriter();
      await young.write(Buffer.from('still writing'));
      assert.equal(await store.sweepTemporary(cutoff), 1);
      assert.equal((await temporaries()).length, 1);
      const name = sha256(Buffer.from('still writing'));
      await young.commit(name);
      assert.equal((await store.stat(name))?.size, 13);
      await assert.rejects(old.commit(sha256(Buffer.from('crashed writer'))));
      assert.deepEqual(await temporaries(), []);
    });

    it('rejects invalid blob names before touching storage', async () => {
      const { store, temporaries } = await fresh();
      const bad = ['', '../../etc/passwd', 'A'.repeat(64), 'g'.repeat(64), 'a'.repeat(63), `${'a'.repeat(62)}/x`, 'a'.repeat(65)];
      for (const name of bad) {
        assert.throws(() => store.read(name, 0, 1));
        await assert.rejects(store.stat(name));
        await assert.rejects(store.delete(name, new Date()));
        const w = await store.createWriter();
        await w.write(Buffer.from('x'));
        await assert.rejects(w.commit(name));
        await w.abort();
      }
      assert.deepEqual(await temporaries(), []);
      assert.deepEqual(await storedBytes(store), { count: 0, bytes: 0 });
    });
  });
}

for (const factory of BLOB_STORE_FACTORIES) blobStoreContract(factory);
