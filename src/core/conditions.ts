/**
 * @module
 * HTTP conditional requests as S3 evaluates them (RFC 7232 §6 order):
 * If-Match, then If-Unmodified-Since (only without If-Match), then
 * If-None-Match, then If-Modified-Since (only without If-None-Match).
 */
import { fail } from './errors.ts';

export interface Conditions {
  readonly ifMatch?: string;
  readonly ifNoneMatch?: string;
  readonly ifModifiedSince?: Date;
  readonly ifUnmodifiedSince?: Date;
}

export interface Validators {
  readonly etag: string;
  readonly lastModified: Date;
}

/** True when one of the listed entity tags (or `*`) matches. */
export function etagMatches(header: string, etag: string): boolean {
  return header.split(',').some((raw) => {
    const t = raw.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
    return t === '*' || t === etag;
  });
}

/** HTTP dates have second precision; S3 compares at that precision. */
function seconds(d: Date): number {
  return Math.floor(d.getTime() / 1000);
}

/**
 * Throws PreconditionFailed (412) or NotModified (304). For copy sources
 * (`copySource`), S3 answers every failed condition with 412.
 */
export function checkConditions(c: Conditions, v: Validators, copySource = false): void {
  if (c.ifMatch !== undefined) {
    if (!etagMatches(c.ifMatch, v.etag)) fail('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Match' });
  } else if (c.ifUnmodifiedSince && seconds(v.lastModified) > seconds(c.ifUnmodifiedSince)) {
    fail('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Unmodified-Since' });
  }
  const notModified = copySource ? 'PreconditionFailed' : 'NotModified';
  if (c.ifNoneMatch !== undefined) {
    if (etagMatches(c.ifNoneMatch, v.etag)) fail(notModified, 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-None-Match' });
  } else if (c.ifModifiedSince && seconds(v.lastModified) <= seconds(c.ifModifiedSince)) {
    fail(notModified, 'At least one of the pre-conditions you specified did not hold', { Condition: 'If-Modified-Since' });
  }
}
