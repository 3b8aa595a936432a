/**
 * @module
 * SigV4 verification of one request, in its two S3 forms: the Authorization
 * header (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-auth-using-authorization-header.html)
 * and the presigned URL (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html).
 * Any region is accepted and reported back; services are the caller's list.
 */
import { fail } from '../../../core/errors.ts';
import type { Principal } from '../../../core/types.ts';
import { assertWithinSkew, formatAmzDate, parseAmzDate, parseHttpDate } from './clock.ts';
import { requireSecret } from './credentials.ts';
import type { SecretLookup, SecretRecord } from './credentials.ts';
import { headerValue, parseQuery, queryValues } from './request-view.ts';
import type { AuthRequest } from './request-view.ts';
import { canonicalRequest, stringToSign } from './sigv4-canonical.ts';
import { EMPTY_SHA256, SIGV4_ALGORITHM, hmacSha256, signaturesEqual, signingKey } from './sigv4-crypto.ts';

/** S3's longest presigned URL lifetime: 7 days. */
export const MAX_PRESIGN_EXPIRES_S = 604800;
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your key and signing method.';
const NOT_SIGNED = 'There were headers present in the request which were not signed';
const NEEDS_DATE = 'AWS authentication requires a valid Date or x-amz-date header';
const THREE_PARTS =
  'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.';
const QUERY_PARAMS =
  'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.';

export interface SigV4Options {
  readonly lookup: SecretLookup;
  readonly now: Date;
  /** Services the credential scope may name: ['s3'] for the S3 face. */
  readonly services: readonly string[];
}

export interface SigV4HeaderOptions extends SigV4Options {
  /**
   * Hex SHA-256 of the body, for services whose clients send no
   * x-amz-content-sha256 (the caller buffered the small body). Without it
   * such a request is taken as having an empty body. Never used for 's3'.
   */
  readonly bodySha256?: string;
}

/** What a verified SigV4 request proves, and what aws-chunked decoding needs to go on. */
export interface SigV4Verified {
  readonly principal: Principal;
  readonly accessKeyId: string;
  readonly region: string;
  readonly service: string;
  /** `date/region/service/aws4_request`. */
  readonly scope: string;
  /** The request time as signed, ISO 8601 basic. */
  readonly amzDate: string;
  /** The request signature (hex): the seed of aws-chunked chunk signatures. */
  readonly signature: string;
  readonly signingKey: Buffer;
  /** The payload hash the signature covers (x-amz-content-sha256 or its stand-in). */
  readonly payloadHash: string;
}

export interface CredentialScope {
  readonly accessKeyId: string;
  readonly date: string;
  readonly region: string;
  readonly service: string;
}

export type Refuse = (message: string) => never;

const headerMalformed: Refuse = (m) => fail('AuthorizationHeaderMalformed', m);
const queryMalformed: Refuse = (m) => fail('AuthorizationQueryParametersError', m);

