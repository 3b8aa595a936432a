import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { LocalFsBlobStore, storedBytes } from '../../src/adapters/blob/local-fs-blob-store.ts';
import type { Body, BodyExpectations } from '../../src/core/body.ts';
import { checksumOf } from '../../src/core/checksums.ts';
import { isSignetError, type ErrorCode } from '../../src/core/errors.ts';
import { ingest, type IngestOptions } from '../../src/core/ingest.ts';

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function freshStore(): Promise<LocalFsBlobStore> {
  const dir = await mkdtemp(join(tmpdir(), 'signet-ingest-'));
  dirs.push(dir);
  return new LocalFsBlobStore(join(dir, 'blobs'));
}

const OPTS: IngestOptions = { inlineThreshold: 1024, maxSize: 10 * 1024 * 1024 };

function chunked(data: Buffer, size = 100): Readable {
  const parts: Buffer[] = [];
  for (let o = 0; o < data.length; o += size) parts.push(data.subarray(o, o + size));
  return Readable.from(parts, { objectMode: false });
}

function body(data: Buffer, expect: BodyExpectations = {}, length: number | null = data.length): Body {
  return { stream: chunked(data), length, expect };
}

const md5b64 = (b: Buffer): string => createHash('md5').update(b).digest('base64');
const sha256hex = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Asserts nothing is left: no blob, no temporary. */
async function assertEmpty(store: LocalFsBlobStore): Promise<void> {
  assert.deepEqual(await storedBytes(store), { count: 0, bytes: 0 });
  assert.deepEqual(await readdir(store.tmp).catch(() => []), []);
}

async function rejectsWith(p: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(p, (e: unknown) => isSignetError(e) && e.code === code);
}

