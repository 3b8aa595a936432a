/**
 * Shared helpers for the AWS SDK v3 acceptance tests (test/e2e/sdk-*.test.ts):
 * error assertions, independent checksum math, a middleware that rewrites
 * headers after the SDK built them (before signing), and raw SigV4-signed
 * requests for what the SDK refuses to send.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Crc32 } from '@aws-crypto/crc32';
import { Crc32c } from '@aws-crypto/crc32c';
import { Sha256 } from '@aws-crypto/sha256-js';
import { Crc64Nvme } from '@aws-sdk/crc64-nvme';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { ROOT } from '../support/test-signet.ts';

export type Algorithm = 'CRC32' | 'CRC32C' | 'CRC64NVME' | 'SHA1' | 'SHA256';
export const ALGORITHMS: readonly Algorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];

/** Asserts that `run` rejects with an S3ServiceException named `name` (and HTTP `status`); returns it. */
export async function rejectsS3(run: Promise<unknown>, name: string, status?: number): Promise<S3ServiceException> {
  let caught: unknown;
  try {
    await run;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught !== undefined, `expected ${name}, but the call succeeded`);
  assert.ok(caught instanceof S3ServiceException, `expected an S3ServiceException named ${name}, got ${String(caught)}`);
  assert.equal(caught.name, name, `error name (message: ${caught.message}, status ${caught.$metadata.httpStatusCode})`);
  if (status !== undefined) assert.equal(caught.$metadata.httpStatusCode, status, `HTTP status of ${name}`);
  return caught;
}

/**
 * For HEAD errors (no body to name them): the SDK names a 404 `NotFound` and
 * other statuses generically, so only the status is asserted.
 */
export async function rejectsHead(run: Promise<unknown>, status: number): Promise<S3ServiceException> {
  let caught: unknown;
  try {
    await run;
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof S3ServiceException, `expected an S3ServiceException with status ${status}, got ${String(caught)}`);
  assert.equal(caught.$metadata.httpStatusCode, status, `HTTP status (name ${caught.name})`);
  return caught;
}

/** The bytes of a GetObject body. */
export async function bytesOf(body: { transformToByteArray(): Promise<Uint8Array> } | undefined): Promise<Buffer> {
  assert.ok(body, 'a body');
  return Buffer.from(await body.transformToByteArray());
}

/** Deterministic pseudo-random bytes (xorshift32; no two parts alike). */
export function pattern(size: number, seed = 1): Buffer {
  const words = new Uint32Array(Math.ceil(size / 4));
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x >>> 0;
  }
  return Buffer.from(words.buffer, 0, size);
}

export const md5Hex = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');
export const md5B64 = (b: Uint8Array): string => createHash('md5').update(b).digest('base64');

/** The multipart ETag S3 gives: MD5 of the concatenated binary part MD5s, `-N` (without quotes). */
export function multipartEtag(parts: readonly Uint8Array[]): string {
  const raw = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
  return `${createHash('md5').update(raw).digest('hex')}-${parts.length}`;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

/** Raw digest of `data` with one of S3's checksum algorithms, computed by libraries independent of Signet. */
export async function rawChecksum(alg: Algorithm, data: Uint8Array): Promise<Buffer> {
  switch (alg) {
    case 'CRC32':
      return u32(new Crc32().update(data).digest());
    case 'CRC32C':
      return u32(new Crc32c().update(data).digest());
    case 'CRC64NVME': {
      const h = new Crc64Nvme();
      h.update(data);
      return Buffer.from(await h.digest());
    }
    case 'SHA1':
      return createHash('sha1').update(data).digest();
    case 'SHA256':
      return createHash('sha256').update(data).digest();
  }
}

export async function checksumB64(alg: Algorithm, data: Uint8Array): Promise<string> {
  return (await rawChecksum(alg, data)).toString('base64');
}

/** COMPOSITE multipart checksum: the algorithm over the concatenated raw part checksums, base64, `-N`. */
export async function compositeChecksum(alg: Algorithm, parts: readonly Uint8Array[]): Promise<string> {
  const raws = await Promise.all(parts.map((p) => rawChecksum(alg, p)));
  return `${await checksumB64(alg, Buffer.concat(raws))}-${parts.length}`;
}

interface MiddlewareTarget {
  readonly middlewareStack: {
    addRelativeTo(
      mw: (next: (args: { request: unknown }) => Promise<unknown>) => (args: { request: unknown }) => Promise<unknown>,
      opts: { relation: 'before' | 'after'; toMiddleware: string; name?: string; override?: boolean },
    ): void;
  };
}

/**
 * Rewrites headers of one command's request after the SDK built it (checksums
 * included) and before it is signed: `undefined` removes a header.
 */
export function withHeaders<C>(command: C, headers: Readonly<Record<string, string | undefined>>): C {
  (command as unknown as MiddlewareTarget).middlewareStack.addRelativeTo(
    (next) => async (args) => {
      const req = args.request as { headers: Record<string, string> };
      for (const [name, value] of Object.entries(headers)) {
        for (const existing of Object.keys(req.headers)) if (existing.toLowerCase() === name.toLowerCase()) delete req.headers[existing];
        if (value !== undefined) req.headers[name] = value;
      }
      return next(args);
    },
    { relation: 'before', toMiddleware: 'httpSigningMiddleware', name: 'signetTestHeaders', override: true },
  );
  return command;
}

/** Records the headers of one command's request as sent (after signing). */
export function captureHeaders<C>(command: C): { command: C; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  (command as unknown as MiddlewareTarget).middlewareStack.addRelativeTo(
    (next) => async (args) => {
      for (const [k, v] of Object.entries((args.request as { headers: Record<string, string> }).headers)) headers[k.toLowerCase()] = v;
      return next(args);
    },
    { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'signetTestCapture', override: true },
  );
  return { command, headers };
}

export interface RawRequest {
  readonly method: string;
  /** Path as sent (already percent-encoded), e.g. `/bucket/key`. */
  readonly path: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
}

/** A request signed with SigV4 (header auth, signed payload) and sent with fetch. */
export async function signedFetch(baseUrl: string, r: RawRequest): Promise<Response> {
  const url = new URL(baseUrl);
  const body = r.body === undefined ? undefined : Buffer.from(r.body);
  const signer = new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    sha256: Sha256,
    credentials: r.credentials ?? { accessKeyId: ROOT.user, secretAccessKey: ROOT.password },
    uriEscapePath: false,
  });
  const headers: Record<string, string> = {
    host: url.host,
    'x-amz-content-sha256': createHash('sha256').update(body ?? Buffer.alloc(0)).digest('hex'),
    ...r.headers,
  };
  if (body !== undefined) headers['content-length'] = String(body.length);
  const signed = await signer.sign({
    method: r.method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: r.path,
    query: r.query ?? {},
    headers,
    body,
  });
  const qs = Object.entries(r.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  const sendHeaders: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) if (k !== 'host' && k !== 'content-length') sendHeaders[k] = v;
  return fetch(`${url.origin}${r.path}${qs ? `?${qs}` : ''}`, { method: r.method, headers: sendHeaders, body });
}

/** The `<Code>` of an S3 XML error document. */
export function xmlCode(xml: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(xml)?.[1];
}
