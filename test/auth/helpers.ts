/**
 * Shared fixtures for the auth tests: keys, a secret lookup, the AWS SDK v3
 * S3 client wired to a capturing handler (it signs for real, sends nothing),
 * and small stream helpers.
 */
import { Readable } from 'node:stream';
import { S3Client } from '@aws-sdk/client-s3';
import type { Principal } from '../../src/core/types.ts';
import { staticSecretLookup } from '../../src/faces/s3/auth/credentials.ts';
import type { AuthRequest } from '../../src/faces/s3/auth/request-view.ts';

export const AKID = 'AKIAIOSFODNN7EXAMPLE';
export const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
export const PRINCIPAL: Principal = { userId: 'u1', userName: 'alice', isRoot: false, accessKeyId: AKID };
export const lookup = staticSecretLookup([{ accessKeyId: AKID, secretKey: SECRET, principal: PRINCIPAL }]);

export { rejectsWith } from '../support/rejects-with.ts';

export async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c as Uint8Array));
  return Buffer.concat(parts);
}

/** Query string the way the SDK's node handler writes it (RFC 3986, '!'()*' escaped too). */
export function buildQuery(query: Readonly<Record<string, string | string[] | null | undefined>>): string {
  const esc = (s: string): string => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined) continue;
    if (v === null) parts.push(esc(k));
    else for (const one of Array.isArray(v) ? v : [v]) parts.push(`${esc(k)}=${esc(one)}`);
  }
  return parts.join('&');
}

interface SmithyLikeRequest {
  method: string;
  path: string;
  query?: Record<string, string | string[] | null>;
  headers: Record<string, string>;
}

export function toAuthRequest(r: SmithyLikeRequest): AuthRequest {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers)) headers[k.toLowerCase()] = v;
  return { method: r.method, rawPath: r.path, rawQuery: buildQuery(r.query ?? {}), headers };
}

export interface Captured {
  readonly req: AuthRequest;
  readonly body: Buffer;
}

/** An S3Client whose requests are signed by the real SDK pipeline and captured instead of sent. */
export function capturingClient(region = 'eu-west-3'): { client: S3Client; captured: Captured[] } {
  const captured: Captured[] = [];
  const requestHandler = {
    async handle(request: SmithyLikeRequest & { body?: unknown }) {
      const b = request.body;
      const body = b instanceof Readable ? await collect(b) : b === undefined ? Buffer.alloc(0) : Buffer.from(b as Uint8Array);
      captured.push({ req: toAuthRequest(request), body });
      return { response: { statusCode: 200, headers: {}, body: Readable.from([Buffer.alloc(0)]) } };
    },
    destroy() {},
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
  const client = new S3Client({
    region,
    endpoint: 'http://localhost:9000',
    forcePathStyle: true,
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET },
    requestHandler,
  });
  return { client, captured };
}

/** Same request with some headers replaced (undefined deletes). */
export function withHeaders(req: AuthRequest, changes: Record<string, string | undefined>): AuthRequest {
  const headers: Record<string, string | string[] | undefined> = { ...req.headers };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete headers[k];
    else headers[k] = v;
  }
  return { ...req, headers };
}
