/**
 * @module
 * Buckets: creation, lookup with access control, listing and deletion, and
 * the configuration documents kept with a bucket (tags, policy, CORS). A user
 * sees and touches its own buckets, root all of them; a bucket policy may let
 * others in (anonymous callers included) or deny anyone
 * (`bucket-policy.ts` decides).
 */
import { authorizeBucketAccess, DENY_ALL_POLICY, namedPrincipals, parseBucketPolicy, policyIsPublic, type BucketPolicy } from './bucket-policy.ts';
import { storedCorsRules, validateCorsRules, type CorsRule } from './cors.ts';
import { fail, isSignetError } from './errors.ts';
import { validateBucketName } from './names.ts';
import type { Bucket, Principal, Tag } from './types.ts';
import type { MetaStore } from '../ports/meta-store.ts';

/** The kinds of bucket configuration documents kept here (`Bucket.config`). */
const TAGGING = 'tagging';
const POLICY = 'policy';
const CORS = 'cors';
/**
 * Bucket config kind: true keeps the bucket to its owner alone: no root, no
 * policy, not listed for others. The registry's system bucket, whose pinned
 * files must never change, is such a bucket.
 */
export const OWNER_ONLY = 'signet:owner-only';

export class Buckets {
  readonly #meta: MetaStore;
  readonly #region: string;
  readonly #clock: () => Date;
  /** Parsed policies by bucket and text: parsing on every request would be wasted work. */
  readonly #policies = new Map<string, BucketPolicy>();

  constructor(meta: MetaStore, region: string, clock: () => Date = () => new Date()) {
    this.#meta = meta;
    this.#region = region;
    this.#clock = clock;
  }

  get region(): string {
    return this.#region;
  }

