/**
 * ListObjectsV2 and ListObjects (V1) through the AWS SDK v3: prefixes,
 * delimiters, pagination (tokens, StartAfter, Marker/NextMarker and the SDK
 * paginator), owners, URL encoding, UTF-8 binary order and bad parameters.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  paginateListObjectsV2,
  type ListObjectsV2CommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { rejectsS3, signedFetch, xmlCode } from './sdk-helpers.ts';

const TREE = [
  'docs/readme.md',
  'docs/api/v1.md',
  'docs/api/v2.md',
  'photos/2020/a.jpg',
  'photos/2020/b.jpg',
  'photos/2021/c.jpg',
  'photos/2021/sub/d.jpg',
  'photos/top.jpg',
  'root.txt',
  'zeta',
];

/** Keys whose UTF-8 byte order differs from UTF-16 and locale orders. */
const ORDER_KEYS = ['a', 'B', 'é', '日本', '\u{1F600}', 'a/b', 'a\u0001', 'Z', 'a-', 'a.', 'a0', '\uE000', '\uFFFD', '\u{10FFFF}', 'ä', 'A', '_', '~'];

const utf8Order = (keys: readonly string[]): string[] => [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

async function putAll(s3: S3Client, bucket: string, keys: readonly string[]): Promise<void> {
  for (const Key of keys) await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: Key }));
}

