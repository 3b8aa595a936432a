/**
 * @module
 * What an S3 request does, as IAM names it: each operation's action(s)
 * (`s3:GetObject`, `s3:ListBucket`, ...), the bucket and key it acts on, and
 * the condition keys of the request (source IP, time, user, `s3:prefix`...).
 * The face attaches these to the principal; `Buckets.require` decides with
 * them against the bucket's policy (`core/bucket-policy.ts`).
 *
 * Actions per operation: https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
 */
import type { AccessRequest } from '../../core/bucket-policy.ts';
import type { Principal } from '../../core/types.ts';
import { parseCopySource } from './handlers/object-handlers.ts';
import type { S3Operation, S3OperationName } from './router.ts';

/** How a request was authenticated, for `s3:authType` / `s3:signatureversion`; null for anonymous requests. */
export type SignedHow = { readonly authType: 'REST-HEADER' | 'REST-QUERY-STRING' | 'POST'; readonly signatureVersion: 'AWS4-HMAC-SHA256' | 'AWS' | null } | null;

export interface AccessInput {
  readonly op: S3Operation;
  readonly principal: Principal;
  readonly signed: SignedHow;
  readonly query: URLSearchParams;
  header(name: string): string | undefined;
  /** The peer's address (no proxy header is trusted). */
  readonly sourceIp: string | undefined;
  /** Whether the connection itself is TLS. */
  readonly secure: boolean;
  readonly now: Date;
  /** PostObject: the key the verified form names. */
  readonly postKey?: string;
}

/**
 * The action of each operation with a bucket (the versioned variant is
 * chosen when `versionId` is given). Exhaustive: an operation added to the
 * router must say what it does before it compiles. null: no bucket policy
 * is involved (no bucket yet, or none at all).
 */
export const OPERATION_ACTIONS: { readonly [N in Exclude<S3OperationName, 'NotImplemented'>]: readonly [string, string?] | null } = {
  ListBuckets: null,
  CreateBucket: null,
  PreflightRequest: null,
  HeadBucket: ['s3:ListBucket'],
  DeleteBucket: ['s3:DeleteBucket'],
  GetBucketLocation: ['s3:GetBucketLocation'],
  GetBucketAcl: ['s3:GetBucketAcl'],
  PutBucketAcl: ['s3:PutBucketAcl'],
  GetBucketVersioning: ['s3:GetBucketVersioning'],
  PutBucketVersioning: ['s3:PutBucketVersioning'],
  ListObjectVersions: ['s3:ListBucketVersions'],
  GetObjectLockConfiguration: ['s3:GetBucketObjectLockConfiguration'],
  PutObjectLockConfiguration: ['s3:PutBucketObjectLockConfiguration'],
  ListObjects: ['s3:ListBucket'],
  ListObjectsV2: ['s3:ListBucket'],
  ListMultipartUploads: ['s3:ListBucketMultipartUploads'],
  DeleteObjects: ['s3:DeleteObject'],
  PostObject: ['s3:PutObject'],
  GetBucketTagging: ['s3:GetBucketTagging'],
  PutBucketTagging: ['s3:PutBucketTagging'],
  DeleteBucketTagging: ['s3:PutBucketTagging'],
  GetBucketPolicy: ['s3:GetBucketPolicy'],
  PutBucketPolicy: ['s3:PutBucketPolicy'],
  DeleteBucketPolicy: ['s3:DeleteBucketPolicy'],
  GetBucketPolicyStatus: ['s3:GetBucketPolicyStatus'],
  GetBucketCors: ['s3:GetBucketCORS'],
  PutBucketCors: ['s3:PutBucketCORS'],
  DeleteBucketCors: ['s3:PutBucketCORS'],
  GetBucketNotificationConfiguration: ['s3:GetBucketNotification'],
  PutBucketNotificationConfiguration: ['s3:PutBucketNotification'],
  ListenBucketNotification: ['s3:ListenBucketNotification'],
  GetBucketEncryption: ['s3:GetEncryptionConfiguration'],
  PutBucketEncryption: ['s3:PutEncryptionConfiguration'],
  DeleteBucketEncryption: ['s3:PutEncryptionConfiguration'],
  GetBucketLifecycleConfiguration: ['s3:GetLifecycleConfiguration'],
  PutBucketLifecycleConfiguration: ['s3:PutLifecycleConfiguration'],
  DeleteBucketLifecycle: ['s3:PutLifecycleConfiguration'],
  PutObject: ['s3:PutObject'],
  CopyObject: ['s3:PutObject'],
  GetObject: ['s3:GetObject', 's3:GetObjectVersion'],
  HeadObject: ['s3:GetObject', 's3:GetObjectVersion'],
  DeleteObject: ['s3:DeleteObject', 's3:DeleteObjectVersion'],
  CreateMultipartUpload: ['s3:PutObject'],
  UploadPart: ['s3:PutObject'],
  UploadPartCopy: ['s3:PutObject'],
  CompleteMultipartUpload: ['s3:PutObject'],
  AbortMultipartUpload: ['s3:AbortMultipartUpload'],
  ListParts: ['s3:ListMultipartUploadParts'],
  GetObjectTagging: ['s3:GetObjectTagging', 's3:GetObjectVersionTagging'],
  PutObjectTagging: ['s3:PutObjectTagging', 's3:PutObjectVersionTagging'],
  DeleteObjectTagging: ['s3:DeleteObjectTagging', 's3:DeleteObjectVersionTagging'],
  GetObjectAcl: ['s3:GetObjectAcl', 's3:GetObjectVersionAcl'],
  PutObjectAcl: ['s3:PutObjectAcl', 's3:PutObjectVersionAcl'],
  GetObjectRetention: ['s3:GetObjectRetention'],
  PutObjectRetention: ['s3:PutObjectRetention'],
  GetObjectLegalHold: ['s3:GetObjectLegalHold'],
  PutObjectLegalHold: ['s3:PutObjectLegalHold'],
  SelectObjectContent: ['s3:GetObject', 's3:GetObjectVersion'],
};