/** `AKID/yyyyMMdd/region/service/aws4_request`, as in Credential= and X-Amz-Credential. */
export function parseCredential(value: string, services: readonly string[], refuse: Refuse): CredentialScope {
  const parts = value.trim().split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) {
    refuse('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  const [accessKeyId, date, region, service, terminal] = parts as [string, string, string, string, string];
  if (!/^\d{8}$/.test(date)) {
    refuse(`incorrect date format "${date}". This date in the credential must be in the format "yyyyMMdd".`);
  }
  if (!services.includes(service)) {
    refuse(`incorrect service "${service}". This endpoint belongs to "${services.join('", "')}".`);
  }
  if (terminal !== 'aws4_request') refuse(`incorrect terminal "${terminal}". This endpoint uses "aws4_request".`);
  return { accessKeyId, date, region, service };
}

function parseSignedHeaders(value: string, refuse: Refuse): string[] {
  const names = value.split(';').map((n) => n.trim().toLowerCase());
  if (names.some((n) => !/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(n))) refuse(`invalid SignedHeaders "${value}".`);
  return [...new Set(names)].sort();
}

/** `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...` (spaces after commas optional). */
function parseAuthorization(value: string): { credential: string; signedHeaders: string; signature: string } {
  const rest = value.slice(SIGV4_ALGORITHM.length);
  if (!value.startsWith(SIGV4_ALGORITHM) || !/^\s/.test(rest)) headerMalformed(THREE_PARTS);
  const fields = new Map<string, string>();
  for (const part of rest.split(',')) {
    const t = part.trim();
    const eq = t.indexOf('=');
    if (eq <= 0 || fields.has(t.slice(0, eq))) headerMalformed(THREE_PARTS);
    fields.set(t.slice(0, eq), t.slice(eq + 1));
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (fields.size !== 3 || !credential || !signedHeaders || !signature) headerMalformed(THREE_PARTS);
  return { credential, signedHeaders, signature };
}

/** S3 requires `host` signed, and refuses any x-amz-* header left out of the signature. */
function assertHeadersSigned(req: AuthRequest, signed: readonly string[], exempt: ReadonlySet<string>): void {
  if (!signed.includes('host')) fail('AccessDenied', NOT_SIGNED, { HeadersNotSigned: 'host' });
  const unsigned = Object.keys(req.headers)
    .filter((n) => n.startsWith('x-amz-') && req.headers[n] !== undefined && !signed.includes(n) && !exempt.has(n))
    .sort();
  if (unsigned.length > 0) fail('AccessDenied', NOT_SIGNED, { HeadersNotSigned: unsigned.join(', ') });
}

/** Signet issues no temporary credentials, so a session token can never be valid. */
function refuseSessionToken(present: boolean): void {
  if (present) fail('AccessDenied', 'Temporary security credentials (x-amz-security-token) are not supported by this server.');
}

function headerRequestTime(req: AuthRequest): Date {
  const amz = headerValue(req.headers, 'x-amz-date');
  const date = headerValue(req.headers, 'date');
  const t = amz !== undefined ? parseAmzDate(amz.trim()) : date !== undefined ? parseHttpDate(date) : null;
  return t ?? fail('AccessDenied', NEEDS_DATE);
}

function headerPayloadHash(req: AuthRequest, service: string, bodySha256: string | undefined): string {
  const v = headerValue(req.headers, 'x-amz-content-sha256');
  if (v !== undefined) return v.trim();
  // S3 requires it on every SigV4 request; other services' clients never send it.
  if (service === 's3') fail('InvalidRequest', 'Missing required header for this request: x-amz-content-sha256');
  return bodySha256 ?? EMPTY_SHA256;
}

interface Check {
  readonly req: AuthRequest;
  readonly cred: CredentialScope;
  readonly secret: SecretRecord;
  readonly signedHeaders: readonly string[];
  readonly payloadHash: string;
  readonly amzDate: string;
  readonly given: string;
  readonly omitQuery?: ReadonlySet<string>;
}

function checkSignature(c: Check): SigV4Verified {
  const { cred } = c;
  const scope = `${cred.date}/${cred.region}/${cred.service}/aws4_request`;
  const key = signingKey(c.secret.secretKey, cred.date, cred.region, cred.service);
  const canonical = canonicalRequest({ req: c.req, signedHeaders: c.signedHeaders, payloadHash: c.payloadHash, omitQuery: c.omitQuery });
  const expected = hmacSha256(key, stringToSign(c.amzDate, scope, canonical)).toString('hex');
  if (!signaturesEqual(expected, c.given)) fail('SignatureDoesNotMatch', SIGNATURE_MISMATCH);
  return {
    principal: c.secret.principal,
    accessKeyId: cred.accessKeyId,
    region: cred.region,
    service: cred.service,
    scope,
    amzDate: c.amzDate,
    signature: expected,
    signingKey: key,
    payloadHash: c.payloadHash,
  };
}

/** Verifies `Authorization: AWS4-HMAC-SHA256 ...`. */
export async function verifySigV4Header(req: AuthRequest, opts: SigV4HeaderOptions): Promise<SigV4Verified> {
  const auth = parseAuthorization(headerValue(req.headers, 'authorization') ?? '');
  const cred = parseCredential(auth.credential, opts.services, (m) => headerMalformed(`The authorization header is malformed; ${m}`));
  const signedHeaders = parseSignedHeaders(auth.signedHeaders, (m) => headerMalformed(`The authorization header is malformed; ${m}`));
  assertHeadersSigned(req, signedHeaders, new Set());
  refuseSessionToken(headerValue(req.headers, 'x-amz-security-token') !== undefined);
  const secret = await requireSecret(opts.lookup, cred.accessKeyId);
  const requestTime = headerRequestTime(req);
  const amzDate = formatAmzDate(requestTime);
  if (amzDate.slice(0, 8) !== cred.date) {
    headerMalformed(`The authorization header is malformed; Invalid credential date "${cred.date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`);
  }
  assertWithinSkew(requestTime, opts.now);
  const payloadHash = headerPayloadHash(req, cred.service, opts.bodySha256);
  return checkSignature({ req, cred, secret, signedHeaders, payloadHash, amzDate, given: auth.signature });
}

const PRESIGN_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'] as const;
type PresignParam = (typeof PRESIGN_PARAMS)[number];

function presignParams(pairs: ReadonlyArray<readonly [string, string]>): Record<PresignParam, string> {
  const out = {} as Record<PresignParam, string>;
  for (const name of PRESIGN_PARAMS) {
    const values = queryValues(pairs, name, true);
    if (values.length !== 1 || values[0] === '') queryMalformed(QUERY_PARAMS);
    out[name] = values[0] as string;
  }
  return out;
}

function parseExpires(text: string): number {
  if (/^-\d+$/.test(text)) queryMalformed('X-Amz-Expires must be non-negative');
  if (!/^\d{1,10}$/.test(text)) queryMalformed('X-Amz-Expires should be a number');
  const seconds = Number(text);
  if (seconds < 1) queryMalformed('X-Amz-Expires must be at least 1 second');
  if (seconds > MAX_PRESIGN_EXPIRES_S) {
    queryMalformed('X-Amz-Expires must be less than a week (in seconds) that is, the given X-Amz-Expires must be less than 604800 seconds');
  }
  return seconds;
}

/** A presigned URL lives from X-Amz-Date for X-Amz-Expires seconds; a date in the future would stretch that. */
function assertPresignLive(signedAt: Date, expiresS: number, now: Date): void {
  // Only the future side is a skew question: the past is what X-Amz-Expires governs.
  if (signedAt.getTime() > now.getTime()) assertWithinSkew(signedAt, now);
  const expiresAt = new Date(signedAt.getTime() + expiresS * 1000);
  if (now.getTime() > expiresAt.getTime()) {
    fail('AccessDenied', 'Request has expired', {
      'X-Amz-Expires': expiresS,
      Expires: expiresAt.toISOString(),
      ServerTime: now.toISOString(),
    });
  }
}

/** Verifies a presigned URL (X-Amz-Algorithm, X-Amz-Credential, ... X-Amz-Signature in the query). */
export async function verifySigV4Query(req: AuthRequest, opts: SigV4Options): Promise<SigV4Verified> {
  const pairs = parseQuery(req.rawQuery);
  const p = presignParams(pairs);
  if (p['X-Amz-Algorithm'] !== SIGV4_ALGORITHM) queryMalformed('X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"');
  const cred = parseCredential(p['X-Amz-Credential'], opts.services, (m) => queryMalformed(`Error parsing the X-Amz-Credential parameter; ${m}`));
  const signedAt = parseAmzDate(p['X-Amz-Date']) ?? queryMalformed(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  const expiresS = parseExpires(p['X-Amz-Expires']);
  const signedHeaders = parseSignedHeaders(p['X-Amz-SignedHeaders'], (m) => queryMalformed(`X-Amz-SignedHeaders: ${m}`));
  // The hash may ride in the query; a stray header copy of it is tolerated, as S3 does.
  assertHeadersSigned(req, signedHeaders, new Set(['x-amz-content-sha256']));
  refuseSessionToken(queryValues(pairs, 'X-Amz-Security-Token', true).length > 0 || headerValue(req.headers, 'x-amz-security-token') !== undefined);
  const secret = await requireSecret(opts.lookup, cred.accessKeyId);
  if (p['X-Amz-Date'].slice(0, 8) !== cred.date) {
    queryMalformed(`Invalid credential date "${cred.date}". This date is not the same as X-Amz-Date: "${p['X-Amz-Date'].slice(0, 8)}".`);
  }
  assertPresignLive(signedAt, expiresS, opts.now);
  const hashes = queryValues(pairs, 'X-Amz-Content-Sha256', true);
  if (hashes.length > 1) queryMalformed('X-Amz-Content-Sha256 must be given at most once');
  const payloadHash = hashes[0] ?? UNSIGNED_PAYLOAD;
  return checkSignature({
    req, cred, secret, signedHeaders, payloadHash,
    amzDate: p['X-Amz-Date'],
    given: p['X-Amz-Signature'],
    omitQuery: new Set(['x-amz-signature']),
  });
}
