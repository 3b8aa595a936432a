/**
 * @module
 * PutObject, GetObject, HeadObject, DeleteObject and CopyObject.
 */
import { fail } from '../../../core/errors.ts';
import type { ObjectVersion } from '../../../core/types.ts';
import {
  checkCannedAcl,
  checksumElement,
  checksumModeEnabled,
  conditions,
  COPY_SOURCE_SSEC,
  customerKey,
  encryptionHeaders,
  objectHeaders,
  requestTags,
  sseRequest,
  storedHeaders,
  userMetadata,
  type HeaderSource,
} from '../object-headers.ts';
import { checksumHeaderName } from '../auth/checksums.ts';
import type { S3Operation } from '../router.ts';
import { emptyResponse, xmlResponse, type S3Handler, type S3Request, type S3Response } from '../s3-context.ts';
import { el, xmlDocument } from '../xml.ts';
import { bypassGovernanceHeader, lockHeaders, lockRequest, requireDigestForLock } from './object-lock-handlers.ts';

type ObjectOp<N extends string> = Extract<S3Operation, { name: N }>;

export const putObject: S3Handler<ObjectOp<'PutObject'>> = async (r, op) => {
  checkCannedAcl(r);
  const ifNoneMatch = r.header('if-none-match');
  if (ifNoneMatch !== undefined && ifNoneMatch !== '*') fail('NotImplemented', 'If-None-Match on PUT supports only "*"');
  const lock = lockRequest(r);
  const body = r.body();
  if (lock !== undefined) requireDigestForLock(body);
  const version = await r.services.objects.put(r.principal, {
    bucket: op.bucket,
    key: op.key,
    body,
    headers: storedHeaders(r),
    userMetadata: userMetadata(r),
    tags: requestTags(r),
    ifMatch: r.header('if-match')?.replace(/^"|"$/g, ''),
    ifNoneMatch: ifNoneMatch === '*' ? '*' : undefined,
    lock,
    encryption: sseRequest(r),
  });
  return emptyResponse(200, writeHeaders(version, r));
};

/** ETag, version id, checksum and encryption of a version just written (`r`: the request, for an SSE-C key's MD5). */
export function writeHeaders(v: ObjectVersion, r?: HeaderSource): Record<string, string> {
  const h: Record<string, string> = { etag: `"${v.etag}"` };
  if (v.headers.encryption !== undefined) Object.assign(h, encryptionHeaders(v.headers.encryption, r?.header('x-amz-server-side-encryption-customer-key-md5')));
  if (v.versionId !== 'null') h['x-amz-version-id'] = v.versionId;
  if (v.checksum) {
    h[checksumHeaderName(v.checksum.algorithm)] = v.checksum.value;
    h['x-amz-checksum-type'] = v.checksum.type;
  }
  return h;
}

function versionIdParam(r: S3Request): string | null {
  const v = r.query.get('versionId');
  return v === null || v === '' ? null : v;
}

function partNumberParam(r: S3Request): number | undefined {
  const raw = r.query.get('partNumber');
  if (raw === null) return undefined;
  if (!/^\d+$/.test(raw)) fail('InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive', { ArgumentName: 'partNumber', ArgumentValue: raw });
  return Number(raw);
}