/** The condition keys of a request (lower case), common to all its access requests. */
function requestContext(i: AccessInput): Record<string, string> {
  const c: Record<string, string> = {
    'aws:currenttime': i.now.toISOString(),
    'aws:epochtime': String(Math.floor(i.now.getTime() / 1000)),
    'aws:securetransport': String(i.secure),
    'aws:principaltype': i.principal.anonymous ? 'Anonymous' : i.principal.isRoot ? 'Account' : 'User',
  };
  if (i.sourceIp) c['aws:sourceip'] = i.sourceIp.startsWith('::ffff:') && i.sourceIp.includes('.') ? i.sourceIp.slice(7) : i.sourceIp;
  if (!i.principal.anonymous) {
    c['aws:username'] = i.principal.userName;
    c['aws:userid'] = i.principal.userId;
  }
  if (i.signed) {
    c['s3:authtype'] = i.signed.authType;
    if (i.signed.signatureVersion) c['s3:signatureversion'] = i.signed.signatureVersion;
  }
  const referer = i.header('referer');
  if (referer !== undefined) c['aws:referer'] = referer;
  const agent = i.header('user-agent');
  if (agent !== undefined) c['aws:useragent'] = agent;
  return c;
}

function listContext(query: URLSearchParams): Record<string, string> {
  const c: Record<string, string> = {};
  for (const [param, key] of [
    ['prefix', 's3:prefix'],
    ['delimiter', 's3:delimiter'],
    ['max-keys', 's3:max-keys'],
  ] as const) {
    const v = query.get(param);
    if (v !== null) c[key] = v;
  }
  return c;
}

/** Everything the request does to buckets, for the bucket policies involved. */
export function accessRequests(i: AccessInput): AccessRequest[] {
  const { op } = i;
  if (op.name === 'NotImplemented') return [];
  const entry = OPERATION_ACTIONS[op.name];
  if (entry === null || !('bucket' in op)) return [];
  const versioned = (i.query.get('versionId') ?? '') !== '';
  const action = versioned && entry[1] ? entry[1] : entry[0];
  const base = once(() => requestContext(i));
  const key = op.name === 'PostObject' ? (i.postKey ?? null) : 'key' in op ? op.key : null;
  const listing = op.name === 'ListObjects' || op.name === 'ListObjectsV2' || op.name === 'ListObjectVersions';
  const context = listing ? once(() => ({ ...base(), ...listContext(i.query) })) : base;
  const main = op.name === 'DeleteObjects' ? new LazyRequest(op.bucket, action, null, true, context) : new LazyRequest(op.bucket, action, key, false, context);
  if (op.name !== 'CopyObject' && op.name !== 'UploadPartCopy') return [main];
  const copySource = i.header('x-amz-copy-source');
  if (copySource === undefined) return [main];
  const source = parseCopySource(copySource);
  return [new LazyRequest(source.bucket, source.versionId ? 's3:GetObjectVersion' : 's3:GetObject', source.key, false, base), main];
}

function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

/**
 * A request whose condition keys are worked out on first read: only a
 * bucket policy reads them, and most buckets have none (they would cost a
 * few µs of every request otherwise).
 */
class LazyRequest implements AccessRequest {
  readonly #context: () => Readonly<Record<string, string>>;

  constructor(
    readonly bucket: string,
    readonly action: string,
    readonly key: string | null,
    readonly anyKey: boolean,
    context: () => Readonly<Record<string, string>>,
  ) {
    this.#context = context;
  }

  get context(): Readonly<Record<string, string>> {
    return this.#context();
  }
}

/** The principal for one key of a DeleteObjects request: the same caller, asking to delete that key only. */
export function forDeleteOf(principal: Principal, bucket: string, key: string, versionId: string | null): Principal {
  const context = principal.access?.find((a) => a.bucket === bucket)?.context ?? {};
  return { ...principal, access: [{ bucket, action: versionId ? 's3:DeleteObjectVersion' : 's3:DeleteObject', key, context }] };
}

/** `s3:authType` and `s3:signatureversion` of a request authenticated by the gate. */
export function signedHow(method: 'sigv4-header' | 'sigv4-query' | 'sigv2-header' | 'sigv2-query' | 'anonymous'): SignedHow {
  switch (method) {
    case 'sigv4-header':
      return { authType: 'REST-HEADER', signatureVersion: 'AWS4-HMAC-SHA256' };
    case 'sigv4-query':
      return { authType: 'REST-QUERY-STRING', signatureVersion: 'AWS4-HMAC-SHA256' };
    case 'sigv2-header':
      return { authType: 'REST-HEADER', signatureVersion: 'AWS' };
    case 'sigv2-query':
      return { authType: 'REST-QUERY-STRING', signatureVersion: 'AWS' };
    case 'anonymous':
      return null;
  }
}
