/**
 * @module
 * The one gate every S3 request passes: finds which signature scheme the
 * request uses (exactly one), verifies it, and says what the body must
 * then be. Browser POST uploads are the exception: their signature lives in
 * the form, see `post-policy.ts`.
 */
import { fail } from '../../../core/errors.ts';
import type { Principal } from '../../../core/types.ts';
import type { SecretLookup } from './credentials.ts';
import { payloadModeForHeader, payloadModeForPresigned } from './payload-mode.ts';
import type { PayloadMode } from './payload-mode.ts';
import { headerValue, parseQuery } from './request-view.ts';
import type { AuthRequest } from './request-view.ts';
import { verifySigV2Header, verifySigV2Query } from './sigv2.ts';
import { verifySigV4Header, verifySigV4Query } from './sigv4.ts';
import type { SigV4Verified } from './sigv4.ts';

export { decodeBody } from './decode-body.ts';
export type { DecodeBodyOptions } from './decode-body.ts';
export type { PayloadMode } from './payload-mode.ts';

export type AuthMethod = 'sigv4-header' | 'sigv4-query' | 'sigv2-header' | 'sigv2-query';

export interface AuthOptions {
  readonly lookup: SecretLookup;
  readonly now: Date;
  /** Credential-scope services this endpoint answers to: ['s3'] for the S3 face. SigV2 needs 's3' in it. */
  readonly services: readonly string[];
  /** The bucket named by a virtual-hosted Host header (SigV2 signs it). */
  readonly bucketFromHost?: string;
  /** Hex SHA-256 of the buffered body, for non-S3 services whose clients send no x-amz-content-sha256. */
  readonly bodySha256?: string;
  /**
   * A request with no signature at all becomes the anonymous principal
   * instead of AccessDenied (the S3 face, where bucket policies decide).
   */
  readonly allowAnonymous?: boolean;
}

export interface AuthResult {
  readonly principal: Principal;
  readonly accessKeyId: string;
  readonly method: AuthMethod | 'anonymous';
  /** Region and service of the SigV4 credential scope; null with SigV2. */
  readonly region: string | null;
  readonly service: string | null;
  readonly payload: PayloadMode;
}

function methodOfHeader(auth: string): AuthMethod {
  const a = auth.trim();
  if (a.startsWith('AWS4-HMAC-SHA256')) return 'sigv4-header';
  if (a.startsWith('AWS ')) return 'sigv2-header';
  if (a.startsWith('AWS4-ECDSA-P256-SHA256')) fail('NotImplemented', 'SigV4a (AWS4-ECDSA-P256-SHA256) is not supported; sign with AWS4-HMAC-SHA256.');
  if (a === '') fail('InvalidArgument', "Authorization header is invalid -- one and only one ' ' (space) required.", { ArgumentName: 'Authorization' });
  return fail('InvalidArgument', 'Unsupported Authorization Type', { ArgumentName: 'Authorization' });
}

/** Which scheme signs `req`; several at once are refused as S3 does, none is anonymous and refused. */
export function detectAuthMethod(req: AuthRequest): AuthMethod {
  return findAuthMethod(req) ?? fail('AccessDenied', 'Anonymous access is not allowed.');
}

/** The anonymous principal: no user, no key; only a bucket policy can let it in. */
export const ANONYMOUS: Principal = { userId: 'anonymous', userName: 'anonymous', isRoot: false, accessKeyId: '', anonymous: true };

function findAuthMethod(req: AuthRequest): AuthMethod | null {
  const auth = headerValue(req.headers, 'authorization');
  const names = parseQuery(req.rawQuery).map(([n]) => n);
  const found: AuthMethod[] = [];
  if (auth !== undefined) found.push(methodOfHeader(auth));
  if (names.some((n) => /^x-amz-(algorithm|credential|signature)$/i.test(n))) found.push('sigv4-query');
  if (names.some((n) => n === 'AWSAccessKeyId' || n === 'Signature')) found.push('sigv2-query');
  if (found.length > 1) {
    fail('InvalidArgument', 'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified', {
      ArgumentName: 'Authorization',
    });
  }
  return found[0] ?? null;
}

function v4Result(method: AuthMethod, v: SigV4Verified, payload: PayloadMode): AuthResult {
  return { principal: v.principal, accessKeyId: v.accessKeyId, method, region: v.region, service: v.service, payload };
}

/** Authenticates one request. Throws SignetError with the S3 code on any failure. */
export async function authenticate(req: AuthRequest, opts: AuthOptions): Promise<AuthResult> {
  const method = opts.allowAnonymous ? findAuthMethod(req) : detectAuthMethod(req);
  if (method === null) return { principal: ANONYMOUS, accessKeyId: '', method: 'anonymous', region: null, service: null, payload: { kind: 'unsigned' } };
  if (method === 'sigv4-header') {
    const v = await verifySigV4Header(req, opts);
    return v4Result(method, v, payloadModeForHeader(v));
  }
  if (method === 'sigv4-query') {
    const v = await verifySigV4Query(req, opts);
    return v4Result(method, v, payloadModeForPresigned(v));
  }
  if (!opts.services.includes('s3')) {
    fail('InvalidRequest', 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.');
  }
  const v = method === 'sigv2-header' ? await verifySigV2Header(req, opts) : await verifySigV2Query(req, opts);
  return { principal: v.principal, accessKeyId: v.accessKeyId, method, region: null, service: null, payload: { kind: 'unsigned' } };
}
