/**
 * @module
 * Object operations: put, get/head, delete, copy and tags. Bytes go to blobs
 * (or inline in the metadata row when small) before the metadata commit, so
 * a crash leaves at most an unreferenced blob, never a version without data.
 */
import type { Readable } from 'node:stream';
import type { Body } from './body.ts';
import type { Buckets } from './buckets.ts';
import { checkConditions, type Conditions } from './conditions.ts';
import { fail } from './errors.ts';
import { readExtents } from './extent-reader.ts';
import { timeOrderedId } from './ids.ts';
import { ingest } from './ingest.ts';
import { validateKey, validateTags, validateUserMetadata } from './names.ts';
import { parseRange, type ByteRange } from './ranges.ts';
import {
  blankVersion,
  type Bucket,
  type NewObjectVersion,
  type ObjectChecksum,
  type ObjectVersion,
  type Principal,
  type StoredHeaders,
  type Tag,
} from './types.ts';
import type { BlobStore } from '../ports/blob-store.ts';
import type { MetaStore } from '../ports/meta-store.ts';

/** S3's limit for a single PUT; larger objects need multipart. */
export const MAX_PUT_SIZE = 5 * 1024 ** 3;

export interface StoreContext {
  readonly meta: MetaStore;
  readonly blobs: BlobStore;
  readonly buckets: Buckets;
  readonly clock: () => Date;
  readonly inlineThreshold: number;
}

export interface PutInput {
  readonly bucket: string;
  readonly key: string;
  readonly body: Body;
  readonly headers: StoredHeaders;
  readonly userMetadata: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
  readonly ifMatch?: string;
  readonly ifNoneMatch?: '*';
}

export interface GetInput {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string | null;
  readonly range?: string;
  readonly partNumber?: number;
  readonly conditions: Conditions;
}

export interface GetResult {
  readonly version: ObjectVersion;
  /** The part count of a multipart object, when a part was asked for. */
  readonly partsCount: number | null;
  /** Set when a range or part was asked for (206). */
  readonly range: ByteRange | null;
  /** Opens the bytes of the answer (whole object or the range); data held inline needs no stream. */
  readonly open: () => Readable | Buffer;
}

export interface CopyInput {
  readonly source: { readonly bucket: string; readonly key: string; readonly versionId: string | null };
  readonly sourceConditions: Conditions;
  readonly bucket: string;
  readonly key: string;
  /** REPLACE: take headers/metadata from the request; COPY: from the source. */
  readonly metadataDirective: 'COPY' | 'REPLACE';
  readonly taggingDirective: 'COPY' | 'REPLACE';
  readonly headers: StoredHeaders;
  readonly userMetadata: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
}

