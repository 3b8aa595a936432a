/**
 * @module
 * Bucket versioning and object lock: the versioning state, ListObjectVersions,
 * the bucket's object-lock configuration, and the retention and legal hold
 * of single versions. The rules themselves are in `object-lock.ts`; the
 * metadata store applies them inside the transactions that change or remove
 * a version.
 */
import type { Buckets } from './buckets.ts';
import { fail, isSignetError } from './errors.ts';
import { prefixSuccessor } from './listing.ts';
import {
  OBJECT_LOCK_CONFIG,
  checkRetainUntil,
  storedLockConfig,
  validateDefaultRetention,
  type ObjectLockConfiguration,
} from './object-lock.ts';
import type { Objects, StoreContext } from './objects.ts';
import type { Bucket, ObjectSummary, ObjectVersion, Principal, Retention } from './types.ts';

export interface VersionListInput {
  readonly bucket: string;
  readonly prefix: string;
  readonly delimiter: string;
  /** `key-marker`: list after this key (or, with `versionIdMarker`, after that version of it). */
  readonly keyMarker: string | null;
  readonly versionIdMarker: string | null;
  readonly maxKeys: number;
}

export interface VersionList {
  /** Versions and delete markers: key ascending, then newest first. */
  readonly versions: ObjectSummary[];
  readonly commonPrefixes: string[];
  readonly isTruncated: boolean;
  /** The last version or common prefix returned: NextKeyMarker / NextVersionIdMarker (null after a common prefix). */
  readonly last: { readonly key: string; readonly versionId: string | null } | null;
}

type Cursor = { afterKey: string | null; afterSeq: number | null; inclusive: boolean };

/**
 * Whether `who` may bypass GOVERNANCE retention on `key` (the
 * `s3:BypassGovernanceRetention` permission): root and the bucket's owner
 * may unless its policy denies it; others only where its policy allows it.
 */
export async function mayBypassGovernance(buckets: Buckets, who: Principal, bucket: string, key: string): Promise<boolean> {
  const context = who.access?.find((a) => a.bucket === bucket)?.context ?? {};
  try {
    await buckets.require({ ...who, access: [{ bucket, action: 's3:BypassGovernanceRetention', key, context }] }, bucket);
    return true;
  } catch (e) {
    if (isSignetError(e) && e.code === 'AccessDenied') return false;
    throw e;
  }
}

export class Versioning {
  readonly #ctx: StoreContext;
  readonly #objects: Objects;

  constructor(ctx: StoreContext, objects: Objects) {
    this.#ctx = ctx;
    this.#objects = objects;
  }

  /** PutBucketVersioning. A bucket with object lock stays Enabled (InvalidBucketState). */
  async setStatus(who: Principal, name: string, status: 'Enabled' | 'Suspended'): Promise<Bucket> {
    const bucket = await this.#ctx.buckets.require(who, name);
    if (bucket.objectLockEnabled && status !== 'Enabled') {
      fail('InvalidBucketState', 'An Object Lock configuration is present on this bucket, so the versioning state cannot be changed.', { BucketName: name });
    }
    if (bucket.versioning === status) return bucket;
    return this.#ctx.meta.updateBucket(name, { versioning: status });
  }

  /**
   * ListObjectVersions. With a delimiter, each common prefix is reported once
   * (it counts against max-keys like a version) and then skipped with one
   * seek; a key marker equal to a common prefix resumes after all of it.
   */
  async listVersions(who: Principal, input: VersionListInput): Promise<VersionList> {
    await this.#ctx.buckets.require(who, input.bucket);
    if (input.versionIdMarker !== null && input.keyMarker === null) {
      fail('InvalidArgument', 'A version-id marker cannot be specified without a key marker.', { ArgumentName: 'version-id-marker', ArgumentValue: input.versionIdMarker });
    }
    let cursor = await this.#startCursor(input);
    const versions: ObjectSummary[] = [];
    const commonPrefixes: string[] = [];
    let last: VersionList['last'] = null;
    for (;;) {
      const room = input.maxKeys - versions.length - commonPrefixes.length;
      const limit = Math.min(Math.max(room, 0) + 1, 1000);
      const batch = await this.#ctx.meta.listVersions(input.bucket, { prefix: input.prefix, ...cursor, limit });
      let skipped = false;
      for (const row of batch) {
        if (versions.length + commonPrefixes.length >= input.maxKeys) return { versions, commonPrefixes, isTruncated: true, last };
        const cp = input.delimiter === '' ? null : commonPrefixOf(row.key, input.prefix, input.delimiter);
        if (cp !== null) {
          commonPrefixes.push(cp);
          last = { key: cp, versionId: null };
          const next = prefixSuccessor(cp);
          if (next === null) return { versions, commonPrefixes, isTruncated: false, last };
          cursor = { afterKey: next, afterSeq: null, inclusive: true };
          skipped = true;
          break; // query again from past the prefix
        }
        versions.push(row);
        last = { key: row.key, versionId: row.versionId };
        cursor = { afterKey: row.key, afterSeq: row.seq, inclusive: false };
      }
      if (!skipped && batch.length < limit) return { versions, commonPrefixes, isTruncated: false, last };
    }
  }

