/**
 * Acceptance: bucket versioning with the AWS SDK v3 against a real Signet,
 * on each metadata engine. Overwrites and deletes keep every earlier version
 * readable byte-exact; delete markers; ListObjectVersions (prefix,
 * delimiter, markers, paging, encoding); the `null` version when versioning
 * is suspended; restoring a version by copying it over the current one;
 * versionId on GET/HEAD/DELETE/copy/tagging; malformed input changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  UploadPartCopyCommand,
  type ListObjectVersionsCommandOutput,
  type S3Client,
} from '@aws-sdk/client-s3';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { bytesOf, pattern, rejectsHead, rejectsS3, signedFetch, xmlCode } from './sdk-helpers.ts';

/** Versions and delete markers of one listing page, in listing order (key, then newest first). */
function entries(page: ListObjectVersionsCommandOutput): { key: string; id: string; latest: boolean; marker: boolean }[] {
  const all = [
    ...(page.Versions ?? []).map((v) => ({ key: v.Key!, id: v.VersionId!, latest: v.IsLatest === true, marker: false, at: v.LastModified! })),
    ...(page.DeleteMarkers ?? []).map((d) => ({ key: d.Key!, id: d.VersionId!, latest: d.IsLatest === true, marker: true, at: d.LastModified! })),
  ];
  return all.map(({ key, id, latest, marker }) => ({ key, id, latest, marker }));
}

