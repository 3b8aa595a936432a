/**
 * @module
 * ListObjects (V1) and ListObjectsV2, with MinIO's `metadata=true` extension.
 */
import { fail } from '../../../core/errors.ts';
import { listObjects, listObjectsWithDetails, type ListResult } from '../../../core/listing.ts';
import type { DetailedSummary, ObjectSummary } from '../../../core/types.ts';
import { listedMetadata } from '../object-headers.ts';
import type { S3Operation } from '../router.ts';
import { encodingParam, intParam, xmlResponse, type S3Handler, type S3Request } from '../s3-context.ts';
import { el, xmlDocument } from '../xml.ts';
import { ownerXml } from './bucket-handlers.ts';

type BucketOp<N extends string> = Extract<S3Operation, { name: N }>;
type Encode = (s: string) => string;

/** Display names of the owners in a listing, one lookup per distinct owner. */
async function ownerNames(r: S3Request, objects: readonly ObjectSummary[]): Promise<Map<string, string>> {
  const names = new Map<string, string>([[r.principal.userId, r.principal.userName]]);
  for (const id of new Set(objects.map((o) => o.ownerId))) {
    if (!names.has(id)) names.set(id, (await r.services.meta.getUser({ id }))?.name ?? id);
  }
  return names;
}

/**
 * One `<Contents>` per object; plain concatenation, since a page holds up to
 * 1,000 of them. `extra` renders what follows StorageClass (MinIO's metadata).
 */
async function contentsXml<T extends ObjectSummary>(
  r: S3Request,
  objects: readonly T[],
  encode: Encode,
  withOwner: boolean,
  extra?: (o: T) => string,
): Promise<string[]> {
  const names = withOwner ? await ownerNames(r, objects) : null;
  return objects.map(
    (o) =>
      '<Contents>' +
      el('Key', encode(o.key)) +
      el('LastModified', o.lastModified.toISOString()) +
      el('ETag', `"${o.etag}"`) +
      (o.checksum ? el('ChecksumAlgorithm', o.checksum.algorithm) + el('ChecksumType', o.checksum.type) : '') +
      el('Size', o.size) +
      (names ? ownerXml(o.ownerId, names.get(o.ownerId) ?? o.ownerId) : '') +
      '<StorageClass>STANDARD</StorageClass>' +
      (extra ? extra(o) : '') +
      '</Contents>',
  );
}

/** Metadata names that are XML element names too (a header token may hold `!#$%&'*+^|~`, which no element name may). */
const XML_NAME = /^[A-Za-z_][A-Za-z0-9._-]*$/;

/**
 * MinIO's `metadata=true` extension (minio-js `listObjectsV2WithMetadata`,
 * minio-py `include_user_meta`): each object's metadata as
 * `<UserMetadata><content-type>..</content-type><X-Amz-Meta-Name>..</X-Amz-Meta-Name></UserMetadata>`
 * and its tags as `<UserTags>k=v&amp;..</UserTags>`, each shown only where
 * the caller may read the object (`s3:GetObject`) or its tags
 * (`s3:GetObjectTagging`), as MinIO does: listing a bucket does not by
 * itself grant reading what is in it.
 */
