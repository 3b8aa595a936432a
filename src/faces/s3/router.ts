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
  'ListObjects',
  'ListObjectsV2',
  'ListMultipartUploads',
  'DeleteObjects',
  'PostObject',
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
  cors: 'BucketCors',
  encryption: 'BucketEncryption',
  'intelligent-tiering': 'BucketIntelligentTieringConfiguration',
  inventory: 'BucketInventoryConfiguration',
  lifecycle: 'BucketLifecycleConfiguration',
  logging: 'BucketLogging',
  metadataTable: 'BucketMetadataTableConfiguration',
  metrics: 'BucketMetricsConfiguration',
  notification: 'BucketNotificationConfiguration',
  'object-lock': 'ObjectLockConfiguration',
  ownershipControls: 'BucketOwnershipControls',
  policy: 'BucketPolicy',
  policyStatus: 'BucketPolicyStatus',
  publicAccessBlock: 'PublicAccessBlock',
  replication: 'BucketReplication',
  requestPayment: 'BucketRequestPayment',
  tagging: 'BucketTagging',
  versioning: 'BucketVersioning',
  website: 'BucketWebsite',
  versions: 'ObjectVersions',
  session: 'Session',
};

const OBJECT_SUBRESOURCES: Readonly<Record<string, string>> = {
  retention: 'ObjectRetention',
  'legal-hold': 'ObjectLegalHold',
  torrent: 'ObjectTorrent',
  attributes: 'ObjectAttributes',
  restore: 'RestoreObject',
  select: 'SelectObjectContent',
  renameObject: 'RenameObject',
};

const VERB: Readonly<Record<string, string>> = { GET: 'Get', PUT: 'Put', DELETE: 'Delete', POST: 'Post', HEAD: 'Head' };

function notImplemented(method: string, resource: string): S3Operation {
  const verbless = resource === 'RestoreObject' || resource === 'SelectObjectContent' || resource === 'RenameObject' || resource === 'Session';
  const awsName = verbless ? (resource === 'Session' ? 'CreateSession' : resource) : resource === 'ObjectVersions' ? 'ListObjectVersions' : `${VERB[method] ?? method}${resource}`;
  return { name: 'NotImplemented', awsName };
}

function methodNotAllowed(): never {
  fail('MethodNotAllowed', 'The specified method is not allowed against this resource.');
}

export function routeS3(method: string, address: S3Address, query: URLSearchParams, headers: Readonly<Record<string, string | string[] | undefined>>): S3Operation {
  if (method === 'OPTIONS') return { name: 'NotImplemented', awsName: 'PreflightRequest' };
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
  if (method === 'GET' && q.has('versioning')) return op('GetBucketVersioning');
  if (method === 'GET' && q.has('uploads')) return op('ListMultipartUploads');
  if (method === 'POST' && q.has('delete')) return op('DeleteObjects');
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
  if (method === 'POST' && q.has('uploads')) return op('CreateMultipartUpload');
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