  async create(who: Principal, name: string, options: { objectLock?: boolean } = {}): Promise<Bucket> {
    if (who.anonymous) fail('AccessDenied', 'Access Denied');
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

  /**
   * The bucket, if the caller may do what `who.access` says it does to it
   * (see `authorizeBucketAccess`): NoSuchBucket or AccessDenied otherwise.
   */
  async require(who: Principal, name: string): Promise<Bucket> {
    const bucket = await this.#meta.getBucket(name);
    if (!bucket) fail('NoSuchBucket', 'The specified bucket does not exist', { BucketName: name });
    if (bucket.config[OWNER_ONLY] === true && bucket.ownerId !== who.userId) fail('AccessDenied', 'Access Denied');
    authorizeBucketAccess(bucket, this.#policyOf(bucket), who, who.access ?? []);
    return bucket;
  }

  /**
   * Whether `who` may do `action` (`s3:GetObject`, ...) to single keys of a
   * bucket: one lookup, then no I/O per key, for a listing that shows what
   * only a read of each object would (MinIO's `metadata=true`). The request's
   * condition keys are those of its access to the bucket.
   */
  async keyPermission(who: Principal, name: string, action: string): Promise<(key: string) => boolean> {
    const bucket = await this.#meta.getBucket(name);
    if (!bucket || (bucket.config[OWNER_ONLY] === true && bucket.ownerId !== who.userId)) return () => false;
    const policy = this.#policyOf(bucket);
    const context = who.access?.find((a) => a.bucket === name)?.context ?? {};
    return (key) => {
      try {
        authorizeBucketAccess(bucket, policy, who, [{ bucket: name, action, key, context }]);
        return true;
      } catch (e) {
        if (isSignetError(e) && e.code === 'AccessDenied') return false;
        throw e;
      }
    };
  }

  async list(who: Principal): Promise<Bucket[]> {
    if (who.anonymous) fail('AccessDenied', 'Access Denied');
    const buckets = await this.#meta.listBuckets(who.isRoot ? null : who.userId);
    return buckets.filter((b) => b.config[OWNER_ONLY] !== true || b.ownerId === who.userId);
  }

  // Tags

  /** NoSuchTagSet when the bucket has none. */
  async tags(who: Principal, name: string): Promise<Tag[]> {
    const doc = (await this.require(who, name)).config[TAGGING];
    if (!Array.isArray(doc)) fail('NoSuchTagSet', 'The TagSet does not exist', { BucketName: name });
    return doc as Tag[];
  }

  /** Replaces the tags; an empty set removes them. */
  async putTags(who: Principal, name: string, tags: readonly Tag[]): Promise<void> {
    await this.require(who, name);
    validateBucketTags(tags);
    await this.#meta.updateBucket(name, { config: { [TAGGING]: tags.length === 0 ? null : tags } });
  }

  async deleteTags(who: Principal, name: string): Promise<void> {
    await this.require(who, name);
    await this.#meta.updateBucket(name, { config: { [TAGGING]: null } });
  }

  // Policy

  /** The policy document as it was put; NoSuchBucketPolicy when there is none. */
  async policy(who: Principal, name: string): Promise<string> {
    const doc = (await this.require(who, name)).config[POLICY];
    if (typeof doc !== 'string') fail('NoSuchBucketPolicy', 'The bucket policy does not exist', { BucketName: name });
    return doc;
  }

  /** Validates (MalformedPolicy, also for users that do not exist) and stores the policy; nothing changes on error. */
  async putPolicy(who: Principal, name: string, text: string): Promise<void> {
    await this.require(who, name);
    const { names, ids } = namedPrincipals(parseBucketPolicy(text, name));
    for (const userName of names) if (!(await this.#meta.getUser({ name: userName }))) fail('MalformedPolicy', 'Invalid principal in policy');
    for (const id of ids) if (!(await this.#meta.getUser({ id }))) fail('MalformedPolicy', 'Invalid principal in policy');
    await this.#meta.updateBucket(name, { config: { [POLICY]: text } });
  }

  async deletePolicy(who: Principal, name: string): Promise<void> {
    await this.require(who, name);
    await this.#meta.updateBucket(name, { config: { [POLICY]: null } });
  }

  /** Whether the policy makes the bucket public; NoSuchBucketPolicy when there is none. */
  async policyStatus(who: Principal, name: string): Promise<{ isPublic: boolean }> {
    const bucket = await this.require(who, name);
    const policy = this.#policyOf(bucket);
    if (policy === null) fail('NoSuchBucketPolicy', 'The bucket policy does not exist', { BucketName: name });
    return { isPublic: policyIsPublic(policy) };
  }

  #policyOf(bucket: Bucket): BucketPolicy | null {
    const text = bucket.config[POLICY];
    if (typeof text !== 'string') return null;
    const cacheKey = `${bucket.name}\n${text}`;
    let policy = this.#policies.get(cacheKey);
    if (!policy) {
      try {
        policy = parseBucketPolicy(text, bucket.name);
      } catch {
        // Stored under other rules and no longer valid: fail closed (the owner and root can still replace it).
        policy = DENY_ALL_POLICY;
      }
      if (this.#policies.size >= 256) this.#policies.delete(this.#policies.keys().next().value!);
      this.#policies.set(cacheKey, policy);
    }
    return policy;
  }

  // CORS

  /** NoSuchCORSConfiguration when the bucket has none. */
  async cors(who: Principal, name: string): Promise<CorsRule[]> {
    const rules = storedCorsRules((await this.require(who, name)).config[CORS]);
    if (rules === null) fail('NoSuchCORSConfiguration', 'The CORS configuration does not exist', { BucketName: name });
    return rules;
  }

  async putCors(who: Principal, name: string, rules: readonly CorsRule[]): Promise<void> {
    await this.require(who, name);
    validateCorsRules(rules);
    await this.#meta.updateBucket(name, { config: { [CORS]: rules } });
  }

  async deleteCors(who: Principal, name: string): Promise<void> {
    await this.require(who, name);
    await this.#meta.updateBucket(name, { config: { [CORS]: null } });
  }

  /**
   * The CORS rules browsers are answered with (preflights carry no
   * credentials, so nobody is checked); null when the bucket does not exist
   * or has no CORS configuration.
   */
  async corsRulesFor(name: string): Promise<CorsRule[] | null> {
    const bucket = await this.#meta.getBucket(name);
    return bucket ? storedCorsRules(bucket.config[CORS]) : null;
  }

  async delete(who: Principal, name: string): Promise<void> {
    await this.require(who, name);
    await this.#meta.deleteBucket(name);
  }
}

/** S3's limits for bucket tags: as object tags, but up to 50, and `aws:` keys are reserved. */
export function validateBucketTags(tags: readonly Tag[]): void {
  if (tags.length > 50) fail('InvalidTag', 'Bucket tag count cannot be greater than 50');
  const seen = new Set<string>();
  for (const [k, v] of tags) {
    if (k.length < 1 || k.length > 128) fail('InvalidTag', 'The TagKey you have provided is invalid');
    if (v.length > 256) fail('InvalidTag', 'The TagValue you have provided is invalid');
    if (k.toLowerCase().startsWith('aws:')) fail('InvalidTag', 'System tags cannot be added/updated by requester');
    if (seen.has(k)) fail('InvalidTag', 'Cannot provide multiple Tags with the same key');
    seen.add(k);
  }
}
