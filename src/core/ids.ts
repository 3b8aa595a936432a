/**
 * @module
 * Identifier generation. Upload and version ids start with a time component so
 * they sort by creation, which S3 listings of uploads and versions rely on.
 */
import { randomBytes } from 'node:crypto';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** Time-ordered, URL-safe id: 12 hex digits of milliseconds, then randomness. */
export function timeOrderedId(now: Date = new Date()): string {
  const time = now.getTime().toString(16).padStart(12, '0');
  return time + randomBytes(12).toString('base64url');
}

/** A 64-hex canonical id, the shape S3 uses for owner ids. */
export function canonicalId(): string {
  return randomBytes(32).toString('hex');
}

export function newAccessKeyId(): string {
  const bytes = randomBytes(18);
  let id = 'SN';
  for (const b of bytes) id += ALNUM[b % ALNUM.length];
  return id;
}

export function newSecretKey(): string {
  return randomBytes(30).toString('base64').replace(/[+/]/g, (c) => (c === '+' ? 'k' : 'Q'));
}

/** Request ids: a random per-process prefix and a counter (cheap, unique, sortable per process). */
const REQUEST_PREFIX = randomBytes(4).toString('hex').toUpperCase();
let requestCounter = 0;

export function requestId(): string {
  requestCounter = (requestCounter + 1) % 0x1_0000_0000;
  return REQUEST_PREFIX + requestCounter.toString(16).toUpperCase().padStart(8, '0');
}