describe('ingest', () => {
  it('keeps small bodies of known length inline', async () => {
    const store = await freshStore();
    const data = randomBytes(1000);
    const r = await ingest(body(data), store, OPTS);
    assert.deepEqual(r.inline, data);
    assert.deepEqual(r.extents, []);
    assert.equal(r.size, 1000);
    assert.equal(r.md5, createHash('md5').update(data).digest('hex'));
    assert.equal(r.sha256, sha256hex(data));
    assert.deepEqual(r.checksums, {});
    await assertEmpty(store);
  });

  it('stores an empty body inline', async () => {
    const store = await freshStore();
    const r = await ingest(body(Buffer.alloc(0)), store, OPTS);
    assert.deepEqual(r.inline, Buffer.alloc(0));
    assert.equal(r.size, 0);
    assert.equal(r.md5, 'd41d8cd98f00b204e9800998ecf8427e');
  });

  it('stores even an empty body as a blob with a negative threshold', async () => {
    const store = await freshStore();
    const r = await ingest(body(Buffer.alloc(0), {}, null), store, { ...OPTS, inlineThreshold: -1 });
    assert.equal(r.inline, null);
    assert.deepEqual(r.extents, [{ blob: sha256hex(Buffer.alloc(0)), offset: 0, length: 0 }]);
    assert.deepEqual(await storedBytes(store), { count: 1, bytes: 0 });
  });

  it('streams large bodies to one blob named by their SHA-256', async () => {
    const store = await freshStore();
    const data = randomBytes(200_000);
    const r = await ingest(body(data), store, OPTS);
    assert.equal(r.inline, null);
    assert.deepEqual(r.extents, [{ blob: sha256hex(data), offset: 0, length: data.length }]);
    assert.deepEqual(await storedBytes(store), { count: 1, bytes: data.length });
    assert.deepEqual(await readdir(store.tmp), []);
  });

  it('spills a body of unknown length once it passes the threshold', async () => {
    const store = await freshStore();
    const small = randomBytes(1024);
    const r1 = await ingest(body(small, {}, null), store, OPTS);
    assert.deepEqual(r1.inline, small);
    const big = randomBytes(1025);
    const r2 = await ingest(body(big, {}, null), store, OPTS);
    assert.equal(r2.inline, null);
    assert.equal(r2.extents[0]?.blob, sha256hex(big));
    const chunks: Buffer[] = [];
    for await (const c of store.read(sha256hex(big), 0, big.length)) chunks.push(c as Buffer);
    assert.deepEqual(Buffer.concat(chunks), big);
  });

  it('deduplicates: the same body twice is one blob', async () => {
    const store = await freshStore();
    const data = randomBytes(50_000);
    const a = await ingest(body(data), store, OPTS);
    const b = await ingest(body(data, {}, null), store, OPTS);
    assert.deepEqual(a.extents, b.extents);
    assert.deepEqual(await storedBytes(store), { count: 1, bytes: data.length });
  });

  it('computes and verifies the requested checksums', async () => {
    const store = await freshStore();
    const data = randomBytes(5000);
    for (const alg of ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const) {
      const value = checksumOf(alg, data);
      const r = await ingest(body(data, { checksum: { algorithm: alg, value } }), store, OPTS);
      assert.deepEqual(r.checksums, { [alg]: value });
      const hinted = await ingest(body(data, { algorithm: alg }), store, OPTS);
      assert.deepEqual(hinted.checksums, { [alg]: value });
    }
  });

  it('honours a checksum filled by a trailer just before the end', async () => {
    const store = await freshStore();
    const data = randomBytes(3000);
    const expect: BodyExpectations = { algorithm: 'CRC32C' };
    const stream = new PassThrough();
    const pending = ingest({ stream, length: null, expect }, store, OPTS);
    stream.write(data.subarray(0, 2000));
    stream.write(data.subarray(2000));
    expect.checksum = { algorithm: 'CRC32C', value: checksumOf('CRC32C', data) };
    stream.end();
    const r = await pending;
    assert.equal(r.checksums.CRC32C, checksumOf('CRC32C', data));

    const bad: BodyExpectations = { algorithm: 'CRC32C' };
    const s2 = new PassThrough();
    const p2 = ingest({ stream: s2, length: null, expect: bad }, store, OPTS);
    s2.write(data);
    bad.checksum = { algorithm: 'CRC32C', value: checksumOf('CRC32C', randomBytes(10)) };
    s2.end();
    await assert.rejects(p2, (e: unknown) => isSignetError(e) && e.code === 'BadDigest' && /CRC32C you specified/.test(e.message));
  });

  describe('failures leave no blob and no temporary', () => {
    const big = randomBytes(100_000);
    const wrong = randomBytes(16);
    const cases: [string, () => Body, ErrorCode][] = [
      ['short body', () => body(big, {}, big.length + 1), 'IncompleteBody'],
      ['long body', () => body(big, {}, big.length - 1), 'IncompleteBody'],
      ['Content-MD5 mismatch', () => body(big, { md5: md5b64(wrong) }), 'BadDigest'],
      ['malformed Content-MD5', () => body(big, { md5: 'abc' }), 'InvalidDigest'],
      ['x-amz-content-sha256 mismatch', () => body(big, { sha256: sha256hex(wrong) }), 'XAmzContentSHA256Mismatch'],
      ['checksum mismatch', () => body(big, { checksum: { algorithm: 'CRC32', value: checksumOf('CRC32', wrong) } }), 'BadDigest'],
      ['checksum of the wrong size', () => body(big, { checksum: { algorithm: 'SHA1', value: checksumOf('CRC32', big) } }), 'InvalidRequest'],
      ['declared size over the limit', () => body(big), 'EntityTooLarge'],
      ['streamed size over the limit', () => body(big, {}, null), 'EntityTooLarge'],
    ];
    for (const [name, make, code] of cases) {
      it(name, async () => {
        const store = await freshStore();
        const maxSize = code === 'EntityTooLarge' ? 50_000 : OPTS.maxSize;
        await rejectsWith(ingest(make(), store, { ...OPTS, maxSize }), code);
        await assertEmpty(store);
      });
    }

    it('the right values pass', async () => {
      const store = await freshStore();
      const expect = { md5: md5b64(big), sha256: sha256hex(big).toUpperCase(), checksum: { algorithm: 'CRC32' as const, value: checksumOf('CRC32', big) } };
      const r = await ingest(body(big, expect), store, OPTS);
      assert.equal(r.size, big.length);
    });

    it('refuses an oversized stream without reading all of it', async () => {
      const store = await freshStore();
      let produced = 0;
      const endless = new Readable({
        read() {
          produced += 65536;
          this.push(Buffer.alloc(65536));
        },
      });
      await rejectsWith(ingest({ stream: endless, length: null, expect: {} }, store, { ...OPTS, maxSize: 1_000_000 }), 'EntityTooLarge');
      assert.ok(produced < 3_000_000);
      assert.equal(endless.destroyed, false, 'the face owns the source stream');
      endless.destroy();
      await assertEmpty(store);
    });

    it('a source destroyed mid-way (client gone)', async () => {
      const store = await freshStore();
      const stream = new PassThrough();
      const pending = ingest({ stream, length: 1_000_000, expect: {} }, store, OPTS);
      stream.write(randomBytes(300_000));
      await new Promise((r) => setTimeout(r, 20));
      stream.destroy();
      await assert.rejects(pending);
      await assertEmpty(store);
    });

    it('a source that errors mid-way', async () => {
      const store = await freshStore();
      const stream = new PassThrough();
      const pending = ingest({ stream, length: null, expect: {} }, store, OPTS);
      stream.write(randomBytes(300_000));
      await new Promise((r) => setTimeout(r, 20));
      stream.destroy(new Error('socket reset'));
      await assert.rejects(pending, /socket reset/);
      await assertEmpty(store);
    });
  });
});
