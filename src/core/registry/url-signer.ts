/**
 * @module
 * The URLs grants hand out: ordinary S3 presigned GET URLs and presigned POST
 * forms, signed with the system account's key, so the S3 face verifies them
 * like any other (any node, same key). A GET URL carries the grant id in
 * `x-signet-grant`, inside the signed query: it cannot be dropped or changed
 * without breaking the signature, and the S3 face logs it with each download.
 */
import { fail } from '../errors.ts';
import { formatAmzDate } from '../../faces/s3/auth/clock.ts';
import { awsUriEncode, stringToSign } from '../../faces/s3/auth/sigv4-canonical.ts';
import { SIGV4_ALGORITHM, hmacSha256, signingKey } from '../../faces/s3/auth/sigv4-crypto.ts';
import type { SystemAccount } from './system-account.ts';

export const GRANT_PARAM = 'x-signet-grant';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export interface PresignGetInput {
  /** Scheme, host and port, e.g. `http://127.0.0.1:9000`. */
  readonly baseUrl: string;
  readonly bucket: string;
  readonly key: string;
  /** Seconds, 1..604800 (the S3 face refuses longer). */
  readonly expiresIn: number;
  readonly grantId: string;
  readonly now: Date;
}

export interface PresignPostInput {
  readonly baseUrl: string;
  readonly bucket: string;
  readonly key: string;
  readonly expiresIn: number;
  /** Base64 SHA-256 the body must have (x-amz-checksum-sha256). */
  readonly sha256Base64: string;
  readonly minSize: number;
  readonly maxSize: number;
  readonly now: Date;
}

export interface PresignedPost {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
}

const encode = (text: string): string => awsUriEncode(Buffer.from(text, 'utf8'), false);

/** Signs with one access key for service `s3` in one region. */
export class UrlSigner {
  readonly #accessKeyId: string;
  readonly #secretKey: string;
  readonly #region: string;

  constructor(account: Pick<SystemAccount, 'accessKeyId' | 'secretKey'>, region: string) {
    this.#accessKeyId = account.accessKeyId;
    this.#secretKey = account.secretKey;
    this.#region = region;
  }

  /** A path-style presigned GET URL (`X-Amz-SignedHeaders=host`, unsigned payload). */
  presignGet(input: PresignGetInput): string {
    const base = new URL(input.baseUrl);
    const { amzDate, scope, key } = this.#scope(input.now);
    const path = `/${encode(input.bucket)}/${awsUriEncode(Buffer.from(input.key, 'utf8'), true)}`;
    const params: Array<[string, string]> = [
      ['X-Amz-Algorithm', SIGV4_ALGORITHM],
      ['X-Amz-Credential', `${this.#accessKeyId}/${scope}`],
      ['X-Amz-Date', amzDate],
      ['X-Amz-Expires', String(input.expiresIn)],
      ['X-Amz-SignedHeaders', 'host'],
      [GRANT_PARAM, input.grantId],
    ];
    // Canonical order is byte order of the encoded names (then values); the URL uses it too.
    const query = params
      .map(([n, v]) => `${encode(n)}=${encode(v)}`)
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
      .join('&');
    const canonical = ['GET', path, query, `host:${base.host}\n`, 'host', UNSIGNED_PAYLOAD].join('\n');
    const signature = hmacSha256(key, stringToSign(amzDate, scope, canonical)).toString('hex');
    return `${base.origin}${path}?${query}&X-Amz-Signature=${signature}`;
  }

  /** A browser-style POST form bound to one key, a size range and the body's SHA-256. */
  presignPost(input: PresignPostInput): PresignedPost {
    const base = new URL(input.baseUrl);
    const { amzDate, scope, key } = this.#scope(input.now);
    const credential = `${this.#accessKeyId}/${scope}`;
    const policy = {
      expiration: new Date(input.now.getTime() + input.expiresIn * 1000).toISOString(),
      conditions: [
        { bucket: input.bucket },
        ['eq', '$key', input.key],
        ['content-length-range', input.minSize, input.maxSize],
        { 'x-amz-checksum-sha256': input.sha256Base64 },
        { 'x-amz-algorithm': SIGV4_ALGORITHM },
        { 'x-amz-credential': credential },
        { 'x-amz-date': amzDate },
      ],
    };
    const encoded = Buffer.from(JSON.stringify(policy), 'utf8').toString('base64');
    return {
      url: `${base.origin}/${encode(input.bucket)}`,
      fields: {
        key: input.key,
        policy: encoded,
        'x-amz-algorithm': SIGV4_ALGORITHM,
        'x-amz-credential': credential,
        'x-amz-date': amzDate,
        'x-amz-signature': hmacSha256(key, encoded).toString('hex'),
        'x-amz-checksum-sha256': input.sha256Base64,
      },
    };
  }

  #scope(now: Date): { amzDate: string; scope: string; key: Buffer } {
    const amzDate = formatAmzDate(now);
    const date = amzDate.slice(0, 8);
    return {
      amzDate,
      scope: `${date}/${this.#region}/s3/aws4_request`,
      key: signingKey(this.#secretKey, date, this.#region, 's3'),
    };
  }
}

/** InvalidArgument unless `baseUrl` is an http(s) URL (its origin is used). */
export function checkBaseUrl(baseUrl: unknown): URL {
  let url: URL | null = null;
  try {
    url = typeof baseUrl === 'string' ? new URL(baseUrl) : null;
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) fail('InvalidArgument', 'invalid base URL: expected http(s)://host[:port]');
  return url;
}
