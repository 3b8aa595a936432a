/**
 * @module
 * SigV2 (HMAC-SHA1) verification, header and query forms, for the older
 * clients that still send it (boto with signature_version s3, s3cmd
 * signurl): https://docs.aws.amazon.com/AmazonS3/latest/userguide/RESTAuthentication.html
 */
import { createHmac } from 'node:crypto';
import { fail } from '../../../core/errors.ts';
import type { Principal } from '../../../core/types.ts';
import { assertWithinSkew, parseHttpDate } from './clock.ts';
import { requireSecret } from './credentials.ts';
import type { SecretLookup } from './credentials.ts';
import { headerValue, parseQuery, percentDecode, queryValues, splitRawQuery } from './request-view.ts';
import type { AuthRequest } from './request-view.ts';
import { MAX_PRESIGN_EXPIRES_S, SIGNATURE_MISMATCH } from './sigv4.ts';
import { signaturesEqual } from './sigv4-crypto.ts';

/**
 * Sub-resources that belong in the CanonicalizedResource: the union of the
 * AWS list, botocore's HmacV1Auth.QSAOfInterest and MinIO's resourceList.
 */
export const SIGV2_SUBRESOURCES: ReadonlySet<string> = new Set([
  'accelerate', 'acl', 'analytics', 'cors', 'defaultObjectAcl', 'delete', 'encryption', 'inventory',
  'legal-hold', 'lifecycle', 'location', 'logging', 'metrics', 'notification', 'object-lock',
  'partNumber', 'policy', 'replication', 'requestPayment', 'response-cache-control',
  'response-content-disposition', 'response-content-encoding', 'response-content-language',
  'response-content-type', 'response-expires', 'restore', 'retention', 'select', 'select-type',
  'storageClass', 'tagging', 'torrent', 'uploadId', 'uploads', 'versionId', 'versioning', 'versions',
  'website',
]);

export interface SigV2Options {
  readonly lookup: SecretLookup;
  readonly now: Date;
  /** The bucket a virtual-hosted Host named: SigV2 signs it as `/bucket` before the path. */
  readonly bucketFromHost?: string;
}

export interface SigV2Verified {
  readonly principal: Principal;
  readonly accessKeyId: string;
}

/** `/bucket` + raw path + sorted sub-resources with decoded values. */
export function canonicalizedResource(req: AuthRequest, bucketFromHost?: string): string {
  const path = req.rawPath === '' ? '/' : req.rawPath;
  const subs = splitRawQuery(req.rawQuery)
    .map((p) => ({ name: percentDecode(p.rawName, true).toString('utf8'), value: percentDecode(p.rawValue, true).toString('utf8'), hasValue: p.hasValue }))
    .filter((p) => SIGV2_SUBRESOURCES.has(p.name))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((p) => (p.hasValue ? `${p.name}=${p.value}` : p.name));
  const base = bucketFromHost ? `/${bucketFromHost}${path}` : path;
  return subs.length > 0 ? `${base}?${subs.join('&')}` : base;
}

function canonicalizedAmzHeaders(req: AuthRequest, omit: string | undefined): string {
  return Object.keys(req.headers)
    .filter((n) => n.startsWith('x-amz-') && n !== omit && req.headers[n] !== undefined)
    .sort()
    .map((n) => `${n}:${(headerValue(req.headers, n) ?? '').trim()}\n`)
    .join('');
}

/** Method, Content-MD5, Content-Type, `dateLine`, x-amz-* headers (but `omitAmz`), resource. */
export function sigV2StringToSign(req: AuthRequest, dateLine: string, bucketFromHost?: string, omitAmz?: string): string {
  const h = (n: string): string => (headerValue(req.headers, n) ?? '').trim();
  return `${req.method.toUpperCase()}\n${h('content-md5')}\n${h('content-type')}\n${dateLine}\n${canonicalizedAmzHeaders(req, omitAmz)}${canonicalizedResource(req, bucketFromHost)}`;
}

