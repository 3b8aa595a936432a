/**
 * @module
 * Domain records shared by the core and its ports. Plain, readonly data.
 */
import type { AccessRequest } from './bucket-policy.ts';

/** A slice of a content-addressed blob. `blob` is the blob's SHA-256, hex. */
export interface Extent {
  readonly blob: string;
  readonly offset: number;
  readonly length: number;
}

export const CHECKSUM_ALGORITHMS = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

/** An S3 additional checksum: base64 value; COMPOSITE values end in `-N`. */
export interface ObjectChecksum {
  readonly algorithm: ChecksumAlgorithm;
  readonly value: string;
  readonly type: 'FULL_OBJECT' | 'COMPOSITE';
}

/** Standard HTTP headers S3 stores with an object and returns on GET/HEAD. */
export interface StoredHeaders {
  readonly contentType?: string;
  readonly contentEncoding?: string;
  readonly contentDisposition?: string;
  readonly contentLanguage?: string;
  readonly cacheControl?: string;
  readonly expires?: string;
  /** Server-side encryption of the bytes (`core/sse.ts`); set by the core, never from request headers. */
  readonly encryption?: StoredEncryption;
}

/**
 * How an object's (or upload's) bytes are encrypted at rest. SSE-S3: data
 * keys wrapped by the operator's master key. SSE-C: by a key the client
 * sends with every request; only a salted HMAC of it is kept, to check it.
 */
export type StoredEncryption =
  | { readonly mode: 'SSE-S3' }
  | { readonly mode: 'SSE-C'; /** base64 */ readonly salt: string; /** base64 HMAC-SHA256 of the salt under a key derived from the customer key */ readonly check: string };

export type RetentionMode = 'GOVERNANCE' | 'COMPLIANCE';

export interface Retention {
  readonly mode: RetentionMode;
  readonly until: Date;
}

/** One tag; order is kept as given. */
export type Tag = readonly [key: string, value: string];

/** Size and checksums of one part of a multipart object (for `partNumber` GETs). */
export interface PartInfo {
  readonly number: number;
  readonly size: number;
  readonly etag: string;
  readonly checksum?: string;
}

/**
 * The data of an object version as the core writes it. Either `inline` holds
 * the bytes (small objects) or `extents` lists them in order.
 */
export interface NewObjectVersion {
  readonly bucket: string;
  readonly key: string;
  /** 'null' for unversioned writes; a generated id otherwise. */
  readonly versionId: string;
  readonly isDeleteMarker: boolean;
  readonly size: number;
  /** The ETag without quotes. */
  readonly etag: string;
  readonly lastModified: Date;
  readonly headers: StoredHeaders;
  readonly userMetadata: Readonly<Record<string, string>>;
  readonly checksum: ObjectChecksum | null;
  /** SHA-256 of the whole content, hex, when known (always for single-part PUTs). */
  readonly sha256: string | null;
  readonly parts: readonly PartInfo[] | null;
  readonly tags: readonly Tag[];
  readonly inline: Buffer | null;
  readonly extents: readonly Extent[];
  readonly retention: Retention | null;
  readonly legalHold: boolean;
  readonly ownerId: string;
}

/**
 * A version with no content or metadata yet: what every write (and a delete marker) starts from.
 * Fields are copied one by one: V8 builds `{ ...base, <new fields> }` about 50x slower.
 */
export function blankVersion(
  base: Pick<NewObjectVersion, 'bucket' | 'key' | 'versionId' | 'lastModified' | 'ownerId'>,
  isDeleteMarker = false,
): NewObjectVersion {
  return {
    bucket: base.bucket,
    key: base.key,
    versionId: base.versionId,
    lastModified: base.lastModified,
    ownerId: base.ownerId,
    isDeleteMarker,
    size: 0,
    etag: '',
    headers: {},
    userMetadata: {},
    checksum: null,
    sha256: null,
    parts: null,
    tags: [],
    inline: null,
    extents: [],
    retention: null,
    legalHold: false,
  };
}

/** A stored version, as read back. `seq` orders versions of one key (newest highest). */
export interface ObjectVersion extends NewObjectVersion {
  readonly seq: number;
  readonly isLatest: boolean;
}

/** What listings return: what a listing shows, no metadata, no data. */
export type ObjectSummary = Pick<
  ObjectVersion,
  'bucket' | 'key' | 'versionId' | 'seq' | 'isLatest' | 'isDeleteMarker' | 'size' | 'etag' | 'lastModified' | 'ownerId' | 'checksum'
>;

/** A listing entry with the object's stored headers, user metadata and tags (MinIO's `metadata=true` listing). */
export type DetailedSummary = ObjectSummary & Pick<ObjectVersion, 'headers' | 'userMetadata' | 'tags'>;

export type VersioningStatus = 'Unversioned' | 'Enabled' | 'Suspended';

export interface Bucket {
  readonly name: string;
  readonly ownerId: string;
  readonly createdAt: Date;
  readonly region: string;
  readonly versioning: VersioningStatus;
  readonly objectLockEnabled: boolean;
  /** Bucket-level configurations stored as documents (JSON), keyed by kind. */
  readonly config: Readonly<Record<string, unknown>>;
}

export interface MultipartUpload {
  readonly uploadId: string;
  readonly bucket: string;
  readonly key: string;
  readonly initiated: Date;
  readonly ownerId: string;
  readonly headers: StoredHeaders;
  readonly userMetadata: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
  readonly checksumAlgorithm: ChecksumAlgorithm | null;
  readonly checksumType: 'FULL_OBJECT' | 'COMPOSITE' | null;
  readonly retention: Retention | null;
  readonly legalHold: boolean;
}

export interface UploadedPart {
  readonly uploadId: string;
  readonly partNumber: number;
  readonly size: number;
  readonly etag: string;
  readonly lastModified: Date;
  /** Checksums of this part by algorithm, base64. */
  readonly checksums: Readonly<Partial<Record<ChecksumAlgorithm, string>>>;
  /** MD5 of the part, hex (also the ETag for uploaded, not copied, parts). */
  readonly md5: string;
  /** Parts always live in blobs (never inline), so completing an upload only concatenates extents. */
  readonly extents: readonly Extent[];
}

export interface User {
  readonly id: string;
  readonly name: string;
  readonly isRoot: boolean;
  readonly createdAt: Date;
}

export interface AccessKey {
  readonly accessKeyId: string;
  /** The secret, needed in clear to verify HMAC signatures (SigV4/SigV2). */
  readonly secretKey: string;
  readonly userId: string;
  readonly createdAt: Date;
}

/** Who made a request, once authenticated. */
export interface Principal {
  readonly userId: string;
  readonly userName: string;
  readonly isRoot: boolean;
  readonly accessKeyId: string;
  /** No signature at all (S3 face): only a bucket policy can let it in. */
  readonly anonymous?: boolean;
  /**
   * What the current S3 request does to each bucket, for bucket policies
   * (`Buckets.require` decides with it). Absent: the owner rule alone.
   */
  readonly access?: readonly AccessRequest[];
}
