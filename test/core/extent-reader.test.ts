import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { LocalFsBlobStore } from '../../src/adapters/blob/local-fs-blob-store.ts';
import { readExtents } from '../../src/core/extent-reader.ts';
import type { Extent } from '../../src/core/types.ts';

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('readExtents', () => {
  let dir = '';
  let store: LocalFsBlobStore;
  const blobs = new Map<string, Buffer>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'signet-extents-'));
    store = new LocalFsBlobStore(join(dir, 'blobs'));
    for (const size of [3 * 1024 * 1024 + 5, 1000, 77]) {
      const data = randomBytes(size);
      const name = createHash('sha256').update(data).digest('hex');
      const w = await store.createWriter();
      await w.write(data);
      await w.commit(name);
      blobs.set(name, data);
    }
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const names = (): string[] => [...blobs.keys()];
  const contentOf = (extents: readonly Extent[]): Buffer =>
    Buffer.concat(extents.map((e) => blobs.get(e.blob)!.subarray(e.offset, e.offset + e.length)));

  it('reads inline data ranges', async () => {
    const inline = Buffer.from('hello world');
    assert.equal((await readAll(readExtents(store, { inline, extents: [] }, 0, 10))).toString(), 'hello world');
    assert.equal((await readAll(readExtents(store, { inline, extents: [] }, 6, 7))).toString(), 'wo');
    assert.equal((await readAll(readExtents(store, { inline: Buffer.alloc(0), extents: [] }, 0, -1))).length, 0);
  });

  it('reads a single extent with one blob stream', async () => {
    const [big] = names();
    const data = blobs.get(big!)!;
    const extents = [{ blob: big!, offset: 0, length: data.length }];
    assert.deepEqual(await readAll(readExtents(store, { inline: null, extents }, 0, data.length - 1)), data);
    assert.deepEqual(await readAll(readExtents(store, { inline: null, extents }, 100, 2_000_000)), data.subarray(100, 2_000_001));
  });

  it('reads every range across several extents', async () => {
    const [a, b, c] = names();
    const extents: Extent[] = [
      { blob: b!, offset: 10, length: 500 },
      { blob: c!, offset: 0, length: 77 },
      { blob: a!, offset: 1024 * 1024 - 3, length: 2 * 1024 * 1024 },
      { blob: b!, offset: 0, length: 1000 },
    ];
    const whole = contentOf(extents);
    const total = whole.length;
    const ranges: [number, number][] = [
      [0, total - 1], [0, 0], [499, 500], [500, 576], [510, 600], [577, total - 1001], [400, total - 500], [total - 1, total - 1],
    ];
    for (const [s, e] of ranges) {
      assert.deepEqual(await readAll(readExtents(store, { inline: null, extents }, s, e)), whole.subarray(s, e + 1), `${s}-${e}`);
    }
  });

  it('fails the stream when a blob is missing', async () => {
    const [, b] = names();
    const extents: Extent[] = [
      { blob: b!, offset: 0, length: 1000 },
      { blob: 'f'.repeat(64), offset: 0, length: 10 },
    ];
    await assert.rejects(readAll(readExtents(store, { inline: null, extents }, 0, 1009)), /missing/);
    await assert.rejects(readAll(readExtents(store, { inline: null, extents }, 1000, 1005)), /missing/);
  });

  it('stops reading when the consumer goes away', async () => {
    const [a, b] = names();
    const extents: Extent[] = [
      { blob: a!, offset: 0, length: blobs.get(a!)!.length },
      { blob: b!, offset: 0, length: 1000 },
    ];
    const stream = readExtents(store, { inline: null, extents }, 0, blobs.get(a!)!.length + 999);
    for await (const _chunk of stream) break;
    assert.equal(stream.destroyed, true);
  });

  it('rejects ranges outside the data', () => {
    const extents: Extent[] = [{ blob: names()[1]!, offset: 0, length: 1000 }];
    assert.throws(() => readExtents(store, { inline: null, extents }, 0, 1000));
    assert.throws(() => readExtents(store, { inline: null, extents }, -1, 10));
    assert.throws(() => readExtents(store, { inline: null, extents }, 10, 5));
  });
});
