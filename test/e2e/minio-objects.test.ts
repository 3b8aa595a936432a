/**
 * Acceptance: minio-js 8 with default client settings against a real Signet,
 * on each metadata engine. Buckets, object uploads (Buffer, string, stream,
 * file), downloads (whole, ranged, to a file), stat, listings, tagging,
 * deletes, bucket versioning and the error codes minio-js surfaces.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import * as Minio from 'minio';
import { describeEachMeta, ROOT, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { MiB, assertSameBytes, collect, errorCode, readAll } from '../support/minio-helpers.ts';

/** A listing split into object names and common prefixes (minio-js emits a page's objects before its prefixes). */
function shape(items: readonly { name?: string | undefined; prefix?: string | undefined }[]): { names: string[]; prefixes: string[] } {
  return { names: items.flatMap((o) => (o.name !== undefined ? [o.name] : [])), prefixes: items.flatMap((o) => (o.prefix !== undefined ? [o.prefix] : [])) };
}

/** A client like t.minio() with the given extra options (e.g. a smaller part size). */
function clientWith(t: TestSignet, options: Partial<Minio.ClientOptions>): Minio.Client {
  return new Minio.Client({
    endPoint: '127.0.0.1',
    port: Number(new URL(t.url).port),
    useSSL: false,
    accessKey: ROOT.user,
    secretKey: ROOT.password,
    region: 'us-east-1',
    ...options,
  });
}

