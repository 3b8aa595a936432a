/**
 * @module
 * Parses an S3 request line into one operation named as AWS names it. Every
 * request maps to exactly one member of {@link S3Operation}; calls Signet
 * does not serve yet map to `NotImplemented` with their AWS name, so the
 * client gets S3's `NotImplemented` error instead of a wrong answer.
 */
import { fail } from '../../core/errors.ts';

export const BUCKET_OPERATIONS = [
  'CreateBucket',
  'HeadBucket',
  'DeleteBucket',
  'GetBucketLocation',
  'GetBucketAcl',
  'PutBucketAcl',
  'GetBucketVersioning',
  'PutBucketVersioning',
  'ListObjectVersions',
  'GetObjectLockConfiguration',
  'PutObjectLockConfiguration',
  'ListObjects',
  'ListObjectsV2',
  'ListMultipartUploads',
  'DeleteObjects',
  'PostObject',
  'GetBucketTagging',
  'PutBucketTagging',
  'DeleteBucketTagging',
  'GetBucketPolicy',
  'PutBucketPolicy',
  'DeleteBucketPolicy',
  'GetBucketPolicyStatus',
  'GetBucketCors',
  'PutBucketCors',
  'DeleteBucketCors',
  'GetBucketNotificationConfiguration',
  'PutBucketNotificationConfiguration',
  'ListenBucketNotification',
  'GetBucketEncryption',
  'PutBucketEncryption',
  'DeleteBucketEncryption',
  'GetBucketLifecycleConfiguration',
  'PutBucketLifecycleConfiguration',
  'DeleteBucketLifecycle',
] as const;

export const OBJECT_OPERATIONS = [
  'PutObject',
  'CopyObject',
  'GetObject',
  'HeadObject',
  'DeleteObject',
  'CreateMultipartUpload',
  'UploadPart',
  'UploadPartCopy',
  'CompleteMultipartUpload',
  'AbortMultipartUpload',
  'ListParts',
  'GetObjectTagging',
  'PutObjectTagging',
  'DeleteObjectTagging',
  'GetObjectAcl',
  'PutObjectAcl',
  'GetObjectRetention',
  'PutObjectRetention',
  'GetObjectLegalHold',
  'PutObjectLegalHold',
  'SelectObjectContent',
] as const;

export type BucketOperationName = (typeof BUCKET_OPERATIONS)[number];
export type ObjectOperationName = (typeof OBJECT_OPERATIONS)[number];

/** One member per operation name, so `Extract<S3Operation, { name: N }>` narrows to it. */
type BucketOperation = { [N in BucketOperationName]: { readonly name: N; readonly bucket: string } }[BucketOperationName];
type ObjectOperation = { [N in ObjectOperationName]: { readonly name: N; readonly bucket: string; readonly key: string } }[ObjectOperationName];

export type S3Operation =
  | { readonly name: 'ListBuckets' }
  | BucketOperation
  | ObjectOperation
  /** A browser's CORS preflight (`OPTIONS`) for the bucket or one of its keys. */
  | { readonly name: 'PreflightRequest'; readonly bucket: string; readonly key: string | null }
  | { readonly name: 'NotImplemented'; readonly awsName: string };

export type S3OperationName = S3Operation['name'];

export interface S3Address {
  readonly bucket: string | null;
  readonly key: string | null;
}

/** Sub-resources of buckets that name operations Signet does not serve yet (AWS operation per method). */
const BUCKET_SUBRESOURCES: Readonly<Record<string, string>> = {
  accelerate: 'BucketAccelerateConfiguration',
  analytics: 'BucketAnalyticsConfiguration',
  'intelligent-tiering': 'BucketIntelligentTieringConfiguration',
  inventory: 'BucketInventoryConfiguration',
  logging: 'BucketLogging',
  metadataTable: 'BucketMetadataTableConfiguration',
  metrics: 'BucketMetricsConfiguration',
  ownershipControls: 'BucketOwnershipControls',
  publicAccessBlock: 'PublicAccessBlock',
  replication: 'BucketReplication',
  requestPayment: 'BucketRequestPayment',
  website: 'BucketWebsite',
  session: 'Session',
};

