/**
 * The envelope format of encrypted bytes (`src/core/encryption.ts`) and its
 * use by ingest (`encryptingSink`): sizes, round trips, ranges that touch
 * only the chunks they need, wrong keys and damaged bytes refused, and no
 * dedup between two envelopes of the same plaintext.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { LocalFsBlobStore } from '../../src/adapters/blob/local-fs-blob-store.ts';
import {
  CHUNK_BYTES,
  customerWrappingKey,
  decryptBuffer,
  encryptBuffer,
  EnvelopeWriter,
  HEADER_BYTES,
  MasterKey,
  plainSize,
  readEncrypted,
  storedSize,
  type KeyLookup,
  type WrappingKey,
} from '../../src/core/encryption.ts';
import { ingest } from '../../src/core/ingest.ts';
import { encryptingSink } from '../../src/core/sse.ts';
import type { BlobStore } from '../../src/ports/blob-store.ts';

const master = new MasterKey(randomBytes(32));
const lookupOf = (w: WrappingKey): KeyLookup => () => w;

async function drain(data: Readable | Buffer): Promise<Buffer> {
  if (Buffer.isBuffer(data)) return data;
  const chunks: Buffer[] = [];
  for await (const c of data) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Deterministic pseudo-random integers (so a failure can be replayed). */
function rng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

describe('encryption envelope', () => {
  it('sizes: storedSize and plainSize are inverse, and odd sizes are refused', () => {
    for (const n of [0, 1, 15, 16, 17, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 3 * CHUNK_BYTES, 5 * CHUNK_BYTES + 123]) {
      assert.equal(plainSize(storedSize(n)), n, `size ${n}`);
    }
    assert.throws(() => plainSize(HEADER_BYTES - 1));
    assert.throws(() => plainSize(HEADER_BYTES + 16)); // a chunk with a tag and no byte is never written
    assert.throws(() => plainSize(HEADER_BYTES + 3));
  });

  it('round-trips pushed in arbitrary pieces, and the envelope holds no plaintext', () => {
    const next = rng(7);
    for (const n of [0, 1, CHUNK_BYTES - 1, CHUNK_BYTES, CHUNK_BYTES + 1, 2 * CHUNK_BYTES + 77]) {
      const plain = Buffer.alloc(n, 'signet-plaintext-marker ');
      const writer = new EnvelopeWriter(master.wrapping);
      const out: Buffer[] = [];
      for (let at = 0; at < n; ) {
        const k = Math.min(n - at, 1 + next(3 * CHUNK_BYTES));
        out.push(...writer.push(plain.subarray(at, at + k)));
        at += k;
      }
      out.push(...writer.end());
      const envelope = Buffer.concat(out);
      assert.equal(envelope.length, storedSize(n));
      if (n > 0) assert.equal(envelope.indexOf('signet-plaintext-marker'), -1);
      assert.deepEqual(decryptBuffer(envelope, lookupOf(master.wrapping), 0, n), plain);
    }
  });

  it('decrypts any range of a buffer', () => {
    const plain = randomBytes(3 * CHUNK_BYTES + 999);
    const envelope = encryptBuffer(master.wrapping, plain);
    const next = rng(11);
    for (let i = 0; i < 300; i++) {
      const a = next(plain.length);
      const b = a + next(plain.length - a + 1);
      assert.deepEqual(decryptBuffer(envelope, lookupOf(master.wrapping), a, b), plain.subarray(a, b), `range ${a}-${b}`);
    }
  });

  it('refuses another key, a damaged chunk and a damaged header', () => {
    const plain = randomBytes(2 * CHUNK_BYTES);
    const envelope = encryptBuffer(master.wrapping, plain);
    const other = new MasterKey(randomBytes(32));
    assert.throws(() => decryptBuffer(envelope, lookupOf(other.wrapping), 0, 10), /wrong key/);
    const damaged = Buffer.from(envelope);
    damaged[HEADER_BYTES + CHUNK_BYTES + 16 + 5]! ^= 1; // second chunk
    assert.deepEqual(decryptBuffer(damaged, lookupOf(master.wrapping), 0, 100), plain.subarray(0, 100)); // the first chunk alone is fine
    assert.throws(() => decryptBuffer(damaged, lookupOf(master.wrapping), CHUNK_BYTES, CHUNK_BYTES + 1), /integrity/);
    const header = Buffer.from(envelope);
    header[8]! ^= 1; // the key id is authenticated
    assert.throws(() => decryptBuffer(header, lookupOf(master.wrapping), 0, 1), /wrong key/);
  });

  it('customer keys: only the same key opens it', () => {
    const key = randomBytes(32);
    const envelope = encryptBuffer(customerWrappingKey(key), Buffer.from('hello'));
    assert.equal(decryptBuffer(envelope, lookupOf(customerWrappingKey(key)), 0, 5).toString(), 'hello');
    assert.throws(() => decryptBuffer(envelope, lookupOf(customerWrappingKey(randomBytes(32))), 0, 5));
  });

  it('two envelopes of the same plaintext share no bytes', () => {
    const plain = Buffer.alloc(1000, 7);
    const a = encryptBuffer(master.wrapping, plain);
    const b = encryptBuffer(master.wrapping, plain);
    assert.notDeepEqual(a.subarray(HEADER_BYTES), b.subarray(HEADER_BYTES));
  });
});

