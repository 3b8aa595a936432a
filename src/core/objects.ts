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
import { createdEvent, removedEvent, type EventBus } from './events.ts';
import { readExtents } from './extent-reader.ts';
import { timeOrderedId } from './ids.ts';
import { ingest } from './ingest.ts';
import { validateKey, validateTags, validateUserMetadata } from './names.ts';
import { newVersionLock, type LockRequest } from './object-lock.ts';
import { parseRange, type ByteRange } from './ranges.ts';
import { readPlain, reencode, sameProtection, Sse, withEncryption, type CustomerKey, type SseRequest } from './sse.ts';
import { mayBypassGovernance } from './versioning.ts';
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

/**
 * Bucket config kind: true stores every body as a blob, never inline. The
 * registry's system bucket sets it, so content uploaded through a grant is
 * found again by its SHA-256 (the blob's name) when it is declared later.
 */
export const NO_INLINE = 'signet:no-inline';

export const MAX_PUT_SIZE = 5 * 1024 ** 3;

export interface StoreContext {
  readonly meta: MetaStore;
  readonly blobs: BlobStore;
  readonly buckets: Buckets;
  readonly clock: () => Date;
  readonly inlineThreshold: number;
  /** Server-side encryption; absent: encrypted objects can be neither written nor read. */
  readonly sse?: Sse;
  /** Where object events are published after each commit; absent: nowhere. */
  readonly events?: EventBus;
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
  /** `x-amz-object-lock-*`; the bucket's default retention applies to what is not given. */
  readonly lock?: LockRequest;
  /** SSE-S3 or SSE-C asked for; the bucket's default encryption applies when absent. */
  readonly encryption?: SseRequest;
  /** How the object arrived, for its event (`ObjectCreated:Post`: a browser form upload). */
  readonly via?: 'Put' | 'Post';
}

