/**
 * @module
 * Validation of bucket names, object keys, metadata and tags, by the rules S3
 * documents ("Bucket naming rules", "Object key naming", "Tagging").
 */
import { fail } from './errors.ts';
import type { Tag } from './types.ts';

const BUCKET_CHARS = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export function validateBucketName(name: string): void {
  const ok =
    BUCKET_CHARS.test(name) &&
    !IPV4.test(name) &&
    !name.includes('..') &&
    !name.includes('.-') &&
    !name.includes('-.') &&
    !name.startsWith('xn--') &&
    !name.startsWith('sthree-') &&
    !name.endsWith('-s3alias') &&
    !name.endsWith('--ol-s3') &&
    // Path-style `/api/...` belongs to the registry's REST and DVC faces.
    name !== 'api';
  if (!ok) fail('InvalidBucketName', 'The specified bucket is not valid.', { BucketName: name });
}

/** Keys are any UTF-8 up to 1024 bytes. NUL cannot be stored in PostgreSQL text nor written in XML. */
export function validateKey(key: string): void {
  if (key.length === 0) fail('InvalidArgument', 'Object key must not be empty');
  if (Buffer.byteLength(key, 'utf8') > 1024) fail('KeyTooLongError', 'Your key is too long');
  if (key.includes('\u0000')) fail('InvalidArgument', 'Object key must not contain the NUL character');
  if (/[\uD800-\uDFFF]/u.test(key)) fail('InvalidArgument', 'Object key is not valid UTF-8');
}

/** S3 caps user metadata at 2 KB, counting names and values. */
export function validateUserMetadata(meta: Readonly<Record<string, string>>): void {
  let size = 0;
  for (const [k, v] of Object.entries(meta)) size += Buffer.byteLength(k) + Buffer.byteLength(v);
  if (size > 2048) fail('MetadataTooLarge', 'Your metadata headers exceed the maximum allowed metadata size.');
}

export function validateTags(tags: readonly Tag[]): void {
  if (tags.length > 10) fail('InvalidTag', 'Object tags cannot be greater than 10');
  const seen = new Set<string>();
  for (const [k, v] of tags) {
    if (k.length < 1 || k.length > 128) fail('InvalidTag', 'The TagKey you have provided is invalid');
    if (v.length > 256) fail('InvalidTag', 'The TagValue you have provided is invalid');
    if (seen.has(k)) fail('InvalidTag', 'Cannot provide multiple Tags with the same key');
    seen.add(k);
  }
}

/** Parses `k1=v1&k2=v2` (x-amz-tagging header) into tags. */
export function parseTagQuery(value: string): Tag[] {
  if (value === '') return [];
  const tags: Tag[] = [];
  for (const [k, v] of new URLSearchParams(value)) tags.push([k, v]);
  validateTags(tags);
  return tags;
}