describe('encrypted blobs', () => {
  let dir = '';
  let store: LocalFsBlobStore;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'signet-encryption-'));
    store = new LocalFsBlobStore(join(dir, 'blobs'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const put = (data: Buffer, inlineThreshold: number, blobs: BlobStore = store) =>
    ingest({ stream: Readable.from(chunked(data), { objectMode: false }), length: data.length, expect: {} }, blobs, {
      inlineThreshold,
      maxSize: 1 << 30,
      encrypt: encryptingSink(master.wrapping),
    });

  function* chunked(data: Buffer): Generator<Buffer> {
    for (let at = 0; at < data.length; at += 50_000) yield data.subarray(at, at + 50_000);
  }

  it('ingest stores an envelope named by its own SHA-256, inline or as a blob, with plaintext digests', async () => {
    const small = Buffer.alloc(4096, 'inline-marker ');
    const r1 = await put(small, 64 * 1024);
    assert.ok(r1.inline);
    assert.equal(r1.inline.length, storedSize(small.length));
    assert.equal(r1.inline.indexOf('inline-marker'), -1);
    assert.equal(r1.md5, createHash('md5').update(small).digest('hex'));
    assert.equal(r1.sha256, createHash('sha256').update(small).digest('hex'));
    // The threshold counts plaintext bytes: exactly 64 KiB is still inline.
    assert.ok((await put(randomBytes(64 * 1024), 64 * 1024)).inline);

    const big = Buffer.alloc(300_000, 'blob-marker ');
    const r2 = await put(big, 64 * 1024);
    assert.equal(r2.inline, null);
    assert.equal(r2.extents.length, 1);
    const extent = r2.extents[0]!;
    assert.equal(extent.length, big.length);
    const file = await readFile(store.pathOf(extent.blob));
    assert.equal(createHash('sha256').update(file).digest('hex'), extent.blob);
    assert.equal(file.length, storedSize(big.length));
    assert.equal(file.indexOf('blob-marker'), -1);

    const again = await put(big, 64 * 1024);
    assert.notEqual(again.extents[0]!.blob, extent.blob, 'the same plaintext twice is two blobs');
  });

  it('reads ranges across chunks and extents over several blobs', async () => {
    const a = randomBytes(5 * CHUNK_BYTES + 4321);
    const b = randomBytes(2 * CHUNK_BYTES);
    const ra = await put(a, -1);
    const rb = await put(b, -1);
    // a[1000..] then all of b then a[..2 chunks] again: extents in plaintext terms over two blobs.
    const extents = [
      { blob: ra.extents[0]!.blob, offset: 1000, length: a.length - 1000 },
      { blob: rb.extents[0]!.blob, offset: 0, length: b.length },
      { blob: ra.extents[0]!.blob, offset: 0, length: 2 * CHUNK_BYTES + 1 },
    ];
    const whole = Buffer.concat([a.subarray(1000), b, a.subarray(0, 2 * CHUNK_BYTES + 1)]);
    const lookup = lookupOf(master.wrapping);
    assert.deepEqual(await drain(readEncrypted(store, { inline: null, extents }, 0, whole.length - 1, lookup)), whole);
    const next = rng(3);
    for (let i = 0; i < 60; i++) {
      const s = next(whole.length);
      const e = s + next(Math.min(whole.length - s, 3 * CHUNK_BYTES));
      assert.deepEqual(await drain(readEncrypted(store, { inline: null, extents }, s, e, lookup)), whole.subarray(s, e + 1), `range ${s}-${e}`);
    }
    assert.equal((await drain(readEncrypted(store, { inline: null, extents: [] }, 0, -1, lookup))).length, 0);
  });

  it('a small range reads only the chunks it needs', async () => {
    const data = randomBytes(40 * CHUNK_BYTES);
    const r = await put(data, -1);
    let bytesRead = 0;
    const counting = Object.create(store) as BlobStore;
    counting.read = (h, offset, length) => {
      bytesRead += length;
      return store.read(h, offset, length);
    };
    const at = 17 * CHUNK_BYTES + 100;
    const got = await drain(readEncrypted(counting, { inline: null, extents: r.extents }, at, at + 10, lookupOf(master.wrapping)));
    assert.deepEqual(got, data.subarray(at, at + 11));
    assert.ok(bytesRead <= HEADER_BYTES + CHUNK_BYTES + 16, `read ${bytesRead} bytes for 11`);
  });
});
