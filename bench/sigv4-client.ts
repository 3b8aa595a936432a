/**
 * @module
 * A lean S3 client for the bench: SigV4 header auth over node:http with one
 * keep-alive Agent (maxSockets = concurrency), so a request costs the client
 * a few tens of µs and the server is what gets measured.
 *
 * It signs only what SigV4 requires (host, x-amz-content-sha256, x-amz-date)
 * with a signing key derived once per day. Whole bodies (small PUTs, XML)
 * carry their real SHA-256; streamed bodies carry UNSIGNED-PAYLOAD.
 * Servers that ignore auth (the baselines) just see extra headers.
 */
import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Writable } from 'node:stream';

export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const SIGNED_HEADERS = 'host;x-amz-content-sha256;x-amz-date';

export interface ClientOptions {
  readonly host: string;
  readonly port: number;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly region: string;
  /** Sockets kept open to the server; match the workload's concurrency. */
  readonly concurrency: number;
}

export interface StreamedBody {
  readonly length: number;
  /** Writes exactly `length` bytes; the client ends the request. */
  readonly write: (out: Writable) => Promise<void>;
}

export interface RequestSpec {
  readonly method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'HEAD';
  readonly bucket: string;
  readonly key?: string;
  readonly query?: Readonly<Record<string, string>>;
  /** Sent whole, its SHA-256 signed. */
  readonly body?: Buffer;
  /** The body's SHA-256 hex when already known (saves the client hashing it again). */
  readonly bodySha256?: string;
  /** Sent as a stream with UNSIGNED-PAYLOAD. */
  readonly stream?: StreamedBody;
}

export interface Reply<T> {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly value: T;
}

/** Reads a 2xx response; non-2xx ones become an {@link S3Error} before this runs. */
export type Consumer<T> = (res: IncomingMessage) => Promise<T>;

export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    body: string,
  ) {
    super(`HTTP ${status} ${code}: ${body.slice(0, 300)}`);
  }
}

/** RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function canonicalQuery(query: Readonly<Record<string, string>> | undefined): string {
  if (!query) return '';
  // Sorted by encoded name, then value: sorting whole "k=v" strings would misplace "a-b" vs "a".
  const pairs = Object.entries(query).map(([k, v]) => [uriEncode(k), uriEncode(v)] as const);
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

export function objectPath(bucket: string, key: string | undefined): string {
  if (key === undefined) return `/${uriEncode(bucket)}`;
  return `/${uriEncode(bucket)}/${key.split('/').map(uriEncode).join('/')}`;
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** SigV4 header signing with the day's signing key cached. */
export class Signer {
  #day = '';
  #key: Buffer = Buffer.alloc(0);
  readonly #hostHeader: string;

  constructor(
    private readonly opts: Pick<ClientOptions, 'accessKeyId' | 'secretAccessKey' | 'region'>,
    hostHeader: string,
  ) {
    this.#hostHeader = hostHeader;
  }

  /** Headers to add to a request for `method path?query` with the given payload hash. */
  sign(method: string, path: string, query: string, payloadHash: string, now = new Date()): Record<string, string> {
    const iso = now.toISOString();
    const amzDate = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
    const day = amzDate.slice(0, 8);
    if (day !== this.#day) {
      const kDate = hmac(`AWS4${this.opts.secretAccessKey}`, day);
      this.#key = hmac(hmac(hmac(kDate, this.opts.region), 's3'), 'aws4_request');
      this.#day = day;
    }
    const scope = `${day}/${this.opts.region}/s3/aws4_request`;
    const canonical =
      `${method}\n${path}\n${query}\nhost:${this.#hostHeader}\nx-amz-content-sha256:${payloadHash}\n` +
      `x-amz-date:${amzDate}\n\n${SIGNED_HEADERS}\n${payloadHash}`;
    const toSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256Hex(canonical)}`;
    const signature = createHmac('sha256', this.#key).update(toSign).digest('hex');
    return {
      host: this.#hostHeader,
      'x-amz-date': amzDate,
      'x-amz-content-sha256': payloadHash,
      authorization:
        `AWS4-HMAC-SHA256 Credential=${this.opts.accessKeyId}/${scope}, ` +
        `SignedHeaders=${SIGNED_HEADERS}, Signature=${signature}`,
    };
  }
}

export class S3Client {
  readonly agent: http.Agent;
  readonly #signer: Signer;

  constructor(private readonly opts: ClientOptions) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency, maxFreeSockets: opts.concurrency });
    this.#signer = new Signer(opts, `${opts.host}:${opts.port}`);
  }

  send<T>(spec: RequestSpec, consume: Consumer<T>): Promise<Reply<T>> {
    const path = objectPath(spec.bucket, spec.key);
    const query = canonicalQuery(spec.query);
    const payloadHash = spec.stream ? UNSIGNED_PAYLOAD : spec.body ? (spec.bodySha256 ?? sha256Hex(spec.body)) : EMPTY_SHA256;
    const headers: Record<string, string | number> = this.#signer.sign(spec.method, path, query, payloadHash);
    const length = spec.stream?.length ?? spec.body?.length;
    if (length !== undefined || spec.method === 'PUT' || spec.method === 'POST') headers['content-length'] = length ?? 0;
    return new Promise<Reply<T>>((resolve, reject) => {
      const req = http.request(
        { agent: this.agent, host: this.opts.host, port: this.opts.port, method: spec.method, headers, setHost: false, path: query ? `${path}?${query}` : path },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 300) {
            collect(res).then((b) => reject(toError(status, b)), reject);
            return;
          }
          consume(res).then((value) => resolve({ status, headers: res.headers, value }), reject);
        },
      );
      req.on('error', reject);
      if (spec.stream) spec.stream.write(req).then(() => req.end(), (err: Error) => req.destroy(err));
      else req.end(spec.body);
    });
  }

  /** Sends and reads the whole reply body (small replies only). */
  call(spec: RequestSpec): Promise<Reply<Buffer>> {
    return this.send(spec, collect);
  }

  close(): void {
    this.agent.destroy();
  }
}

function toError(status: number, body: Buffer): S3Error {
  const text = body.toString('utf8');
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? 'Unknown';
  return new S3Error(status, code, text);
}

/** Fails when the connection closes before the end of the body. */
function readAll(res: IncomingMessage, onChunk: (c: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let ended = false;
    res.on('data', onChunk);
    res.on('end', () => {
      ended = true;
      resolve();
    });
    res.on('error', reject);
    res.on('close', () => {
      if (!ended) reject(new Error('response closed before its end'));
    });
  });
}

export async function collect(res: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await readAll(res, (c) => chunks.push(c));
  return Buffer.concat(chunks);
}

/** Reads and drops the body; resolves with its length. */
export async function drain(res: IncomingMessage): Promise<number> {
  let n = 0;
  await readAll(res, (c) => (n += c.length));
  return n;
}
