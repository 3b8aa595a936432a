/**
 * @module
 * Object headers on the S3 wire: what a PUT stores (standard headers,
 * `x-amz-meta-*`, tags, server-side encryption) and what GET/HEAD answer
 * (validators, metadata, checksums, encryption, `response-*` overrides).
 */
import { fail } from '../../core/errors.ts';
import type { Conditions } from '../../core/conditions.ts';
import { parseTagQuery } from '../../core/names.ts';
import { parseCustomerKey, parseSseRequest, type CustomerKey, type SseRequest } from '../../core/sse.ts';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, type ObjectVersion, type StoredEncryption, type StoredHeaders, type Tag } from '../../core/types.ts';
import { stripAwsChunked } from './auth/chunked.ts';
import { checksumHeaderName } from './auth/checksums.ts';
import type { S3Request } from './s3-context.ts';

const STORED: readonly [Exclude<keyof StoredHeaders, 'encryption'>, string][] = [
  ['contentType', 'content-type'],
  ['contentEncoding', 'content-encoding'],
  ['contentDisposition', 'content-disposition'],
  ['contentLanguage', 'content-language'],
  ['cacheControl', 'cache-control'],
  ['expires', 'expires'],
];

/** The stored headers from any source of named values: request headers, or POST form fields. */
export function storedHeadersFrom(get: (name: string) => string | undefined): StoredHeaders {
  const out: Record<string, string> = {};
  for (const [field, name] of STORED) {
    // aws-chunked is transfer framing, not a property of the object.
    const value = name === 'content-encoding' ? stripAwsChunked(get(name)) : get(name);
    if (value !== undefined && value !== '') out[field] = value;
  }
  out.contentType ??= 'binary/octet-stream';
  return out;
}

export function storedHeaders(r: S3Request): StoredHeaders {
  return storedHeadersFrom((name) => r.header(name));
}

