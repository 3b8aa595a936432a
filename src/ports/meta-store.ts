/**
 * @module
 * The metadata port. Methods are whole use cases, so each implementation can
 * make every one of them a single transaction. Implementations: SQLite
 * (embedded default) and PostgreSQL, both in `adapters/meta`, both proven by
 * `test/contract/meta-store.test.ts`.
 *
 * Keys compare in UTF-8 byte order everywhere (S3's listing order).
 * Errors are raised as `SignetError` with the codes named below.
 */
import type {
  AccessKey,
  Bucket,
  DetailedSummary,
  MultipartUpload,
  NewObjectVersion,
  ObjectSummary,
  ObjectVersion,
  Retention,
  Tag,
  UploadedPart,
  User,
  VersioningStatus,
} from '../core/types.ts';
import type { RegistryStore } from './registry-store.ts';

/**
 * A window over keys: those starting with `prefix`, after `after` (strictly,
 * or from it on when `inclusive`: listings skip a whole common prefix by
 * seeking to its successor), at most `limit`.
 */
export interface KeyWindow {
  readonly prefix: string;
  readonly after: string | null;
  readonly inclusive?: boolean;
  readonly limit: number;
}

/** A version of one key, named for writes that must still find it at commit time. */
export interface VersionRef {
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string;
}

export interface PutVersionOptions {
  /** The bucket's versioning status, read by the caller. Decides what the write replaces. */
  readonly versioning: VersioningStatus;
  /** Fail with PreconditionFailed unless the current version has this ETag (no quotes). */
  readonly ifMatch?: string;
  /** '*': fail with PreconditionFailed if the key has a current version. */
  readonly ifNoneMatch?: '*';
  /**
   * Versions that must still exist when the write commits (the source of a
   * copy), so a concurrent delete cannot leave the new version pointing at
   * blobs the garbage collector is free to take. NoSuchKey otherwise.
   */
  readonly requireVersions?: readonly VersionRef[];
}

export interface DeleteOptions {
  readonly versioning: VersioningStatus;
  /** Delete exactly this version (permanently). Absent: delete the current object per `versioning`. */
  readonly versionId?: string;
  /** The id for a delete marker, if one is created (versioning Enabled). */
  readonly markerVersionId: string;
  readonly now: Date;
  readonly ownerId: string;
  /**
   * Object lock, judged against the row being removed inside the deleting
   * transaction (`core/object-lock.ts` checkDeletable): a version under legal
   * hold or unexpired retention is refused with AccessDenied; GOVERNANCE
   * yields to `bypassGovernance`. Also guards the 'null' version a
   * Suspended/Unversioned delete replaces. Absent: no lock check (only for
   * system buckets, which never hold locked versions).
   */
  readonly lockCheck?: { readonly now: Date; readonly bypassGovernance: boolean };
  /**
   * Act only on the row the caller decided about (the lifecycle worker, on
   * several nodes at once): with `versionId`, that version must still be the
   * row with this `seq` (gone is fine: nothing to delete); without, the key's
   * latest version, delete marker included, must be. PreconditionFailed
   * otherwise, and nothing changes.
   */
  readonly ifSeq?: number;
}

export interface DeleteResult {
  /** The version removed or the delete marker created; null when there was nothing to delete. */
  readonly versionId: string | null;
  /** True when the result is (or removed) a delete marker. */
  readonly deleteMarker: boolean;
}

/** Window over versions: keys after `afterKey`, or within `afterKey` the versions older than `afterSeq`. */
export interface VersionWindow {
  readonly prefix: string;
  readonly afterKey: string | null;
  readonly afterSeq: number | null;
  /** With `afterSeq` null: start at `afterKey` itself instead of after it (a listing seeking past a common prefix). */
  readonly inclusive?: boolean;
  readonly limit: number;
}

export interface UploadWindow {
  readonly prefix: string;
  readonly keyMarker: string | null;
  readonly uploadIdMarker: string | null;
  readonly limit: number;
}

export interface VersionPatch {
  readonly tags?: readonly Tag[];
  readonly retention?: Retention | null;
  readonly legalHold?: boolean;
  /**
   * With `retention`: the change is judged against the stored retention in
   * the updating transaction (`core/object-lock.ts` checkRetentionChange),
   * AccessDenied when object lock forbids it.
   */
  readonly retentionCheck?: { readonly now: Date; readonly bypassGovernance: boolean };
}

export interface BucketPatch {
  readonly versioning?: VersioningStatus;
  readonly objectLockEnabled?: boolean;
  /** Set (value) or remove (null) bucket configuration documents by kind. */
  readonly config?: Readonly<Record<string, unknown>>;
}

