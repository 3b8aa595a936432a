/**
 * @module
 * Raw S3 requests for robustness tests: SigV4-signed with
 * `@smithy/signature-v4` (the AWS SDK's own signer) and sent with `node:http`,
 * so a test controls every header and every byte on the wire, including
 * bodies that lie about their length, are cut off, or carry bad aws-chunked
 * signatures.
 */
import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';

export const REGION = 'us-east-1';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface RawTarget {
  /** Where the TCP connection goes. */
  readonly hostname: string;
  readonly port: number;
  /** The Host header to send and sign (default `hostname:port`). */
  readonly host?: string;
}

export interface SignInput {
  readonly method: string;
  /** Raw request path, already percent-encoded as it goes on the wire (e.g. `/bucket/a%20b`). */
  readonly path: string;
  /** Raw query string without '?', as it goes on the wire (e.g. `uploadId=x&partNumber=1`, `website`). */
  readonly query?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * What x-amz-content-sha256 says: a hex digest, UNSIGNED-PAYLOAD, STREAMING-...;
   * default: the SHA-256 of `body` (or of nothing).
   */
  readonly payloadHash?: string;
  readonly body?: Buffer;
  readonly credentials: Credentials;
  /** The signing time (to simulate a skewed client clock). */
  readonly date?: Date;
}

export interface Signed {
  readonly headers: Record<string, string>;
  /** Hex signature of the request: the seed of aws-chunked chunk signatures. */
  readonly signature: string;
  readonly amzDate: string;
  readonly scope: string;
  readonly signingKey: Buffer;
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

export function md5Base64(data: Buffer | string): string {
  return createHash('md5').update(data).digest('base64');
}

/** Percent-encodes a key for a path: each segment with encodeURIComponent plus `!'()*`. */
export function encodeKey(key: string): string {
  return key
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

function parseQueryForSigner(raw: string): Record<string, string | string[] | null> {
  const out: Record<string, string | string[] | null> = {};
  if (raw === '') return out;
  for (const part of raw.split('&')) {
    const eq = part.indexOf('=');
    const name = decodeURIComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeURIComponent(part.slice(eq + 1));
    const prev = out[name];
    if (prev === undefined || prev === null) out[name] = value;
    else out[name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Signs a request (Authorization header, x-amz-date, x-amz-content-sha256) for `target`. */
export async function signRequest(target: RawTarget, input: SignInput): Promise<Signed> {
  const host = target.host ?? `${target.hostname}:${target.port}`;
  const payloadHash = input.payloadHash ?? sha256Hex(input.body ?? Buffer.alloc(0));
  const headers: Record<string, string> = { host, 'x-amz-content-sha256': payloadHash };
  for (const [k, v] of Object.entries(input.headers ?? {})) headers[k.toLowerCase()] = v;
  const signer = new SignatureV4({ credentials: input.credentials, region: REGION, service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false });
  const date = input.date ?? new Date();
  const signed = await signer.sign(
    { method: input.method, protocol: 'http:', hostname: target.hostname, port: target.port, path: input.path, query: parseQueryForSigner(input.query ?? ''), headers },
    { signingDate: date },
  );
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) out[k.toLowerCase()] = String(v);
  const auth = out.authorization ?? '';
  const signature = /Signature=([0-9a-f]{64})/.exec(auth)?.[1] ?? '';
  const amzDate = out['x-amz-date'] ?? '';
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${REGION}/s3/aws4_request`;
  const signingKey = hmac(hmac(hmac(hmac(`AWS4${input.credentials.secretAccessKey}`, day), REGION), 's3'), 'aws4_request');
  return { headers: out, signature, amzDate, scope, signingKey };
}

/** The signature of one aws-chunked chunk (STREAMING-AWS4-HMAC-SHA256-PAYLOAD). */
export function chunkSignature(s: Pick<Signed, 'amzDate' | 'scope' | 'signingKey'>, previous: string, data: Buffer): string {
  const toSign = ['AWS4-HMAC-SHA256-PAYLOAD', s.amzDate, s.scope, previous, EMPTY_SHA256, sha256Hex(data)].join('\n');
  return hmac(s.signingKey, toSign).toString('hex');
}

/**
 * An aws-chunked body of `data` in chunks of `chunkSize`, each signed in the
 * chain seeded by the request signature; `tamper(i, sig)` may replace the
 * signature written for chunk i (the final empty chunk is last).
 */
export function awsChunkedBody(signed: Signed, data: Buffer, chunkSize: number, tamper?: (index: number, signature: string) => string): Buffer {
  const pieces: Buffer[] = [];
  let prev = signed.signature;
  const chunks: Buffer[] = [];
  for (let at = 0; at < data.length; at += chunkSize) chunks.push(data.subarray(at, at + chunkSize));
  chunks.push(Buffer.alloc(0));
  chunks.forEach((chunk, i) => {
    const sig = chunkSignature(signed, prev, chunk);
    prev = sig;
    const written = tamper ? tamper(i, sig) : sig;
    pieces.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${written}\r\n`), chunk, Buffer.from('\r\n'));
  });
  return Buffer.concat(pieces);
}