const OBJECT_SUBRESOURCES: Readonly<Record<string, string>> = {
  torrent: 'ObjectTorrent',
  attributes: 'ObjectAttributes',
  restore: 'RestoreObject',
  renameObject: 'RenameObject',
};

const VERB: Readonly<Record<string, string>> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', POST: 'Post', HEAD: 'Head' };

function notImplemented(method: string, resource: string): S3Operation {
  const verbless = resource === 'RestoreObject' || resource === 'SelectObjectContent' || resource === 'RenameObject' || resource === 'Session';
  const awsName = verbless ? (resource === 'Session' ? 'CreateSession' : resource) : `${VERB[method] ?? method}${resource}`;
  return { name: 'NotImplemented', awsName };
}

function methodNotAllowed(): never {
  fail('MethodNotAllowed', 'The specified method is not allowed against this resource.');
}

export function routeS3(method: string, address: S3Address, query: URLSearchParams, headers: Readonly<Record<string, string | string[] | undefined>>): S3Operation {
  if (method === 'OPTIONS') {
    if (address.bucket === null) methodNotAllowed();
    return { name: 'PreflightRequest', bucket: address.bucket, key: address.key };
  }
  if (address.bucket === null) {
    if (method === 'GET') return { name: 'ListBuckets' };
    methodNotAllowed();
  }
  if (address.key === null) return routeBucket(method, address.bucket, query, headers);
  return routeObject(method, address.bucket, address.key, query, headers);
}