describeEachMeta('SDK v3: bucket versioning', (kind) => {
  let t: TestSignet;
  let s3: S3Client;

  before(async () => {
    t = await startTestSignet(kind);
    s3 = t.s3();
  });
  after(async () => {
    s3?.destroy();
    await t?.close();
  });

  const get = async (Bucket: string, Key: string, VersionId?: string) => bytesOf((await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }))).Body);
  const versioning = (Bucket: string, Status: 'Enabled' | 'Suspended') =>
    s3.send(new PutBucketVersioningCommand({ Bucket, VersioningConfiguration: { Status } }));
  const listVersions = (Bucket: string, extra: Partial<ConstructorParameters<typeof ListObjectVersionsCommand>[0]> = {}) =>
    s3.send(new ListObjectVersionsCommand({ Bucket, ...extra }));

  it('PutBucketVersioning / GetBucketVersioning report the real status', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'status' }));
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: 'status' }))).Status, undefined);
    await versioning('status', 'Enabled');
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: 'status' }))).Status, 'Enabled');
    await versioning('status', 'Suspended');
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: 'status' }))).Status, 'Suspended');
    await rejectsS3(versioning('no-such-bucket-v', 'Enabled'), 'NoSuchBucket', 404);
  });

  it('overwrites and deletes keep every earlier version readable byte-exact', async () => {
    const B = 'history';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await versioning(B, 'Enabled');
    // Inline (small) and blob-backed (over the inline threshold) bodies alike.
    const bodies = [Buffer.from('first'), pattern(t.config.inlineThreshold + 70_000, 2), Buffer.from('third, small again')];
    const ids: string[] = [];
    for (const Body of bodies) {
      const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'model.bin', Body }));
      assert.ok(put.VersionId && put.VersionId !== 'null', 'a real version id');
      ids.push(put.VersionId);
    }
    assert.equal(new Set(ids).size, 3);
    for (const [i, id] of ids.entries()) {
      assert.ok((await get(B, 'model.bin', id)).equals(bodies[i]!), `version ${i} byte-exact`);
      const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'model.bin', VersionId: id }));
      assert.equal(head.VersionId, id);
      assert.equal(head.ContentLength, bodies[i]!.length);
    }
    const latest = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'model.bin' }));
    assert.equal(latest.VersionId, ids[2]);

    const del = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'model.bin' }));
    assert.equal(del.DeleteMarker, true);
    assert.ok(del.VersionId && !ids.includes(del.VersionId));
    const marker = del.VersionId;
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: B, Key: 'model.bin' })), 'NoSuchKey', 404);
    const headGone = await rejectsHead(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'model.bin' })), 404);
    assert.equal(headGone.$response?.headers['x-amz-delete-marker'], 'true');
    await rejectsHead(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'model.bin', VersionId: marker })), 405);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: B }));
    assert.equal(listed.KeyCount, 0, 'a delete marker hides the key from listings');
    for (const [i, id] of ids.entries()) assert.ok((await get(B, 'model.bin', id)).equals(bodies[i]!), `version ${i} survives the delete`);

    const versions = await listVersions(B);
    assert.deepEqual(entries(versions), [
      ...ids.toReversed().map((id) => ({ key: 'model.bin', id, latest: false, marker: false })),
      { key: 'model.bin', id: marker, latest: true, marker: true },
    ]);
    assert.equal(versions.Versions?.[0]?.ETag !== undefined, true);
    assert.equal(versions.Versions?.[1]?.Size, bodies[1]!.length);

    // Removing the marker brings the object back; removing a version forgets only it.
    const undelete = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'model.bin', VersionId: marker }));
    assert.equal(undelete.DeleteMarker, true);
    assert.equal(undelete.VersionId, marker);
    assert.ok((await get(B, 'model.bin')).equals(bodies[2]!));
    const gone = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'model.bin', VersionId: ids[1] }));
    assert.equal(gone.VersionId, ids[1]);
    assert.equal(gone.DeleteMarker, undefined);
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: B, Key: 'model.bin', VersionId: ids[1] })), 'NoSuchVersion', 404);
    assert.ok((await get(B, 'model.bin', ids[0])).equals(bodies[0]!));
    assert.deepEqual(
      entries(await listVersions(B)).map((e) => e.id),
      [ids[2], ids[0]],
    );
  });

  it('DeleteObjects with version ids: markers, versions and their results', async () => {
    const B = 'batch';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await versioning(B, 'Enabled');
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: B, Key: 'a', Body: 'a1' }))).VersionId!;
    const v2 = (await s3.send(new PutObjectCommand({ Bucket: B, Key: 'a', Body: 'a2' }))).VersionId!;
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'b', Body: 'b1' }));
    const res = await s3.send(
      new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: [{ Key: 'a', VersionId: v1 }, { Key: 'b' }, { Key: 'a', VersionId: 'no-such-version' }] } }),
    );
    const byKey = new Map(res.Deleted?.map((d) => [`${d.Key}:${d.VersionId ?? ''}`, d]));
    assert.equal(byKey.get(`a:${v1}`)?.DeleteMarker, undefined);
    const b = byKey.get('b:');
    assert.equal(b?.DeleteMarker, true);
    assert.ok(b?.DeleteMarkerVersionId, 'the marker created');
    assert.deepEqual(res.Errors ?? [], []);
    // Naming the marker by id removes it: DeleteMarker with that id.
    const again = await s3.send(new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: [{ Key: 'b', VersionId: b.DeleteMarkerVersionId }] } }));
    assert.equal(again.Deleted?.[0]?.DeleteMarker, true);
    assert.equal(again.Deleted?.[0]?.DeleteMarkerVersionId, b.DeleteMarkerVersionId);
    assert.equal((await get(B, 'b')).toString(), 'b1');
    assert.deepEqual(
      entries(await listVersions(B, { Prefix: 'a' })).map((e) => e.id),
      [v2],
    );
  });

  it('restores a version by copying it over the current one (CopyObject and UploadPartCopy)', async () => {
    const B = 'restore';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await versioning(B, 'Enabled');
    const good = pattern(300_000, 7);
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: B, Key: 'weights', Body: good, ContentType: 'application/x-good' }))).VersionId!;
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'weights', Body: 'oops, overwritten', ContentType: 'text/plain' }));
    const copy = await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'weights', CopySource: `${B}/weights?versionId=${v1}` }));
    assert.equal(copy.CopySourceVersionId, v1);
    assert.ok(copy.VersionId && copy.VersionId !== v1);
    const restored = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'weights' }));
    assert.equal(restored.VersionId, copy.VersionId);
    assert.equal(restored.ContentType, 'application/x-good');
    assert.ok((await bytesOf(restored.Body)).equals(good));
    assert.equal(entries(await listVersions(B)).length, 3, 'the overwrite is still there as a noncurrent version');

    // The same with UploadPartCopy from the old version id.
    const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'from-parts' }));
    const part = await s3.send(
      new UploadPartCopyCommand({ Bucket: B, Key: 'from-parts', UploadId: upload.UploadId, PartNumber: 1, CopySource: `${B}/weights?versionId=${v1}` }),
    );
    assert.equal(part.CopySourceVersionId, v1);
    const done = await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: B,
        Key: 'from-parts',
        UploadId: upload.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.CopyPartResult?.ETag }] },
      }),
    );
    assert.ok(done.VersionId && done.VersionId !== 'null', 'CompleteMultipartUpload names the version');
    assert.ok((await get(B, 'from-parts', done.VersionId)).equals(good));
  });

  it('tagging by version id touches only that version', async () => {
    const B = 'tags-v';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await versioning(B, 'Enabled');
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: '1' }))).VersionId!;
    const v2 = (await s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: '2' }))).VersionId!;
    const put = await s3.send(new PutObjectTaggingCommand({ Bucket: B, Key: 'k', VersionId: v1, Tagging: { TagSet: [{ Key: 'stage', Value: 'old' }] } }));
    assert.equal(put.VersionId, v1);
    const old = await s3.send(new GetObjectTaggingCommand({ Bucket: B, Key: 'k', VersionId: v1 }));
    assert.equal(old.VersionId, v1);
    assert.deepEqual(old.TagSet, [{ Key: 'stage', Value: 'old' }]);
    const current = await s3.send(new GetObjectTaggingCommand({ Bucket: B, Key: 'k' }));
    assert.equal(current.VersionId, v2);
    assert.deepEqual(current.TagSet, []);
  });

  it('ListObjectVersions pages with key and version-id markers, by prefix and delimiter', async () => {
    const B = 'paging';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await versioning(B, 'Enabled');
    for (const [key, n] of [['a/1', 3], ['a/2', 1], ['b', 2], ['c/x', 1], ['c/y', 1], ['d', 1]] as const) {
      for (let i = 0; i < n; i++) await s3.send(new PutObjectCommand({ Bucket: B, Key: key, Body: `${key}#${i}` }));
    }
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'a/2' }));
    const all = entries(await listVersions(B));
    assert.equal(all.length, 10);
    assert.deepEqual([...new Set(all.map((e) => e.key))], ['a/1', 'a/2', 'b', 'c/x', 'c/y', 'd']);

    for (const MaxKeys of [1, 2, 3]) {
      const paged: typeof all = [];
      let markers: { KeyMarker?: string; VersionIdMarker?: string } = {};
      for (let pages = 0; ; pages++) {
        assert.ok(pages < 20, 'paging terminates');
        const page = await listVersions(B, { MaxKeys, ...markers });
        const got = entries(page);
        assert.ok(got.length <= MaxKeys);
        paged.push(...got);
        if (!page.IsTruncated) break;
        assert.ok(page.NextKeyMarker, 'a truncated page says where to resume');
        markers = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
      }
      const sortById = (xs: typeof all) => xs.map((e) => `${e.key} ${e.id}`).sort();
      assert.deepEqual(sortById(paged), sortById(all), `max-keys ${MaxKeys}: every version exactly once`);
    }

    // Within one key: resume after a given version.
    const a1 = all.filter((e) => e.key === 'a/1');
    const rest = await listVersions(B, { KeyMarker: 'a/1', VersionIdMarker: a1[0]!.id, MaxKeys: 2 });
    assert.deepEqual(entries(rest).map((e) => e.id), [a1[1]!.id, a1[2]!.id]);
    // A key marker alone resumes after all of that key's versions.
    assert.equal(entries(await listVersions(B, { KeyMarker: 'a/1', MaxKeys: 1 }))[0]?.key, 'a/2');

    const folders = await listVersions(B, { Delimiter: '/' });
    assert.deepEqual(folders.CommonPrefixes?.map((p) => p.Prefix), ['a/', 'c/']);
    assert.deepEqual([...new Set(entries(folders).map((e) => e.key))], ['b', 'd']);
    const walked: string[] = [];
    let cursor: { KeyMarker?: string; VersionIdMarker?: string } = {};
    for (let pages = 0; ; pages++) {
      assert.ok(pages < 20);
      const page = await listVersions(B, { Delimiter: '/', MaxKeys: 1, ...cursor });
      walked.push(...(page.CommonPrefixes ?? []).map((p) => p.Prefix!), ...entries(page).map((e) => e.key));
      if (!page.IsTruncated) break;
      cursor = { KeyMarker: page.NextKeyMarker, VersionIdMarker: page.NextVersionIdMarker };
    }
    assert.deepEqual(walked, ['a/', 'b', 'b', 'c/', 'd'], 'each common prefix once, counted against max-keys');

    const inA = await listVersions(B, { Prefix: 'a/' });
    assert.deepEqual([...new Set(entries(inA).map((e) => e.key))], ['a/1', 'a/2']);
    assert.equal(inA.Prefix, 'a/');
    await rejectsS3(listVersions(B, { VersionIdMarker: a1[0]!.id }), 'InvalidArgument', 400);
    await rejectsS3(listVersions(B, { MaxKeys: -1 }), 'InvalidArgument', 400);
  });

  it('ListObjectVersions with encoding-type=url encodes keys and markers', async () => {
    const B = 'encoded';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await versioning(B, 'Enabled');
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'sp ace/é.txt', Body: 'x' }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'zz', Body: 'x' }));
    const page = await listVersions(B, { EncodingType: 'url', MaxKeys: 1 });
    assert.equal(page.EncodingType, 'url');
    assert.equal(page.Versions?.[0]?.Key, 'sp%20ace/%C3%A9.txt');
    assert.equal(page.NextKeyMarker, 'sp%20ace/%C3%A9.txt');
    const next = await listVersions(B, { KeyMarker: 'sp ace/é.txt', MaxKeys: 1 });
    assert.equal(next.Versions?.[0]?.Key, 'zz');
  });

  it('suspending versioning gives S3’s null version semantics', async () => {
    const B = 'suspend';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'before versioning' }));
    assert.deepEqual(entries(await listVersions(B)), [{ key: 'k', id: 'null', latest: true, marker: false }]);
    await versioning(B, 'Enabled');
    const v1 = (await s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'versioned' }))).VersionId!;
    assert.equal((await get(B, 'k', 'null')).toString(), 'before versioning', 'the unversioned object became the null version');

    await versioning(B, 'Suspended');
    const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'suspended 1' }));
    assert.ok(put.VersionId === undefined || put.VersionId === 'null');
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'suspended 2' }));
    // Each write while suspended replaces the one null version; the versioned one stays.
    assert.deepEqual(entries(await listVersions(B)), [
      { key: 'k', id: 'null', latest: true, marker: false },
      { key: 'k', id: v1, latest: false, marker: false },
    ]);
    assert.equal((await get(B, 'k')).toString(), 'suspended 2');
    assert.equal((await get(B, 'k', 'null')).toString(), 'suspended 2');
    assert.equal((await get(B, 'k', v1)).toString(), 'versioned');

    const del = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'k' }));
    assert.equal(del.DeleteMarker, true);
    assert.deepEqual(entries(await listVersions(B)), [
      { key: 'k', id: v1, latest: false, marker: false },
      { key: 'k', id: 'null', latest: true, marker: true },
    ]);
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: B, Key: 'k' })), 'NoSuchKey', 404);
    assert.equal((await get(B, 'k', v1)).toString(), 'versioned');

    await versioning(B, 'Enabled');
    const v3 = (await s3.send(new PutObjectCommand({ Bucket: B, Key: 'k', Body: 'enabled again' }))).VersionId!;
    assert.ok(v3 !== 'null' && v3 !== v1);
    assert.equal(entries(await listVersions(B)).length, 3);
  });

  it('malformed or invalid versioning documents are refused and change nothing', async () => {
    const B = 'bad-versioning';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await versioning(B, 'Enabled');
    for (const [body, code] of [
      ['<VersioningConfiguration><Status>Maybe</Status></VersioningConfiguration>', 'MalformedXML'],
      ['<VersioningConfiguration><Status>Enabled', 'MalformedXML'],
      ['not xml at all', 'MalformedXML'],
      ['<Other><Status>Suspended</Status></Other>', 'MalformedXML'],
      ['<VersioningConfiguration><Status>Suspended</Status><MfaDelete>Enabled</MfaDelete></VersioningConfiguration>', 'NotImplemented'],
    ] as const) {
      const res = await signedFetch(t.url, { method: 'PUT', path: `/${B}`, query: { versioning: '' }, body });
      assert.equal(xmlCode(await res.text()), code, body);
      assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: B }))).Status, 'Enabled', 'unchanged');
    }
    const wrongMethod = await signedFetch(t.url, { method: 'DELETE', path: `/${B}`, query: { versioning: '' } });
    assert.equal(wrongMethod.status, 405);
    const listDelete = await signedFetch(t.url, { method: 'DELETE', path: `/${B}`, query: { versions: '' } });
    assert.equal(listDelete.status, 405);
  });
});
