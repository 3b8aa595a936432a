/**
 * @module
 * Multipart uploads. Parts always live in blobs, so completing an upload
 * only concatenates extents; UploadPartCopy slices the source's extents and
 * writes no data (an inline source is first written to a blob).
 */
import type { Body } from './body.ts';
import { compositeChecksum, fullObjectChecksum, isCrcAlgorithm, multipartEtag } from './checksums.ts';
import { checkConditions, type Conditions } from './conditions.ts';
import { fail } from './errors.ts';
import { createdEvent } from './events.ts';
import { timeOrderedId } from './ids.ts';
import { ingest } from './ingest.ts';
import { validateKey, validateTags, validateUserMetadata } from './names.ts';
import { newVersionLock, type LockRequest } from './object-lock.ts';
import type { Objects, StoreContext } from './objects.ts';
import { parseRange } from './ranges.ts';
import { reencode, sameProtection, Sse, withEncryption, type CustomerKey, type SseRequest } from './sse.ts';
import type {
  ChecksumAlgorithm,
  Extent,
  MultipartUpload,
  ObjectChecksum,
  ObjectVersion,
  PartInfo,
  Principal,
  StoredHeaders,
  Tag,
  UploadedPart,
} from './types.ts';
import { createHash } from 'node:crypto';

export const MIN_PART_SIZE = 5 * 1024 ** 2;
export const MAX_PART_SIZE = 5 * 1024 ** 3;
export const MAX_PARTS = 10000;

export interface CreateUploadInput {
  readonly bucket: string;
  readonly key: string;
  readonly headers: StoredHeaders;
  readonly userMetadata: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
  readonly checksumAlgorithm: ChecksumAlgorithm | null;
  readonly checksumType: 'FULL_OBJECT' | 'COMPOSITE' | null;
  /** `x-amz-object-lock-*`, kept with the upload; the bucket's default retention fills in at completion. */
  readonly lock?: LockRequest;
  /** SSE-S3 or SSE-C for the object; the bucket's default encryption applies when absent. */
  readonly encryption?: SseRequest;
}

export interface CompletedPartInput {
  readonly partNumber: number;
  readonly etag: string;
  readonly checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

export interface UploadListInput {
  readonly prefix: string;
  readonly delimiter: string;
  readonly keyMarker: string | null;
  readonly uploadIdMarker: string | null;
  readonly limit: number;
}

export interface UploadList {
  readonly uploads: MultipartUpload[];
  readonly commonPrefixes: string[];
  readonly isTruncated: boolean;
  /** The last upload or common prefix returned: NextKeyMarker / NextUploadIdMarker. */
  readonly last: { readonly key: string; readonly uploadId: string } | null;
}

export interface CopyPartInput {
  readonly source: { readonly bucket: string; readonly key: string; readonly versionId: string | null };
  readonly sourceConditions: Conditions;
  /** `bytes=a-b` (x-amz-copy-source-range), both ends required. */
  readonly range?: string;
  /** The upload's key when it is SSE-C. */
  readonly customerKey?: CustomerKey;
  /** The source's key when it is an SSE-C object. */
  readonly sourceCustomerKey?: CustomerKey;
}

export class Multipart {
  readonly #ctx: StoreContext;
  readonly #objects: Objects;

  constructor(ctx: StoreContext, objects: Objects) {
    this.#ctx = ctx;
    this.#objects = objects;
  }

