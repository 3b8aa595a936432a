/**
 * @module
 * The SigV4 canonical request and string to sign, the S3 way
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html):
 * the path is NOT double-encoded, only normalised (decode, then re-encode
 * with the RFC 3986 unreserved set, '/' kept), like MinIO's EncodePath.
 */
import { headerValue, percentDecode, splitRawQuery } from './request-view.ts';
import type { AuthRequest } from './request-view.ts';
import { SIGV4_ALGORITHM, sha256Hex } from './sigv4-crypto.ts';

function isUnreserved(b: number): boolean {
  return (
    (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) ||
    b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e
  );
}

/** AWS URI encoding of raw bytes: unreserved characters as-is, the rest %XX (upper-case hex). */
export function awsUriEncode(bytes: Buffer, keepSlash: boolean): string {
  let out = '';
  for (const b of bytes) {
    if (isUnreserved(b) || (keepSlash && b === 0x2f)) out += String.fromCharCode(b);
    else out += `%${b < 16 ? '0' : ''}${b.toString(16).toUpperCase()}`;
  }
  return out;
}

export function canonicalUri(rawPath: string): string {
  return rawPath === '' ? '/' : awsUriEncode(percentDecode(rawPath, false), true);
}

/**
 * Parameters re-encoded, sorted by name then value; `omit` (lower-case
 * decoded names) drops X-Amz-Signature from presigned URLs.
 */
export function canonicalQuery(rawQuery: string, omit: ReadonlySet<string> = new Set()): string {
  const pairs: Array<[string, string]> = [];
  for (const p of splitRawQuery(rawQuery)) {
    const name = percentDecode(p.rawName, true);
    if (omit.has(name.toString('utf8').toLowerCase())) continue;
    pairs.push([awsUriEncode(name, false), awsUriEncode(percentDecode(p.rawValue, true), false)]);
  }
  pairs.sort(([an, av], [bn, bv]) => (an < bn ? -1 : an > bn ? 1 : av < bv ? -1 : av > bv ? 1 : 0));
  return pairs.map(([n, v]) => `${n}=${v}`).join('&');
}

/** `name:value\n` for each signed header; values trimmed with inner whitespace runs collapsed. A signed header that is absent counts as empty. */
export function canonicalHeaders(req: AuthRequest, signedHeaders: readonly string[]): string {
  return signedHeaders
    .map((name) => `${name}:${(headerValue(req.headers, name) ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
}

export interface CanonicalInput {
  readonly req: AuthRequest;
  /** Lower-case, sorted. */
  readonly signedHeaders: readonly string[];
  readonly payloadHash: string;
  readonly omitQuery?: ReadonlySet<string>;
}

export function canonicalRequest(c: CanonicalInput): string {
  return [
    c.req.method.toUpperCase(),
    canonicalUri(c.req.rawPath),
    canonicalQuery(c.req.rawQuery, c.omitQuery),
    canonicalHeaders(c.req, c.signedHeaders),
    c.signedHeaders.join(';'),
    c.payloadHash,
  ].join('\n');
}

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return `${SIGV4_ALGORITHM}\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
}