function routeBucket(method: string, bucket: string, q: URLSearchParams, headers: Readonly<Record<string, string | string[] | undefined>>): S3Operation {
  const op = (name: BucketOperationName): S3Operation => ({ name, bucket }) as BucketOperation;
  if (method === 'GET' && q.has('location')) return op('GetBucketLocation');
  if (q.has('acl')) return method === 'GET' ? op('GetBucketAcl') : method === 'PUT' ? op('PutBucketAcl') : methodNotAllowed();
  if (q.has('versioning')) return method === 'GET' ? op('GetBucketVersioning') : method === 'PUT' ? op('PutBucketVersioning') : methodNotAllowed();
  if (q.has('versions')) return method === 'GET' ? op('ListObjectVersions') : methodNotAllowed();
  if (q.has('object-lock')) return method === 'GET' ? op('GetObjectLockConfiguration') : method === 'PUT' ? op('PutObjectLockConfiguration') : methodNotAllowed();
  if (method === 'GET' && q.has('uploads')) return op('ListMultipartUploads');
  if (method === 'POST' && q.has('delete')) return op('DeleteObjects');
  if (q.has('tagging')) return method === 'GET' ? op('GetBucketTagging') : method === 'PUT' ? op('PutBucketTagging') : method === 'DELETE' ? op('DeleteBucketTagging') : methodNotAllowed();
  if (q.has('policy')) return method === 'GET' ? op('GetBucketPolicy') : method === 'PUT' ? op('PutBucketPolicy') : method === 'DELETE' ? op('DeleteBucketPolicy') : methodNotAllowed();
  if (q.has('policyStatus')) return method === 'GET' ? op('GetBucketPolicyStatus') : methodNotAllowed();
  if (q.has('cors')) return method === 'GET' ? op('GetBucketCors') : method === 'PUT' ? op('PutBucketCors') : method === 'DELETE' ? op('DeleteBucketCors') : methodNotAllowed();
  if (q.has('notification')) return method === 'GET' ? op('GetBucketNotificationConfiguration') : method === 'PUT' ? op('PutBucketNotificationConfiguration') : methodNotAllowed();
  // MinIO's extension: a long-lived stream of the bucket's events.
  if (q.has('events')) return method === 'GET' ? op('ListenBucketNotification') : methodNotAllowed();
  if (q.has('encryption')) return method === 'GET' ? op('GetBucketEncryption') : method === 'PUT' ? op('PutBucketEncryption') : method === 'DELETE' ? op('DeleteBucketEncryption') : methodNotAllowed();
  if (q.has('lifecycle')) {
    return method === 'GET' ? op('GetBucketLifecycleConfiguration') : method === 'PUT' ? op('PutBucketLifecycleConfiguration') : method === 'DELETE' ? op('DeleteBucketLifecycle') : methodNotAllowed();
  }
  for (const [sub, resource] of Object.entries(BUCKET_SUBRESOURCES)) if (q.has(sub)) return notImplemented(method, resource);
  switch (method) {
    case 'PUT':
      return op('CreateBucket');
    case 'HEAD':
      return op('HeadBucket');
    case 'DELETE':
      return op('DeleteBucket');
    case 'GET':
      return op(q.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects');
    case 'POST': {
      const type = String(headers['content-type'] ?? '');
      if (type.toLowerCase().startsWith('multipart/form-data')) return op('PostObject');
      return methodNotAllowed();
    }
    default:
      return methodNotAllowed();
  }
}

function routeObject(method: string, bucket: string, key: string, q: URLSearchParams, headers: Readonly<Record<string, string | string[] | undefined>>): S3Operation {
  const op = (name: ObjectOperationName): S3Operation => ({ name, bucket, key }) as ObjectOperation;
  const copy = headers['x-amz-copy-source'] !== undefined;
  if (q.has('uploadId')) {
    switch (method) {
      case 'PUT':
        return op(copy ? 'UploadPartCopy' : 'UploadPart');
      case 'GET':
        return op('ListParts');
      case 'POST':
        return op('CompleteMultipartUpload');
      case 'DELETE':
        return op('AbortMultipartUpload');
      default:
        return methodNotAllowed();
    }
  }
  if (q.has('tagging')) return method === 'GET' ? op('GetObjectTagging') : method === 'PUT' ? op('PutObjectTagging') : method === 'DELETE' ? op('DeleteObjectTagging') : methodNotAllowed();
  if (q.has('acl')) return method === 'GET' ? op('GetObjectAcl') : method === 'PUT' ? op('PutObjectAcl') : methodNotAllowed();
  if (q.has('retention')) return method === 'GET' ? op('GetObjectRetention') : method === 'PUT' ? op('PutObjectRetention') : methodNotAllowed();
  if (q.has('legal-hold')) return method === 'GET' ? op('GetObjectLegalHold') : method === 'PUT' ? op('PutObjectLegalHold') : methodNotAllowed();
  if (method === 'POST' && q.has('uploads')) return op('CreateMultipartUpload');
  if (q.has('select')) return method === 'POST' ? op('SelectObjectContent') : methodNotAllowed();
  for (const [sub, resource] of Object.entries(OBJECT_SUBRESOURCES)) if (q.has(sub)) return notImplemented(method, resource);
  switch (method) {
    case 'PUT':
      return op(copy ? 'CopyObject' : 'PutObject');
    case 'GET':
      return op('GetObject');
    case 'HEAD':
      return op('HeadObject');
    case 'DELETE':
      return op('DeleteObject');
    default:
      return methodNotAllowed();
  }
}

/**
 * Splits a request into bucket and key: virtual-host style when the Host is
 * `<bucket>.<domain>` for a configured domain, path style otherwise.
 */
export function resolveAddress(host: string | undefined, rawPath: string, domains: readonly string[]): S3Address & { readonly bucketFromHost: string | null } {
  const hostname = (host ?? '').toLowerCase().replace(/:\d+$/, '');
  const domain = domains.find((d) => hostname.endsWith(`.${d}`));
  const path = decodePath(rawPath);
  if (domain) {
    const bucket = hostname.slice(0, -domain.length - 1);
    const key = path.slice(1);
    return { bucket, key: key === '' ? null : key, bucketFromHost: bucket };
  }
  const slash = path.indexOf('/', 1);
  const bucket = slash < 0 ? path.slice(1) : path.slice(1, slash);
  const key = slash < 0 ? '' : path.slice(slash + 1);
  return { bucket: bucket === '' ? null : bucket, key: key === '' ? null : key, bucketFromHost: null };
}

function decodePath(rawPath: string): string {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    fail('InvalidArgument', 'The request path is not valid percent-encoded UTF-8');
  }
}
