/**
 * @module
 * The S3 face: one function from an HTTP request to an HTTP response.
 * Order: address (path or virtual host) → the central auth gate (or the POST
 * policy form, which carries its own signature) → route to one AWS
 * operation → handler → response. Every error, from any step, leaves through
 * {@link sendError} in S3's XML shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fail, isSignetError, SignetError } from '../../core/errors.ts';
import { requestId as newRequestId } from '../../core/ids.ts';
import type { Identity } from '../../core/identity.ts';
import type { Logger } from '../../log.ts';
import { authenticate, decodeBody, type DecodeBodyOptions } from './auth/auth-gate.ts';
import { parsePostUpload } from './auth/post-policy.ts';
import { S3_HANDLERS } from './handler-table.ts';
import { resolveAddress, routeS3, type S3Operation } from './router.ts';
import type { S3Request, S3Response, S3Services } from './s3-context.ts';
import { s3ErrorHeaders, s3ErrorXml, s3Status } from './s3-errors.ts';

export interface S3FaceOptions {
  readonly services: S3Services;
  readonly identity: Identity;
  readonly domains: readonly string[];
  readonly clock: () => Date;
  readonly log: Logger;
}

export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createS3Face(opts: S3FaceOptions): HttpHandler {
  const lookup = (accessKeyId: string) => opts.identity.lookup(accessKeyId);
  return async (req, res) => {
    const started = process.hrtime.bigint();
    const requestId = newRequestId();
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const rawPath = q < 0 ? url : url.slice(0, q);
    const rawQuery = q < 0 ? '' : url.slice(q + 1);
    let op: S3Operation | null = null;
    let principal: string | undefined;
    try {
      const address = resolveAddress(req.headers.host, rawPath, opts.domains);
      const query = new URLSearchParams(rawQuery);
      op = routeS3(req.method ?? 'GET', address, query, req.headers);
      const request = await authorize(req, op, { rawPath, rawQuery, query, requestId, lookup, address, opts });
      principal = request.principal.userName;
      if (op.name === 'NotImplemented') fail('NotImplemented', `${op.awsName} is not implemented by Signet`);
      const handler = S3_HANDLERS[op.name] as (r: S3Request, o: S3Operation) => Promise<S3Response>;
      await send(req, res, await handler(request, op), requestId);
    } catch (e) {
      await sendError(req, res, e, rawPath, requestId, opts.log);
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      opts.log.info('s3', { id: requestId, method: req.method, path: rawPath, op: op?.name === 'NotImplemented' ? op.awsName : op?.name, status: res.statusCode, ms: Math.round(ms * 10) / 10, principal });
    }
  };
}

interface AuthorizeContext {
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly query: URLSearchParams;
  readonly requestId: string;
  readonly lookup: (id: string) => ReturnType<Identity['lookup']>;
  readonly address: { readonly bucket: string | null; readonly bucketFromHost: string | null };
  readonly opts: S3FaceOptions;
}

/** The one gate: every request is authenticated here, by headers/query or by its POST form. */
async function authorize(req: IncomingMessage, op: S3Operation, c: AuthorizeContext): Promise<S3Request> {
  const header = (name: string): string | undefined => {
    const v = req.headers[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const base = { services: c.opts.services, req, query: c.query, requestId: c.requestId, header };
  if (op.name === 'PostObject') {
    const form = await parsePostUpload(req, header('content-type') ?? '', c.lookup, c.opts.clock(), op.bucket);
    return { ...base, principal: form.principal, postForm: form, body: () => fail('InvalidRequest', 'POST uploads carry the body in the form') };
  }
  const auth = await authenticate(
    { method: req.method ?? 'GET', rawPath: c.rawPath, rawQuery: c.rawQuery, headers: req.headers },
    { lookup: c.lookup, now: c.opts.clock(), services: ['s3'], bucketFromHost: c.address.bucketFromHost ?? undefined },
  );
  let taken = false;
  const body = (options?: DecodeBodyOptions) => {
    if (taken) throw new Error('request body read twice');
    taken = true;
    return decodeBody(req, auth.payload, auth.method === 'sigv4-query' ? withQueryChecksums(req.headers, c.query) : req.headers, options);
  };
  return { ...base, principal: auth.principal, body };
}

/**
 * A presigned URL carries x-amz-checksum-* (and the SDK's algorithm hint) in
 * its signed query; S3 holds the body to them as it does to headers.
 */
function withQueryChecksums(headers: IncomingMessage['headers'], query: URLSearchParams): IncomingMessage['headers'] {
  const extra: Record<string, string> = {};
  for (const [name, value] of query) {
    const lower = name.toLowerCase();
    if ((lower.startsWith('x-amz-checksum-') || lower === 'x-amz-sdk-checksum-algorithm') && headers[lower] === undefined) extra[lower] = value;
  }
  return Object.keys(extra).length === 0 ? headers : { ...headers, ...extra };
}

async function send(req: IncomingMessage, res: ServerResponse, response: S3Response, requestId: string): Promise<void> {
  res.statusCode = response.status;
  res.setHeader('x-amz-request-id', requestId);
  res.setHeader('x-amz-id-2', requestId);
  res.setHeader('server', 'Signet');
  for (const [name, value] of Object.entries(response.headers ?? {})) setHeaderSafe(res, name, value);
  const body = response.body;
  if (body instanceof Readable) {
    if (req.method === 'HEAD') {
      body.destroy();
      res.end();
      return;
    }
    // Headers are out: a failure mid-stream can only cut the connection.
    await pipeline(body, res).catch(() => res.destroy());
    return;
  }
  if (body !== undefined && !res.hasHeader('content-length')) res.setHeader('content-length', Buffer.byteLength(body));
  if (body === undefined && !res.hasHeader('content-length') && response.status !== 204 && response.status !== 304) res.setHeader('content-length', 0);
  res.end(req.method === 'HEAD' ? undefined : body);
  drainUnread(req);
}

/** Header values must be Latin-1 without controls; anything else is sent percent-encoded (as S3 does for metadata). */
function setHeaderSafe(res: ServerResponse, name: string, value: string | number): void {
  const safe = typeof value === 'number' || /^[\u0020-\u007e\u0080-\u00ff\t]*$/.test(value) ? value : encodeURIComponent(value);
  res.setHeader(name, safe);
}

/**
 * An answer sent before the body was read (an error, usually): read and drop
 * the rest so the client can read the answer and reuse the connection; a
 * body over 8 MiB is not worth it, and the connection is cut instead.
 */
function drainUnread(req: IncomingMessage): void {
  if (req.readableEnded || req.complete) return;
  let drained = 0;
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > 8 * 1024 * 1024) req.destroy();
  });
  req.on('error', () => {});
  // A consumer that gave up (a POST form parser after a size error) may still hold it paused through a pipe.
  req.unpipe();
  req.resume();
}

async function sendError(req: IncomingMessage, res: ServerResponse, e: unknown, resource: string, requestId: string, log: Logger): Promise<void> {
  const error = isSignetError(e) ? e : new SignetError('InternalError', 'We encountered an internal error. Please try again.');
  if (!isSignetError(e)) log.error('internal error', { id: requestId, err: e });
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = s3Status(error.code);
  const headers: Record<string, string> = { ...s3ErrorHeaders(error) };
  if (status === 304) {
    await send(req, res, { status, headers }, requestId);
    return;
  }
  await send(req, res, { status, headers: { ...headers, 'content-type': 'application/xml' }, body: s3ErrorXml(error, resource, requestId) }, requestId);
}