describeEachMeta('SDK v3: listing', (kind) => {
  let t: TestSignet;
  let s3: S3Client;

  before(async () => {
    t = await startTestSignet(kind);
    s3 = t.s3();
    await s3.send(new CreateBucketCommand({ Bucket: 'tree' }));
    await putAll(s3, 'tree', TREE);
    await s3.send(new CreateBucketCommand({ Bucket: 'order' }));
    await putAll(s3, 'order', ORDER_KEYS);
  });
  after(async () => {
    s3?.destroy();
    await t?.close();
  });

  it('V2 lists everything in order with sizes, ETags and KeyCount; an empty bucket lists nothing', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: 'tree' }));
    assert.deepEqual(out.Contents?.map((c) => c.Key), utf8Order(TREE));
    assert.equal(out.KeyCount, TREE.length);
    assert.equal(out.IsTruncated, false);
    assert.equal(out.Name, 'tree');
    assert.equal(out.MaxKeys, 1000);
    for (const c of out.Contents ?? []) {
      assert.equal(c.Size, Buffer.byteLength(c.Key!));
      assert.match(c.ETag ?? '', /^"[0-9a-f]{32}"$/);
      assert.ok(c.LastModified instanceof Date);
      assert.equal(c.StorageClass, 'STANDARD');
      assert.equal(c.Owner, undefined, 'no Owner without FetchOwner');
    }
    await s3.send(new CreateBucketCommand({ Bucket: 'empty' }));
    const empty = await s3.send(new ListObjectsV2Command({ Bucket: 'empty' }));
    assert.equal(empty.KeyCount, 0);
    assert.equal(empty.Contents, undefined);
    assert.equal(empty.IsTruncated, false);
  });

  it('prefix, and delimiter with CommonPrefixes (V2 and V1)', async () => {
    const top = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Delimiter: '/' }));
    assert.deepEqual(top.Contents?.map((c) => c.Key), ['root.txt', 'zeta']);
    assert.deepEqual(top.CommonPrefixes?.map((p) => p.Prefix), ['docs/', 'photos/']);
    assert.equal(top.KeyCount, 4);
    assert.equal(top.Delimiter, '/');

    const photos = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Prefix: 'photos/', Delimiter: '/' }));
    assert.deepEqual(photos.Contents?.map((c) => c.Key), ['photos/top.jpg']);
    assert.deepEqual(photos.CommonPrefixes?.map((p) => p.Prefix), ['photos/2020/', 'photos/2021/']);
    assert.equal(photos.Prefix, 'photos/');

    const partial = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Prefix: 'photos/202', Delimiter: '/' }));
    assert.equal(partial.Contents, undefined);
    assert.deepEqual(partial.CommonPrefixes?.map((p) => p.Prefix), ['photos/2020/', 'photos/2021/']);

    const prefixOnly = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Prefix: 'docs/' }));
    assert.deepEqual(prefixOnly.Contents?.map((c) => c.Key), ['docs/api/v1.md', 'docs/api/v2.md', 'docs/readme.md']);
    assert.equal(prefixOnly.CommonPrefixes, undefined);

    const none = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Prefix: 'nothing/' }));
    assert.equal(none.KeyCount, 0);

    // A delimiter other than '/'.
    const byDot = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Prefix: 'docs/', Delimiter: '.' }));
    assert.deepEqual(byDot.CommonPrefixes?.map((p) => p.Prefix), ['docs/api/v1.', 'docs/api/v2.', 'docs/readme.']);
    // A multi-character delimiter.
    const multi = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Delimiter: '/20' }));
    assert.deepEqual(multi.CommonPrefixes?.map((p) => p.Prefix), ['photos/20']);
    assert.deepEqual(multi.Contents?.map((c) => c.Key), ['docs/api/v1.md', 'docs/api/v2.md', 'docs/readme.md', 'photos/top.jpg', 'root.txt', 'zeta']);

    const v1 = await s3.send(new ListObjectsCommand({ Bucket: 'tree', Prefix: 'photos/', Delimiter: '/' }));
    assert.deepEqual(v1.Contents?.map((c) => c.Key), ['photos/top.jpg']);
    assert.deepEqual(v1.CommonPrefixes?.map((p) => p.Prefix), ['photos/2020/', 'photos/2021/']);
    assert.equal(v1.IsTruncated, false);
  });

  it('V2 MaxKeys pagination with ContinuationToken visits every key once, in order', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page: ListObjectsV2CommandOutput = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', MaxKeys: 3, ContinuationToken: token }));
      pages++;
      assert.ok((page.Contents?.length ?? 0) <= 3);
      assert.equal(page.MaxKeys, 3);
      if (token !== undefined) assert.equal(page.ContinuationToken, token);
      seen.push(...(page.Contents ?? []).map((c) => c.Key!));
      assert.equal(page.IsTruncated, page.NextContinuationToken !== undefined);
      token = page.NextContinuationToken;
    } while (token);
    assert.deepEqual(seen, utf8Order(TREE));
    assert.equal(pages, Math.ceil(TREE.length / 3));
  });

  it('V2 pagination counts CommonPrefixes against MaxKeys and never repeats a prefix', async () => {
    const prefixes: string[] = [];
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Delimiter: '/', MaxKeys: 1, ContinuationToken: token }));
      assert.equal((page.Contents?.length ?? 0) + (page.CommonPrefixes?.length ?? 0), 1);
      assert.equal(page.KeyCount, 1);
      prefixes.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
      keys.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.NextContinuationToken;
    } while (token);
    assert.deepEqual(prefixes, ['docs/', 'photos/']);
    assert.deepEqual(keys, ['root.txt', 'zeta']);
  });

  it('paginateListObjectsV2 walks every page', async () => {
    const pages: number[] = [];
    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 4 }, { Bucket: 'tree' })) {
      pages.push(page.KeyCount ?? 0);
      keys.push(...(page.Contents ?? []).map((c) => c.Key!));
    }
    assert.deepEqual(pages, [4, 4, 2]);
    assert.deepEqual(keys, utf8Order(TREE));

    const withPrefix: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 1 }, { Bucket: 'tree', Prefix: 'photos/' })) {
      withPrefix.push(...(page.Contents ?? []).map((c) => c.Key!));
    }
    assert.deepEqual(withPrefix, utf8Order(TREE.filter((k) => k.startsWith('photos/'))));
  });

  it('V2 StartAfter starts strictly after a key (existing or not) and is echoed', async () => {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', StartAfter: 'photos/2021/c.jpg' }));
    assert.equal(out.StartAfter, 'photos/2021/c.jpg');
    assert.deepEqual(out.Contents?.map((c) => c.Key), ['photos/2021/sub/d.jpg', 'photos/top.jpg', 'root.txt', 'zeta']);
    const between = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', StartAfter: 'p' }));
    assert.equal(between.Contents?.[0]?.Key, 'photos/2020/a.jpg');
    const pastEnd = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', StartAfter: 'zzz' }));
    assert.equal(pastEnd.KeyCount, 0);
    // With a delimiter, StartAfter inside a common prefix skips that prefix.
    const skip = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', Delimiter: '/', StartAfter: 'docs/readme.md' }));
    assert.deepEqual(skip.CommonPrefixes?.map((p) => p.Prefix), ['photos/']);
    // The token wins over StartAfter.
    const first = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', MaxKeys: 2 }));
    const second = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', MaxKeys: 2, StartAfter: 'a', ContinuationToken: first.NextContinuationToken }));
    assert.deepEqual(second.Contents?.map((c) => c.Key), utf8Order(TREE).slice(2, 4));
  });

  it('V1 Marker pagination: NextMarker with a delimiter, the last key without one', async () => {
    const seen: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await s3.send(new ListObjectsCommand({ Bucket: 'tree', MaxKeys: 4, Marker: marker }));
      assert.equal(page.Marker ?? '', marker ?? '');
      const keys = (page.Contents ?? []).map((c) => c.Key!);
      seen.push(...keys);
      if (!page.IsTruncated) break;
      // Without a delimiter S3 sends no NextMarker: the next marker is the last key.
      marker = page.NextMarker ?? keys[keys.length - 1];
    }
    assert.deepEqual(seen, utf8Order(TREE));

    const withDelimiter: string[] = [];
    let m: string | undefined;
    for (;;) {
      const page = await s3.send(new ListObjectsCommand({ Bucket: 'tree', MaxKeys: 1, Delimiter: '/', Marker: m }));
      withDelimiter.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!), ...(page.Contents ?? []).map((c) => c.Key!));
      if (!page.IsTruncated) break;
      assert.ok(page.NextMarker, 'NextMarker is sent when a delimiter is');
      m = page.NextMarker;
    }
    assert.deepEqual(withDelimiter, ['docs/', 'photos/', 'root.txt', 'zeta']);
  });

  it('FetchOwner adds Owner to V2 entries; V1 always has it', async () => {
    const root = (await t.signet.identity.listUsers()).find((u) => u.isRoot)!;
    const v2 = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', FetchOwner: true, MaxKeys: 2 }));
    for (const c of v2.Contents ?? []) {
      assert.equal(c.Owner?.ID, root.id);
      assert.equal(c.Owner?.DisplayName, 'root');
    }
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: 'tree', MaxKeys: 2 }));
    for (const c of v1.Contents ?? []) assert.equal(c.Owner?.ID, root.id);
  });

  it('EncodingType url encodes keys, prefixes, delimiters and StartAfter in the answer', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'encoded' }));
    const keys = ['a b/c+d', 'a b/é&<>', 'a b/x%y', 'a b/ctl\u0001', 'plain'];
    await putAll(s3, 'encoded', keys);
    const out = await s3.send(new ListObjectsV2Command({ Bucket: 'encoded', EncodingType: 'url', Prefix: 'a b/', StartAfter: 'a b/' }));
    assert.equal(out.EncodingType, 'url');
    assert.equal(decodeURIComponent(out.Prefix!), 'a b/');
    assert.equal(decodeURIComponent(out.StartAfter!), 'a b/');
    const raw = out.Contents?.map((c) => c.Key!) ?? [];
    for (const k of raw) assert.ok(![' ', '<', '>', '&', '\u0001', 'é'].some((c) => k.includes(c)), `encoded: ${k}`);
    assert.deepEqual(raw.map(decodeURIComponent), utf8Order(keys.filter((k) => k.startsWith('a b/'))));
    const grouped = await s3.send(new ListObjectsV2Command({ Bucket: 'encoded', EncodingType: 'url', Delimiter: ' ' }));
    assert.deepEqual(grouped.CommonPrefixes?.map((p) => decodeURIComponent(p.Prefix!)), ['a ']);
    assert.equal(decodeURIComponent(grouped.Delimiter!), ' ');
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: 'encoded', EncodingType: 'url', MaxKeys: 2, Delimiter: '/' }));
    assert.deepEqual(v1.CommonPrefixes?.map((p) => decodeURIComponent(p.Prefix!)), ['a b/']);
    assert.equal(v1.IsTruncated, false);
    // Without encoding, XML-safe awkward keys come back as they are.
    const plain = await s3.send(new ListObjectsV2Command({ Bucket: 'encoded', Prefix: 'a b/c+' }));
    assert.deepEqual(plain.Contents?.map((c) => c.Key), ['a b/c+d']);
    const amp = await s3.send(new ListObjectsV2Command({ Bucket: 'encoded', Prefix: 'a b/é' }));
    assert.deepEqual(amp.Contents?.map((c) => c.Key), ['a b/é&<>']);
    await rejectsS3(s3.send(new ListObjectsV2Command({ Bucket: 'encoded', EncodingType: 'base64' as 'url' })), 'InvalidArgument', 400);
  });

  it('keys are in UTF-8 binary order (not UTF-16, not locale), on one page and across pages', async () => {
    const expected = utf8Order(ORDER_KEYS);
    // Sanity: this order differs from JavaScript's UTF-16 order.
    assert.notDeepEqual(expected, [...ORDER_KEYS].sort());
    const one = await s3.send(new ListObjectsV2Command({ Bucket: 'order', EncodingType: 'url' }));
    assert.deepEqual(one.Contents?.map((c) => decodeURIComponent(c.Key!)), expected);
    const paged: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 1 }, { Bucket: 'order', EncodingType: 'url' })) {
      paged.push(...(page.Contents ?? []).map((c) => decodeURIComponent(c.Key!)));
    }
    assert.deepEqual(paged, expected);
    // V1 markers across the same order.
    const v1: string[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await s3.send(new ListObjectsCommand({ Bucket: 'order', EncodingType: 'url', MaxKeys: 3, Marker: marker }));
      const keys = (page.Contents ?? []).map((c) => decodeURIComponent(c.Key!));
      v1.push(...keys);
      if (!page.IsTruncated) break;
      marker = keys[keys.length - 1];
    }
    assert.deepEqual(v1, expected);
    // StartAfter a key beyond the BMP, and a prefix made of one.
    const afterEmoji = await s3.send(new ListObjectsV2Command({ Bucket: 'order', EncodingType: 'url', StartAfter: '\u{1F600}' }));
    assert.deepEqual(afterEmoji.Contents?.map((c) => decodeURIComponent(c.Key!)), expected.slice(expected.indexOf('\u{1F600}') + 1));
    const delim = await s3.send(new ListObjectsV2Command({ Bucket: 'order', EncodingType: 'url', Delimiter: '/' }));
    assert.deepEqual(delim.CommonPrefixes?.map((p) => decodeURIComponent(p.Prefix!)), ['a/']);
  });

  it('an invalid continuation token is InvalidArgument', async () => {
    for (const token of ['!!!not a token!!!', 'abc=', '%%%', '\u00e9t\u00e9']) {
      await rejectsS3(s3.send(new ListObjectsV2Command({ Bucket: 'tree', ContinuationToken: token })), 'InvalidArgument', 400);
    }
  });

  it('an invalid max-keys is InvalidArgument', async () => {
    await rejectsS3(s3.send(new ListObjectsV2Command({ Bucket: 'tree', MaxKeys: -1 })), 'InvalidArgument', 400);
    await rejectsS3(s3.send(new ListObjectsCommand({ Bucket: 'tree', MaxKeys: -5 })), 'InvalidArgument', 400);
    for (const value of ['abc', '1.5', '99999999999999999999']) {
      const res = await signedFetch(t.url, { method: 'GET', path: '/tree', query: { 'list-type': '2', 'max-keys': value } });
      assert.equal(res.status, 400, `max-keys=${value}`);
      assert.equal(xmlCode(await res.text()), 'InvalidArgument', `max-keys=${value}`);
    }
    // Above 1000 is capped, not refused.
    const big = await s3.send(new ListObjectsV2Command({ Bucket: 'tree', MaxKeys: 5000 }));
    assert.equal(big.KeyCount, TREE.length);
  });

  it('listing follows deletes (DeleteObjects) at once', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'churn' }));
    const keys = Array.from({ length: 25 }, (_, i) => `k/${String(i).padStart(3, '0')}`);
    await putAll(s3, 'churn', keys);
    await s3.send(new DeleteObjectsCommand({ Bucket: 'churn', Delete: { Objects: keys.filter((_, i) => i % 2 === 0).map((Key) => ({ Key })), Quiet: true } }));
    const left: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 5 }, { Bucket: 'churn' })) {
      left.push(...(page.Contents ?? []).map((c) => c.Key!));
    }
    assert.deepEqual(left, keys.filter((_, i) => i % 2 === 1));
  });
});
