/**
 * @module
 * Object tagging (get, put, delete), object ACLs (owner-only) and DeleteObjects.
 */
import { fail, isSignetError } from '../../../core/errors.ts';
import { validateTags } from '../../../core/names.ts';
import type { Tag } from '../../../core/types.ts';
import { forDeleteOf } from '../access.ts';
import type { S3Operation } from '../router.ts';
import { s3ErrorCode } from '../s3-errors.ts';
import { emptyResponse, xmlResponse, type S3Handler, type S3Request } from '../s3-context.ts';
import { child, children, el, parseXml, text, xmlDocument } from '../xml.ts';
import { aclXml, acceptOwnerOnlyAcl } from './bucket-handlers.ts';
import { bypassGovernanceHeader } from './object-lock-handlers.ts';
import { MAX_XML_BODY, readXmlBody } from './xml-body.ts';

type Op<N extends string> = Extract<S3Operation, { name: N }>;

function versionIdParam(r: S3Request): string | null {
  const v = r.query.get('versionId');
  return v === null || v === '' ? null : v;
}

function versionHeader(versionId: string): Record<string, string> {
  return versionId === 'null' ? {} : { 'x-amz-version-id': versionId };
}

export const getObjectTagging: S3Handler<Op<'GetObjectTagging'>> = async (r, op) => {
  const v = await r.services.objects.getTags(r.principal, op.bucket, op.key, versionIdParam(r));
  const tags = v.tags.map(([k, value]) => el('Tag', [el('Key', k), el('Value', value)]));
  return xmlResponse(xmlDocument('Tagging', [el('TagSet', tags)]), 200, versionHeader(v.versionId));
};

export function parseTagging(body: Buffer): Tag[] {
  const tagSet = child(child(parseXml(body), 'Tagging'), 'TagSet');
  if (!tagSet) fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  const tags: Tag[] = children(tagSet, 'Tag').map((t) => {
    const key = text(t, 'Key');
    if (key === undefined) fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    return [key, text(t, 'Value') ?? ''];
  });
  validateTags(tags);
  return tags;
}

export const putObjectTagging: S3Handler<Op<'PutObjectTagging'>> = async (r, op) => {
  const tags = parseTagging(await readXmlBody(r, 64 * 1024, false));
  const v = await r.services.objects.putTags(r.principal, op.bucket, op.key, versionIdParam(r), tags);
  return emptyResponse(200, versionHeader(v.versionId));
};

export const deleteObjectTagging: S3Handler<Op<'DeleteObjectTagging'>> = async (r, op) => {
  const v = await r.services.objects.putTags(r.principal, op.bucket, op.key, versionIdParam(r), []);
  return emptyResponse(204, versionHeader(v.versionId));
};

export const getObjectAcl: S3Handler<Op<'GetObjectAcl'>> = async (r, op) => {
  const v = await r.services.objects.resolve(r.principal, op.bucket, op.key, versionIdParam(r));
  return xmlResponse(await aclXml(r, v.ownerId));
};

export const putObjectAcl: S3Handler<Op<'PutObjectAcl'>> = async (r, op) => {
  const v = await r.services.objects.resolve(r.principal, op.bucket, op.key, versionIdParam(r));
  await acceptOwnerOnlyAcl(r, v.ownerId);
  return emptyResponse(200);
};

interface DeleteEntry {
  readonly key: string;
  readonly versionId: string | null;
}

function parseDelete(body: Buffer): { quiet: boolean; entries: DeleteEntry[] } {
  const doc = child(parseXml(body), 'Delete');
  if (!doc) fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  const entries = children(doc, 'Object').map((o) => {
    const key = text(o, 'Key');
    if (key === undefined) fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    const versionId = text(o, 'VersionId');
    return { key, versionId: versionId ? versionId : null };
  });
  if (entries.length === 0 || entries.length > 1000) fail('MalformedXML', 'The request must name between 1 and 1000 objects');
  return { quiet: text(doc, 'Quiet')?.trim().toLowerCase() === 'true', entries };
}

/** DeleteObjects: each key succeeds or fails on its own; the answer lists both. */
export const deleteObjects: S3Handler<Op<'DeleteObjects'>> = async (r, op) => {
  const { quiet, entries } = parseDelete(await readXmlBody(r, MAX_XML_BODY, true));
  await r.services.buckets.require(r.principal, op.bucket);
  const bypassGovernance = bypassGovernanceHeader(r);
  const results: string[] = [];
  for (const entry of entries) {
    try {
      // Each key is its own s3:DeleteObject for the bucket policy.
      const res = await r.services.objects.delete(forDeleteOf(r.principal, op.bucket, entry.key, entry.versionId), op.bucket, entry.key, entry.versionId, { bypassGovernance });
      if (quiet) continue;
      results.push(
        el('Deleted', [
          el('Key', entry.key),
          entry.versionId !== null && el('VersionId', entry.versionId),
          res.deleteMarker && el('DeleteMarker', true),
          // The marker created, or the marker removed when the entry named one.
          res.deleteMarker && res.versionId !== null && el('DeleteMarkerVersionId', res.versionId),
        ]),
      );
    } catch (e) {
      if (!isSignetError(e)) throw e;
      results.push(el('Error', [el('Key', entry.key), entry.versionId !== null && el('VersionId', entry.versionId), el('Code', s3ErrorCode(e.code)), el('Message', e.message)]));
    }
  }
  return xmlResponse(xmlDocument('DeleteResult', results));
};
