/**
 * Acceptance: the calls and parameters of the FileManager document (a Python
 * SDK over minio-py) that no other minio-js suite drives, each through its
 * minio-js 8 equivalent against a real Signet, on each metadata engine:
 * list_objects(include_user_meta) (MinIO's `metadata=true` listing, of
 * encrypted objects and under a bucket policy), put_object with tags,
 * retention and legal hold, progress, get/fget_object with version_id and
 * extra query parameters, object tags by version, remove_objects of a
 * listed folder and of a version, presigned URLs with version_id, default
 * expiry and every method.
 * docs/filemanager.md maps every call of the document to the test that
 * proves it (here or in the other suites).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Readable, Transform } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import * as Minio from 'minio';
import { describeEachMeta, ROOT, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { MiB, assertSameBytes, collect, errorCode, readAll } from '../support/minio-helpers.ts';

type Listed = Minio.BucketItemWithMetadata & { prefix?: string };
type VersionItem = { name?: string; versionId?: string | null; isLatest?: boolean; isDeleteMarker?: boolean };

/** A listing's objects by name: their metadata and (URL-decoded) tags as minio-js parses them. */
function byName(items: readonly Listed[]): Record<string, { metadata: unknown; tags: Record<string, string> }> {
  const out: Record<string, { metadata: unknown; tags: Record<string, string> }> = {};
  for (const o of items) {
    if (o.name === undefined) continue;
    const tags = Object.entries((o.tags ?? {}) as Record<string, string>).map(([k, v]) => [decodeURIComponent(k), decodeURIComponent(v)]);
    out[o.name] = { metadata: o.metadata, tags: Object.fromEntries(tags) };
  }
  return out;
}

/** The `<Contents>` of a ListObjectsV2 answer: key, and the raw UserMetadata / UserTags markup if any. */
function contentsOf(xml: string): { key: string; userMetadata: string | null; userTags: string | null }[] {
  return [...xml.matchAll(/<Contents>(.*?)<\/Contents>/g)].map(([, body]) => ({
    key: decodeURIComponent(/<Key>([^<]*)<\/Key>/.exec(body!)?.[1] ?? ''),
    userMetadata: /<UserMetadata>(.*?)<\/UserMetadata>/.exec(body!)?.[1] ?? null,
    userTags: /<UserTags>([^<]*)<\/UserTags>/.exec(body!)?.[1] ?? null,
  }));
}

