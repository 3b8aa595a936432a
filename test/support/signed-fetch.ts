/**
 * @module
 * fetch() with a real SigV4 signature (@smithy/signature-v4), for calling
 * Signet's non-SDK endpoints (the admin API) the way curl --aws-sigv4 does.
 */
import { createHash } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

export interface SignedFetchOptions {
  readonly method?: string;
  readonly body?: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export async function signedFetch(url: string, opts: SignedFetchOptions): Promise<Response> {
  const u = new URL(url);
  const body = opts.body ?? '';
  const signer = new SignatureV4({
    credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey },
    region: 'us-east-1',
    service: 's3',
    sha256: Sha256,
    uriEscapePath: false,
  });
  const query: Record<string, string> = {};
  for (const [k, v] of u.searchParams) query[k] = v;
  const signed = await signer.sign({
    method: opts.method ?? 'GET',
    protocol: u.protocol,
    hostname: u.hostname,
    port: Number(u.port),
    path: u.pathname,
    query,
    headers: {
      host: u.host,
      'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body,
  });
  return fetch(url, { method: signed.method, headers: signed.headers, body: body || undefined });
}