export class Objects {
  readonly #ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.#ctx = ctx;
  }

  async put(who: Principal, input: PutInput): Promise<ObjectVersion> {
    const bucket = await this.#ctx.buckets.require(who, input.bucket);
    validateKey(input.key);
    validateUserMetadata(input.userMetadata);
    validateTags(input.tags);
    const data = await ingest(input.body, this.#ctx.blobs, {
      inlineThreshold: this.#ctx.inlineThreshold,
      maxSize: MAX_PUT_SIZE,
    });
    const algorithm = input.body.expect.checksum?.algorithm ?? input.body.expect.algorithm;
    const checksum: ObjectChecksum | null = algorithm
      ? { algorithm, value: data.checksums[algorithm]!, type: 'FULL_OBJECT' }
      : null;
    return this.#ctx.meta.putVersion(
      {
        ...this.#newVersion(who, bucket, input.key),
        size: data.size,
        etag: data.md5,
        headers: input.headers,
        userMetadata: input.userMetadata,
        checksum,
        sha256: data.sha256,
        tags: input.tags,
        inline: data.inline,
        extents: data.extents,
      },
      { versioning: bucket.versioning, ifMatch: input.ifMatch, ifNoneMatch: input.ifNoneMatch },
    );
  }

  /** A version for reading: NoSuchKey for a delete marker (405 when asked for by id, as S3). */
  async resolve(who: Principal, bucketName: string, key: string, versionId: string | null): Promise<ObjectVersion> {
    await this.#ctx.buckets.require(who, bucketName);
    const version = await this.#ctx.meta.getVersion(bucketName, key, versionId);
    if (!version) {
      if (versionId !== null) fail('NoSuchVersion', 'The specified version does not exist.', { Key: key, VersionId: versionId });
      fail('NoSuchKey', 'The specified key does not exist.', { Key: key });
    }
    if (version.isDeleteMarker) {
      if (versionId !== null) fail('MethodNotAllowed', 'The specified method is not allowed against this resource.', { DeleteMarker: 'true', VersionId: version.versionId });
      fail('NoSuchKey', 'The specified key does not exist.', { Key: key, DeleteMarker: 'true', VersionId: version.versionId });
    }
    return version;
  }

  async get(who: Principal, input: GetInput): Promise<GetResult> {
    const version = await this.resolve(who, input.bucket, input.key, input.versionId);
    checkConditions(input.conditions, version);
    const partRange = input.partNumber === undefined ? null : rangeOfPart(version, input.partNumber);
    const range = partRange ?? parseRange(input.range, version.size);
    const start = range?.start ?? 0;
    const end = range?.end ?? version.size - 1;
    return {
      version,
      partsCount: input.partNumber === undefined ? null : (version.parts?.length ?? 1),
      range,
      open: () => (version.inline ? version.inline.subarray(start, end + 1) : readExtents(this.#ctx.blobs, version, start, end)),
    };
  }

  async delete(who: Principal, bucketName: string, key: string, versionId: string | null) {
    const bucket = await this.#ctx.buckets.require(who, bucketName);
    validateKey(key);
    return this.#ctx.meta.deleteObject(bucketName, key, {
      versioning: bucket.versioning,
      versionId: versionId ?? undefined,
      markerVersionId: timeOrderedId(this.#ctx.clock()),
      now: this.#ctx.clock(),
      ownerId: who.userId,
    });
  }

  /** Copies by writing extents that point at the source's blobs: no data moves. */
  async copy(who: Principal, input: CopyInput): Promise<{ version: ObjectVersion; source: ObjectVersion }> {
    const { source: src } = input;
    const source = await this.resolve(who, src.bucket, src.key, src.versionId);
    const bucket = await this.#ctx.buckets.require(who, input.bucket);
    validateKey(input.key);
    checkConditions(input.sourceConditions, source, true);
    const sameObject = src.bucket === input.bucket && src.key === input.key && src.versionId === null;
    if (sameObject && input.metadataDirective === 'COPY' && input.taggingDirective === 'COPY') {
      fail('InvalidRequest', "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
    }
    const replace = input.metadataDirective === 'REPLACE';
    const tags = input.taggingDirective === 'REPLACE' ? input.tags : source.tags;
    if (replace) validateUserMetadata(input.userMetadata);
    validateTags(tags);
    const version = await this.#ctx.meta.putVersion(
      {
        ...this.#newVersion(who, bucket, input.key),
        size: source.size,
        etag: source.etag,
        headers: replace ? input.headers : source.headers,
        userMetadata: replace ? input.userMetadata : source.userMetadata,
        checksum: source.checksum,
        sha256: source.sha256,
        parts: null,
        tags,
        inline: source.inline,
        extents: source.extents,
      },
      { versioning: bucket.versioning, requireVersions: [{ bucket: src.bucket, key: src.key, versionId: source.versionId }] },
    );
    return { version, source };
  }

  async getTags(who: Principal, bucket: string, key: string, versionId: string | null): Promise<ObjectVersion> {
    return this.resolve(who, bucket, key, versionId);
  }

  async putTags(who: Principal, bucket: string, key: string, versionId: string | null, tags: readonly Tag[]): Promise<ObjectVersion> {
    validateTags(tags);
    const version = await this.resolve(who, bucket, key, versionId);
    return this.#ctx.meta.updateVersion(bucket, key, version.versionId, { tags });
  }

  #newVersion(who: Principal, bucket: Bucket, key: string): NewObjectVersion {
    const now = this.#ctx.clock();
    const versionId = bucket.versioning === 'Enabled' ? timeOrderedId(now) : 'null';
    return blankVersion({ bucket: bucket.name, key, versionId, lastModified: now, ownerId: who.userId });
  }
}

/** The byte range of part `n`; a single-PUT object is its own part 1. */
function rangeOfPart(version: ObjectVersion, n: number): ByteRange | null {
  const parts = version.parts ?? [{ number: 1, size: version.size, etag: version.etag }];
  if (!Number.isInteger(n) || n < 1 || n > 10000) fail('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber' });
  if (n > parts.length) fail('InvalidPartNumber', 'The requested partnumber is not satisfiable', { PartNumberRequested: n, ActualPartCount: parts.length });
  if (version.parts === null) return null;
  let start = 0;
  for (let i = 0; i < n - 1; i++) start += parts[i]!.size;
  return { start, end: start + parts[n - 1]!.size - 1 };
}
