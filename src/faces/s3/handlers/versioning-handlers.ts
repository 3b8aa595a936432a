/**
 * @module
 * PutBucketVersioning and ListObjectVersions (GetBucketVersioning is with
 * the other bucket handlers).
 */
import { fail } from '../../../core/errors.ts';
import type { ObjectSummary } from '../../../core/types.ts';
import type { S3Operation } from '../router.ts';
import { emptyResponse, encodingParam, intParam, xmlResponse, type S3Handler, type S3Request } from '../s3-context.ts';
import { child, el, parseXml, text, xmlDocument } from '../xml.ts';
import { ownerXml } from './bucket-handlers.ts';
import { readXmlBody } from './xml-body.ts';

type BucketOp<N extends string> = Extract<S3Operation, { name: N }>;

const MALFORMED = 'The XML you provided was not well-formed or did not validate against our published schema';

/** The Status of a VersioningConfiguration document; null when it names none (nothing changes). */
export function parseVersioningConfiguration(body: Buffer): 'Enabled' | 'Suspended' | null {
  const parsed = parseXml(body);
  const doc = child(parsed, 'VersioningConfiguration');
  if (doc === undefined) {
    if (parsed.VersioningConfiguration === '') return null; // <VersioningConfiguration/>
    fail('MalformedXML', MALFORMED);
  }
  const mfaDelete = text(doc, 'MfaDelete');
  if (mfaDelete !== undefined && mfaDelete !== 'Disabled') {
    if (mfaDelete === 'Enabled') fail('NotImplemented', 'MFA delete is not supported by Signet');
    fail('MalformedXML', MALFORMED);
  }
  const status = text(doc, 'Status');
  if (status === undefined) return null;
  if (status !== 'Enabled' && status !== 'Suspended') fail('MalformedXML', MALFORMED);
  return status;
}

export const putBucketVersioning: S3Handler<BucketOp<'PutBucketVersioning'>> = async (r, op) => {
  const status = parseVersioningConfiguration(await readXmlBody(r, 64 * 1024, false));
  if (status === null) await r.services.buckets.require(r.principal, op.bucket);
  else await r.services.versioning.setStatus(r.principal, op.bucket, status);
  return emptyResponse(200);
};

/** Display names of the owners in a listing, one lookup per distinct owner. */
async function ownerNames(r: S3Request, rows: readonly ObjectSummary[]): Promise<Map<string, string>> {
  const names = new Map<string, string>([[r.principal.userId, r.principal.userName]]);
  for (const id of new Set(rows.map((o) => o.ownerId))) {
    if (!names.has(id)) names.set(id, (await r.services.meta.getUser({ id }))?.name ?? id);
  }
  return names;
}

function optionalParam(r: S3Request, name: string): string | null {
  const value = r.query.get(name);
  return value === null || value === '' ? null : value;
}

export const listObjectVersions: S3Handler<BucketOp<'ListObjectVersions'>> = async (r, op) => {
  const prefix = r.query.get('prefix') ?? '';
  const delimiter = r.query.get('delimiter') ?? '';
  const keyMarker = optionalParam(r, 'key-marker');
  const versionIdMarker = optionalParam(r, 'version-id-marker');
  const maxKeys = intParam(r.query, 'max-keys', 1000, 0, 1000);
  const encode = encodingParam(r.query);
  const enc = encode ?? ((s: string) => s);
  const result = await r.services.versioning.listVersions(r.principal, { bucket: op.bucket, prefix, delimiter, keyMarker, versionIdMarker, maxKeys });
  const names = await ownerNames(r, result.versions);
  // Versions and delete markers in listing order; plain concatenation, since a page holds up to 1,000.
  const entries = result.versions.map((v) => {
    const common =
      el('Key', enc(v.key)) +
      el('VersionId', v.versionId) +
      el('IsLatest', v.isLatest) +
      el('LastModified', v.lastModified.toISOString());
    const owner = ownerXml(v.ownerId, names.get(v.ownerId) ?? v.ownerId);
    if (v.isDeleteMarker) return `<DeleteMarker>${common}${owner}</DeleteMarker>`;
    return (
      `<Version>${common}` +
      el('ETag', `"${v.etag}"`) +
      el('Size', v.size) +
      owner +
      '<StorageClass>STANDARD</StorageClass>' +
      (v.checksum ? el('ChecksumAlgorithm', v.checksum.algorithm) + el('ChecksumType', v.checksum.type) : '') +
      '</Version>'
    );
  });
  const next = result.isTruncated ? result.last : null;
  return xmlResponse(
    xmlDocument('ListVersionsResult', [
      el('Name', op.bucket),
      el('Prefix', enc(prefix)),
      el('KeyMarker', enc(keyMarker ?? '')),
      el('VersionIdMarker', versionIdMarker ?? ''),
      next !== null && el('NextKeyMarker', enc(next.key)),
      next !== null && next.versionId !== null && el('NextVersionIdMarker', next.versionId),
      el('MaxKeys', maxKeys),
      delimiter !== '' && el('Delimiter', enc(delimiter)),
      encode && el('EncodingType', 'url'),
      el('IsTruncated', result.isTruncated),
      ...entries,
      ...result.commonPrefixes.map((p) => el('CommonPrefixes', [el('Prefix', enc(p))])),
    ]),
  );
};
