/**
 * @module
 * Bucket lifecycle configuration on the S3 wire: S3's
 * `LifecycleConfiguration` document in and out. Validation and the rules
 * are the core's (`core/lifecycle.ts`); the worker that carries them out is
 * `core/lifecycle-worker.ts`.
 */
import { fail } from '../../../core/errors.ts';
import {
  bucketLifecycle,
  deleteBucketLifecycle as deleteLifecycle,
  parseLifecycleConfiguration,
  putBucketLifecycle,
  type LifecycleAnd,
  type LifecycleFilter,
  type LifecycleRule,
  type XmlNode,
} from '../../../core/lifecycle.ts';
import type { Tag } from '../../../core/types.ts';
import type { S3Operation } from '../router.ts';
import { emptyResponse, xmlResponse, type S3Handler } from '../s3-context.ts';
import { el, parseXml, xmlDocument } from '../xml.ts';
import { MAX_XML_BODY, readXmlBody } from './xml-body.ts';

type Op<N extends string> = Extract<S3Operation, { name: N }>;

function tagXml([key, value]: Tag): string {
  return el('Tag', [el('Key', key), el('Value', value)]);
}

function andXml(and: LifecycleAnd): string {
  return el('And', [
    and.prefix !== undefined && el('Prefix', and.prefix),
    ...and.tags.map(tagXml),
    and.objectSizeGreaterThan !== undefined && el('ObjectSizeGreaterThan', and.objectSizeGreaterThan),
    and.objectSizeLessThan !== undefined && el('ObjectSizeLessThan', and.objectSizeLessThan),
  ]);
}

function filterXml(f: LifecycleFilter): string {
  if ('legacyPrefix' in f) return el('Prefix', f.legacyPrefix);
  return el('Filter', [
    f.prefix !== undefined && el('Prefix', f.prefix),
    f.tag !== undefined && tagXml(f.tag),
    f.objectSizeGreaterThan !== undefined && el('ObjectSizeGreaterThan', f.objectSizeGreaterThan),
    f.objectSizeLessThan !== undefined && el('ObjectSizeLessThan', f.objectSizeLessThan),
    f.and !== undefined && andXml(f.and),
  ]);
}

function ruleXml(rule: LifecycleRule): string {
  const { expiration: e, noncurrentVersionExpiration: n, abortIncompleteMultipartUpload: a } = rule;
  return el('Rule', [
    el('ID', rule.id),
    filterXml(rule.filter),
    el('Status', rule.status),
    e !== undefined &&
      el('Expiration', [
        e.days !== undefined && el('Days', e.days),
        e.date !== undefined && el('Date', e.date),
        e.expiredObjectDeleteMarker !== undefined && el('ExpiredObjectDeleteMarker', e.expiredObjectDeleteMarker),
      ]),
    n !== undefined &&
      el('NoncurrentVersionExpiration', [
        el('NoncurrentDays', n.noncurrentDays),
        n.newerNoncurrentVersions !== undefined && el('NewerNoncurrentVersions', n.newerNoncurrentVersions),
      ]),
    a !== undefined && el('AbortIncompleteMultipartUpload', [el('DaysAfterInitiation', a.daysAfterInitiation)]),
  ]);
}

export const getBucketLifecycleConfiguration: S3Handler<Op<'GetBucketLifecycleConfiguration'>> = async (r, op) => {
  const config = await bucketLifecycle(r.services.buckets, r.principal, op.bucket);
  return xmlResponse(xmlDocument('LifecycleConfiguration', config.rules.map(ruleXml)));
};

/** S3 takes the document only with a Content-MD5 or an x-amz-checksum-* (as minio-js and the SDKs send). */
export const putBucketLifecycleConfiguration: S3Handler<Op<'PutBucketLifecycleConfiguration'>> = async (r, op) => {
  // The bucket first: a missing bucket or a denied caller is told so before anything about the body.
  await r.services.buckets.require(r.principal, op.bucket);
  const doc = parseXml(await readXmlBody(r, MAX_XML_BODY, true));
  const names = Object.keys(doc);
  if (names.length !== 1 || names[0] !== 'LifecycleConfiguration') {
    fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  }
  const config = parseLifecycleConfiguration(doc.LifecycleConfiguration as XmlNode);
  await putBucketLifecycle(r.services.meta, r.services.buckets, r.principal, op.bucket, config);
  return emptyResponse(200);
};

export const deleteBucketLifecycle: S3Handler<Op<'DeleteBucketLifecycle'>> = async (r, op) => {
  await deleteLifecycle(r.services.meta, r.services.buckets, r.principal, op.bucket);
  return emptyResponse(204);
};