  async create(who: Principal, input: CreateUploadInput): Promise<MultipartUpload> {
    const bucket = await this.#ctx.buckets.require(who, input.bucket);
    if (input.lock !== undefined) newVersionLock(bucket, input.lock, this.#ctx.clock());
    validateKey(input.key);
    validateUserMetadata(input.userMetadata);
    validateTags(input.tags);
    const sse = Sse.involved(bucket, input.encryption) ? await this.#sse().forWrite(bucket, input.encryption) : null;
    const type = input.checksumType ?? (input.checksumAlgorithm ? defaultChecksumType(input.checksumAlgorithm) : null);
    if (type === 'FULL_OBJECT' && (input.checksumAlgorithm === 'SHA1' || input.checksumAlgorithm === 'SHA256')) {
      fail('InvalidRequest', `The FULL_OBJECT checksum type is not supported with ${input.checksumAlgorithm}`);
    }
    const upload: MultipartUpload = {
      uploadId: timeOrderedId(this.#ctx.clock()),
      bucket: input.bucket,
      key: input.key,
      initiated: this.#ctx.clock(),
      ownerId: who.userId,
      headers: sse === null ? input.headers : withEncryption(input.headers, sse.stored),
      userMetadata: input.userMetadata,
      tags: input.tags,
      checksumAlgorithm: input.checksumAlgorithm,
      checksumType: type,
      retention: input.lock?.retention ?? null,
      legalHold: input.lock?.legalHold ?? false,
    };
    await this.#ctx.meta.createUpload(upload);
    return upload;
  }

  /** `customerKey`: the upload's key when it is SSE-C (every part needs it). */
  async uploadPart(who: Principal, bucket: string, key: string, uploadId: string, partNumber: number, body: Body, customerKey?: CustomerKey): Promise<UploadedPart> {
    const upload = await this.#requireUpload(who, bucket, key, uploadId);
    checkPartNumber(partNumber);
    const encryption = upload.headers.encryption;
    const sse = encryption === undefined && customerKey === undefined ? null : this.#sse().forStored(encryption, customerKey);
    if (upload.checksumAlgorithm && !body.expect.checksum && !body.expect.algorithm) body.expect.algorithm = upload.checksumAlgorithm;
    const data = await ingest(body, this.#ctx.blobs, { inlineThreshold: -1, maxSize: MAX_PART_SIZE, encrypt: sse?.sink });
    const md5 = sse === null ? data.md5 : sse.etag(data.md5);
    const part: UploadedPart = {
      uploadId,
      partNumber,
      size: data.size,
      etag: md5,
      md5,
      lastModified: this.#ctx.clock(),
      checksums: data.checksums,
      extents: data.extents,
    };
    await this.#ctx.meta.putPart(part);
    return part;
  }

  /** The part, and the version id of the source it was copied from (`x-amz-copy-source-version-id`). */
  async copyPart(who: Principal, bucket: string, key: string, uploadId: string, partNumber: number, input: CopyPartInput): Promise<UploadedPart & { readonly sourceVersionId: string }> {
    const upload = await this.#requireUpload(who, bucket, key, uploadId);
    checkPartNumber(partNumber);
    const { source: src } = input;
    const source = await this.#objects.resolve(who, src.bucket, src.key, src.versionId);
    const encrypted = source.headers.encryption !== undefined || upload.headers.encryption !== undefined || input.customerKey !== undefined || input.sourceCustomerKey !== undefined;
    const from = encrypted ? this.#sse().forStored(source.headers.encryption, input.sourceCustomerKey) : null;
    const to = encrypted ? this.#sse().forStored(upload.headers.encryption, input.customerKey) : null;
    checkConditions(input.sourceConditions, source, true);
    const range = copyRange(input.range, source.size);
    // Bytes under another protection than the upload's are stored again under the upload's.
    const sliced = sameProtection(from, to)
      ? sliceExtents(await this.#sourceExtents(source), range.start, range.end - range.start + 1)
      : (await reencode(this.#ctx.blobs, source, from, range, to, -1)).extents;
    // The part's ETag names its content without reading it: the source ETag and the range.
    const md5 = createHash('md5').update(`${source.etag}:${range.start}-${range.end}`).digest('hex');
    const part: UploadedPart = {
      uploadId,
      partNumber,
      size: range.end - range.start + 1,
      etag: md5,
      md5,
      lastModified: this.#ctx.clock(),
      checksums: {},
      extents: sliced,
    };
    await this.#ctx.meta.putPart(part, { requireVersions: [{ bucket: src.bucket, key: src.key, versionId: source.versionId }] });
    return { ...part, sourceVersionId: source.versionId };
  }

  /** `declared`: the object's checksum as the client claims it (x-amz-checksum-* of the completion), checked before commit. */
  async complete(
    who: Principal,
    bucket: string,
    key: string,
    uploadId: string,
    given: readonly CompletedPartInput[],
    declared?: { readonly algorithm: ChecksumAlgorithm; readonly value: string },
    customerKey?: CustomerKey,
  ): Promise<ObjectVersion> {
    const upload = await this.#requireUpload(who, bucket, key, uploadId);
    if (customerKey !== undefined) this.#sse().forStored(upload.headers.encryption, customerKey); // checked when given, as S3
    const bucketInfo = await this.#ctx.buckets.require(who, bucket);
    const parts = await this.#matchParts(uploadId, given);
    const checksum = objectChecksum(upload, parts);
    if (declared && checksum?.algorithm !== declared.algorithm) {
      fail('InvalidRequest', `The upload was created using the ${upload.checksumAlgorithm ?? 'null'} checksum algorithm, not ${declared.algorithm}.`);
    }
    if (declared && checksum!.value !== declared.value) {
      fail('BadDigest', `The ${declared.algorithm} you specified did not match the calculated checksum.`);
    }
    const now = this.#ctx.clock();
    const byDefault = newVersionLock(bucketInfo, undefined, now);
    const version = await this.#ctx.meta.completeUpload(
      uploadId,
      {
        bucket,
        key,
        versionId: bucketInfo.versioning === 'Enabled' ? timeOrderedId(now) : 'null',
        isDeleteMarker: false,
        size: parts.reduce((n, p) => n + p.size, 0),
        etag: multipartEtag(parts.map((p) => p.md5)),
        lastModified: now,
        headers: upload.headers,
        userMetadata: upload.userMetadata,
        checksum,
        sha256: null,
        parts: parts.map((p): PartInfo => ({ number: p.partNumber, size: p.size, etag: p.etag, checksum: upload.checksumAlgorithm ? p.checksums[upload.checksumAlgorithm] : undefined })),
        tags: upload.tags,
        inline: null,
        extents: parts.flatMap((p) => p.extents),
        retention: upload.retention ?? byDefault.retention,
        legalHold: upload.legalHold,
        ownerId: upload.ownerId,
      },
      { versioning: bucketInfo.versioning },
    );
    this.#ctx.events?.publish(createdEvent('ObjectCreated:CompleteMultipartUpload', who, version));
    return version;
  }

  async abort(who: Principal, bucket: string, key: string, uploadId: string): Promise<void> {
    await this.#requireUpload(who, bucket, key, uploadId);
    await this.#ctx.meta.abortUpload(uploadId);
  }

  async listParts(who: Principal, bucket: string, key: string, uploadId: string, afterPart: number, maxParts: number) {
    const upload = await this.#requireUpload(who, bucket, key, uploadId);
    const parts = await this.#ctx.meta.listParts(uploadId, afterPart, maxParts + 1);
    return { upload, parts: parts.slice(0, maxParts), isTruncated: parts.length > maxParts };
  }

  /**
   * Uploads in key order. With a delimiter, the uploads whose key holds it
   * after the prefix are reported once per common prefix, which counts
   * against the limit like an upload; a key marker equal to a common prefix
   * resumes after all of its uploads (the `last` such a page ends with).
   */
  async listUploads(who: Principal, bucket: string, w: UploadListInput): Promise<UploadList> {
    await this.#ctx.buckets.require(who, bucket);
    const uploads: MultipartUpload[] = [];
    const commonPrefixes: string[] = [];
    let last: UploadList['last'] = null;
    let cursor = { keyMarker: w.keyMarker, uploadIdMarker: w.uploadIdMarker };
    for (;;) {
      const page = await this.#ctx.meta.listUploads(bucket, { prefix: w.prefix, ...cursor, limit: Math.min(w.limit + 1, 1000) });
      for (const u of page) {
        const at = w.delimiter === '' ? -1 : u.key.indexOf(w.delimiter, w.prefix.length);
        const cp = at < 0 ? null : u.key.slice(0, at + w.delimiter.length);
        if (cp !== null && (cp === w.keyMarker || cp === commonPrefixes[commonPrefixes.length - 1])) continue;
        if (uploads.length + commonPrefixes.length >= w.limit) return { uploads, commonPrefixes, isTruncated: true, last };
        if (cp === null) uploads.push(u);
        else commonPrefixes.push(cp);
        last = cp === null ? { key: u.key, uploadId: u.uploadId } : { key: cp, uploadId: '' };
      }
      const end = page[page.length - 1];
      if (page.length < Math.min(w.limit + 1, 1000) || !end) return { uploads, commonPrefixes, isTruncated: false, last };
      cursor = { keyMarker: end.key, uploadIdMarker: end.uploadId };
    }
  }

  async #requireUpload(who: Principal, bucket: string, key: string, uploadId: string): Promise<MultipartUpload> {
    await this.#ctx.buckets.require(who, bucket);
    const upload = await this.#ctx.meta.getUpload(uploadId);
    if (!upload || upload.bucket !== bucket || upload.key !== key) {
      fail('NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.', { UploadId: uploadId });
    }
    return upload;
  }

  /** Checks the client's list against the stored parts (order, ETags, checksums, sizes). */
  async #matchParts(uploadId: string, given: readonly CompletedPartInput[]): Promise<UploadedPart[]> {
    if (given.length === 0) fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    const stored = new Map<number, UploadedPart>();
    for (let after = 0; ; ) {
      const page = await this.#ctx.meta.listParts(uploadId, after, 1000);
      for (const p of page) stored.set(p.partNumber, p);
      if (page.length < 1000) break;
      after = page[page.length - 1]!.partNumber;
    }
    const parts: UploadedPart[] = [];
    for (const [i, g] of given.entries()) {
      if (i > 0 && g.partNumber <= given[i - 1]!.partNumber) fail('InvalidPartOrder', 'The list of parts was not in ascending order. Parts must be ordered by part number.');
      const part = stored.get(g.partNumber);
      if (!part || part.etag !== g.etag.replace(/^"|"$/g, '')) fail('InvalidPart', 'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part\'s entity tag.', { PartNumber: g.partNumber });
      for (const [alg, value] of Object.entries(g.checksums)) {
        const mine = part.checksums[alg as ChecksumAlgorithm];
        if (mine !== undefined && mine !== value) fail('InvalidPart', `The ${alg} checksum of part ${g.partNumber} does not match`, { PartNumber: g.partNumber });
      }
      parts.push(part);
    }
    for (const p of parts.slice(0, -1)) {
      if (p.size < MIN_PART_SIZE) fail('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', { PartNumber: p.partNumber, ProposedSize: p.size, MinSizeAllowed: MIN_PART_SIZE });
    }
    return parts;
  }

  #sse(): Sse {
    return this.#ctx.sse ?? fail('NotImplemented', 'Server-side encryption is not set up on this server');
  }

  /**
   * Extents of a source; an inline source is first written to a blob so parts
   * never hold inline data (encrypted inline bytes are an envelope, a valid
   * blob as they are; extent lengths count the object's bytes).
   */
  async #sourceExtents(source: ObjectVersion): Promise<readonly Extent[]> {
    if (source.inline === null) return source.extents;
    if (source.size === 0) return [];
    const writer = await this.#ctx.blobs.createWriter();
    try {
      await writer.write(source.inline);
      const sha256 = createHash('sha256').update(source.inline).digest('hex');
      await writer.commit(sha256);
      return [{ blob: sha256, offset: 0, length: source.size }];
    } catch (e) {
      await writer.abort();
      throw e;
    }
  }
}

function checkPartNumber(n: number): void {
  if (!Number.isInteger(n) || n < 1 || n > MAX_PARTS) {
    fail('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber', ArgumentValue: String(n) });
  }
}

/** CRC checksums combine into a whole-object value; SHA ones can only be composite. */
function defaultChecksumType(alg: ChecksumAlgorithm): 'FULL_OBJECT' | 'COMPOSITE' {
  return alg === 'CRC64NVME' ? 'FULL_OBJECT' : 'COMPOSITE';
}

function objectChecksum(upload: MultipartUpload, parts: readonly UploadedPart[]): ObjectChecksum | null {
  const alg = upload.checksumAlgorithm;
  if (!alg || parts.some((p) => p.checksums[alg] === undefined)) return null;
  const values = parts.map((p) => p.checksums[alg]!);
  if (upload.checksumType === 'FULL_OBJECT' && isCrcAlgorithm(alg)) {
    const value = fullObjectChecksum(alg, parts.map((p, i) => ({ checksum: values[i]!, size: p.size })));
    return { algorithm: alg, type: 'FULL_OBJECT', value };
  }
  return { algorithm: alg, type: 'COMPOSITE', value: compositeChecksum(alg, values) };
}

function copyRange(header: string | undefined, size: number): { start: number; end: number } {
  if (header === undefined) {
    if (size > MAX_PART_SIZE) fail('InvalidRequest', 'The specified copy source is larger than the maximum allowable size for a copy source: 5368709120');
    return { start: 0, end: size - 1 };
  }
  const m = /^bytes=(\d+)-(\d+)$/.exec(header.trim());
  if (!m) fail('InvalidArgument', 'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', { ArgumentName: 'x-amz-copy-source-range' });
  const range = parseRange(header, size);
  if (!range || Number(m[2]) >= size) fail('InvalidRange', 'The requested range is not satisfiable', { ActualObjectSize: size });
  return range;
}

/** The extents covering `[offset, offset + length)` of the concatenation of `extents`. */
export function sliceExtents(extents: readonly Extent[], offset: number, length: number): Extent[] {
  const out: Extent[] = [];
  let pos = 0;
  for (const e of extents) {
    const from = Math.max(offset, pos);
    const to = Math.min(offset + length, pos + e.length);
    if (from < to) out.push({ blob: e.blob, offset: e.offset + (from - pos), length: to - from });
    pos += e.length;
    if (pos >= offset + length) break;
  }
  return out;
}