describeEachMeta('minio-js: the FileManager document', (kind) => {
  let t: TestSignet;
  let mc: Minio.Client;
  let dir: string;
  let port: number;

  before(async () => {
    t = await startTestSignet(kind, { env: { SIGNET_MASTER_KEY: randomBytes(32).toString('base64') } });
    mc = t.minio();
    port = Number(new URL(t.url).port);
    dir = await mkdtemp(join(tmpdir(), 'signet-fm-'));
  });
  after(async () => {
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A signed request made by minio-js's own signer (the same wire request minio-py sends for what minio-js has no argument for). */
  const signed = async (options: Parameters<Minio.Client['makeRequestAsync']>[0], body: Buffer | string = '', codes = [200]): Promise<{ res: IncomingMessage; text: string }> => {
    const res = await mc.makeRequestAsync(options, body, codes);
    return { res, text: (await readAll(res)).toString('utf8') };
  };

  /** The FileManager document's shared bucket, as its examples fill it: each key's ETag and size. */
  async function fillSharedBucket(B: string): Promise<Record<string, [etag: string, size: number]>> {
    await mc.makeBucket(B);
    const put = async (key: string, body: string, meta?: Minio.ItemBucketMetadata): Promise<[string, number]> => [(await mc.putObject(B, key, body, undefined, meta)).etag, body.length];
    const listed: Record<string, [string, number]> = {};
    listed['CountVectorizer.pkl'] = await put('CountVectorizer.pkl', 'pickle', { 'Content-Type': 'application/octet-stream', 'My-Project': 'one', 'X-Amz-Meta-Stage': 'raw' });
    listed['files/sample-file.txt'] = await put('files/sample-file.txt', 'sample file', { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache' });
    await mc.setObjectTagging(B, 'files/sample-file.txt', { User: 'XYZzz', 'team name': 'a&b=c' });
    listed['movies_data/2020.csv'] = await put('movies_data/2020.csv', 'title,year\n', { 'Content-Type': 'application/csv' });
    listed['tfidf.pkl'] = await put('tfidf.pkl', 'x');
    return listed;
  }

  it('list_objects(include_user_meta=True): extensions.listObjectsV2WithMetadata returns content type, X-Amz-Meta-* and tags; prefix, recursive and start_after apply', async () => {
    const B = 'fm-meta';
    const stored = await fillSharedBucket(B);

    const all = await collect<Listed>(mc.extensions.listObjectsV2WithMetadata(B, '', true));
    assert.deepEqual(
      all.map((o) => [o.name, o.etag, o.size]),
      Object.entries(stored).map(([key, [etag, size]]) => [key, etag, size]),
    );
    assert.deepEqual(byName(all), {
      'CountVectorizer.pkl': { metadata: { 'content-type': 'application/octet-stream', 'X-Amz-Meta-My-Project': 'one', 'X-Amz-Meta-Stage': 'raw' }, tags: {} },
      'files/sample-file.txt': { metadata: { 'content-type': 'text/plain', 'cache-control': 'no-cache' }, tags: { User: 'XYZzz', 'team name': 'a&b=c' } },
      'movies_data/2020.csv': { metadata: { 'content-type': 'application/csv' }, tags: {} },
      'tfidf.pkl': { metadata: { 'content-type': 'binary/octet-stream' }, tags: {} },
    });
    assert.ok(all.every((o) => o.lastModified instanceof Date && !Number.isNaN(o.lastModified.getTime())));

    // recursive=False: folders as prefixes, after the page's objects.
    const top = await collect<Listed>(mc.extensions.listObjectsV2WithMetadata(B, '', false));
    assert.deepEqual(
      top.map((o) => o.name ?? o.prefix),
      ['CountVectorizer.pkl', 'tfidf.pkl', 'files/', 'movies_data/'],
    );
    assert.deepEqual(byName(top)['tfidf.pkl']?.metadata, { 'content-type': 'binary/octet-stream' });

    const inFiles = await collect<Listed>(mc.extensions.listObjectsV2WithMetadata(B, 'files/', true));
    assert.deepEqual(Object.keys(byName(inFiles)), ['files/sample-file.txt']);
    const afterSample = await collect<Listed>(mc.extensions.listObjectsV2WithMetadata(B, '', true, 'files/sample-file.txt'));
    assert.deepEqual(Object.keys(byName(afterSample)), ['movies_data/2020.csv', 'tfidf.pkl']);
    assert.deepEqual(byName(afterSample)['movies_data/2020.csv']?.metadata, { 'content-type': 'application/csv' });
  });

  it('metadata=true on the wire: <UserMetadata> and <UserTags> per object, page by page; a plain listing has neither', async () => {
    const B = 'fm-meta-wire';
    await fillSharedBucket(B);
    await mc.putObject(B, 'odd/ünï code & <xml>.txt', 'odd', undefined, { 'X-Amz-Meta-Note': '<b> & "q"' });

    // minio-js signs the query as given: parameters in sorted order.
    const keys: string[] = [];
    const metadata: Record<string, string | null> = {};
    let token: string | null = null;
    let pages = 0;
    do {
      const query: string = [token !== null ? `continuation-token=${encodeURIComponent(token)}` : '', 'encoding-type=url', 'list-type=2', 'max-keys=2', 'metadata=true'].filter(Boolean).join('&');
      const { text } = await signed({ method: 'GET', bucketName: B, query });
      for (const c of contentsOf(text)) {
        keys.push(c.key);
        metadata[c.key] = c.userMetadata;
        if (c.key === 'files/sample-file.txt') assert.equal(c.userTags, 'User=XYZzz&amp;team%20name=a%26b%3Dc');
        else assert.equal(c.userTags, null, c.key);
      }
      token = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(text)?.[1] ?? null;
      pages++;
    } while (token !== null);
    assert.equal(pages, 3);
    assert.deepEqual(keys, ['CountVectorizer.pkl', 'files/sample-file.txt', 'movies_data/2020.csv', 'odd/ünï code & <xml>.txt', 'tfidf.pkl']);
    assert.equal(
      metadata['CountVectorizer.pkl'],
      '<content-type>application/octet-stream</content-type><X-Amz-Meta-My-Project>one</X-Amz-Meta-My-Project><X-Amz-Meta-Stage>raw</X-Amz-Meta-Stage>',
    );
    assert.equal(metadata['odd/ünï code & <xml>.txt'], '<content-type>binary/octet-stream</content-type><X-Amz-Meta-Note>&lt;b&gt; &amp; &quot;q&quot;</X-Amz-Meta-Note>');
    const odd = byName(await collect<Listed>(mc.extensions.listObjectsV2WithMetadata(B, 'odd/', true)));
    assert.deepEqual(odd['odd/ünï code & <xml>.txt']?.metadata, { 'content-type': 'binary/octet-stream', 'X-Amz-Meta-Note': '<b> & "q"' });

    const { text: plain } = await signed({ method: 'GET', bucketName: B, query: 'list-type=2' });
    assert.equal(contentsOf(plain).length, 6 - 1);
    assert.doesNotMatch(plain, /UserMetadata|UserTags/);
  });

  it('list_objects(include_user_meta=True) of encrypted objects says how each is encrypted (SSE-S3, SSE-C), as MinIO does', async () => {
    const B = 'fm-meta-sse';
    await mc.makeBucket(B);
    await mc.putObject(B, 'sse-s3.bin', 'at rest', undefined, { 'X-Amz-Server-Side-Encryption': 'AES256', 'X-Amz-Meta-Kind': 's3' });
    const key = randomBytes(32);
    await mc.putObject(B, 'sse-c.bin', 'customer key', undefined, {
      'X-Amz-Server-Side-Encryption-Customer-Algorithm': 'AES256',
      'X-Amz-Server-Side-Encryption-Customer-Key': key.toString('base64'),
      'X-Amz-Server-Side-Encryption-Customer-Key-MD5': createHash('md5').update(key).digest('base64'),
    });
    assert.deepEqual(byName(await collect<Listed>(mc.extensions.listObjectsV2WithMetadata(B, '', true))), {
      'sse-c.bin': { metadata: { 'content-type': 'binary/octet-stream', 'X-Amz-Server-Side-Encryption-Customer-Algorithm': 'AES256' }, tags: {} },
      'sse-s3.bin': { metadata: { 'content-type': 'binary/octet-stream', 'X-Amz-Server-Side-Encryption': 'AES256', 'X-Amz-Meta-Kind': 's3' }, tags: {} },
    });
  });

  it('list_objects(include_user_meta=True) under a bucket policy: metadata only where the caller may GetObject, tags only where it may GetObjectTagging', async () => {
    const B = 'fm-meta-policy';
    await mc.makeBucket(B);
    await mc.putObject(B, 'public/a.txt', 'a', undefined, { 'Content-Type': 'text/plain', 'X-Amz-Meta-Owner': 'ml' });
    await mc.setObjectTagging(B, 'public/a.txt', { visibility: 'public' });
    await mc.putObject(B, 'private/b.txt', 'b', undefined, { 'Content-Type': 'text/plain', 'X-Amz-Meta-Owner': 'finance' });
    await mc.setObjectTagging(B, 'private/b.txt', { visibility: 'private' });
    const statement = (action: string, resource: string) => ({ Effect: 'Allow', Principal: '*', Action: [action], Resource: [resource] });
    const policy = (...extra: object[]) =>
      JSON.stringify({ Version: '2012-10-17', Statement: [statement('s3:ListBucket', `arn:aws:s3:::${B}`), statement('s3:GetObject', `arn:aws:s3:::${B}/public/*`), ...extra] });
    await mc.setBucketPolicy(B, policy());

    const anonymous = new Minio.Client({ endPoint: '127.0.0.1', port, useSSL: false, region: 'us-east-1' });
    const seen = byName(await collect<Listed>(anonymous.extensions.listObjectsV2WithMetadata(B, '', true)));
    assert.deepEqual(seen, {
      'private/b.txt': { metadata: null, tags: {} },
      'public/a.txt': { metadata: { 'content-type': 'text/plain', 'X-Amz-Meta-Owner': 'ml' }, tags: {} },
    });
    // What the listing shows is what a GET would: the private object stays closed.
    assert.equal(await errorCode(anonymous.statObject(B, 'private/b.txt')), 'AccessDenied');

    await mc.setBucketPolicy(B, policy(statement('s3:GetObjectTagging', `arn:aws:s3:::${B}/public/*`)));
    const withTags = byName(await collect<Listed>(anonymous.extensions.listObjectsV2WithMetadata(B, '', true)));
    assert.deepEqual(withTags['public/a.txt']?.tags, { visibility: 'public' });
    assert.deepEqual(withTags['private/b.txt'], { metadata: null, tags: {} });

    // A Deny on the object's metadata holds against the owner too; the listing itself stays allowed.
    await mc.setBucketPolicy(B, JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Deny', Principal: '*', Action: ['s3:GetObject'], Resource: [`arn:aws:s3:::${B}/private/*`] }] }));
    const owner = byName(await collect<Listed>(mc.extensions.listObjectsV2WithMetadata(B, '', true)));
    assert.deepEqual(owner['private/b.txt'], { metadata: null, tags: { visibility: 'private' } });
    assert.deepEqual(owner['public/a.txt']?.metadata, { 'content-type': 'text/plain', 'X-Amz-Meta-Owner': 'ml' });
  });

  it('put_object(tags=, retention=, legal_hold=): the one PUT minio-py sends, signed by minio-js; get_object_tags, get_object_retention, is_object_legal_hold_enabled read them back', async () => {
    const B = 'fm-lock';
    await mc.makeBucket(B, 'us-east-1', { ObjectLocking: true });
    const until = new Date(Date.now() + 30 * 86_400_000);
    until.setUTCHours(0, 0, 0, 0);
    const { res } = await signed(
      {
        method: 'PUT',
        bucketName: B,
        objectName: 'sample_put_object_8',
        headers: {
          'x-amz-tagging': 'User=XYZzz',
          'x-amz-object-lock-mode': 'GOVERNANCE',
          'x-amz-object-lock-retain-until-date': until.toISOString(),
          'x-amz-object-lock-legal-hold': 'ON',
        },
      },
      Buffer.from('hello'),
    );
    assert.equal(res.headers.etag, '"5d41402abc4b2a76b9719d911017c592"');
    const versionId = res.headers['x-amz-version-id'] as string;
    assert.ok(versionId);

    assert.deepEqual(await mc.getObjectTagging(B, 'sample_put_object_8'), [{ Key: 'User', Value: 'XYZzz' }]);
    const retention = await mc.getObjectRetention(B, 'sample_put_object_8', { versionId });
    assert.equal(retention?.mode, 'GOVERNANCE');
    assert.equal(new Date(String(retention?.retainUntilDate)).getTime(), until.getTime());
    assert.deepEqual(await mc.getObjectLegalHold(B, 'sample_put_object_8'), { Status: 'ON' });
    const stat = await mc.statObject(B, 'sample_put_object_8');
    assert.equal(stat.size, 5);
    assert.equal(stat.versionId, versionId);

    // set_object_tags replaces the set; disable/enable_object_legal_hold on the latest version.
    await mc.setObjectTagging(B, 'sample_put_object_8', { User: 'Disha' });
    assert.deepEqual(await mc.getObjectTagging(B, 'sample_put_object_8'), [{ Key: 'User', Value: 'Disha' }]);
    await mc.setObjectLegalHold(B, 'sample_put_object_8', { status: 'OFF', versionId: '' } as Minio.PutObjectLegalHoldOptions);
    assert.deepEqual(await mc.getObjectLegalHold(B, 'sample_put_object_8'), { Status: 'OFF' });
    // Retention still holds it: GOVERNANCE yields only to the bypass.
    assert.equal(await errorCode(mc.removeObject(B, 'sample_put_object_8', { versionId })), 'AccessDenied');
    await mc.setObjectLegalHold(B, 'sample_put_object_8', { status: 'ON', versionId: '' } as Minio.PutObjectLegalHoldOptions);
    assert.deepEqual(await mc.getObjectLegalHold(B, 'sample_put_object_8', { versionId }), { Status: 'ON' });
    assert.equal(await errorCode(mc.removeObject(B, 'sample_put_object_8', { versionId, governanceBypass: true })), 'AccessDenied');
    assert.equal((await readAll(await mc.getObject(B, 'sample_put_object_8'))).toString(), 'hello');

    // The minio-js way for fput_object: the file, then one call per setting on its version.
    const file = join(dir, 'sample.json');
    await writeFile(file, JSON.stringify({ sample: true }));
    const put = await mc.fPutObject(B, 'sample_put_object_9.json', file, { 'X-Amz-Meta-Source': 'disk' });
    assert.ok(put.versionId);
    await mc.setObjectTagging(B, 'sample_put_object_9.json', { User: 'XYZzz' }, { versionId: put.versionId });
    await mc.putObjectRetention(B, 'sample_put_object_9.json', { mode: 'GOVERNANCE', retainUntilDate: until.toISOString(), versionId: put.versionId });
    await mc.setObjectLegalHold(B, 'sample_put_object_9.json', { status: 'ON', versionId: put.versionId });
    assert.deepEqual(await mc.getObjectTagging(B, 'sample_put_object_9.json', { versionId: put.versionId }), [{ Key: 'User', Value: 'XYZzz' }]);
    assert.equal((await mc.getObjectRetention(B, 'sample_put_object_9.json', { versionId: put.versionId }))?.mode, 'GOVERNANCE');
    assert.deepEqual(await mc.getObjectLegalHold(B, 'sample_put_object_9.json', { versionId: put.versionId }), { Status: 'ON' });
    const st = await mc.statObject(B, 'sample_put_object_9.json');
    assert.equal(st.metaData['content-type'], 'application/json');
    assert.equal(st.metaData.source, 'disk');
  });

  it('put_object(progress=): a counting stream given to putObject sees every byte, in one part and in several (part_size)', async () => {
    const B = 'fm-progress';
    await mc.makeBucket(B);
    const data = randomBytes(11 * MiB + 3);
    const upload = async (client: Minio.Client, key: string) => {
      const progress: number[] = [];
      let sent = 0;
      const counting = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          sent += chunk.length;
          progress.push(sent);
          done(null, chunk);
        },
      });
      Readable.from((function* () {
        for (let i = 0; i < data.length; i += 256 * 1024) yield data.subarray(i, i + 256 * 1024);
      })()).pipe(counting);
      const result = await client.putObject(B, key, counting, data.length, { 'Content-Type': 'application/octet-stream' });
      assert.equal(sent, data.length);
      assert.ok(progress.every((n, i) => i === 0 || n > progress[i - 1]!), 'progress only grows');
      assertSameBytes(await readAll(await mc.getObject(B, key)), data, key);
      return result;
    };
    // Under minio-js's default part size (64 MiB) a known length goes in one PUT.
    assert.match((await upload(mc, 'one-part.bin')).etag, /^[0-9a-f]{32}$/);
    const parted = new Minio.Client({ endPoint: '127.0.0.1', port, useSSL: false, accessKey: ROOT.user, secretKey: ROOT.password, region: 'us-east-1', partSize: 5 * MiB });
    assert.match((await upload(parted, 'three-parts.bin')).etag, /^[0-9a-f]{32}-3$/);
  });

  it('get_object / fget_object / stat_object with version_id; extra query parameters (response-*) through getObject options; object tags by version; copy_object restores a version', async () => {
    const B = 'fm-versions';
    await mc.makeBucket(B);
    await mc.setBucketVersioning(B, { Status: 'Enabled' });
    const v1 = await mc.putObject(B, 'sample-file.txt', 'first version', undefined, { 'Content-Type': 'text/plain' });
    const v2 = await mc.putObject(B, 'sample-file.txt', 'second, longer version', undefined, { 'Content-Type': 'text/plain' });
    assert.ok(v1.versionId && v2.versionId && v1.versionId !== v2.versionId);

    const out = join(dir, 'sample-file.txt');
    await mc.fGetObject(B, 'sample-file.txt', out, { versionId: v1.versionId });
    assert.equal(await readFile(out, 'utf8'), 'first version');
    await mc.fGetObject(B, 'sample-file.txt', out);
    assert.equal(await readFile(out, 'utf8'), 'second, longer version');
    assert.equal((await mc.statObject(B, 'sample-file.txt', { versionId: v1.versionId })).size, 'first version'.length);

    // minio-js sends every getObject option as a query parameter: extra_query_params.
    const res = (await mc.getObject(B, 'sample-file.txt', {
      versionId: v1.versionId,
      'response-content-type': 'application/json',
      'response-content-disposition': 'attachment; filename="v1.txt"',
    } as Parameters<Minio.Client['getObject']>[2])) as IncomingMessage;
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.headers['content-disposition'], 'attachment; filename="v1.txt"');
    assert.equal(res.headers['x-amz-version-id'], v1.versionId);
    assert.equal((await readAll(res)).toString(), 'first version');
    assert.equal((await readAll(await mc.getPartialObject(B, 'sample-file.txt', 8, 6, { versionId: v2.versionId }))).toString(), 'longer');

    // Tags of one version, not the other.
    await mc.setObjectTagging(B, 'sample-file.txt', { User: 'old' }, { versionId: v1.versionId });
    await mc.setObjectTagging(B, 'sample-file.txt', { User: 'new' });
    assert.deepEqual(await mc.getObjectTagging(B, 'sample-file.txt', { versionId: v1.versionId }), [{ Key: 'User', Value: 'old' }]);
    assert.deepEqual(await mc.getObjectTagging(B, 'sample-file.txt', { versionId: v2.versionId }), [{ Key: 'User', Value: 'new' }]);
    await mc.removeObjectTagging(B, 'sample-file.txt', { versionId: v1.versionId });
    assert.deepEqual(await mc.getObjectTagging(B, 'sample-file.txt', { versionId: v1.versionId }), []);
    assert.deepEqual(await mc.getObjectTagging(B, 'sample-file.txt'), [{ Key: 'User', Value: 'new' }]);

    // copy_object from a version: result.version_id is the new version's.
    const copied = (await mc.copyObject(
      new Minio.CopySourceOptions({ Bucket: B, Object: 'sample-file.txt', VersionID: v1.versionId }),
      new Minio.CopyDestinationOptions({ Bucket: B, Object: 'sample-file.txt' }),
    )) as { VersionId?: string; SourceVersionId?: string };
    assert.ok(copied.VersionId && copied.VersionId !== v1.versionId && copied.VersionId !== v2.versionId);
    assert.equal(copied.SourceVersionId, v1.versionId);
    assert.equal((await readAll(await mc.getObject(B, 'sample-file.txt'))).toString(), 'first version');
  });

  it('remove_objects: a folder listed recursively, and plain names with one version id in a versioned bucket', async () => {
    const B = 'fm-remove';
    await mc.makeBucket(B);
    for (const k of ['folder-name/a.txt', 'folder-name/b/c.txt', 'folder-name/d.txt', 'folder-name-not/e.txt', 'keep.txt']) await mc.putObject(B, k, k);
    const listed = await collect(mc.listObjects(B, 'folder-name/', true));
    assert.deepEqual(await mc.removeObjects(B, listed.map((o) => o.name!)), []);
    assert.deepEqual(
      (await collect(mc.listObjectsV2(B, '', true))).map((o) => o.name),
      ['folder-name-not/e.txt', 'keep.txt'],
    );

    const V = 'fm-remove-versions';
    await mc.makeBucket(V);
    await mc.setBucketVersioning(V, { Status: 'Enabled' });
    await mc.putObject(V, 'my-object1', '1');
    await mc.putObject(V, 'my-object2', '2');
    const old3 = await mc.putObject(V, 'my-object3', 'three, old');
    await mc.putObject(V, 'my-object3', 'three, new');
    const errors = await mc.removeObjects(V, [{ name: 'my-object1' }, { name: 'my-object2' }, { name: 'my-object3', versionId: old3.versionId! }] as { name: string; versionId: string }[]);
    assert.deepEqual(errors, []);
    // minio-js emits a page's versions before its delete markers: sorted here by key, latest first.
    const versions = await collect(mc.listObjects(V, '', true, { IncludeVersion: true }) as unknown as Minio.BucketStream<VersionItem>);
    versions.sort((a, b) => a.name!.localeCompare(b.name!) || Number(b.isLatest) - Number(a.isLatest));
    assert.deepEqual(
      versions.map((v) => [v.name, v.isDeleteMarker === true, v.isLatest]),
      [
        ['my-object1', true, true],
        ['my-object1', false, false],
        ['my-object2', true, true],
        ['my-object2', false, false],
        ['my-object3', false, true],
      ],
    );
    assert.equal((await readAll(await mc.getObject(V, 'my-object3'))).toString(), 'three, new');
  });

  it('presigned_get_object with version_id and 2 hours; presigned_put_object with the default 7 days; get_presigned_url for DELETE, PUT with response-content-type, and GET', async () => {
    const B = 'fm-presign';
    await mc.makeBucket(B);
    await mc.setBucketVersioning(B, { Status: 'Enabled' });
    const v1 = await mc.putObject(B, 'sample_put_object_8', 'hello', undefined, { 'Content-Type': 'text/plain' });
    await mc.putObject(B, 'sample_put_object_8', 'hello again');

    const get = new URL(await mc.presignedGetObject(B, 'sample_put_object_8', 2 * 3600, { versionId: v1.versionId! }));
    assert.equal(get.searchParams.get('X-Amz-Expires'), '7200');
    const got = await fetch(get);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('x-amz-version-id'), v1.versionId);
    assert.equal(await got.text(), 'hello');

    const put = new URL(await mc.presignedPutObject(B, 'uploads/sample.json'));
    assert.equal(put.searchParams.get('X-Amz-Expires'), String(7 * 24 * 3600));
    const body = randomBytes(3000);
    const putRes = await fetch(put, { method: 'PUT', body });
    assert.equal(putRes.status, 200);
    assert.deepEqual(await readAll(await mc.getObject(B, 'uploads/sample.json')), body);

    // The document's get_presigned_url examples, in its order.
    const del = new URL(await mc.presignedUrl('DELETE', B, 'sample_put_object_8', 24 * 3600));
    assert.equal(del.searchParams.get('X-Amz-Expires'), '86400');
    const delRes = await fetch(del, { method: 'DELETE' });
    assert.equal(delRes.status, 204);
    assert.equal(delRes.headers.get('x-amz-delete-marker'), 'true');
    assert.equal(await errorCode(mc.statObject(B, 'sample_put_object_8')), 'NotFound');

    const putJson = await mc.presignedUrl('PUT', B, 'sample_put_object_8', 24 * 3600, { 'response-content-type': 'application/json' });
    const putJsonRes = await fetch(putJson, { method: 'PUT', body: '{"again":true}' });
    assert.equal(putJsonRes.status, 200, await putJsonRes.clone().text());
    assert.equal((await readAll(await mc.getObject(B, 'sample_put_object_8'))).toString(), '{"again":true}');

    const getAgain = await fetch(await mc.presignedUrl('GET', B, 'sample_put_object_8', 2 * 3600));
    assert.equal(getAgain.status, 200);
    assert.equal(await getAgain.text(), '{"again":true}');
    // The first version is still there, behind the delete marker and the new write.
    assert.equal((await readAll(await mc.getObject(B, 'sample_put_object_8', { versionId: v1.versionId! }))).toString(), 'hello');
  });
});