async function readObject(r: S3Request, op: ObjectOp<'GetObject' | 'HeadObject'>, withBody: boolean): Promise<S3Response> {
  const result = await r.services.objects.get(r.principal, {
    bucket: op.bucket,
    key: op.key,
    versionId: versionIdParam(r),
    range: r.header('range'),
    partNumber: partNumberParam(r),
    conditions: conditions(r),
    customerKey: customerKey(r),
  });
  const { version, range } = result;
  const headers = objectHeaders(r, version);
  if (version.retention || version.legalHold) Object.assign(headers, lockHeaders(version));
  const length = range ? range.end - range.start + 1 : version.size;
  headers['content-length'] = length;
  if (result.partsCount !== null) headers['x-amz-mp-parts-count'] = result.partsCount;
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${version.size}`;
  if (range && version.checksum) {
    // As S3: no whole-object checksum for a range (clients would check it against a slice); a part read gets the part's own.
    delete headers[checksumHeaderName(version.checksum.algorithm)];
    delete headers['x-amz-checksum-type'];
    const part = result.partsCount !== null ? version.parts?.[partNumberParam(r)! - 1] : undefined;
    if (part?.checksum && checksumModeEnabled(r)) headers[checksumHeaderName(version.checksum.algorithm)] = part.checksum;
  }
  const status = range ? 206 : 200;
  return { status, headers, body: withBody && length > 0 ? result.open() : undefined };
}

export const getObject: S3Handler<ObjectOp<'GetObject'>> = (r, op) => readObject(r, op, true);
export const headObject: S3Handler<ObjectOp<'HeadObject'>> = (r, op) => readObject(r, op, false);

export const deleteObject: S3Handler<ObjectOp<'DeleteObject'>> = async (r, op) => {
  const result = await r.services.objects.delete(r.principal, op.bucket, op.key, versionIdParam(r), { bypassGovernance: bypassGovernanceHeader(r) });
  const h: Record<string, string> = {};
  if (result.versionId !== null && result.versionId !== 'null') h['x-amz-version-id'] = result.versionId;
  if (result.deleteMarker) h['x-amz-delete-marker'] = 'true';
  return emptyResponse(204, h);
};

/** `x-amz-copy-source`: `[/]bucket/key[?versionId=id]`, URL-encoded. */
export function parseCopySource(value: string): { bucket: string; key: string; versionId: string | null } {
  const q = value.indexOf('?');
  const path = q < 0 ? value : value.slice(0, q);
  const versionId = q < 0 ? null : new URLSearchParams(value.slice(q + 1)).get('versionId');
  let decoded: string;
  try {
    decoded = decodeURIComponent(path).replace(/^\//, '');
  } catch {
    fail('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', { ArgumentName: 'x-amz-copy-source' });
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) {
    fail('InvalidArgument', 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey', { ArgumentName: 'x-amz-copy-source' });
  }
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), versionId: versionId || null };
}

function directive(r: S3Request, name: string): 'COPY' | 'REPLACE' {
  const value = (r.header(name) ?? 'COPY').toUpperCase();
  if (value !== 'COPY' && value !== 'REPLACE') fail('InvalidArgument', `Unknown ${name}`, { ArgumentName: name, ArgumentValue: value });
  return value;
}

export const copyObject: S3Handler<ObjectOp<'CopyObject'>> = async (r, op) => {
  checkCannedAcl(r);
  const source = parseCopySource(r.header('x-amz-copy-source')!);
  const { version, source: from } = await r.services.objects.copy(r.principal, {
    source,
    sourceConditions: conditions(r, 'x-amz-copy-source-'),
    bucket: op.bucket,
    key: op.key,
    metadataDirective: directive(r, 'x-amz-metadata-directive'),
    taggingDirective: directive(r, 'x-amz-tagging-directive'),
    headers: storedHeaders(r),
    userMetadata: userMetadata(r),
    tags: requestTags(r),
    lock: lockRequest(r),
    encryption: sseRequest(r),
    sourceCustomerKey: customerKey(r, COPY_SOURCE_SSEC),
  });
  const headers: Record<string, string> = encryptionHeaders(version.headers.encryption, r.header('x-amz-server-side-encryption-customer-key-md5'));
  if (version.versionId !== 'null') headers['x-amz-version-id'] = version.versionId;
  if (from.versionId !== 'null') headers['x-amz-copy-source-version-id'] = from.versionId;
  const checksum = version.checksum;
  return xmlResponse(
    xmlDocument('CopyObjectResult', [
      el('LastModified', version.lastModified.toISOString()),
      el('ETag', `"${version.etag}"`),
      checksum && el(checksumElement(checksum.algorithm), checksum.value),
      checksum && el('ChecksumType', checksum.type),
    ]),
    200,
    headers,
  );
};