function matches(secretKey: string, toSign: string, given: string): boolean {
  return signaturesEqual(createHmac('sha1', secretKey).update(toSign, 'utf8').digest('base64'), given.trim());
}

/**
 * With x-amz-date, AWS's rule is an empty Date line and x-amz-date among the
 * amz headers (what s3cmd signs); AWS's own worked example instead puts the
 * x-amz-date value on the Date line and leaves it out of the headers. Both
 * are accepted.
 */
function headerStringsToSign(req: AuthRequest, bucketFromHost: string | undefined): string[] {
  const amz = headerValue(req.headers, 'x-amz-date');
  if (amz === undefined) return [sigV2StringToSign(req, (headerValue(req.headers, 'date') ?? '').trim(), bucketFromHost)];
  return [sigV2StringToSign(req, '', bucketFromHost), sigV2StringToSign(req, amz.trim(), bucketFromHost, 'x-amz-date')];
}

/** Verifies `Authorization: AWS AKID:base64(HMAC-SHA1)`. */
export async function verifySigV2Header(req: AuthRequest, opts: SigV2Options): Promise<SigV2Verified> {
  const auth = headerValue(req.headers, 'authorization') ?? '';
  const m = /^AWS ([^:\s]+):(\S+)$/.exec(auth.trim());
  if (!m) fail('InvalidArgument', 'AWS authorization header is invalid.  Expected AwsAccessKeyId:signature', { ArgumentName: 'Authorization' });
  const [, accessKeyId, signature] = m as unknown as [string, string, string];
  const secret = await requireSecret(opts.lookup, accessKeyId);
  const amz = headerValue(req.headers, 'x-amz-date');
  const time = parseHttpDate(amz ?? headerValue(req.headers, 'date') ?? '');
  if (!time) fail('AccessDenied', 'AWS authentication requires a valid Date or x-amz-date header');
  assertWithinSkew(time, opts.now);
  const candidates = headerStringsToSign(req, opts.bucketFromHost);
  if (!candidates.some((c) => matches(secret.secretKey, c, signature))) fail('SignatureDoesNotMatch', SIGNATURE_MISMATCH);
  return { principal: secret.principal, accessKeyId };
}

function single(pairs: ReadonlyArray<readonly [string, string]>, name: string): string {
  const v = queryValues(pairs, name);
  if (v.length !== 1 || v[0] === '') {
    fail('AuthorizationQueryParametersError', 'Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters');
  }
  return v[0] as string;
}

/** Verifies `?AWSAccessKeyId=...&Expires=<epoch s>&Signature=...`. */
export async function verifySigV2Query(req: AuthRequest, opts: SigV2Options): Promise<SigV2Verified> {
  const pairs = parseQuery(req.rawQuery);
  const accessKeyId = single(pairs, 'AWSAccessKeyId');
  const expires = single(pairs, 'Expires');
  const signature = single(pairs, 'Signature');
  if (!/^\d{1,12}$/.test(expires)) fail('AuthorizationQueryParametersError', 'Expires should be a number of seconds since the epoch');
  const secret = await requireSecret(opts.lookup, accessKeyId);
  const nowS = Math.floor(opts.now.getTime() / 1000);
  const expiresS = Number(expires);
  if (expiresS < nowS) {
    fail('AccessDenied', 'Request has expired', { Expires: new Date(expiresS * 1000).toISOString(), ServerTime: opts.now.toISOString() });
  }
  // S3 caps query-string lifetimes at 7 days; a longer one is refused, not trimmed.
  if (expiresS - nowS > MAX_PRESIGN_EXPIRES_S) fail('AccessDenied', 'Expires must be less than a week (604800 seconds) in the future');
  if (!matches(secret.secretKey, sigV2StringToSign(req, expires, opts.bucketFromHost), signature)) fail('SignatureDoesNotMatch', SIGNATURE_MISMATCH);
  return { principal: secret.principal, accessKeyId };
}