/** Bytes on the wire of an aws-chunked body of `dataLength` bytes (signatures are fixed-size). */
export function awsChunkedLength(dataLength: number, chunkSize: number): number {
  let total = 0;
  const line = (size: number) => `${size.toString(16)};chunk-signature=${'0'.repeat(64)}\r\n`.length + size + 2;
  for (let at = 0; at < dataLength; at += chunkSize) total += line(Math.min(chunkSize, dataLength - at));
  return total + line(0);
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly text: string;
  /** `<Code>` of an S3 error document, if any. */
  readonly code: string | undefined;
}

export function xmlCode(text: string): string | undefined {
  return /<Error>[\s\S]*?<Code>([^<]*)<\/Code>/.exec(text)?.[1];
}

/** Sends one request on a fresh connection and reads the whole answer. */
export function sendRaw(target: RawTarget, method: string, pathAndQuery: string, headers: Readonly<Record<string, string>>, body?: Buffer): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: target.hostname, port: target.port, method, path: pathAndQuery, headers: { ...headers }, agent: false, setHost: false });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const buf = Buffer.concat(chunks);
        const text = buf.toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buf, text, code: xmlCode(text) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export interface RequestInput extends Omit<SignInput, 'credentials'> {
  readonly credentials?: Credentials;
  /** Sent instead of `body` when given (e.g. an aws-chunked framing); `body` still names what is signed. */
  readonly wire?: Buffer;
  /** Drop the Authorization header (anonymous request). */
  readonly unsigned?: boolean;
  /** Last changes to the signed headers (undefined deletes). */
  readonly after?: Readonly<Record<string, string | undefined>>;
}

/** A client for one server and one set of credentials. */
export class RawS3 {
  constructor(
    readonly target: RawTarget,
    readonly credentials: Credentials,
  ) {}

  async sign(input: RequestInput): Promise<Signed> {
    return signRequest(this.target, { ...input, credentials: input.credentials ?? this.credentials });
  }

  /** Signs and sends; Content-Length is the length of what goes on the wire. */
  async request(input: RequestInput): Promise<RawResponse> {
    const wire = input.wire ?? input.body;
    const headers = { ...(input.headers ?? {}) };
    if (wire !== undefined && headers['content-length'] === undefined) headers['content-length'] = String(wire.length);
    const signed = await this.sign({ ...input, headers });
    const final: Record<string, string> = { ...signed.headers };
    if (input.unsigned) delete final.authorization;
    for (const [k, v] of Object.entries(input.after ?? {})) {
      if (v === undefined) delete final[k];
      else final[k] = v;
    }
    const pathAndQuery = input.query ? `${input.path}?${input.query}` : input.path;
    return sendRaw(this.target, input.method, pathAndQuery, final, wire);
  }

  put(path: string, body: Buffer, headers: Record<string, string> = {}): Promise<RawResponse> {
    return this.request({ method: 'PUT', path, body, headers });
  }

  get(path: string, headers: Record<string, string> = {}, query?: string): Promise<RawResponse> {
    return this.request({ method: 'GET', path, headers, query });
  }
}
