/**
 * @module
 * Who calls a registry face: an API token (`Authorization: Bearer <t>`, or
 * DVC Studio's `token <t>`), HTTP Basic with an access key id and secret, or a
 * SigV4 signature (for the SageMaker face, service `sagemaker`). Shared by the
 * REST, DVC and SageMaker faces; each maps the errors to its own wire.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { fail } from '../core/errors.ts';
import type { Identity } from '../core/identity.ts';
import type { TokensService } from '../core/registry/registry-api.ts';
import type { RegistryPrincipal } from '../core/registry/registry-types.ts';
import { authenticate } from './s3/auth/auth-gate.ts';

export interface RegistryAuthDeps {
  readonly tokens: TokensService;
  readonly identity: Identity;
  readonly clock: () => Date;
}

export interface RegistryAuthRequest {
  readonly method: string;
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  /** Hex SHA-256 of the buffered body (SigV4 clients of JSON services sign it without sending it). */
  readonly bodySha256?: string;
}

/** Unauthenticated when no credential is given or it is not valid; SigV4 failures keep their S3 codes. */
export async function authenticateRegistry(req: RegistryAuthRequest, deps: RegistryAuthDeps, services: readonly string[]): Promise<RegistryPrincipal> {
  const header = req.headers.authorization?.trim();
  if (!header) fail('Unauthenticated', 'missing Authorization header');
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const value = space < 0 ? '' : header.slice(space + 1).trim();
  if (scheme === 'bearer' || scheme === 'token') return deps.tokens.authenticateToken(value);
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) fail('Unauthenticated', 'malformed Basic credentials');
    return deps.tokens.authenticateBasic(decoded.slice(0, colon), decoded.slice(colon + 1));
  }
  if (scheme === 'aws4-hmac-sha256') {
    if (req.bodySha256 !== undefined) checkDeclaredSha256(req.headers['x-amz-content-sha256'], req.bodySha256);
    const auth = await authenticate(
      { method: req.method, rawPath: req.rawPath, rawQuery: req.rawQuery, headers: req.headers },
      { lookup: (k) => deps.identity.lookup(k), now: deps.clock(), services, ...(req.bodySha256 === undefined ? {} : { bodySha256: req.bodySha256 }) },
    );
    return deps.tokens.fromSigned(auth.principal);
  }
  return fail('Unauthenticated', `unsupported Authorization scheme "${scheme}"`);
}

/**
 * A SigV4 client that sends x-amz-content-sha256 signs that header, not the
 * body: the buffered body must then hash to it, or a body swapped after
 * signing would pass.
 */
function checkDeclaredSha256(declared: string | string[] | undefined, actual: string): void {
  if (declared === undefined || declared === 'UNSIGNED-PAYLOAD') return;
  if (typeof declared !== 'string' || !/^[0-9a-f]{64}$/i.test(declared)) {
    fail('InvalidRequest', 'x-amz-content-sha256 must be the hex SHA-256 of the body (or UNSIGNED-PAYLOAD)');
  }
  if (declared.toLowerCase() !== actual) fail('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.");
}