export interface GetInput {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string | null;
  readonly range?: string;
  readonly partNumber?: number;
  readonly conditions: Conditions;
  /** The key of an SSE-C object. */
  readonly customerKey?: CustomerKey;
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
  /** The copy's own object lock (a copy never inherits the source's). */
  readonly lock?: LockRequest;
  /** The copy's encryption (never the source's); the bucket's default applies when absent. */
  readonly encryption?: SseRequest;
  /** The source's key when it is an SSE-C object. */
  readonly sourceCustomerKey?: CustomerKey;
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
    if (input.lock !== undefined) newVersionLock(bucket, input.lock, this.#ctx.clock()); // refused before any byte is stored
    const sse = Sse.involved(bucket, input.encryption) ? await this.#sse().forWrite(bucket, input.encryption) : null;
    const data = await ingest(input.body, this.#ctx.blobs, {
      inlineThreshold: bucket.config[NO_INLINE] === true ? -1 : this.#ctx.inlineThreshold,
      maxSize: MAX_PUT_SIZE,
      encrypt: sse?.sink,
    });
    const algorithm = input.body.expect.checksum?.algorithm ?? input.body.expect.algorithm;
    const checksum: ObjectChecksum | null = algorithm
      ? { algorithm, value: data.checksums[algorithm]!, type: 'FULL_OBJECT' }
      : null;
    const version = await this.#ctx.meta.putVersion(
      {
        ...this.#newVersion(who, bucket, input.key, input.lock),
        size: data.size,
        etag: sse === null ? data.md5 : sse.etag(data.md5),
        headers: sse === null ? input.headers : withEncryption(input.headers, sse.stored),
        userMetadata: input.userMetadata,
        checksum,
        sha256: sse === null ? data.sha256 : sse.sha256(data.sha256),
        tags: input.tags,
        inline: data.inline,
        extents: data.extents,
      },
      { versioning: bucket.versioning, ifMatch: input.ifMatch, ifNoneMatch: input.ifNoneMatch },
    );
    this.#ctx.events?.publish(createdEvent(input.via === 'Post' ? 'ObjectCreated:Post' : 'ObjectCreated:Put', who, version));
    return version;
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
    const encryption = version.headers.encryption;
    const protection = encryption === undefined && input.customerKey === undefined ? null : this.#sse().forStored(encryption, input.customerKey);
    checkConditions(input.conditions, version);
    const partRange = input.partNumber === undefined ? null : rangeOfPart(version, input.partNumber);
    const range = partRange ?? parseRange(input.range, version.size);
    const start = range?.start ?? 0;
    const end = range?.end ?? version.size - 1;
    return {
      version,
      partsCount: input.partNumber === undefined ? null : (version.parts?.length ?? 1),
      range,
      open: () =>
        protection !== null
          ? readPlain(this.#ctx.blobs, version, start, end, protection)
          : version.inline
            ? version.inline.subarray(start, end + 1)
            : readExtents(this.#ctx.blobs, version, start, end),
    };
  }

  /**
   * Deletes per the bucket's versioning. Removing a version for good is
   * refused (AccessDenied) while object lock protects it, checked where the
   * deletion commits; `bypassGovernance` (x-amz-bypass-governance-retention)
   * counts only for a caller allowed to bypass.
   */
  async delete(who: Principal, bucketName: string, key: string, versionId: string | null, options: { readonly bypassGovernance?: boolean } = {}) {
    const bucket = await this.#ctx.buckets.require(who, bucketName);
    validateKey(key);
    const now = this.#ctx.clock();
    const bypassGovernance = options.bypassGovernance === true && (await mayBypassGovernance(this.#ctx.buckets, who, bucketName, key));
    const result = await this.#ctx.meta.deleteObject(bucketName, key, {
      versioning: bucket.versioning,
      versionId: versionId ?? undefined,
      markerVersionId: timeOrderedId(now),
      now,
      ownerId: who.userId,
      lockCheck: { now, bypassGovernance },
    });
    if (result.versionId !== null) this.#ctx.events?.publish(removedEvent(who, bucketName, key, result, versionId !== null, now));
    return result;
  }

  /**
   * Copies by writing extents that point at the source's blobs: no data
   * moves, unless the copy is encrypted otherwise than the source (SSE-S3,
   * SSE-C with another key, or none): then the bytes are read and stored
   * again under the copy's protection.
   */
  async copy(who: Principal, input: CopyInput): Promise<{ version: ObjectVersion; source: ObjectVersion }> {
    const { source: src } = input;
    const source = await this.resolve(who, src.bucket, src.key, src.versionId);
    const bucket = await this.#ctx.buckets.require(who, input.bucket);
    validateKey(input.key);
    checkConditions(input.sourceConditions, source, true);
    const from = source.headers.encryption === undefined && input.sourceCustomerKey === undefined ? null : this.#sse().forStored(source.headers.encryption, input.sourceCustomerKey);
    const to = Sse.involved(bucket, input.encryption) ? await this.#sse().forWrite(bucket, input.encryption) : null;
    const moves = !sameProtection(from, to);
    const sameObject = src.bucket === input.bucket && src.key === input.key && src.versionId === null;
    if (sameObject && input.metadataDirective === 'COPY' && input.taggingDirective === 'COPY' && input.encryption === undefined && !moves) {
      fail('InvalidRequest', "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.");
    }
    const replace = input.metadataDirective === 'REPLACE';
    const tags = input.taggingDirective === 'REPLACE' ? input.tags : source.tags;
    if (replace) validateUserMetadata(input.userMetadata);
    validateTags(tags);
    const inlineThreshold = bucket.config[NO_INLINE] === true ? -1 : this.#ctx.inlineThreshold;
    const moved = moves ? await reencode(this.#ctx.blobs, source, from, { start: 0, end: source.size - 1 }, to, inlineThreshold) : null;
    const version = await this.#ctx.meta.putVersion(
      {
        ...this.#newVersion(who, bucket, input.key, input.lock),
        size: source.size,
        etag: moved === null ? source.etag : (to?.etag(moved.md5) ?? moved.md5),
        headers: withEncryption(replace ? input.headers : source.headers, to?.stored),
        userMetadata: replace ? input.userMetadata : source.userMetadata,
        checksum: source.checksum,
        sha256: moved === null ? source.sha256 : to === null ? moved.sha256 : to.sha256(moved.sha256),
        parts: null,
        tags,
        inline: moved === null ? source.inline : moved.inline,
        extents: moved === null ? source.extents : moved.extents,
      },
      { versioning: bucket.versioning, requireVersions: [{ bucket: src.bucket, key: src.key, versionId: source.versionId }] },
    );
    this.#ctx.events?.publish(createdEvent('ObjectCreated:Copy', who, version));
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

  #sse(): Sse {
    return this.#ctx.sse ?? fail('NotImplemented', 'Server-side encryption is not set up on this server');
  }

  /** A new version's id, time and owner, with its object lock (asked for, or the bucket's default). */
  #newVersion(who: Principal, bucket: Bucket, key: string, lock?: LockRequest): NewObjectVersion {
    const now = this.#ctx.clock();
    const versionId = bucket.versioning === 'Enabled' ? timeOrderedId(now) : 'null';
    const blank = blankVersion({ bucket: bucket.name, key, versionId, lastModified: now, ownerId: who.userId });
    if (!bucket.objectLockEnabled && lock === undefined) return blank;
    const { retention, legalHold } = newVersionLock(bucket, lock, now);
    return { ...blank, retention, legalHold };
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
