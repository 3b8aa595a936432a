/**
 * @module
 * The little the auth layer needs to know about a request, as received: no
 * node:http types, so every verifier is a pure function over this view.
 */

export interface AuthRequest {
  readonly method: string;
  /** Path exactly as received: percent-encoded, without the query. */
  readonly rawPath: string;
  /** Query string as received, without the '?'. */
  readonly rawQuery: string;
  /** Lowercase names, like node's IncomingMessage.headers. */
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
}

/** One query parameter, still encoded. `hasValue` is false for a bare `?acl`. */
export interface RawQueryParam {
  readonly rawName: string;
  readonly rawValue: string;
  readonly hasValue: boolean;
}

/** A header's value; repeated headers are joined with ',' (RFC 9110 §5.3). */
export function headerValue(headers: AuthRequest['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Splits a raw query string into its parameters, in order, still encoded. Empty segments are dropped. */
export function splitRawQuery(rawQuery: string): RawQueryParam[] {
  const out: RawQueryParam[] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    out.push(
      eq === -1
        ? { rawName: part, rawValue: '', hasValue: false }
        : { rawName: part.slice(0, eq), rawValue: part.slice(eq + 1), hasValue: true },
    );
  }
  return out;
}

const HEX = /^[0-9A-Fa-f]{2}$/;

/**
 * Percent-decodes to bytes, leniently: a '%' not followed by two hex digits
 * stays a literal '%'. Working on bytes keeps invalid UTF-8 intact, so
 * re-encoding for a canonical request is exact. In queries '+' means space
 * (HTML form encoding, which S3 and MinIO both honour).
 */
export function percentDecode(raw: string, plusIsSpace: boolean): Buffer {
  const src = Buffer.from(raw, 'utf8');
  const out = Buffer.allocUnsafe(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const b = src[i] as number;
    if (b === 0x25 && i + 2 < src.length && HEX.test(src.toString('latin1', i + 1, i + 3))) {
      out[n++] = parseInt(src.toString('latin1', i + 1, i + 3), 16);
      i += 2;
    } else {
      out[n++] = plusIsSpace && b === 0x2b ? 0x20 : b;
    }
  }
  return out.subarray(0, n);
}

/** The query as ordered, decoded [name, value] pairs (UTF-8; '+' is a space). */
export function parseQuery(rawQuery: string): Array<[string, string]> {
  return splitRawQuery(rawQuery).map((p) => [
    percentDecode(p.rawName, true).toString('utf8'),
    percentDecode(p.rawValue, true).toString('utf8'),
  ]);
}

/**
 * Every value of parameter `name` (decoded). `ignoreCase` serves the
 * X-Amz-* auth parameters, which some clients send in lower case.
 */
export function queryValues(pairs: ReadonlyArray<readonly [string, string]>, name: string, ignoreCase = false): string[] {
  const want = ignoreCase ? name.toLowerCase() : name;
  return pairs.filter(([n]) => (ignoreCase ? n.toLowerCase() : n) === want).map(([, v]) => v);
}
