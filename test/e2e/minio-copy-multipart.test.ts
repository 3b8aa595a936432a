/**
 * Acceptance: server-side copies and multipart uploads driven by minio-js 8
 * (default client settings) against a real Signet, on each metadata engine:
 * copyObject in its v1 form (CopyConditions) and its v8 form
 * (CopySourceOptions/CopyDestinationOptions), composeObject with byte ranges,
 * and multipart uploads started, listed, completed and aborted through the SDK
 * (listIncompleteUploads, removeIncompleteUpload).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import * as Minio from 'minio';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { MiB, assertSameBytes, collect, errorCode, readAll } from '../support/minio-helpers.ts';

/** The v8 form's answer (the overloads type it as the union with the v1 answer). */
interface V2Result {
  readonly Bucket: string;
  readonly Key: string;
  readonly Etag: string;
}

describeEachMeta('minio-js: copies, compose and multipart uploads', (kind) => {
  let t: TestSignet;
  let mc: Minio.Client;
  before(async () => {
    t = await startTestSignet(kind);
    mc = t.minio();
    await mc.makeBucket('src');
    await mc.makeBucket('dst');
  });
  after(async () => {
    await t?.close();
  });

  it('copyObject (v1 form) copies data and metadata; CopyConditions with the right ETag pass, a wrong one fails', async () => {
    const data = randomBytes(40 * 1024);
    const put = await mc.putObject('src', 'orig.bin', data, data.length, { 'Content-Type': 'application/x-orig', 'X-Amz-Meta-Stage': 'raw' });

    const plain = await mc.copyObject('dst', 'copy-plain.bin', '/src/orig.bin');
    assert.equal((plain as { etag: string }).etag, put.etag);
    const st = await mc.statObject('dst', 'copy-plain.bin');
    assert.equal(st.size, data.length);
    assert.equal(st.etag, put.etag);
    assert.equal(st.metaData['content-type'], 'application/x-orig');
    assert.equal(st.metaData.stage, 'raw');
    assert.deepEqual(await readAll(await mc.getObject('dst', 'copy-plain.bin')), data);

    const good = new Minio.CopyConditions();
    good.setMatchETag(put.etag);
    const ok = await mc.copyObject('dst', 'copy-if-match.bin', 'src/orig.bin', good);
    assert.equal((ok as { etag: string }).etag, put.etag);
    assert.deepEqual(await readAll(await mc.getObject('dst', 'copy-if-match.bin')), data);

    const bad = new Minio.CopyConditions();
    bad.setMatchETag('0123456789abcdef0123456789abcdef');
    assert.equal(await errorCode(mc.copyObject('dst', 'copy-if-match-bad.bin', 'src/orig.bin', bad)), 'PreconditionFailed');
    assert.equal(await errorCode(mc.statObject('dst', 'copy-if-match-bad.bin')), 'NotFound');

    const except = new Minio.CopyConditions();
    except.setMatchETagExcept(put.etag);
    assert.equal(await errorCode(mc.copyObject('dst', 'copy-if-none-match.bin', 'src/orig.bin', except)), 'PreconditionFailed');
    const unmodified = new Minio.CopyConditions();
    unmodified.setUnmodified(new Date(Date.UTC(2000, 0, 1)));
    assert.equal(await errorCode(mc.copyObject('dst', 'copy-unmodified.bin', 'src/orig.bin', unmodified)), 'PreconditionFailed');
    const modified = new Minio.CopyConditions();
    modified.setModified(new Date(Date.UTC(2000, 0, 1)));
    await mc.copyObject('dst', 'copy-modified.bin', 'src/orig.bin', modified);
    assert.equal((await mc.statObject('dst', 'copy-modified.bin')).etag, put.etag);

    assert.equal(await errorCode(mc.copyObject('dst', 'x', 'src/no-such-key')), 'NoSuchKey');
    assert.equal(await errorCode(mc.copyObject('dst', 'x', 'no-such-bucket/k')), 'NoSuchBucket');
  });

  it('copyObject (v8 form) with MetadataDirective REPLACE sets new user metadata and headers', async () => {
    await mc.putObject('src', 'meta src.txt', 'metadata copy', undefined, { 'Content-Type': 'text/plain', 'X-Amz-Meta-Old': 'yes', 'X-Amz-Meta-Keep': 'maybe' });
    const source = new Minio.CopySourceOptions({ Bucket: 'src', Object: 'meta src.txt' });

    // COPY (the default) keeps the source's metadata.
    const same = (await mc.copyObject(source, new Minio.CopyDestinationOptions({ Bucket: 'dst', Object: 'meta-copied.txt' }))) as V2Result;
    assert.equal(same.Bucket, 'dst');
    assert.equal(same.Key, 'meta-copied.txt');
    const s1 = await mc.statObject('dst', 'meta-copied.txt');
    assert.equal(s1.metaData.old, 'yes');
    assert.equal(s1.metaData['content-type'], 'text/plain');

    const replaced = (await mc.copyObject(
      source,
      new Minio.CopyDestinationOptions({
        Bucket: 'dst',
        Object: 'meta-replaced.txt',
        MetadataDirective: 'REPLACE',
        UserMetadata: { Fresh: 'new-value', Count: 3 },
        Headers: { 'Content-Type': 'text/markdown', 'Cache-Control': 'max-age=60' },
      }),
    )) as V2Result;
    assert.equal(replaced.Key, 'meta-replaced.txt');
    // minio-js takes this Etag from an ETag response header, which S3's CopyObject does not send
    // (the ETag is in the XML body), so it is empty against S3 too; the copy's ETag is checked by stat.
    const s2 = await mc.statObject('dst', 'meta-replaced.txt');
    assert.equal(s2.etag, (await mc.statObject('src', 'meta src.txt')).etag);
    assert.equal(s2.metaData.fresh, 'new-value');
    assert.equal(s2.metaData.count, '3');
    assert.equal(s2.metaData.old, undefined);
    assert.equal(s2.metaData.keep, undefined);
    assert.equal(s2.metaData['content-type'], 'text/markdown');
    assert.equal(s2.metaData['cache-control'], 'max-age=60');
    assert.equal((await readAll(await mc.getObject('dst', 'meta-replaced.txt'))).toString(), 'metadata copy');

    // Copying an object onto itself is allowed when the metadata is replaced.
    await mc.copyObject(
      new Minio.CopySourceOptions({ Bucket: 'dst', Object: 'meta-replaced.txt' }),
      new Minio.CopyDestinationOptions({ Bucket: 'dst', Object: 'meta-replaced.txt', MetadataDirective: 'REPLACE', UserMetadata: { again: '1' } }),
    );
    const s3 = await mc.statObject('dst', 'meta-replaced.txt');
    assert.equal(s3.metaData.again, '1');
    assert.equal(s3.metaData.fresh, undefined);
    // ... and refused when nothing changes (S3's InvalidRequest).
    assert.equal(
      await errorCode(mc.copyObject(new Minio.CopySourceOptions({ Bucket: 'dst', Object: 'meta-replaced.txt' }), new Minio.CopyDestinationOptions({ Bucket: 'dst', Object: 'meta-replaced.txt' }))),
      'InvalidRequest',
    );

    // UserTags on the destination replace the tags.
    await mc.setObjectTagging('src', 'meta src.txt', { from: 'source' });
    await mc.copyObject(source, new Minio.CopyDestinationOptions({ Bucket: 'dst', Object: 'tags-kept.txt' }));
    assert.deepEqual(await mc.getObjectTagging('dst', 'tags-kept.txt'), [{ Key: 'from', Value: 'source' }]);
    await mc.copyObject(source, new Minio.CopyDestinationOptions({ Bucket: 'dst', Object: 'tags-replaced.txt', UserTags: { to: 'dest' } }));
    assert.deepEqual(await mc.getObjectTagging('dst', 'tags-replaced.txt'), [{ Key: 'to', Value: 'dest' }]);

    // A MatchETag condition on the source options.
    const wrong = new Minio.CopySourceOptions({ Bucket: 'src', Object: 'meta src.txt', MatchETag: 'ffffffffffffffffffffffffffffffff' });
    assert.equal(await errorCode(mc.copyObject(wrong, new Minio.CopyDestinationOptions({ Bucket: 'dst', Object: 'never.txt' }))), 'PreconditionFailed');
  });

  it('composeObject of 3 sources (two of at least 5 MiB, one with a byte range) equals their concatenation', async () => {
    const a = randomBytes(5 * MiB + 17);
    const b = randomBytes(7 * MiB);
    const c = randomBytes(300 * 1024);
    await mc.putObject('src', 'part-a', a);
    await mc.putObject('src', 'part-b', b);
    await mc.putObject('src', 'part-c', c);
    // minio-js 8.0.7 drops a range's Start when it splits a source into parts
    // (calculateEvenSplits tests the number with lodash isEmpty, true for every
    // number) and sends bytes=0-(End-Start): a range from byte 0 is what it can
    // express correctly. Ranges starting later are checked through uploadPart below.
    const bStart = 0;
    const bEnd = 5 * MiB + 99; // inclusive
    const sources = [
      new Minio.CopySourceOptions({ Bucket: 'src', Object: 'part-a' }),
      new Minio.CopySourceOptions({ Bucket: 'src', Object: 'part-b', MatchRange: true, Start: bStart, End: bEnd }),
      new Minio.CopySourceOptions({ Bucket: 'src', Object: 'part-c' }),
    ];
    const dest = new Minio.CopyDestinationOptions({ Bucket: 'dst', Object: 'composed.bin', UserMetadata: { composed: 'yes' }, Headers: { 'Content-Type': 'application/x-composed' } });
    const res = await mc.composeObject(dest, sources);
    // composeObject answers undefined when it aborted the upload after an error.
    assert.ok(res && typeof res === 'object', `composeObject failed: ${String(res)}`);
    assert.match((res as { etag: string }).etag, /^[0-9a-f]{32}-3$/);

    const expected = Buffer.concat([a, b.subarray(bStart, bEnd + 1), c]);
    const stat = await mc.statObject('dst', 'composed.bin');
    assert.equal(stat.size, expected.length);
    assert.equal(stat.metaData.composed, 'yes');
    assert.equal(stat.metaData['content-type'], 'application/x-composed');
    assertSameBytes(await readAll(await mc.getObject('dst', 'composed.bin')), expected, 'composed object');
    // A range across the seam between the first and second part.
    assert.deepEqual(await readAll(await mc.getPartialObject('dst', 'composed.bin', a.length - 10, 20)), expected.subarray(a.length - 10, a.length + 10));
    assert.deepEqual(await collect(mc.listIncompleteUploads('dst', 'composed', true)), []);
  });

  it('UploadPartCopy with byte ranges starting inside the sources (uploadPart with x-amz-copy-source headers)', async () => {
    const a = randomBytes(6 * MiB);
    const b = randomBytes(6 * MiB + 3);
    await mc.putObject('src', 'range-a', a);
    await mc.putObject('src', 'range b', b);
    const key = 'ranged-compose.bin';
    const id = await mc.initiateNewMultipartUpload('dst', key, {});
    const copyPart = (partNumber: number, source: string, first: number, last: number) =>
      mc.uploadPart({ bucketName: 'dst', objectName: key, uploadID: id, partNumber, headers: { 'x-amz-copy-source': source, 'x-amz-copy-source-range': `bytes=${first}-${last}` } });
    const p1 = await copyPart(1, 'src/range-a', 1000, 1000 + 5 * MiB - 1);
    const p2 = await copyPart(2, encodeURI('src/range b'), 777, b.length - 1);
    const p3 = await copyPart(3, 'src/range-a', 0, 9);
    assert.match(p1.etag, /^[0-9a-f]{32}$/);
    const done = await mc.completeMultipartUpload('dst', key, id, [
      { part: 1, etag: p1.etag },
      { part: 2, etag: p2.etag },
      { part: 3, etag: p3.etag },
    ]);
    assert.match(done.etag, /^[0-9a-f]{32}-3$/);
    const expected = Buffer.concat([a.subarray(1000, 1000 + 5 * MiB), b.subarray(777), a.subarray(0, 10)]);
    assertSameBytes(await readAll(await mc.getObject('dst', key)), expected, 'ranged parts');

    // A range past the end of the source is refused.
    const id2 = await mc.initiateNewMultipartUpload('dst', 'bad-range', {});
    assert.equal(
      await errorCode(mc.uploadPart({ bucketName: 'dst', objectName: 'bad-range', uploadID: id2, partNumber: 1, headers: { 'x-amz-copy-source': 'src/range-a', 'x-amz-copy-source-range': `bytes=0-${a.length}` } })),
      'InvalidRange',
    );
    await mc.abortMultipartUpload('dst', 'bad-range', id2);
  });

  it('composeObject of one small source is a plain copy', async () => {
    await mc.putObject('src', 'single', 'just one');
    const res = await mc.composeObject(new Minio.CopyDestinationOptions({ Bucket: 'dst', Object: 'single-composed' }), [new Minio.CopySourceOptions({ Bucket: 'src', Object: 'single' })]);
    assert.ok(res);
    assert.equal((await readAll(await mc.getObject('dst', 'single-composed'))).toString(), 'just one');
  });

  it('a multipart upload through the SDK: initiate, uploadPart, listIncompleteUploads, complete', async () => {
    const key = 'mp/complete.bin';
    const uploadId = await mc.initiateNewMultipartUpload('dst', key, { 'Content-Type': 'application/x-mp', 'X-Amz-Meta-Way': 'manual' });
    assert.ok(uploadId.length > 0);
    const p1 = randomBytes(5 * MiB);
    const p2 = randomBytes(1234);
    const r1 = await mc.uploadPart({ bucketName: 'dst', objectName: key, uploadID: uploadId, partNumber: 1, headers: {} }, p1);
    const r2 = await mc.uploadPart({ bucketName: 'dst', objectName: key, uploadID: uploadId, partNumber: 2, headers: {} }, p2);
    assert.match(r1.etag, /^[0-9a-f]{32}$/);

    const listed = await collect(mc.listIncompleteUploads('dst', 'mp/', true));
    assert.equal(listed.length, 1);
    assert.equal(listed[0]!.key, key);
    assert.equal(listed[0]!.uploadId, uploadId);
    assert.equal(listed[0]!.size, p1.length + p2.length);

    const done = await mc.completeMultipartUpload('dst', key, uploadId, [
      { part: 1, etag: r1.etag },
      { part: 2, etag: r2.etag },
    ]);
    assert.match(done.etag, /^[0-9a-f]{32}-2$/);
    const stat = await mc.statObject('dst', key);
    assert.equal(stat.size, p1.length + p2.length);
    assert.equal(stat.metaData['content-type'], 'application/x-mp');
    assert.equal(stat.metaData.way, 'manual');
    assertSameBytes(await readAll(await mc.getObject('dst', key)), Buffer.concat([p1, p2]));
    assert.deepEqual(await collect(mc.listIncompleteUploads('dst', 'mp/', true)), []);
  });

  it('listIncompleteUploads lists started uploads (recursive and by folder); removeIncompleteUpload and abort remove them', async () => {
    await mc.makeBucket('uploads');
    const u1 = await mc.initiateNewMultipartUpload('uploads', 'logs/2024/a.log', {});
    await mc.uploadPart({ bucketName: 'uploads', objectName: 'logs/2024/a.log', uploadID: u1, partNumber: 1, headers: {} }, Buffer.from('first part'));
    const u2 = await mc.initiateNewMultipartUpload('uploads', 'logs/b.log', {});
    const u3 = await mc.initiateNewMultipartUpload('uploads', 'top.bin', {});

    const all = await collect(mc.listIncompleteUploads('uploads', '', true));
    assert.deepEqual(
      all.map((u) => [u.key, u.uploadId, u.size]),
      [
        ['logs/2024/a.log', u1, 'first part'.length],
        ['logs/b.log', u2, 0],
        ['top.bin', u3, 0],
      ],
    );
    const underLogs = await collect(mc.listIncompleteUploads('uploads', 'logs/', true));
    assert.deepEqual(underLogs.map((u) => u.key), ['logs/2024/a.log', 'logs/b.log']);

    // Not recursive: the delimiter "/" folds deeper keys into prefixes, as ListMultipartUploads does on S3.
    const top = (await collect(mc.listIncompleteUploads('uploads', '', false))) as unknown as { key?: string; prefix?: string }[];
    assert.deepEqual(top.filter((u) => u.prefix !== undefined).map((u) => u.prefix), ['logs/']);
    assert.deepEqual(top.filter((u) => u.key !== undefined).map((u) => u.key), ['top.bin']);
    const inLogs = (await collect(mc.listIncompleteUploads('uploads', 'logs/', false))) as unknown as { key?: string; prefix?: string }[];
    assert.deepEqual(inLogs.filter((u) => u.prefix !== undefined).map((u) => u.prefix), ['logs/2024/']);
    assert.deepEqual(inLogs.filter((u) => u.key !== undefined).map((u) => u.key), ['logs/b.log']);

    // Paging with a delimiter (max-uploads is not exposed by minio-js): a page may end on a
    // common prefix, and the next page resumes after all of its uploads.
    const s3 = t.s3();
    const pages: string[][] = [];
    let markers: { KeyMarker?: string | undefined; UploadIdMarker?: string | undefined } = {};
    for (;;) {
      const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads', Delimiter: '/', MaxUploads: 1, ...markers }));
      pages.push([...(page.Uploads ?? []).map((u) => u.Key!), ...(page.CommonPrefixes ?? []).map((p) => `prefix:${p.Prefix}`)]);
      if (!page.IsTruncated) break;
      markers = { KeyMarker: page.NextKeyMarker, UploadIdMarker: page.NextUploadIdMarker };
    }
    s3.destroy();
    assert.deepEqual(pages, [['prefix:logs/'], ['top.bin']]);

    await mc.removeIncompleteUpload('uploads', 'logs/2024/a.log');
    await mc.abortMultipartUpload('uploads', 'top.bin', u3);
    const left = await collect(mc.listIncompleteUploads('uploads', '', true));
    assert.deepEqual(left.map((u) => u.key), ['logs/b.log']);
    assert.equal(await errorCode(mc.uploadPart({ bucketName: 'uploads', objectName: 'top.bin', uploadID: u3, partNumber: 1, headers: {} }, Buffer.from('late'))), 'NoSuchUpload');
    assert.equal(await errorCode(mc.abortMultipartUpload('uploads', 'top.bin', u3)), 'NoSuchUpload');
    await mc.removeIncompleteUpload('uploads', 'logs/b.log');
    assert.deepEqual(await collect(mc.listIncompleteUploads('uploads', '', true)), []);
    // The aborted uploads left no object behind; the bucket can go.
    await mc.removeBucket('uploads');
  });

  it('completing with a wrong part ETag or a too-small first part fails with S3 codes', async () => {
    const key = 'mp/bad.bin';
    const id = await mc.initiateNewMultipartUpload('dst', key, {});
    const r1 = await mc.uploadPart({ bucketName: 'dst', objectName: key, uploadID: id, partNumber: 1, headers: {} }, Buffer.from('tiny first part'));
    const r2 = await mc.uploadPart({ bucketName: 'dst', objectName: key, uploadID: id, partNumber: 2, headers: {} }, Buffer.from('last'));
    assert.equal(
      await errorCode(mc.completeMultipartUpload('dst', key, id, [{ part: 1, etag: '00000000000000000000000000000000' }])),
      'InvalidPart',
    );
    assert.equal(
      await errorCode(
        mc.completeMultipartUpload('dst', key, id, [
          { part: 1, etag: r1.etag },
          { part: 2, etag: r2.etag },
        ]),
      ),
      'EntityTooSmall',
    );
    // One small part alone is fine.
    await mc.completeMultipartUpload('dst', key, id, [{ part: 2, etag: r2.etag }]);
    assert.equal((await readAll(await mc.getObject('dst', key))).toString(), 'last');
  });
});