/** A master key that encrypted data (SSE-S3) was written under: its id and check value, never the key. */
export interface MasterKeyRecord {
  readonly keyId: string;
  readonly check: string;
  readonly createdAt: Date;
}

export interface MetaStore {
  /** The model registry's records (models, hubs, grants, tokens, audit), in the same database. */
  readonly registry: RegistryStore;

  /**
   * Runs migrations, then seals access-key secrets still in clear when the
   * store seals them; throws when stored secrets are sealed under a master
   * key it does not have. Safe to call on every start and from several nodes.
   */
  migrate(): Promise<void>;
  /** Cheap round trip for readiness checks. */
  ping(): Promise<void>;
  close(): Promise<void>;

  // Users and access keys
  createUser(user: User): Promise<void>; // UserAlreadyExists
  getUser(idOrName: { id: string } | { name: string }): Promise<User | null>;
  listUsers(): Promise<User[]>;
  /** Removes the user and its keys. NoSuchUser. */
  deleteUser(id: string): Promise<void>;
  putAccessKey(key: AccessKey): Promise<void>;
  getAccessKey(accessKeyId: string): Promise<AccessKey | null>;
  listAccessKeys(userId: string): Promise<AccessKey[]>;
  deleteAccessKey(accessKeyId: string): Promise<void>; // NoSuchAccessKey

  // Buckets
  createBucket(bucket: Bucket): Promise<void>; // BucketAlreadyExists
  getBucket(name: string): Promise<Bucket | null>;
  /** Owner's buckets, or all when ownerId is null; by name. */
  listBuckets(ownerId: string | null): Promise<Bucket[]>;
  /** BucketNotEmpty while any version or delete marker remains; drops pending uploads. NoSuchBucket. */
  deleteBucket(name: string): Promise<void>;
  updateBucket(name: string, patch: BucketPatch): Promise<Bucket>; // NoSuchBucket

  // Objects
  /** Writes a version; returns what was stored (versionId is 'null' unless versioning is Enabled). */
  putVersion(version: NewObjectVersion, options: PutVersionOptions): Promise<ObjectVersion>;
  /** A version with its data (inline or extents); versionId null means the latest, which may be a delete marker. */
  getVersion(bucket: string, key: string, versionId: string | null): Promise<ObjectVersion | null>;
  deleteObject(bucket: string, key: string, options: DeleteOptions): Promise<DeleteResult>;
  updateVersion(bucket: string, key: string, versionId: string | null, patch: VersionPatch): Promise<ObjectVersion>; // NoSuchKey / NoSuchVersion
  /** Current, non-deleted objects in key byte order. */
  listObjects(bucket: string, window: KeyWindow): Promise<ObjectSummary[]>;
  /** As listObjects, each with its stored headers, user metadata and tags (a wider row: only when asked for). */
  listObjectsWithDetails(bucket: string, window: KeyWindow): Promise<DetailedSummary[]>;
  /** All versions and delete markers: key ascending, then newest first. */
  listVersions(bucket: string, window: VersionWindow): Promise<ObjectSummary[]>;

  // Multipart uploads
  createUpload(upload: MultipartUpload): Promise<void>;
  getUpload(uploadId: string): Promise<MultipartUpload | null>;
  /** Ordered by key, then upload id (ids are time-ordered). */
  listUploads(bucket: string, window: UploadWindow): Promise<MultipartUpload[]>;
  /** Adds or replaces a part. NoSuchUpload if the upload is gone. */
  putPart(part: UploadedPart, options?: { requireVersions?: readonly VersionRef[] }): Promise<void>;
  /** Parts by number, after `afterPart`, at most `limit`, with extents. */
  listParts(uploadId: string, afterPart: number, limit: number): Promise<UploadedPart[]>;
  /** Atomically stores the version and removes the upload and its parts. NoSuchUpload. */
  completeUpload(uploadId: string, version: NewObjectVersion, options: PutVersionOptions): Promise<ObjectVersion>;
  abortUpload(uploadId: string): Promise<void>; // NoSuchUpload

  // Garbage collection
  /** Of the given blob hashes, those some version or part still references. */
  referencedBlobs(hashes: readonly string[]): Promise<Set<string>>;

  // Encryption at rest
  /** The master keys SSE-S3 data was written under (none until the first such write). */
  listMasterKeys(): Promise<MasterKeyRecord[]>;
  /** Records `key` unless a master key is recorded already (atomically, across nodes); returns what is recorded after. */
  registerMasterKey(key: MasterKeyRecord): Promise<MasterKeyRecord[]>;
}
