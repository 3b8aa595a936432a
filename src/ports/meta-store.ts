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
}

export interface BucketPatch {
  readonly versioning?: VersioningStatus;
  readonly objectLockEnabled?: boolean;
  /** Set (value) or remove (null) bucket configuration documents by kind. */
  readonly config?: Readonly<Record<string, unknown>>;
}

export interface MetaStore {
  /** Runs migrations; safe to call on every start and from several nodes. */
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
}