  /**
   * Where a listing starts. A version-id marker that no longer names a
   * version of the key marker (deleted between pages) resumes after the key.
   */
  async #startCursor(input: VersionListInput): Promise<Cursor> {
    const { keyMarker, versionIdMarker } = input;
    if (keyMarker === null) return { afterKey: null, afterSeq: null, inclusive: false };
    if (input.delimiter !== '' && keyMarker.startsWith(input.prefix) && commonPrefixOf(keyMarker, input.prefix, input.delimiter) === keyMarker) {
      const next = prefixSuccessor(keyMarker);
      return next === null ? { afterKey: keyMarker, afterSeq: null, inclusive: false } : { afterKey: next, afterSeq: null, inclusive: true };
    }
    if (versionIdMarker !== null) {
      const marker = await this.#ctx.meta.getVersion(input.bucket, keyMarker, versionIdMarker);
      if (marker !== null) return { afterKey: keyMarker, afterSeq: marker.seq, inclusive: false };
    }
    return { afterKey: keyMarker, afterSeq: null, inclusive: false };
  }

  // Object lock configuration

  /** GetObjectLockConfiguration: ObjectLockConfigurationNotFoundError on a bucket created without object lock. */
  async lockConfiguration(who: Principal, name: string): Promise<ObjectLockConfiguration> {
    const bucket = await this.#ctx.buckets.require(who, name);
    if (!bucket.objectLockEnabled) fail('ObjectLockConfigurationNotFoundError', 'Object Lock configuration does not exist for this bucket', { BucketName: name });
    return storedLockConfig(bucket);
  }

  /** PutObjectLockConfiguration: sets or removes the default retention; object lock itself is only turned on at creation. */
  async putLockConfiguration(who: Principal, name: string, config: ObjectLockConfiguration): Promise<void> {
    if (config.rule !== null) validateDefaultRetention(config.rule);
    const bucket = await this.#ctx.buckets.require(who, name);
    if (!bucket.objectLockEnabled) {
      fail('InvalidBucketState', 'Object Lock configuration cannot be enabled on existing buckets', { BucketName: name });
    }
    await this.#ctx.meta.updateBucket(name, { config: { [OBJECT_LOCK_CONFIG]: { rule: config.rule } } });
  }

  // Retention and legal hold of one version

  /** GetObjectRetention: NoSuchObjectLockConfiguration when the version has none. */
  async retention(who: Principal, bucket: string, key: string, versionId: string | null): Promise<{ version: ObjectVersion; retention: Retention }> {
    const version = await this.#lockedVersion(who, bucket, key, versionId);
    if (version.retention === null) fail('NoSuchObjectLockConfiguration', 'The specified object does not have a ObjectLock configuration', { Key: key });
    return { version, retention: version.retention };
  }

  /**
   * PutObjectRetention: `null` removes the retention. Judged against the
   * stored retention inside the update (COMPLIANCE only grows; GOVERNANCE
   * shrinks only with the bypass, for a caller allowed to bypass).
   */
  async putRetention(who: Principal, bucket: string, key: string, versionId: string | null, retention: Retention | null, bypassRequested: boolean): Promise<ObjectVersion> {
    const now = this.#ctx.clock();
    if (retention !== null) checkRetainUntil(retention.until, now);
    const version = await this.#lockedVersion(who, bucket, key, versionId);
    const bypassGovernance = bypassRequested && (await mayBypassGovernance(this.#ctx.buckets, who, bucket, key));
    return this.#ctx.meta.updateVersion(bucket, key, version.versionId, { retention, retentionCheck: { now, bypassGovernance } });
  }

  async legalHold(who: Principal, bucket: string, key: string, versionId: string | null): Promise<{ version: ObjectVersion; on: boolean }> {
    const version = await this.#lockedVersion(who, bucket, key, versionId);
    return { version, on: version.legalHold };
  }

  /** PutObjectLegalHold: anyone who may write the object may set or lift it (no bypass involved). */
  async putLegalHold(who: Principal, bucket: string, key: string, versionId: string | null, on: boolean): Promise<ObjectVersion> {
    const version = await this.#lockedVersion(who, bucket, key, versionId);
    return this.#ctx.meta.updateVersion(bucket, key, version.versionId, { legalHold: on });
  }

  /** The version, in a bucket with object lock (InvalidRequest otherwise, as S3). */
  async #lockedVersion(who: Principal, bucket: string, key: string, versionId: string | null): Promise<ObjectVersion> {
    const b = await this.#ctx.buckets.require(who, bucket);
    if (!b.objectLockEnabled) fail('InvalidRequest', 'Bucket is missing Object Lock Configuration');
    return this.#objects.resolve(who, bucket, key, versionId);
  }
}

function commonPrefixOf(key: string, prefix: string, delimiter: string): string | null {
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? null : key.slice(0, at + delimiter.length);
}