async function metadataXml(r: S3Request, bucket: string): Promise<(o: DetailedSummary) => string> {
  const mayRead = await r.services.buckets.keyPermission(r.principal, bucket, 's3:GetObject');
  const mayReadTags = await r.services.buckets.keyPermission(r.principal, bucket, 's3:GetObjectTagging');
  return (o) => {
    let xml = '';
    if (mayRead(o.key)) {
      const entries = listedMetadata(o).filter(([name]) => XML_NAME.test(name));
      if (entries.length > 0) xml += el('UserMetadata', entries.map(([name, value]) => el(name, value)));
    }
    if (o.tags.length > 0 && mayReadTags(o.key)) {
      xml += el('UserTags', o.tags.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
    }
    return xml;
  };
}

function prefixesXml(result: ListResult, encode: Encode): string[] {
  return result.commonPrefixes.map((p) => el('CommonPrefixes', [el('Prefix', encode(p))]));
}

function listParams(r: S3Request): { prefix: string; delimiter: string; maxKeys: number; encode: Encode | null } {
  return {
    prefix: r.query.get('prefix') ?? '',
    delimiter: r.query.get('delimiter') ?? '',
    maxKeys: intParam(r.query, 'max-keys', 1000, 0, 1000),
    encode: encodingParam(r.query),
  };
}

export const listObjectsV1: S3Handler<BucketOp<'ListObjects'>> = async (r, op) => {
  const p = listParams(r);
  const marker = r.query.get('marker') ?? '';
  const result = await listObjects(r.services.meta, r.services.buckets, r.principal, {
    bucket: op.bucket,
    prefix: p.prefix,
    delimiter: p.delimiter,
    after: marker === '' ? null : marker,
    maxKeys: p.maxKeys,
  });
  const enc = p.encode ?? ((s: string) => s);
  return xmlResponse(
    xmlDocument('ListBucketResult', [
      el('Name', op.bucket),
      el('Prefix', enc(p.prefix)),
      el('Marker', enc(marker)),
      p.delimiter !== '' && el('Delimiter', enc(p.delimiter)),
      el('MaxKeys', p.maxKeys),
      p.encode && el('EncodingType', 'url'),
      el('IsTruncated', result.isTruncated),
      result.isTruncated && p.delimiter !== '' && result.last !== null && el('NextMarker', enc(result.last)),
      ...(await contentsXml(r, result.objects, enc, true)),
      ...prefixesXml(result, enc),
    ]),
  );
};

function decodeToken(token: string): string {
  const key = Buffer.from(token, 'base64url').toString('utf8');
  if (token === '' || Buffer.from(key, 'utf8').toString('base64url') !== token) {
    fail('InvalidArgument', 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token' });
  }
  return key;
}

export const listObjectsV2: S3Handler<BucketOp<'ListObjectsV2'>> = async (r, op) => {
  const p = listParams(r);
  const token = r.query.get('continuation-token');
  const startAfter = r.query.get('start-after') ?? '';
  const after = token !== null ? decodeToken(token) : startAfter === '' ? null : startAfter;
  const input = { bucket: op.bucket, prefix: p.prefix, delimiter: p.delimiter, after, maxKeys: p.maxKeys };
  const enc = p.encode ?? ((s: string) => s);
  const fetchOwner = r.query.get('fetch-owner') === 'true';
  let result: ListResult;
  let contents: string[];
  if (r.query.get('metadata') === 'true') {
    // MinIO's extension: the wider rows are read only when asked for.
    const detailed = await listObjectsWithDetails(r.services.meta, r.services.buckets, r.principal, input);
    contents = await contentsXml(r, detailed.objects, enc, fetchOwner, await metadataXml(r, op.bucket));
    result = detailed;
  } else {
    result = await listObjects(r.services.meta, r.services.buckets, r.principal, input);
    contents = await contentsXml(r, result.objects, enc, fetchOwner);
  }
  const next = result.isTruncated && result.last !== null ? Buffer.from(result.last, 'utf8').toString('base64url') : null;
  return xmlResponse(
    xmlDocument('ListBucketResult', [
      el('Name', op.bucket),
      el('Prefix', enc(p.prefix)),
      p.delimiter !== '' && el('Delimiter', enc(p.delimiter)),
      el('MaxKeys', p.maxKeys),
      p.encode && el('EncodingType', 'url'),
      el('KeyCount', result.objects.length + result.commonPrefixes.length),
      el('IsTruncated', result.isTruncated),
      token !== null && el('ContinuationToken', token),
      next !== null && el('NextContinuationToken', next),
      startAfter !== '' && el('StartAfter', enc(startAfter)),
      ...contents,
      ...prefixesXml(result, enc),
    ]),
  );
};