describe('docs/filemanager.md', () => {
  it('names, for every row, a test that exists in the file it names (or says which worker it is pending on)', async () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
    const doc = await readFile(join(root, 'docs', 'filemanager.md'), 'utf8');
    const rows = doc
      .split('\n')
      .filter((line) => line.startsWith('| ') && /\.test\.ts \|/.test(line))
      .map((line) => line.split(/(?<!\\)\|/).slice(1, -1).map((cell) => cell.trim()));
    assert.ok(rows.length >= 40, `only ${rows.length} rows`);
    const sources = new Map<string, string>();
    const missing: string[] = [];
    for (const [call, , file, test] of rows) {
      assert.ok(call && file && test, `a row with empty cells: ${call}`);
      if (/^pending: /.test(test)) continue;
      assert.match(file, /^[\w.-]+\.test\.ts$/, call);
      const name = /^`(.*)`$/.exec(test)?.[1];
      assert.ok(name, `${call}: the test name is not in backquotes`);
      let source = sources.get(file);
      if (source === undefined) {
        source = await readFile(join(root, 'test', 'e2e', file), 'utf8').catch(() => '');
        sources.set(file, source);
      }
      if (!source.includes(`it('${name}'`) && !source.includes(`it("${name}"`) && !source.includes(`it(\`${name}\``)) missing.push(`${file}: ${name}`);
    }
    assert.deepEqual(missing, []);
  });
});
