/**
 * @module
 * Buckets: creation, lookup with ownership, listing and deletion. Until bucket
 * policies exist, a user sees and touches only its own buckets; root sees all.
 */
import { fail } from './errors.ts';
import { validateBucketName } from './names.ts';
import type { Bucket, Principal } from './types.ts';
import type { MetaStore } from '../ports/meta-store.ts';

export class Buckets {
  readonly #meta: MetaStore;
  readonly #region: string;
  readonly #clock: () => Date;

  constructor(meta: MetaStore, region: string, clock: () => Date = () => new Date()) {
    this.#meta = meta;
    this.#region = region;
    this.#clock = clock;
  }

  get region(): string {
    return this.#region;
  }

  async create(who: Principal, name: string, options: { objectLock?: boolean } = {}): Promise<Bucket> {
    validateBucketName(name);
    const bucket: Bucket = {
      name,
      ownerId: who.userId,
      createdAt: this.#clock(),
      region: this.#region,
      versioning: options.objectLock ? 'Enabled' : 'Unversioned',
      objectLockEnabled: options.objectLock ?? false,
      config: {},
    };
    try {
      await this.#meta.createBucket(bucket);
    } catch (e) {
      const existing = await this.#meta.getBucket(name);
      if (existing?.ownerId === who.userId) fail('BucketAlreadyOwnedByYou', undefined, { BucketName: name });
      throw e;
    }
    return bucket;
  }

  /** The bucket, if the caller may use it: NoSuchBucket or AccessDenied otherwise. */
  async require(who: Principal, name: string): Promise<Bucket> {
    const bucket = await this.#meta.getBucket(name);
    if (!bucket) fail('NoSuchBucket', 'The specified bucket does not exist', { BucketName: name });
    if (!who.isRoot && bucket.ownerId !== who.userId) fail('AccessDenied', 'Access Denied');
    return bucket;
  }

  list(who: Principal): Promise<Bucket[]> {
    return this.#meta.listBuckets(who.isRoot ? null : who.userId);
  }

  async delete(who: Principal, name: string): Promise<void> {
    await this.require(who, name);
    await this.#meta.deleteBucket(name);
  }
}
