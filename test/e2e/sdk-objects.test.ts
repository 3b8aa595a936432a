/**
 * Object operations through the AWS SDK v3 with default client settings
 * (flexible checksums on, streaming bodies as the SDK sends them): stored
 * headers and metadata, digests and checksums, conditional requests, ranges
 * and parts, response overrides, deletes, copies, and awkward keys.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  UploadPartCommand,
  type ChecksumAlgorithm,
  type S3Client,
} from '@aws-sdk/client-s3';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { ALGORITHMS, bytesOf, captureHeaders, checksumB64, md5B64, md5Hex, multipartEtag, pattern, rejectsHead, rejectsS3, signedFetch, withHeaders, xmlCode, type Algorithm } from './sdk-helpers.ts';

const B = 'objects';
const MiB = 1024 * 1024;

type ChecksumFields = { ChecksumCRC32?: string; ChecksumCRC32C?: string; ChecksumCRC64NVME?: string; ChecksumSHA1?: string; ChecksumSHA256?: string };
const field = (alg: Algorithm): keyof ChecksumFields => `Checksum${alg}`;

/** Every regular file under `dir`, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(relative(dir, join(entry.parentPath, entry.name)));
  }
  return out.sort();
}

describeEachMeta('SDK v3: objects', (kind) => {
  let t: TestSignet;
  let s3: S3Client;
  /** A two-part multipart object: 5 MiB + 1000 bytes. */
  const mpParts = [pattern(5 * MiB, 11), pattern(1000, 12)];
  const mpKey = 'multipart/object.bin';

  before(async () => {
    t = await startTestSignet(kind);
    s3 = t.s3();
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: mpKey, ContentType: 'application/x-mp' }));
    const etags: string[] = [];
    for (const [i, body] of mpParts.entries()) {
      const part = await s3.send(new UploadPartCommand({ Bucket: B, Key: mpKey, UploadId, PartNumber: i + 1, Body: body }));
      etags.push(part.ETag!);
    }
    await s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: B,
        Key: mpKey,
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
  });
  after(async () => {
    s3?.destroy();
    await t?.close();
  });

  it('PutObject stores ContentType, Metadata, CacheControl, ContentDisposition, ContentLanguage, Expires and Tagging; GetObject returns them', async () => {
    const expires = new Date('2031-01-02T03:04:05Z');
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: B,
        Key: 'headers.txt',
        Body: 'hello headers',
        ContentType: 'text/plain; charset=utf-8',
        Metadata: { color: 'blue', 'model-name': 'llama' },
        CacheControl: 'max-age=3600, public',
        ContentDisposition: 'attachment; filename="h.txt"',
        ContentLanguage: 'en-GB',
        Expires: expires,
        Tagging: 'stage=prod&team=ml%20ops',
      }),
    );
    assert.equal(put.ETag, `"${md5Hex(Buffer.from('hello headers'))}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'headers.txt' }));
    assert.equal(await got.Body?.transformToString(), 'hello headers');
    assert.equal(got.ContentType, 'text/plain; charset=utf-8');
    assert.deepEqual(got.Metadata, { color: 'blue', 'model-name': 'llama' });
    assert.equal(got.CacheControl, 'max-age=3600, public');
    assert.equal(got.ContentDisposition, 'attachment; filename="h.txt"');
    assert.equal(got.ContentLanguage, 'en-GB');
    assert.equal(got.Expires?.getTime(), expires.getTime());
    assert.equal(got.ContentLength, 13);
    assert.equal(got.ETag, put.ETag);
    assert.equal(got.TagCount, 2);
    assert.equal(got.AcceptRanges, 'bytes');
    assert.ok(got.LastModified instanceof Date);
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: B, Key: 'headers.txt' }));
    assert.deepEqual(
      tags.TagSet?.map((x) => [x.Key, x.Value]).sort(),
      [
        ['stage', 'prod'],
        ['team', 'ml ops'],
      ],
    );
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'headers.txt' }));
    assert.equal(head.ContentType, 'text/plain; charset=utf-8');
    assert.deepEqual(head.Metadata, { color: 'blue', 'model-name': 'llama' });
    assert.equal(head.ContentLength, 13);
    assert.equal(head.ETag, put.ETag);
  });

  it('an object without ContentType reads back as binary/octet-stream or application/octet-stream; empty objects work', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'empty', Body: Buffer.alloc(0) }));
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'empty' }));
    assert.equal((await bytesOf(got.Body)).length, 0);
    assert.equal(got.ContentLength, 0);
    assert.equal(got.ETag, '"d41d8cd98f00b204e9800998ecf8427e"');
    assert.ok(['binary/octet-stream', 'application/octet-stream'].includes(got.ContentType ?? ''), `got ${got.ContentType}`);
  });

  it('stores small (inline) and large (blob) bodies byte-exact, from buffers and from streams', async () => {
    for (const size of [1, t.config.inlineThreshold, t.config.inlineThreshold + 1, 3 * MiB + 7]) {
      const data = pattern(size, size);
      await s3.send(new PutObjectCommand({ Bucket: B, Key: `sized/${size}`, Body: data }));
      const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: `sized/${size}` }));
      assert.ok((await bytesOf(got.Body)).equals(data), `buffer body of ${size} bytes`);
      assert.equal(got.ETag, `"${md5Hex(data)}"`);
      // A stream body: the SDK sends it aws-chunked with a checksum trailer.
      await s3.send(new PutObjectCommand({ Bucket: B, Key: `streamed/${size}`, Body: Readable.from([data]), ContentLength: size }));
      const streamed = await s3.send(new GetObjectCommand({ Bucket: B, Key: `streamed/${size}` }));
      assert.ok((await bytesOf(streamed.Body)).equals(data), `stream body of ${size} bytes`);
      assert.equal(streamed.ETag, `"${md5Hex(data)}"`);
    }
  });

  it('Content-MD5: a correct one is accepted, a wrong one is BadDigest and stores nothing', async () => {
    const data = Buffer.from('digest me');
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'md5-ok', Body: data, ContentMD5: md5B64(data) }));
    const wrong = md5B64(Buffer.from('something else'));
    await rejectsS3(s3.send(new PutObjectCommand({ Bucket: B, Key: 'md5-bad', Body: data, ContentMD5: wrong })), 'BadDigest', 400);
    await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'md5-bad' })), 'NotFound', 404);
    // A bad digest over an existing key leaves the old content.
    await rejectsS3(s3.send(new PutObjectCommand({ Bucket: B, Key: 'md5-ok', Body: 'other', ContentMD5: wrong })), 'BadDigest', 400);
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'md5-ok' }));
    assert.equal(await got.Body?.transformToString(), 'digest me');
    // Not base64 of 16 bytes at all.
    await rejectsS3(s3.send(new PutObjectCommand({ Bucket: B, Key: 'md5-bad', Body: data, ContentMD5: 'bm90LWFuLW1kNQ==' })), 'InvalidDigest', 400);
  });

  for (const alg of ALGORITHMS) {
    it(`ChecksumAlgorithm ${alg}: computed by the SDK, verified, stored and returned with ChecksumMode ENABLED`, async () => {
      for (const [label, size] of [
        ['small', 1234],
        ['large', 200 * 1024 + 3],
      ] as const) {
        const data = pattern(size, 100 + size);
        const key = `checksum/${alg}/${label}`;
        const expected = await checksumB64(alg, data);
        const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: key, Body: data, ChecksumAlgorithm: alg as ChecksumAlgorithm }));
        assert.equal(put[field(alg)], expected, 'PutObject answer');
        assert.equal(put.ChecksumType, 'FULL_OBJECT');
        // And from a stream (aws-chunked with the checksum in a trailer).
        const putStream = await s3.send(
          new PutObjectCommand({ Bucket: B, Key: `${key}-stream`, Body: Readable.from([data]), ContentLength: size, ChecksumAlgorithm: alg as ChecksumAlgorithm }),
        );
        assert.equal(putStream[field(alg)], expected, 'PutObject answer (stream)');
        for (const k of [key, `${key}-stream`]) {
          const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: k, ChecksumMode: 'ENABLED' }));
          assert.equal(head[field(alg)], expected, 'HeadObject');
          assert.equal(head.ChecksumType, 'FULL_OBJECT');
          // The SDK also validates the body against the returned checksum.
          const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: k, ChecksumMode: 'ENABLED' }));
          assert.equal(got[field(alg)], expected, 'GetObject');
          assert.ok((await bytesOf(got.Body)).equals(data));
          // Without ChecksumMode the checksum is not sent.
          const plain = await s3.send(new HeadObjectCommand({ Bucket: B, Key: k }));
          assert.equal(plain[field(alg)], undefined);
        }
      }
    });
  }

  it('the SDK default (no ChecksumAlgorithm) stores a CRC32 checksum', async () => {
    const data = Buffer.from('default checksum');
    const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'checksum/default', Body: data }));
    assert.equal(put.ChecksumCRC32, await checksumB64('CRC32', data));
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'checksum/default', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumCRC32, await checksumB64('CRC32', data));
  });

  it('a wrong x-amz-checksum-* value is BadDigest and stores nothing', async () => {
    const data = Buffer.from('the real bytes');
    const other = Buffer.from('different bytes');
    for (const alg of ALGORITHMS) {
      const key = `bad-checksum/${alg}`;
      // Given as the command's checksum value: the SDK sends it as is.
      const given = { [field(alg)]: await checksumB64(alg, other) } as ChecksumFields;
      await rejectsS3(s3.send(new PutObjectCommand({ Bucket: B, Key: key, Body: data, ...given })), 'BadDigest', 400);
      // Rewritten after the SDK computed the right one.
      const cmd = withHeaders(new PutObjectCommand({ Bucket: B, Key: key, Body: data, ChecksumAlgorithm: alg as ChecksumAlgorithm }), {
        [`x-amz-checksum-${alg.toLowerCase()}`]: await checksumB64(alg, other),
      });
      await rejectsS3(s3.send(cmd), 'BadDigest', 400);
      await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: B, Key: key })), 'NotFound', 404);
    }
    // A raw signed request with a wrong header, too.
    const res = await signedFetch(t.url, {
      method: 'PUT',
      path: `/${B}/bad-checksum/raw`,
      headers: { 'x-amz-checksum-sha256': createHash('sha256').update(other).digest('base64') },
      body: data,
    });
    assert.equal(res.status, 400);
    assert.equal(xmlCode(await res.text()), 'BadDigest');
    await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'bad-checksum/raw' })), 'NotFound', 404);
  });

  it('conditional PUT: If-None-Match "*" creates only once (412 after); If-Match needs the current ETag', async () => {
    const first = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'cond-put', Body: 'one', IfNoneMatch: '*' }));
    await rejectsS3(s3.send(new PutObjectCommand({ Bucket: B, Key: 'cond-put', Body: 'two', IfNoneMatch: '*' })), 'PreconditionFailed', 412);
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'cond-put' }));
    assert.equal(await got.Body?.transformToString(), 'one');

    await rejectsS3(s3.send(new PutObjectCommand({ Bucket: B, Key: 'cond-put', Body: 'three', IfMatch: '"0123456789abcdef0123456789abcdef"' })), 'PreconditionFailed', 412);
    const second = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'cond-put', Body: 'four', IfMatch: first.ETag }));
    assert.equal(second.ETag, `"${md5Hex(Buffer.from('four'))}"`);
    // The old ETag no longer matches.
    await rejectsS3(s3.send(new PutObjectCommand({ Bucket: B, Key: 'cond-put', Body: 'five', IfMatch: first.ETag })), 'PreconditionFailed', 412);
    const final = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'cond-put' }));
    assert.equal(await final.Body?.transformToString(), 'four');
    // If-Match on a key that does not exist: S3 answers NoSuchKey.
    await rejectsS3(s3.send(new PutObjectCommand({ Bucket: B, Key: 'cond-missing', Body: 'x', IfMatch: first.ETag })), 'NoSuchKey', 404);
  });

  it('GET ranges: a-b, a-, -n (206 with Content-Range); past the end is 416 InvalidRange', async () => {
    const data = pattern(1000, 5);
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'ranged', Body: data }));
    const cases: [string, number, number][] = [
      ['bytes=0-9', 0, 9],
      ['bytes=100-199', 100, 199],
      ['bytes=990-', 990, 999],
      ['bytes=-10', 990, 999],
      ['bytes=995-5000', 995, 999],
      ['bytes=-5000', 0, 999],
      ['bytes=999-999', 999, 999],
    ];
    for (const [range, start, end] of cases) {
      const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'ranged', Range: range }));
      assert.equal(got.$metadata.httpStatusCode, 206, range);
      assert.equal(got.ContentRange, `bytes ${start}-${end}/1000`, range);
      assert.equal(got.ContentLength, end - start + 1, range);
      assert.ok((await bytesOf(got.Body)).equals(data.subarray(start, end + 1)), range);
    }
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: B, Key: 'ranged', Range: 'bytes=1000-' })), 'InvalidRange', 416);
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: B, Key: 'ranged', Range: 'bytes=5000-6000' })), 'InvalidRange', 416);
    // A large (blob-stored) object, a range across the middle.
    const big = pattern(2 * MiB, 6);
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'ranged-big', Body: big }));
    const mid = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'ranged-big', Range: `bytes=${MiB - 10}-${MiB + 10}` }));
    assert.ok((await bytesOf(mid.Body)).equals(big.subarray(MiB - 10, MiB + 11)));
    // The range on the multipart object spans its part boundary.
    const whole = Buffer.concat(mpParts);
    const across = await s3.send(new GetObjectCommand({ Bucket: B, Key: mpKey, Range: `bytes=${5 * MiB - 3}-${5 * MiB + 2}` }));
    assert.ok((await bytesOf(across.Body)).equals(whole.subarray(5 * MiB - 3, 5 * MiB + 3)));
  });

  it('PartNumber on a multipart object gives that part and PartsCount; an out-of-range part is an error', async () => {
    const whole = Buffer.concat(mpParts);
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: mpKey }));
    assert.equal(head.ETag, `"${multipartEtag(mpParts)}"`);
    assert.equal(head.ContentLength, whole.length);
    assert.equal(head.ContentType, 'application/x-mp');
    for (const n of [1, 2]) {
      const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: mpKey, PartNumber: n }));
      assert.equal(got.$metadata.httpStatusCode, 206);
      assert.equal(got.PartsCount, 2);
      assert.equal(got.ContentLength, mpParts[n - 1]!.length);
      const start = n === 1 ? 0 : mpParts[0]!.length;
      assert.equal(got.ContentRange, `bytes ${start}-${start + mpParts[n - 1]!.length - 1}/${whole.length}`);
      assert.ok((await bytesOf(got.Body)).equals(mpParts[n - 1]!), `part ${n}`);
      const h = await s3.send(new HeadObjectCommand({ Bucket: B, Key: mpKey, PartNumber: n }));
      assert.equal(h.PartsCount, 2);
      assert.equal(h.ContentLength, mpParts[n - 1]!.length);
    }
    const e = await rejectsS3(s3.send(new GetObjectCommand({ Bucket: B, Key: mpKey, PartNumber: 3 })), 'InvalidPartNumber', 416);
    assert.ok(e.$metadata.httpStatusCode === 416);
    // A single-PUT object is its own part 1.
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'single-part', Body: 'only part' }));
    const one = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'single-part', PartNumber: 1 }));
    assert.equal(await one.Body?.transformToString(), 'only part');
    assert.equal(one.PartsCount ?? 1, 1);
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: B, Key: 'single-part', PartNumber: 2 })), 'InvalidPartNumber', 416);
  });

  it('conditional GET: If-Match / If-Unmodified-Since fail with 412, If-None-Match / If-Modified-Since with 304', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'cond-get', Body: 'conditional' }));
    const { LastModified } = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'cond-get' }));
    assert.ok(LastModified);
    const past = new Date(LastModified.getTime() - 3600_000);
    const future = new Date(LastModified.getTime() + 3600_000);
    const ok = async (input: Record<string, unknown>) => {
      const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'cond-get', ...input }));
      assert.equal(await got.Body?.transformToString(), 'conditional');
    };
    await ok({ IfMatch: put.ETag });
    await ok({ IfMatch: '*' });
    await ok({ IfNoneMatch: '"ffffffffffffffffffffffffffffffff"' });
    await ok({ IfModifiedSince: past });
    await ok({ IfUnmodifiedSince: future });
    await ok({ IfUnmodifiedSince: LastModified });
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: B, Key: 'cond-get', IfMatch: '"ffffffffffffffffffffffffffffffff"' })), 'PreconditionFailed', 412);
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: B, Key: 'cond-get', IfUnmodifiedSince: past })), 'PreconditionFailed', 412);
    await rejectsHeadOr304(s3.send(new GetObjectCommand({ Bucket: B, Key: 'cond-get', IfNoneMatch: put.ETag })));
    await rejectsHeadOr304(s3.send(new GetObjectCommand({ Bucket: B, Key: 'cond-get', IfModifiedSince: future })));
    await rejectsHeadOr304(s3.send(new GetObjectCommand({ Bucket: B, Key: 'cond-get', IfModifiedSince: LastModified })));
    // RFC 7232 order: If-Match passing wins over a failing If-Unmodified-Since; If-None-Match failing wins.
    await ok({ IfMatch: put.ETag, IfUnmodifiedSince: past });
    await rejectsHeadOr304(s3.send(new GetObjectCommand({ Bucket: B, Key: 'cond-get', IfNoneMatch: put.ETag, IfModifiedSince: past })));
    // HEAD answers the same statuses (without a body to name the error).
    await rejectsHead(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'cond-get', IfMatch: '"ffffffffffffffffffffffffffffffff"' })), 412);
    await rejectsHeadOr304(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'cond-get', IfNoneMatch: put.ETag })));
  });

  async function rejectsHeadOr304(run: Promise<unknown>): Promise<void> {
    await assert.rejects(run, (e: { name?: string; $metadata?: { httpStatusCode?: number } }) => {
      assert.equal(e.$metadata?.httpStatusCode, 304, `status (name ${e.name})`);
      return true;
    });
  }

  it('response-* overrides change the answer headers, not the stored ones', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'override', Body: 'over', ContentType: 'text/plain', CacheControl: 'no-cache' }));
    const expires = new Date('2030-05-06T07:08:09Z');
    const got = await s3.send(
      new GetObjectCommand({
        Bucket: B,
        Key: 'override',
        ResponseContentType: 'application/json',
        ResponseContentDisposition: 'attachment; filename="süß name.json"',
        ResponseCacheControl: 'max-age=60',
        ResponseContentLanguage: 'fr',
        ResponseContentEncoding: 'identity',
        ResponseExpires: expires,
      }),
    );
    assert.equal(await got.Body?.transformToString(), 'over');
    assert.equal(got.ContentType, 'application/json');
    assert.equal(got.CacheControl, 'max-age=60');
    assert.equal(got.ContentLanguage, 'fr');
    assert.equal(got.Expires?.getTime(), expires.getTime());
    assert.ok(got.ContentDisposition?.startsWith('attachment; filename='), got.ContentDisposition);
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'override' }));
    assert.equal(head.ContentType, 'text/plain');
    assert.equal(head.CacheControl, 'no-cache');
  });

  it('HeadObject of a missing key is NotFound (404), GetObject NoSuchKey; DeleteObject of a missing key is 204', async () => {
    await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'nope' })), 'NotFound', 404);
    const e = await rejectsS3(s3.send(new GetObjectCommand({ Bucket: B, Key: 'nope' })), 'NoSuchKey', 404);
    assert.equal((e as { Key?: string }).Key ?? 'nope', 'nope');
    const del = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'nope' }));
    assert.equal(del.$metadata.httpStatusCode, 204);
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'to-delete', Body: 'x' }));
    const del2 = await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'to-delete' }));
    assert.equal(del2.$metadata.httpStatusCode, 204);
    await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'to-delete' })), 'NotFound', 404);
  });

  it('DeleteObjects: Quiet false lists every key deleted (missing ones too); Quiet true lists none', async () => {
    const keys = ['batch/a', 'batch/b c', 'batch/ü+%'];
    for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: B, Key: k, Body: k }));
    const sent = captureHeaders(new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: [...keys, 'batch/missing'].map((Key) => ({ Key })), Quiet: false } }));
    const loud = await s3.send(sent.command);
    // The SDK proves the body's integrity with a flexible checksum, not Content-MD5.
    assert.equal(sent.headers['content-md5'], undefined);
    assert.ok(Object.keys(sent.headers).some((h) => /^x-amz-checksum-(crc32|crc32c|crc64nvme|sha1|sha256)$/.test(h)), JSON.stringify(sent.headers));
    assert.deepEqual(loud.Deleted?.map((d) => d.Key).sort(), [...keys, 'batch/missing'].sort());
    assert.equal(loud.Errors, undefined);
    const left = await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'batch/' }));
    assert.equal(left.KeyCount, 0);

    for (const k of keys) await s3.send(new PutObjectCommand({ Bucket: B, Key: k, Body: k }));
    const quiet = await s3.send(new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }));
    assert.equal(quiet.$metadata.httpStatusCode, 200);
    assert.deepEqual(quiet.Deleted ?? [], []);
    assert.deepEqual(quiet.Errors ?? [], []);
    const none = await s3.send(new ListObjectsV2Command({ Bucket: B, Prefix: 'batch/' }));
    assert.equal(none.KeyCount, 0);
  });

  it('CopyObject: MetadataDirective COPY keeps, REPLACE replaces; TaggingDirective; checksum kept', async () => {
    const data = Buffer.from('copy source bytes');
    await s3.send(
      new PutObjectCommand({
        Bucket: B,
        Key: 'copy/src',
        Body: data,
        ContentType: 'text/x-src',
        Metadata: { origin: 'source' },
        Tagging: 'k=v',
        ChecksumAlgorithm: 'SHA256',
      }),
    );
    const copied = await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy/same', CopySource: `${B}/copy/src` }));
    assert.equal(copied.CopyObjectResult?.ETag, `"${md5Hex(data)}"`);
    const same = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'copy/same', ChecksumMode: 'ENABLED' }));
    assert.ok((await bytesOf(same.Body)).equals(data));
    assert.equal(same.ContentType, 'text/x-src');
    assert.deepEqual(same.Metadata, { origin: 'source' });
    assert.equal(same.TagCount, 1);
    assert.equal(same.ChecksumSHA256, await checksumB64('SHA256', data));

    await s3.send(
      new CopyObjectCommand({
        Bucket: B,
        Key: 'copy/replaced',
        CopySource: `${B}/copy/src`,
        MetadataDirective: 'REPLACE',
        ContentType: 'text/x-new',
        Metadata: { origin: 'replaced' },
        TaggingDirective: 'REPLACE',
        Tagging: 'a=1&b=2',
      }),
    );
    const replaced = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'copy/replaced' }));
    assert.ok((await bytesOf(replaced.Body)).equals(data));
    assert.equal(replaced.ContentType, 'text/x-new');
    assert.deepEqual(replaced.Metadata, { origin: 'replaced' });
    const tags = await s3.send(new GetObjectTaggingCommand({ Bucket: B, Key: 'copy/replaced' }));
    assert.deepEqual(tags.TagSet?.map((x) => `${x.Key}=${x.Value}`).sort(), ['a=1', 'b=2']);

    // REPLACE tags, COPY metadata.
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy/retagged', CopySource: `${B}/copy/src`, TaggingDirective: 'REPLACE', Tagging: 'only=this' }));
    const retagged = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'copy/retagged' }));
    assert.deepEqual(retagged.Metadata, { origin: 'source' });
    const retags = await s3.send(new GetObjectTaggingCommand({ Bucket: B, Key: 'copy/retagged' }));
    assert.deepEqual(retags.TagSet?.map((x) => `${x.Key}=${x.Value}`), ['only=this']);

    // Overwriting the source later does not change the copy.
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'copy/src', Body: 'new source' }));
    const still = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'copy/same' }));
    assert.ok((await bytesOf(still.Body)).equals(data));
  });

  it('CopyObject conditions: CopySourceIfMatch / IfNoneMatch / IfModifiedSince / IfUnmodifiedSince fail with 412', async () => {
    const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'copy/cond', Body: 'cond' }));
    const { LastModified } = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'copy/cond' }));
    const past = new Date(LastModified!.getTime() - 3600_000);
    const future = new Date(LastModified!.getTime() + 3600_000);
    const src = `${B}/copy/cond`;
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy/cond-1', CopySource: src, CopySourceIfMatch: put.ETag }));
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy/cond-2', CopySource: src, CopySourceIfNoneMatch: '"ffffffffffffffffffffffffffffffff"' }));
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy/cond-3', CopySource: src, CopySourceIfModifiedSince: past }));
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy/cond-4', CopySource: src, CopySourceIfUnmodifiedSince: future }));
    const failing: Record<string, unknown>[] = [
      { CopySourceIfMatch: '"ffffffffffffffffffffffffffffffff"' },
      { CopySourceIfNoneMatch: put.ETag },
      { CopySourceIfModifiedSince: future },
      { CopySourceIfUnmodifiedSince: past },
    ];
    for (const cond of failing) {
      await rejectsS3(s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy/cond-fail', CopySource: src, ...cond })), 'PreconditionFailed', 412);
    }
    await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'copy/cond-fail' })), 'NotFound', 404);
  });

  it('CopyObject onto itself needs REPLACE (InvalidRequest otherwise); a missing source is NoSuchKey', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'copy/self', Body: 'self', Metadata: { v: '1' } }));
    await rejectsS3(s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy/self', CopySource: `${B}/copy/self` })), 'InvalidRequest', 400);
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy/self', CopySource: `${B}/copy/self`, MetadataDirective: 'REPLACE', Metadata: { v: '2' } }));
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'copy/self' }));
    assert.deepEqual(head.Metadata, { v: '2' });
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'copy/self' }));
    assert.equal(await got.Body?.transformToString(), 'self');

    await rejectsS3(s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy/x', CopySource: `${B}/copy/no-such-source` })), 'NoSuchKey', 404);
    await rejectsS3(s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy/x', CopySource: `no-such-bucket-here/k` })), 'NoSuchBucket', 404);
  });

  it('CopyObject of a multipart object and of a source with awkward characters in its key', async () => {
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy/of-multipart', CopySource: `${B}/${mpKey}` }));
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'copy/of-multipart' }));
    const whole = Buffer.concat(mpParts);
    assert.equal(got.ContentLength, whole.length);
    assert.ok((await bytesOf(got.Body)).equals(whole));
    assert.equal(got.ContentType, 'application/x-mp');

    const awkward = 'copy/ü ñ+%?#&=.txt';
    await s3.send(new PutObjectCommand({ Bucket: B, Key: awkward, Body: 'awkward' }));
    // CopySource must be URL-encoded by the caller.
    await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy/from-awkward', CopySource: encodeURIComponent(`${B}/${awkward}`) }));
    const out = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'copy/from-awkward' }));
    assert.equal(await out.Body?.transformToString(), 'awkward');
  });

  it('keys with unicode, spaces, + % ? #, control characters and ../ are stored and listed byte-exact, never as paths', async () => {
    const etcPasswd = existsSync('/etc/passwd') ? createHash('sha256').update(readFileSync('/etc/passwd')).digest('hex') : null;
    const keys = [
      'unicode/日本語/файл/é',
      'emoji/\u{1F600}.txt',
      'space/a b  c ',
      'plus/a+b',
      'percent/100%/%2F/%41',
      'question/what?x=1',
      'hash/#fragment#',
      'amp/a&b=c;d',
      'ctrl/\u0001\u0002\u001f',
      'tab/\tx\n\r',
      '../../etc/passwd',
      '../../../../../../../tmp/signet-escape',
      '/leading/slash',
      'double//slash',
      'trailing/',
      './dot',
      'dots/../..',
      'back\\slash\\..\\..\\x',
      '<xml> & "quotes" \'',
    ];
    const big = pattern(64 * 1024, 77);
    for (const [i, key] of keys.entries()) {
      // Every other one large enough to be a blob rather than inline.
      const body = i % 2 === 0 ? Buffer.from(`body of ${key}`) : Buffer.concat([Buffer.from(key), big]);
      await s3.send(new PutObjectCommand({ Bucket: B, Key: key, Body: body }));
      const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: key }));
      assert.ok((await bytesOf(got.Body)).equals(body), `GET ${JSON.stringify(key)}`);
      const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: key }));
      assert.equal(head.ContentLength, body.length, `HEAD ${JSON.stringify(key)}`);
    }

    // Listed exactly, in UTF-8 binary order, through encoding-type=url.
    const listed: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(new ListObjectsV2Command({ Bucket: B, EncodingType: 'url', ContinuationToken: token, MaxKeys: 7 }));
      assert.equal(page.EncodingType, 'url');
      for (const c of page.Contents ?? []) listed.push(decodeURIComponent(c.Key!));
      token = page.NextContinuationToken;
    } while (token);
    const ours = listed.filter((k) => keys.includes(k));
    const expected = [...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    assert.deepEqual(ours, expected);

    // V1 with encoding too, with a prefix made of awkward characters.
    const v1 = await s3.send(new ListObjectsCommand({ Bucket: B, EncodingType: 'url', Prefix: 'percent/100%' }));
    assert.deepEqual(v1.Contents?.map((c) => decodeURIComponent(c.Key!)), ['percent/100%/%2F/%41']);
    const ctrl = await s3.send(new ListObjectsV2Command({ Bucket: B, EncodingType: 'url', Prefix: 'ctrl/\u0001' }));
    assert.deepEqual(ctrl.Contents?.map((c) => decodeURIComponent(c.Key!)), ['ctrl/\u0001\u0002\u001f']);

    // Deletes work on the same keys.
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: '../../etc/passwd' }));
    await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: B, Key: '../../etc/passwd' })), 'NotFound', 404);
    const batch = await s3.send(new DeleteObjectsCommand({ Bucket: B, Delete: { Objects: [{ Key: 'ctrl/\u0001\u0002\u001f' }, { Key: 'tab/\tx\n\r' }] } }));
    assert.equal(batch.Errors, undefined);
    await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'tab/\tx\n\r' })), 'NotFound', 404);

    // Nothing was written outside the data folder: keys never become paths.
    const parent = dirname(t.dataDir);
    for (const escaped of ['etc/passwd', 'etc', 'tmp/signet-escape']) {
      assert.ok(!existsSync(join(parent, escaped)), `${join(parent, escaped)} must not exist`);
      assert.ok(!existsSync(join(t.dataDir, escaped)), `${join(t.dataDir, escaped)} must not exist`);
    }
    assert.ok(!existsSync('/tmp/signet-escape'));
    if (etcPasswd !== null) assert.equal(createHash('sha256').update(readFileSync('/etc/passwd')).digest('hex'), etcPasswd);
    // Inside it, only content-addressed blobs, temporaries and the SQLite files.
    for (const file of await filesUnder(t.dataDir)) {
      assert.ok(!/passwd|signet-escape|日本|slash/.test(file), `unexpected file ${file}`);
    }
  });

  it('a key longer than 1024 bytes is KeyTooLongError', async () => {
    await rejectsS3(s3.send(new PutObjectCommand({ Bucket: B, Key: 'k'.repeat(1025), Body: 'x' })), 'KeyTooLongError', 400);
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'k'.repeat(1024), Body: 'x' }));
    // 1024 bytes counted in UTF-8: 342 three-byte characters are 1026 bytes.
    await rejectsS3(s3.send(new PutObjectCommand({ Bucket: B, Key: '日'.repeat(342), Body: 'x' })), 'KeyTooLongError', 400);
  });
});
