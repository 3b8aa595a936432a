/**
 * Multipart uploads through the AWS SDK v3 with default client settings:
 * lib-storage's Upload, the low-level calls by hand, every error S3 gives
 * for a bad completion, listing parts and uploads, UploadPartCopy, and
 * COMPOSITE / FULL_OBJECT checksums computed here independently.
 */
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  UploadPartCopyCommand,
  type ChecksumAlgorithm,
  type CompletedPart,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { describeEachMeta, useTestSignet } from '../support/test-signet.ts';
import { bytesOf, checksumB64, compositeChecksum, md5Hex, multipartEtag, pattern, rejectsS3, type Algorithm } from './sdk-helpers.ts';

const B = 'mpu';
const MiB = 1024 * 1024;

type ChecksumFields = { ChecksumCRC32?: string; ChecksumCRC32C?: string; ChecksumCRC64NVME?: string; ChecksumSHA1?: string; ChecksumSHA256?: string };
const field = (alg: Algorithm): keyof ChecksumFields => `Checksum${alg}`;

describeEachMeta('SDK v3: multipart uploads', (kind) => {
  let s3: S3Client;
  useTestSignet(kind, { buckets: [B] }, (started) => ({ s3 } = started));

  /** Uploads `parts` under the given part numbers and returns what CompleteMultipartUpload needs. */
  async function uploadParts(key: string, uploadId: string, parts: readonly [number, Buffer][], extra: Record<string, unknown> = {}): Promise<CompletedPart[]> {
    const done: CompletedPart[] = [];
    for (const [PartNumber, Body] of parts) {
      const out = await s3.send(new UploadPartCommand({ Bucket: B, Key: key, UploadId: uploadId, PartNumber, Body, ...extra }));
      assert.equal(out.ETag, `"${md5Hex(Body)}"`);
      done.push({
        PartNumber,
        ETag: out.ETag,
        ChecksumCRC32: out.ChecksumCRC32,
        ChecksumCRC32C: out.ChecksumCRC32C,
        ChecksumCRC64NVME: out.ChecksumCRC64NVME,
        ChecksumSHA1: out.ChecksumSHA1,
        ChecksumSHA256: out.ChecksumSHA256,
      });
    }
    return done;
  }

  it('lib-storage Upload of ~25 MiB with default settings: 5 MiB parts, ETag md5-of-md5s-N, CRC32 composite, bytes equal', async () => {
    const size = 25 * MiB + 12345;
    const data = pattern(size, 2025);
    const upload = new Upload({ client: s3, params: { Bucket: B, Key: 'lib/big.bin', Body: data, ContentType: 'application/x-big', Metadata: { who: 'lib-storage' } } });
    const out = await upload.done();
    const parts: Buffer[] = [];
    for (let off = 0; off < size; off += 5 * MiB) parts.push(data.subarray(off, Math.min(off + 5 * MiB, size)));
    assert.equal(parts.length, 6);
    assert.equal(out.ETag, `"${multipartEtag(parts)}"`);

    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'lib/big.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ContentLength, size);
    assert.equal(head.ETag, out.ETag);
    assert.equal(head.ContentType, 'application/x-big');
    assert.deepEqual(head.Metadata, { who: 'lib-storage' });
    // lib-storage asks for CRC32 by default: a COMPOSITE checksum over the parts.
    assert.equal(head.ChecksumCRC32, await compositeChecksum('CRC32', parts));
    assert.equal(head.ChecksumType, 'COMPOSITE');

    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'lib/big.bin' }));
    assert.equal(got.ContentLength, size);
    assert.ok((await bytesOf(got.Body)).equals(data));
    // Each part reads back by number, with its own checksum.
    const third = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'lib/big.bin', PartNumber: 3, ChecksumMode: 'ENABLED' }));
    assert.equal(third.PartsCount, 6);
    assert.ok((await bytesOf(third.Body)).equals(parts[2]!));
  });

  it('lib-storage Upload from a stream of unknown length, and a small body (single PUT)', async () => {
    const data = pattern(11 * MiB + 1, 7);
    const stream = Readable.from((function* () {
      for (let off = 0; off < data.length; off += 256 * 1024) yield data.subarray(off, off + 256 * 1024);
    })());
    await new Upload({ client: s3, params: { Bucket: B, Key: 'lib/stream.bin', Body: stream } }).done();
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'lib/stream.bin' }));
    assert.ok((await bytesOf(got.Body)).equals(data));
    assert.match(got.ETag ?? '', /-3"$/);

    const small = Buffer.from('tiny upload');
    const out = await new Upload({ client: s3, params: { Bucket: B, Key: 'lib/small.txt', Body: small } }).done();
    assert.equal(out.ETag, `"${md5Hex(small)}"`);
    const s = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'lib/small.txt' }));
    assert.equal(await s.Body?.transformToString(), 'tiny upload');
  });

  it('lib-storage Upload with ChecksumAlgorithm CRC64NVME: a FULL_OBJECT checksum equal to the CRC of the whole body', async () => {
    const data = pattern(12 * MiB + 99, 64);
    await new Upload({ client: s3, params: { Bucket: B, Key: 'lib/crc64.bin', Body: data, ChecksumAlgorithm: 'CRC64NVME' } }).done();
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'lib/crc64.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumCRC64NVME, await checksumB64('CRC64NVME', data));
    assert.equal(head.ChecksumType, 'FULL_OBJECT');
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'lib/crc64.bin', ChecksumMode: 'ENABLED' }));
    assert.ok((await bytesOf(got.Body)).equals(data));
  });

  it('by hand with non-contiguous part numbers 1, 3, 7', async () => {
    const key = 'hand/sparse.bin';
    const { UploadId, Bucket, Key } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: key, ContentType: 'application/x-sparse', Metadata: { a: 'b' }, Tagging: 't=1' }));
    assert.ok(UploadId);
    assert.equal(Bucket, B);
    assert.equal(Key, key);
    const bodies: [number, Buffer][] = [
      [1, pattern(5 * MiB, 1)],
      [3, pattern(5 * MiB, 3)],
      [7, pattern(4321, 7)],
    ];
    // Upload out of order; the order of the list is what counts.
    const parts = await uploadParts(key, UploadId, [bodies[2]!, bodies[0]!, bodies[1]!]);
    parts.sort((a, b) => a.PartNumber! - b.PartNumber!);
    const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: key, UploadId, MultipartUpload: { Parts: parts.map(({ PartNumber, ETag }) => ({ PartNumber, ETag })) } }));
    const contents = bodies.map(([, b]) => b);
    assert.equal(done.ETag, `"${multipartEtag(contents)}"`);
    assert.equal(done.Bucket, B);
    assert.equal(done.Key, key);
    assert.ok(done.Location?.includes(key));
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: key }));
    assert.ok((await bytesOf(got.Body)).equals(Buffer.concat(contents)));
    assert.equal(got.ContentType, 'application/x-sparse');
    assert.deepEqual(got.Metadata, { a: 'b' });
    assert.equal(got.TagCount, 1);
    // The upload is gone once completed.
    await rejectsS3(s3.send(new ListPartsCommand({ Bucket: B, Key: key, UploadId })), 'NoSuchUpload', 404);
    // Re-uploading a part replaces it (same number, last write wins).
    const again = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'hand/replace.bin' }));
    await uploadParts('hand/replace.bin', again.UploadId!, [[1, Buffer.from('first version')]]);
    const [p] = await uploadParts('hand/replace.bin', again.UploadId!, [[1, Buffer.from('second version')]]);
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: 'hand/replace.bin', UploadId: again.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p!.ETag }] } }));
    const replaced = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'hand/replace.bin' }));
    assert.equal(await replaced.Body?.transformToString(), 'second version');
  });

  it('EntityTooSmall: a part other than the last under 5 MiB', async () => {
    const key = 'errors/too-small';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: key }));
    const parts = await uploadParts(key, UploadId!, [
      [1, pattern(5 * MiB - 1, 1)],
      [2, pattern(100, 2)],
    ]);
    await rejectsS3(s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: key, UploadId, MultipartUpload: { Parts: parts } })), 'EntityTooSmall', 400);
    await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: B, Key: key })), 'NotFound', 404);
    // A single small part is fine (it is the last one).
    const one = await s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: key, UploadId, MultipartUpload: { Parts: [parts[1]!] } }));
    assert.equal(one.ETag, `"${multipartEtag([pattern(100, 2)])}"`);
  });

  it('InvalidPart (wrong ETag, part never uploaded), InvalidPartOrder, MalformedXML (no parts)', async () => {
    const key = 'errors/parts';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: key }));
    const parts = await uploadParts(key, UploadId!, [
      [1, pattern(5 * MiB, 1)],
      [2, pattern(10, 2)],
    ]);
    const complete = (Parts: CompletedPart[]) => s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: key, UploadId, MultipartUpload: { Parts } }));
    await rejectsS3(complete([{ PartNumber: 1, ETag: '"0123456789abcdef0123456789abcdef"' }, parts[1]!]), 'InvalidPart', 400);
    await rejectsS3(complete([parts[0]!, { PartNumber: 3, ETag: parts[1]!.ETag }]), 'InvalidPart', 400);
    await rejectsS3(complete([parts[1]!, parts[0]!]), 'InvalidPartOrder', 400);
    await rejectsS3(complete([parts[0]!, parts[0]!]), 'InvalidPartOrder', 400);
    await rejectsS3(complete([]), 'MalformedXML', 400);
    await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: B, Key: key })), 'NotFound', 404);
    // Still completable with the right list (ETags with or without quotes).
    await complete([parts[0]!, { PartNumber: 2, ETag: parts[1]!.ETag!.replace(/"/g, '') }]);
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: key }));
    assert.ok((await bytesOf(got.Body)).equals(Buffer.concat([pattern(5 * MiB, 1), pattern(10, 2)])));
  });

  it('NoSuchUpload after abort and for a made-up id', async () => {
    const key = 'errors/aborted';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: key }));
    const parts = await uploadParts(key, UploadId!, [[1, Buffer.from('x')]]);
    const abort = await s3.send(new AbortMultipartUploadCommand({ Bucket: B, Key: key, UploadId }));
    assert.equal(abort.$metadata.httpStatusCode, 204);
    await rejectsS3(s3.send(new UploadPartCommand({ Bucket: B, Key: key, UploadId, PartNumber: 2, Body: 'y' })), 'NoSuchUpload', 404);
    await rejectsS3(s3.send(new ListPartsCommand({ Bucket: B, Key: key, UploadId })), 'NoSuchUpload', 404);
    await rejectsS3(s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: key, UploadId, MultipartUpload: { Parts: parts } })), 'NoSuchUpload', 404);
    await rejectsS3(s3.send(new AbortMultipartUploadCommand({ Bucket: B, Key: key, UploadId })), 'NoSuchUpload', 404);
    for (const id of ['made-up-upload-id', '00000000000000000000000000000000', 'x'.repeat(300)]) {
      await rejectsS3(s3.send(new UploadPartCommand({ Bucket: B, Key: key, UploadId: id, PartNumber: 1, Body: 'y' })), 'NoSuchUpload', 404);
      await rejectsS3(s3.send(new ListPartsCommand({ Bucket: B, Key: key, UploadId: id })), 'NoSuchUpload', 404);
    }
    // An upload id used with another key is no upload of that key.
    const other = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'errors/other' }));
    await rejectsS3(s3.send(new UploadPartCommand({ Bucket: B, Key: key, UploadId: other.UploadId, PartNumber: 1, Body: 'y' })), 'NoSuchUpload', 404);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: B, Key: 'errors/other', UploadId: other.UploadId }));
    await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: B, Key: key })), 'NotFound', 404);
  });

  it('part numbers 0 and 10001 are InvalidArgument; 10000 is accepted', async () => {
    const key = 'errors/numbers';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: key }));
    for (const PartNumber of [0, 10001, -1]) {
      await rejectsS3(s3.send(new UploadPartCommand({ Bucket: B, Key: key, UploadId, PartNumber, Body: 'x' })), 'InvalidArgument', 400);
    }
    const ok = await s3.send(new UploadPartCommand({ Bucket: B, Key: key, UploadId, PartNumber: 10000, Body: 'x' }));
    assert.equal(ok.ETag, `"${md5Hex(Buffer.from('x'))}"`);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: B, Key: key, UploadId }));
  });

  it('ListParts paginates with MaxParts and PartNumberMarker', async () => {
    const key = 'list/parts';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: key }));
    const bodies: [number, Buffer][] = [1, 2, 4, 5, 9].map((n) => [n, pattern(100 + n, n)]);
    await uploadParts(key, UploadId!, bodies);
    const seen: number[] = [];
    let marker: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await s3.send(new ListPartsCommand({ Bucket: B, Key: key, UploadId, MaxParts: 2, PartNumberMarker: marker }));
      pages++;
      assert.equal(page.MaxParts, 2);
      assert.equal(page.UploadId, UploadId);
      assert.equal(page.Key, key);
      assert.equal(page.StorageClass, 'STANDARD');
      assert.ok(page.Initiator?.ID);
      assert.ok(page.Owner?.ID);
      for (const p of page.Parts ?? []) {
        const body = bodies.find(([n]) => n === p.PartNumber)![1];
        assert.equal(p.Size, body.length);
        assert.equal(p.ETag, `"${md5Hex(body)}"`);
        assert.ok(p.LastModified instanceof Date);
        seen.push(p.PartNumber!);
      }
      if (!page.IsTruncated) break;
      marker = page.NextPartNumberMarker;
      assert.ok(marker);
    }
    assert.deepEqual(seen, [1, 2, 4, 5, 9]);
    assert.equal(pages, 3);
    const afterFour = await s3.send(new ListPartsCommand({ Bucket: B, Key: key, UploadId, PartNumberMarker: '4' }));
    assert.deepEqual(afterFour.Parts?.map((p) => p.PartNumber), [5, 9]);
    assert.equal(afterFour.IsTruncated, false);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: B, Key: key, UploadId }));
  });

  it('ListMultipartUploads lists open uploads by key then upload, with prefix and pagination', async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'uploads' }));
    const started: { key: string; id: string }[] = [];
    for (const key of ['u/b', 'u/a', 'u/a', 'v/c', 'u/c d']) {
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'uploads', Key: key, ChecksumAlgorithm: 'SHA256' }));
      started.push({ key, id: UploadId! });
    }
    const all = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads' }));
    assert.equal(all.Uploads?.length, 5);
    const keys = all.Uploads!.map((u) => u.Key);
    assert.deepEqual(keys, ['u/a', 'u/a', 'u/b', 'u/c d', 'v/c']);
    for (const u of all.Uploads!) {
      assert.ok(started.some((s) => s.key === u.Key && s.id === u.UploadId));
      assert.ok(u.Initiated instanceof Date);
      assert.equal(u.ChecksumAlgorithm, 'SHA256');
    }
    const prefixed = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads', Prefix: 'v/' }));
    assert.deepEqual(prefixed.Uploads?.map((u) => u.Key), ['v/c']);

    const paged: string[] = [];
    let keyMarker: string | undefined;
    let idMarker: string | undefined;
    for (;;) {
      const page = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads', MaxUploads: 2, KeyMarker: keyMarker, UploadIdMarker: idMarker }));
      paged.push(...(page.Uploads ?? []).map((u) => `${u.Key}#${u.UploadId}`));
      if (!page.IsTruncated) break;
      keyMarker = page.NextKeyMarker;
      idMarker = page.NextUploadIdMarker;
    }
    assert.deepEqual(paged, all.Uploads!.map((u) => `${u.Key}#${u.UploadId}`));

    for (const s of started) await s3.send(new AbortMultipartUploadCommand({ Bucket: 'uploads', Key: s.key, UploadId: s.id }));
    const none = await s3.send(new ListMultipartUploadsCommand({ Bucket: 'uploads' }));
    assert.equal(none.Uploads, undefined);
    // Open uploads are not objects.
    const objects = await s3.send(new ListObjectsV2Command({ Bucket: 'uploads' }));
    assert.equal(objects.KeyCount, 0);
  });

  it('UploadPartCopy with CopySourceRange from a large object and whole from a small (inline) object', async () => {
    const big = pattern(12 * MiB + 5, 42);
    const small = Buffer.from('small inline source');
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'copy/big', Body: big }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'copy/small', Body: small }));
    const key = 'copy/assembled';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: key }));
    const ranges: [number, number][] = [
      [0, 5 * MiB - 1],
      [7 * MiB, 12 * MiB + 4],
    ];
    const parts: CompletedPart[] = [];
    for (const [i, [start, end]] of ranges.entries()) {
      const out = await s3.send(new UploadPartCopyCommand({ Bucket: B, Key: key, UploadId, PartNumber: i + 1, CopySource: `${B}/copy/big`, CopySourceRange: `bytes=${start}-${end}` }));
      assert.match(out.CopyPartResult?.ETag ?? '', /^"[0-9a-f]{32}"$/);
      assert.ok(out.CopyPartResult?.LastModified instanceof Date);
      parts.push({ PartNumber: i + 1, ETag: out.CopyPartResult!.ETag });
    }
    const whole = await s3.send(new UploadPartCopyCommand({ Bucket: B, Key: key, UploadId, PartNumber: 3, CopySource: `${B}/copy/small` }));
    parts.push({ PartNumber: 3, ETag: whole.CopyPartResult!.ETag });
    const listed = await s3.send(new ListPartsCommand({ Bucket: B, Key: key, UploadId }));
    assert.deepEqual(listed.Parts?.map((p) => p.Size), [5 * MiB, 5 * MiB + 5, small.length]);
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: key, UploadId, MultipartUpload: { Parts: parts } }));
    const expected = Buffer.concat([big.subarray(0, 5 * MiB), big.subarray(7 * MiB), small]);
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: key }));
    assert.equal(got.ContentLength, expected.length);
    assert.ok((await bytesOf(got.Body)).equals(expected));
    // The sources are untouched.
    const src = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'copy/small' }));
    assert.ok((await bytesOf(src.Body)).equals(small));
  });

  it('UploadPartCopy errors: range past the end, bad range syntax, failed source condition, missing source', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'copy/src10', Body: '0123456789' }));
    const key = 'copy/errors';
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: key }));
    const copy = (input: Record<string, unknown>) => s3.send(new UploadPartCopyCommand({ Bucket: B, Key: key, UploadId, PartNumber: 1, CopySource: `${B}/copy/src10`, ...input }));
    await rejectsS3(copy({ CopySourceRange: 'bytes=5-10' }), 'InvalidRange', 416);
    await rejectsS3(copy({ CopySourceRange: 'bytes=5-' }), 'InvalidArgument', 400);
    await rejectsS3(copy({ CopySourceIfMatch: '"0123456789abcdef0123456789abcdef"' }), 'PreconditionFailed', 412);
    await rejectsS3(copy({ CopySource: `${B}/copy/nothing-here` }), 'NoSuchKey', 404);
    const ok = await copy({ CopySourceRange: 'bytes=2-4' });
    assert.ok(ok.CopyPartResult?.ETag);
    await s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: ok.CopyPartResult!.ETag }] } }));
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: key }));
    assert.equal(await got.Body?.transformToString(), '234');
  });

  for (const alg of ['CRC32', 'CRC32C', 'SHA1', 'SHA256'] as const) {
    it(`ChecksumAlgorithm ${alg} multipart: the object's checksum is COMPOSITE base64-N over the parts`, async () => {
      const key = `checksum/composite-${alg}`;
      const bodies = [pattern(5 * MiB, 1), pattern(5 * MiB, 2), pattern(777, 3)];
      const create = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: key, ChecksumAlgorithm: alg as ChecksumAlgorithm }));
      assert.equal(create.ChecksumAlgorithm, alg);
      const parts = await uploadParts(
        key,
        create.UploadId!,
        bodies.map((b, i) => [i + 1, b]),
        { ChecksumAlgorithm: alg },
      );
      for (const [i, p] of parts.entries()) assert.equal(p[field(alg)], await checksumB64(alg, bodies[i]!), `part ${i + 1} checksum`);
      const listed = await s3.send(new ListPartsCommand({ Bucket: B, Key: key, UploadId: create.UploadId }));
      assert.equal(listed.ChecksumAlgorithm, alg);
      assert.deepEqual(listed.Parts?.map((p) => p[field(alg)]), parts.map((p) => p[field(alg)]));
      // A wrong part checksum in the completion list is refused.
      const wrong = parts.map((p, i) => (i === 1 ? { ...p, [field(alg)]: parts[0]![field(alg)] } : p));
      await rejectsS3(s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: key, UploadId: create.UploadId, MultipartUpload: { Parts: wrong } })), 'InvalidPart', 400);

      const done = await s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: key, UploadId: create.UploadId, MultipartUpload: { Parts: parts } }));
      const expected = await compositeChecksum(alg, bodies);
      assert.equal(done[field(alg)], expected);
      assert.equal(done.ChecksumType, 'COMPOSITE');
      const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: key, ChecksumMode: 'ENABLED' }));
      assert.equal(head[field(alg)], expected);
      assert.equal(head.ChecksumType, 'COMPOSITE');
      const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: key, ChecksumMode: 'ENABLED' }));
      assert.ok((await bytesOf(got.Body)).equals(Buffer.concat(bodies)));
      // A part read carries the part's own checksum, which the SDK validates.
      const part2 = await s3.send(new GetObjectCommand({ Bucket: B, Key: key, PartNumber: 2, ChecksumMode: 'ENABLED' }));
      assert.ok((await bytesOf(part2.Body)).equals(bodies[1]!));
      assert.equal(part2[field(alg)], await checksumB64(alg, bodies[1]!));
      // A range read carries no whole-object checksum (it would not match the slice).
      const ranged = await s3.send(new GetObjectCommand({ Bucket: B, Key: key, Range: 'bytes=0-99', ChecksumMode: 'ENABLED' }));
      assert.ok((await bytesOf(ranged.Body)).equals(bodies[0]!.subarray(0, 100)));
      assert.equal(ranged[field(alg)], undefined);
    });
  }

  for (const [alg, type] of [
    ['CRC64NVME', undefined],
    ['CRC64NVME', 'FULL_OBJECT'],
    ['CRC32', 'FULL_OBJECT'],
    ['CRC32C', 'FULL_OBJECT'],
  ] as const) {
    it(`ChecksumAlgorithm ${alg}${type ? ` with ChecksumType ${type}` : ''}: the object's checksum is the CRC of the whole body`, async () => {
      const key = `checksum/full-${alg}-${type ?? 'default'}`;
      const bodies = [pattern(5 * MiB + 3, 4), pattern(6 * MiB, 5), pattern(12345, 6)];
      const whole = Buffer.concat(bodies);
      const create = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: key, ChecksumAlgorithm: alg, ChecksumType: type }));
      assert.equal(create.ChecksumAlgorithm, alg);
      assert.equal(create.ChecksumType, 'FULL_OBJECT');
      const parts = await uploadParts(
        key,
        create.UploadId!,
        bodies.map((b, i) => [i + 1, b]),
        { ChecksumAlgorithm: alg },
      );
      const expected = await checksumB64(alg, whole);
      // Wrong whole-object checksum on completion: BadDigest, nothing stored.
      const other = await checksumB64(alg, Buffer.from('not the object'));
      await rejectsS3(
        s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: key, UploadId: create.UploadId, MultipartUpload: { Parts: parts }, ChecksumType: 'FULL_OBJECT', [field(alg)]: other })),
        'BadDigest',
        400,
      );
      await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: B, Key: key })), 'NotFound', 404);
      // The right one (as a careful client sends it) completes.
      const done = await s3.send(
        new CompleteMultipartUploadCommand({ Bucket: B, Key: key, UploadId: create.UploadId, MultipartUpload: { Parts: parts }, ChecksumType: 'FULL_OBJECT', [field(alg)]: expected }),
      );
      assert.equal(done[field(alg)], expected);
      assert.equal(done.ChecksumType, 'FULL_OBJECT');
      assert.match(done.ETag ?? '', /-3"$/);
      const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: key, ChecksumMode: 'ENABLED' }));
      assert.equal(head[field(alg)], expected);
      assert.equal(head.ChecksumType, 'FULL_OBJECT');
      // The SDK validates the whole body against a FULL_OBJECT checksum.
      const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: key, ChecksumMode: 'ENABLED' }));
      assert.equal(got[field(alg)], expected);
      assert.ok((await bytesOf(got.Body)).equals(whole));
    });
  }

  it('FULL_OBJECT is refused with SHA checksums', async () => {
    for (const alg of ['SHA1', 'SHA256'] as const) {
      const e = await rejectsS3(s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'checksum/sha-full', ChecksumAlgorithm: alg, ChecksumType: 'FULL_OBJECT' })), 'InvalidRequest', 400);
      assert.ok(e.message.length > 0);
    }
  });
});