/** `x-amz-meta-*` entries (names lower-case) as user metadata. */
export function userMetadataFrom(entries: Iterable<[string, string | string[] | undefined]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (name.startsWith('x-amz-meta-') && value !== undefined) out[name.slice('x-amz-meta-'.length)] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

export function userMetadata(r: S3Request): Record<string, string> {
  return userMetadataFrom(Object.entries(r.req.headers));
}

export function requestTags(r: S3Request): Tag[] {
  const value = r.header('x-amz-tagging');
  return value === undefined ? [] : parseTagQuery(value);
}

/** Refuses canned ACLs other than the owner-only ones Signet has (until policies exist). */
export function checkCannedAcl(r: S3Request): void {
  const acl = r.header('x-amz-acl');
  if (acl !== undefined && acl !== 'private' && acl !== 'bucket-owner-full-control') {
    fail('NotImplemented', `The canned ACL "${acl}" is not supported; objects and buckets are private to their owner`);
  }
  for (const grant of ['x-amz-grant-read', 'x-amz-grant-write', 'x-amz-grant-read-acp', 'x-amz-grant-write-acp', 'x-amz-grant-full-control']) {
    if (r.header(grant) !== undefined) fail('NotImplemented', 'ACL grants are not supported; objects and buckets are private to their owner');
  }
}

function httpDate(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function conditions(r: S3Request, prefix = ''): Conditions {
  return {
    ifMatch: r.header(`${prefix}if-match`),
    ifNoneMatch: r.header(`${prefix}if-none-match`),
    ifModifiedSince: httpDate(r.header(`${prefix}if-modified-since`)),
    ifUnmodifiedSince: httpDate(r.header(`${prefix}if-unmodified-since`)),
  };
}

export function checksumAlgorithmHeader(r: S3Request, name: string): ChecksumAlgorithm | null {
  const value = r.header(name);
  if (value === undefined) return null;
  const alg = value.toUpperCase() as ChecksumAlgorithm;
  if (!CHECKSUM_ALGORITHMS.includes(alg)) fail('InvalidRequest', `Value for ${name} header is invalid.`);
  return alg;
}

/** The XML element name of a checksum: ChecksumCRC32, ChecksumSHA256, ... */
export function checksumElement(alg: ChecksumAlgorithm): string {
  return `Checksum${alg}`;
}

const OVERRIDES: readonly [string, string][] = [
  ['response-content-type', 'content-type'],
  ['response-content-language', 'content-language'],
  ['response-expires', 'expires'],
  ['response-cache-control', 'cache-control'],
  ['response-content-disposition', 'content-disposition'],
  ['response-content-encoding', 'content-encoding'],
];

/** `x-amz-checksum-mode: ENABLED`; presigned GETs carry it in their signed query. */
export function checksumModeEnabled(r: S3Request): boolean {
  const mode = r.header('x-amz-checksum-mode') ?? r.query.get('x-amz-checksum-mode') ?? '';
  return mode.toUpperCase() === 'ENABLED';
}

/** Headers of GET/HEAD for a version: validators, stored headers, metadata, checksums. */
export function objectHeaders(r: S3Request, v: ObjectVersion): Record<string, string | number> {
  const h: Record<string, string | number> = {
    etag: `"${v.etag}"`,
    'last-modified': v.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
  };
  for (const [field, name] of STORED) {
    const value = v.headers[field];
    if (value !== undefined) h[name] = value;
  }
  for (const [k, value] of Object.entries(v.userMetadata)) h[`x-amz-meta-${k}`] = value;
  if (v.headers.encryption !== undefined) Object.assign(h, encryptionHeaders(v.headers.encryption, r.header(OBJECT_SSEC.md5)));
  if (v.versionId !== 'null') h['x-amz-version-id'] = v.versionId;
  if (v.tags.length > 0) h['x-amz-tagging-count'] = v.tags.length;
  if (v.checksum && checksumModeEnabled(r)) {
    h[checksumHeaderName(v.checksum.algorithm)] = v.checksum.value;
    h['x-amz-checksum-type'] = v.checksum.type;
  }
  for (const [param, name] of OVERRIDES) {
    const value = r.query.get(param);
    if (value !== null) h[name] = value;
  }
  return h;
}

/** A header name in Go's canonical form (`X-Amz-Meta-My-Key`), as MinIO reports metadata names. */
function canonicalHeaderName(name: string): string {
  return name.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

/**
 * An object's metadata as MinIO's `metadata=true` listing reports it: the
 * stored headers under their lower-case names, the encryption under its
 * response header, and user metadata as `X-Amz-Meta-Name`.
 */
export function listedMetadata(v: Pick<ObjectVersion, 'headers' | 'userMetadata'>): [name: string, value: string][] {
  const out: [string, string][] = [];
  for (const [field, name] of STORED) {
    const value = v.headers[field];
    if (value !== undefined) out.push([name, value]);
  }
  for (const [name, value] of Object.entries(encryptionHeaders(v.headers.encryption))) out.push([canonicalHeaderName(name), value]);
  for (const [name, value] of Object.entries(v.userMetadata)) out.push([`X-Amz-Meta-${canonicalHeaderName(name)}`, value]);
  return out;
}

const SSEC = 'x-amz-server-side-encryption-customer-';

/** The three SSE-C headers of a request (names built once: this runs on every PUT and GET). */
export interface CustomerKeyHeaders {
  readonly prefix: string;
  readonly algorithm: string;
  readonly key: string;
  readonly md5: string;
}

function customerKeyHeaders(prefix: string): CustomerKeyHeaders {
  return { prefix, algorithm: `${prefix}algorithm`, key: `${prefix}key`, md5: `${prefix}key-md5` };
}

const OBJECT_SSEC = customerKeyHeaders(SSEC);
/** The SSE-C headers naming the key of a copy's source. */
export const COPY_SOURCE_SSEC = customerKeyHeaders('x-amz-copy-source-server-side-encryption-customer-');

/** Where encryption parameters come from: a request's headers, or a POST form's fields (lower-case names). */
export interface HeaderSource {
  header(name: string): string | undefined;
}

/** An SSE-C key from the request's headers (the object's, or `COPY_SOURCE_SSEC`); undefined when none is sent. */
export function customerKey(r: HeaderSource, names: CustomerKeyHeaders = OBJECT_SSEC): CustomerKey | undefined {
  const algorithm = r.header(names.algorithm);
  const key = r.header(names.key);
  const md5 = r.header(names.md5);
  if (algorithm === undefined && key === undefined && md5 === undefined) return undefined;
  return parseCustomerKey(algorithm, key, md5, names.prefix);
}

/** The encryption a write asks for (`x-amz-server-side-encryption`, or SSE-C); undefined for none. */
export function sseRequest(r: HeaderSource): SseRequest | undefined {
  const algorithm = r.header('x-amz-server-side-encryption');
  const customer = customerKey(r);
  if (algorithm === undefined && customer === undefined) return undefined;
  return parseSseRequest(algorithm, customer, r.header('x-amz-server-side-encryption-aws-kms-key-id'));
}

/** Headers telling how an object is encrypted; for SSE-C with the key's MD5 as the client sent it (the key is not kept). */
export function encryptionHeaders(encryption: StoredEncryption | undefined, keyMd5?: string): Record<string, string> {
  if (encryption === undefined) return {};
  if (encryption.mode === 'SSE-S3') return { 'x-amz-server-side-encryption': 'AES256' };
  const h: Record<string, string> = { [`${SSEC}algorithm`]: 'AES256' };
  if (keyMd5 !== undefined) h[`${SSEC}key-md5`] = keyMd5;
  return h;
}