describeEachMeta('minio-js: buckets and objects', (kind) => {
  let t: TestSignet;
  let mc: Minio.Client;
  let dir: string;
  before(async () => {
    t = await startTestSignet(kind);
    mc = t.minio();
    dir = await mkdtemp(join(tmpdir(), 'signet-minio-'));
  });
  after(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('makeBucket, bucketExists, listBuckets, removeBucket', async () => {
    assert.equal(await mc.bucketExists('mb-one'), false);
    await mc.makeBucket('mb-one');
    await mc.makeBucket('mb-two', 'us-east-1');
    assert.equal(await mc.bucketExists('mb-one'), true);
    const names = (await mc.listBuckets()).map((b) => b.name);
    assert.ok(names.includes('mb-one') && names.includes('mb-two'), names.join(','));
    const one = (await mc.listBuckets()).find((b) => b.name === 'mb-one');
    assert.ok(one?.creationDate instanceof Date && !Number.isNaN(one.creationDate.getTime()));
    await mc.removeBucket('mb-one');
    await mc.removeBucket('mb-two');
    assert.equal(await mc.bucketExists('mb-one'), false);
    assert.ok(!(await mc.listBuckets()).some((b) => b.name === 'mb-one' || b.name === 'mb-two'));
  });

  it('a client without a configured region finds the bucket region itself (GetBucketLocation)', async () => {
    const plain = new Minio.Client({
      endPoint: '127.0.0.1',
      port: Number(new URL(t.url).port),
      useSSL: false,
      accessKey: ROOT.user,
      secretKey: ROOT.password,
    });
    await plain.makeBucket('no-region');
    await plain.putObject('no-region', 'k', 'region discovery');
    assert.equal((await readAll(await plain.getObject('no-region', 'k'))).toString(), 'region discovery');
    const url = await plain.presignedGetObject('no-region', 'k');
    assert.ok(url.includes('us-east-1'), url);
    assert.equal(await (await fetch(url)).text(), 'region discovery');
  });

  it('putObject of a Buffer and a string with content-type and x-amz-meta-*, statObject returns them', async () => {
    await mc.makeBucket('put');
    const buf = randomBytes(1000);
    const put = await mc.putObject('put', 'buf.bin', buf, buf.length, { 'Content-Type': 'application/x-test', 'X-Amz-Meta-Color': 'blue', project: 'signet' });
    assert.match(put.etag, /^[0-9a-f]{32}$/);
    assert.equal(put.versionId, null);
    const stat = await mc.statObject('put', 'buf.bin');
    assert.equal(stat.size, 1000);
    assert.equal(stat.etag, put.etag);
    assert.ok(stat.lastModified instanceof Date);
    assert.equal(stat.metaData['content-type'], 'application/x-test');
    assert.equal(stat.metaData.color, 'blue');
    assert.equal(stat.metaData.project, 'signet');
    assert.deepEqual(await readAll(await mc.getObject('put', 'buf.bin')), buf);

    await mc.putObject('put', 'dir/str.txt', 'héllo wörld', undefined, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' });
    const s2 = await mc.statObject('put', 'dir/str.txt');
    assert.equal(s2.size, Buffer.byteLength('héllo wörld'));
    assert.equal(s2.metaData['content-type'], 'text/plain; charset=utf-8');
    assert.equal(s2.metaData['cache-control'], 'no-cache');
    assert.equal((await readAll(await mc.getObject('put', 'dir/str.txt'))).toString('utf8'), 'héllo wörld');

    // Without a content type, minio-js sends none and the store's default answers.
    await mc.putObject('put', 'plain', Buffer.from('x'));
    assert.equal((await mc.statObject('put', 'plain')).metaData['content-type'], 'binary/octet-stream');

    // An empty object.
    await mc.putObject('put', 'empty', Buffer.alloc(0));
    assert.equal((await mc.statObject('put', 'empty')).size, 0);
    assert.equal((await readAll(await mc.getObject('put', 'empty'))).length, 0);
  });

  it('putObject of a stream of unknown size: one part with the default part size, several with partSize', async () => {
    await mc.makeBucket('stream');
    const data = randomBytes(12 * MiB);
    const chunks = (): Readable => Readable.from((function* () {
      for (let i = 0; i < data.length; i += 256 * 1024) yield data.subarray(i, i + 256 * 1024);
    })());

    const one = await mc.putObject('stream', 'default-part-size', chunks(), undefined, { 'Content-Type': 'application/x-big', 'X-Amz-Meta-Kind': 'stream' });
    // A completed multipart upload's ETag is the md5 of the part md5s with the part count.
    assert.match(one.etag, /^[0-9a-f]{32}-1$/);
    const s1 = await mc.statObject('stream', 'default-part-size');
    assert.equal(s1.size, data.length);
    assert.equal(s1.metaData['content-type'], 'application/x-big');
    assert.equal(s1.metaData.kind, 'stream');
    assertSameBytes(await readAll(await mc.getObject('stream', 'default-part-size')), data);

    const small = clientWith(t, { partSize: 5 * MiB });
    const three = await small.putObject('stream', 'five-mib-parts', chunks(), undefined, { 'Content-Type': 'application/x-big' });
    assert.match(three.etag, /^[0-9a-f]{32}-3$/);
    assert.equal((await mc.statObject('stream', 'five-mib-parts')).size, data.length);
    assertSameBytes(await readAll(await mc.getObject('stream', 'five-mib-parts')), data);
    assert.deepEqual(await collect(mc.listIncompleteUploads('stream', '', true)), []);
  });

  it('fPutObject and fGetObject of a small file and of a > 5 MiB file sent in parts', async () => {
    await mc.makeBucket('files');
    const smallPath = join(dir, 'small.json');
    const small = Buffer.from(JSON.stringify({ hello: 'world', n: [1, 2, 3] }));
    await writeFile(smallPath, small);
    const up = await mc.fPutObject('files', 'small.json', smallPath, { 'X-Amz-Meta-Origin': 'disk' });
    assert.match(up.etag, /^[0-9a-f]{32}$/);
    const st = await mc.statObject('files', 'small.json');
    // fPutObject guesses the content type from the file name.
    assert.equal(st.metaData['content-type'], 'application/json');
    assert.equal(st.metaData.origin, 'disk');
    const smallOut = join(dir, 'small.out');
    await mc.fGetObject('files', 'small.json', smallOut);
    assert.deepEqual(await readFile(smallOut), small);

    const bigPath = join(dir, 'big.bin');
    const big = randomBytes(11 * MiB + 12345);
    await writeFile(bigPath, big);
    const parted = clientWith(t, { partSize: 5 * MiB });
    const upBig = await parted.fPutObject('files', 'big.bin', bigPath, {});
    assert.match(upBig.etag, /^[0-9a-f]{32}-3$/);
    const stBig = await mc.statObject('files', 'big.bin');
    assert.equal(stBig.size, big.length);
    assert.equal(stBig.etag, upBig.etag);
    assert.equal(stBig.metaData['content-type'], 'application/octet-stream');
    const bigOut = join(dir, 'big.out');
    await mc.fGetObject('files', 'big.bin', bigOut);
    assertSameBytes(await readFile(bigOut), big, 'fGetObject file');
  });

  it('getObject and getPartialObject with offset and length', async () => {
    await mc.makeBucket('ranges');
    const data = randomBytes(100 * 1024);
    await mc.putObject('ranges', 'r.bin', data);
    assert.deepEqual(await readAll(await mc.getObject('ranges', 'r.bin')), data);
    assert.deepEqual(await readAll(await mc.getPartialObject('ranges', 'r.bin', 10, 20)), data.subarray(10, 30));
    assert.deepEqual(await readAll(await mc.getPartialObject('ranges', 'r.bin', 99 * 1024)), data.subarray(99 * 1024));
    assert.deepEqual(await readAll(await mc.getPartialObject('ranges', 'r.bin', 0, 1)), data.subarray(0, 1));
    // A range running past the end is cut at the end.
    assert.deepEqual(await readAll(await mc.getPartialObject('ranges', 'r.bin', data.length - 5, 100)), data.subarray(data.length - 5));
    // Inline (small) objects too.
    await mc.putObject('ranges', 'tiny', 'abcdefghij');
    assert.equal((await readAll(await mc.getPartialObject('ranges', 'tiny', 3, 4))).toString(), 'defg');
  });

  it('listObjectsV2 with prefix, recursive true/false and startAfter; listObjects (V1)', async () => {
    await mc.makeBucket('lists');
    const keys = ['a.txt', 'b/1.txt', 'b/2.txt', 'b/c/3.txt', 'd/4.txt', 'e.txt'];
    for (const k of keys) await mc.putObject('lists', k, `body of ${k}`);

    const all = await collect(mc.listObjectsV2('lists', '', true));
    assert.deepEqual(all.map((o) => o.name), keys);
    const a = all[0]!;
    assert.equal(a.size, Buffer.byteLength('body of a.txt'));
    assert.match(a.etag ?? '', /^[0-9a-f]{32}$/);
    assert.ok(a.lastModified instanceof Date);

    const top = await collect(mc.listObjectsV2('lists', '', false));
    assert.deepEqual(shape(top), { names: ['a.txt', 'e.txt'], prefixes: ['b/', 'd/'] });

    const inB = await collect(mc.listObjectsV2('lists', 'b/', false));
    assert.deepEqual(shape(inB), { names: ['b/1.txt', 'b/2.txt'], prefixes: ['b/c/'] });
    const inBdeep = await collect(mc.listObjectsV2('lists', 'b/', true));
    assert.deepEqual(inBdeep.map((o) => o.name), ['b/1.txt', 'b/2.txt', 'b/c/3.txt']);

    const after = await collect(mc.listObjectsV2('lists', '', true, 'b/2.txt'));
    assert.deepEqual(after.map((o) => o.name), ['b/c/3.txt', 'd/4.txt', 'e.txt']);

    const v1 = await collect(mc.listObjects('lists', '', true));
    assert.deepEqual(v1.map((o) => o.name), keys);
    const v1top = await collect(mc.listObjects('lists', '', false));
    assert.deepEqual(shape(v1top), { names: ['a.txt', 'e.txt'], prefixes: ['b/', 'd/'] });
    const v1b = await collect(mc.listObjects('lists', 'b/'));
    assert.deepEqual(shape(v1b), { names: ['b/1.txt', 'b/2.txt'], prefixes: ['b/c/'] });
    // startAfter with a delimiter: prefixes sorting after it still show.
    const topAfter = await collect(mc.listObjectsV2('lists', '', false, 'a.txt'));
    assert.deepEqual(shape(topAfter), { names: ['e.txt'], prefixes: ['b/', 'd/'] });
    assert.deepEqual(await collect(mc.listObjectsV2('lists', 'zzz', true)), []);
  });

  it('listObjectsV2 and listObjects page through more than 1000 keys', async () => {
    await mc.makeBucket('many');
    const keys = Array.from({ length: 1105 }, (_, i) => `k/${String(i).padStart(5, '0')}`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => mc.putObject('many', k, 'x')));
    const v2 = await collect(mc.listObjectsV2('many', 'k/', true));
    assert.deepEqual(v2.map((o) => o.name), keys);
    const v1 = await collect(mc.listObjects('many', 'k/', true));
    assert.deepEqual(v1.map((o) => o.name), keys);
  });

  it('keys with spaces, unicode and reserved characters round-trip', async () => {
    await mc.makeBucket('names');
    const keys = ['with space.txt', 'ünïcödé/файл.txt', 'plus+and&amp=?.txt', "quote'(paren)*!.txt", 'tilde~/semi;colon,comma.txt'];
    for (const k of keys) await mc.putObject('names', k, `v:${k}`);
    for (const k of keys) {
      assert.equal((await readAll(await mc.getObject('names', k))).toString(), `v:${k}`, k);
      assert.equal((await mc.statObject('names', k)).size, Buffer.byteLength(`v:${k}`), k);
    }
    const listed = (await collect(mc.listObjectsV2('names', '', true))).map((o) => o.name);
    assert.deepEqual(listed, [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y))));
    const v1 = (await collect(mc.listObjects('names', '', true))).map((o) => o.name);
    assert.deepEqual(v1, listed);
    for (const k of keys) await mc.removeObject('names', k);
    assert.deepEqual(await collect(mc.listObjectsV2('names', '', true)), []);
  });

  it('removeObject, and removeObjects with names and with {name, versionId: null}', async () => {
    await mc.makeBucket('removals');
    for (const k of ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7']) await mc.putObject('removals', k, k);
    await mc.removeObject('removals', 'r1');
    assert.equal(await errorCode(mc.statObject('removals', 'r1')), 'NotFound');
    // Removing a missing key succeeds, as on S3.
    await mc.removeObject('removals', 'r1');

    const res = await mc.removeObjects('removals', ['r2', 'r3', 'never-was']);
    assert.deepEqual(res, []);
    // versionId null (JavaScript null, sent as an empty <VersionId/>) means no version: the current object.
    const res2 = await mc.removeObjects('removals', [
      { name: 'r4', versionId: null },
      { name: 'r5', versionId: null },
    ] as unknown as { name: string }[]);
    assert.deepEqual(res2, []);
    // The version id "null" names the one version an unversioned bucket keeps.
    const res3 = await mc.removeObjects('removals', [
      { name: 'r6', versionId: 'null' },
      { name: 'r7', versionId: 'null' },
    ]);
    assert.deepEqual(res3, []);
    assert.deepEqual(await collect(mc.listObjectsV2('removals', '', true)), []);
  });

  it('setObjectTagging, getObjectTagging, removeObjectTagging; X-Amz-Tagging in putObject metadata', async () => {
    await mc.makeBucket('tags');
    await mc.putObject('tags', 't.txt', 'tagged');
    assert.deepEqual(await mc.getObjectTagging('tags', 't.txt'), []);
    await mc.setObjectTagging('tags', 't.txt', { env: 'prod', team: 'ml' });
    const tags = await mc.getObjectTagging('tags', 't.txt');
    assert.deepEqual(
      [...tags].sort((x, y) => x.Key.localeCompare(y.Key)),
      [
        { Key: 'env', Value: 'prod' },
        { Key: 'team', Value: 'ml' },
      ],
    );
    await mc.setObjectTagging('tags', 't.txt', { only: 'one' });
    assert.deepEqual(await mc.getObjectTagging('tags', 't.txt'), [{ Key: 'only', Value: 'one' }]);
    await mc.removeObjectTagging('tags', 't.txt', { versionId: '' });
    assert.deepEqual(await mc.getObjectTagging('tags', 't.txt'), []);
    // The version id "null" names the one version of an object in an unversioned bucket.
    await mc.setObjectTagging('tags', 't.txt', { v: 'null' }, { versionId: 'null' });
    assert.deepEqual(await mc.getObjectTagging('tags', 't.txt', { versionId: 'null' }), [{ Key: 'v', Value: 'null' }]);
    await mc.removeObjectTagging('tags', 't.txt', { versionId: 'null' });
    assert.deepEqual(await mc.getObjectTagging('tags', 't.txt'), []);
    assert.equal((await readAll(await mc.getObject('tags', 't.txt'))).toString(), 'tagged');
    assert.equal(await errorCode(mc.getObjectTagging('tags', 'missing')), 'NoSuchKey');

    // minio-js has no tagging argument on putObject: an 'X-Amz-Tagging' metadata
    // entry is not an S3 header to it, so it is sent as user metadata.
    await mc.putObject('tags', 'meta-tag.txt', 'x', undefined, { 'X-Amz-Tagging': 'a=b' });
    assert.deepEqual(await mc.getObjectTagging('tags', 'meta-tag.txt'), []);
    assert.equal((await mc.statObject('tags', 'meta-tag.txt')).metaData['x-amz-tagging'], 'a=b');
  });

  it('getBucketVersioning of a new bucket answers not enabled', async () => {
    await mc.makeBucket('versioning');
    const v = await mc.getBucketVersioning('versioning');
    // S3 answers an empty <VersioningConfiguration/> for a bucket never versioned; minio-js parses it to ''.
    assert.equal(v as unknown, '');
    assert.equal(await errorCode(mc.getBucketVersioning('no-such-bucket-v')), 'NoSuchBucket');
  });

  it('errors: NoSuchKey, NotFound, NoSuchBucket, BucketAlreadyOwnedByYou, BucketNotEmpty, invalid names', async () => {
    await mc.makeBucket('errs');
    assert.equal(await errorCode(mc.getObject('errs', 'missing')), 'NoSuchKey');
    assert.equal(await errorCode(mc.getPartialObject('errs', 'missing', 0, 10)), 'NoSuchKey');
    assert.equal(await errorCode(mc.statObject('errs', 'missing')), 'NotFound');
    assert.equal(await errorCode(mc.getObject('no-such-bucket', 'k')), 'NoSuchBucket');
    assert.equal(await errorCode(mc.putObject('no-such-bucket', 'k', 'x')), 'NoSuchBucket');
    assert.equal(await errorCode(mc.removeBucket('no-such-bucket')), 'NoSuchBucket');
    assert.equal(await errorCode(mc.makeBucket('errs')), 'BucketAlreadyOwnedByYou');
    await mc.putObject('errs', 'k', 'x');
    assert.equal(await errorCode(mc.removeBucket('errs')), 'BucketNotEmpty');
    await mc.removeObject('errs', 'k');
    await mc.removeBucket('errs');
    assert.equal(await mc.bucketExists('errs'), false);

    // minio-js validates bucket names before sending anything.
    await assert.rejects(mc.makeBucket('Bad_Name'), (e: Error) => e instanceof Minio.InvalidBucketNameError);
    await assert.rejects(mc.makeBucket('ab'), (e: Error) => e instanceof Minio.InvalidBucketNameError);
    // A name minio-js lets through but S3 refuses: the server answers InvalidBucketName.
    assert.equal(await errorCode(mc.makeBucket('xn--punycode-prefix')), 'InvalidBucketName');
    assert.equal(await errorCode(mc.makeBucket('bad.-name')), 'InvalidBucketName');
    await assert.rejects(mc.putObject('errs', '', 'x'), (e: Error) => e instanceof Minio.InvalidObjectNameError);
    // A region other than the server's: minio-js refuses a mismatch with its configured region ...
    await assert.rejects(mc.makeBucket('other-region', 'eu-west-1'), (e: Error) => e instanceof Minio.InvalidArgumentError);
    // ... and a client without one sends it, and the server refuses it.
    const plain = clientWith(t, { region: undefined });
    await assert.rejects(plain.makeBucket('other-region', 'eu-west-1'), (e: Error) => e instanceof Minio.S3Error);
    assert.equal(await mc.bucketExists('other-region'), false);
  });
});
