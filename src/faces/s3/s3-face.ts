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
import type { Principal } from '../../core/types.ts';
import { accessRequests, signedHow, type SignedHow } from './access.ts';
import { ANONYMOUS, authenticate, decodeBody, type DecodeBodyOptions } from './auth/auth-gate.ts';
import { parsePostUpload } from './auth/post-policy.ts';
import { S3_HANDLERS } from './handler-table.ts';
import { actualRequestCorsHeaders } from './handlers/bucket-config-handlers.ts';
import { resolveAddress, routeS3, type S3Operation } from './router.ts';
import type { S3Request, S3Response, S3Services } from './s3-context.ts';
import { s3ErrorHeaders, s3ErrorXml, s3Status } from './s3-errors.ts';
import { drainUnread } from '../../http/drain-unread.ts';

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
      if (op.name === 'NotImplemented') {
        // No policy can grant what Signet does not serve: an anonymous caller is refused first.
        if (request.principal.anonymous) fail('AccessDenied', 'Access Denied');
        fail('NotImplemented', `${op.awsName} is not implemented by Signet`);
      }
      const handler = S3_HANDLERS[op.name] as (r: S3Request, o: S3Operation) => Promise<S3Response>;
      const response = await handler(request, op);
      await applyCors(req, res, op, opts.services);
      await send(req, res, response, requestId);
    } catch (e) {
      await applyCors(req, res, op, opts.services);
      await sendError(req, res, e, rawPath, requestId, opts.log);
    } finally {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      opts.log.info('s3', { id: requestId, method: req.method, path: rawPath, op: op?.name === 'NotImplemented' ? op.awsName : op?.name, status: res.statusCode, ms: Math.round(ms * 10) / 10, principal, grant: grantOf(rawQuery) });
    }
  };
}

/** The registry grant a presigned URL was minted for (signed into its query), so each download ties back to it. */
function grantOf(rawQuery: string): string | undefined {
  const at = rawQuery.indexOf('x-signet-grant=');
  if (at < 0 || (at > 0 && rawQuery[at - 1] !== '&')) return undefined;
  const end = rawQuery.indexOf('&', at);
  const raw = rawQuery.slice(at + 15, end < 0 ? undefined : end);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
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
  if (op.name === 'PreflightRequest') {
    // Browsers send preflights without credentials but with the URL's query, a presigned URL's signature included: nothing to verify.
    return { ...base, principal: ANONYMOUS, body: () => fail('InvalidRequest', 'A preflight has no body') };
  }
  if (op.name === 'PostObject') {
    const form = await parsePostUpload(req, header('content-type') ?? '', c.lookup, c.opts.clock(), op.bucket);
    const signed = { authType: 'POST', signatureVersion: form.fields['x-amz-algorithm'] ? 'AWS4-HMAC-SHA256' : 'AWS' } as const;
    const principal = withAccess(form.principal, { op, req, c, header, signed, postKey: form.key });
    return { ...base, principal, postForm: form, body: () => fail('InvalidRequest', 'POST uploads carry the body in the form') };
  }
  const auth = await authenticate(
    { method: req.method ?? 'GET', rawPath: c.rawPath, rawQuery: c.rawQuery, headers: req.headers },
    { lookup: c.lookup, now: c.opts.clock(), services: ['s3'], bucketFromHost: c.address.bucketFromHost ?? undefined, allowAnonymous: true },
  );
  let taken = false;
  const body = (options?: DecodeBodyOptions) => {
    if (taken) throw new Error('request body read twice');
    taken = true;
    return decodeBody(req, auth.payload, auth.method === 'sigv4-query' ? withQueryChecksums(req.headers, c.query) : req.headers, options);
  };
  return { ...base, principal: withAccess(auth.principal, { op, req, c, header, signed: signedHow(auth.method) }), body };
}

/** The principal, told what this request does to buckets: their policies decide with it (`Buckets.require`). */
function withAccess(
  principal: Principal,
  a: { op: S3Operation; req: IncomingMessage; c: AuthorizeContext; header: (name: string) => string | undefined; signed: SignedHow; postKey?: string },
): Principal {
  const access = accessRequests({
    op: a.op,
    principal,
    signed: a.signed,
    query: a.c.query,
    header: a.header,
    sourceIp: a.req.socket.remoteAddress,
    secure: (a.req.socket as { encrypted?: boolean }).encrypted === true,
    now: a.c.opts.clock(),
    postKey: a.postKey,
  });
  return { ...principal, access };
}

/** A browser's actual request (it sent Origin) gets the bucket's Access-Control-* answer, on success and error alike. */
async function applyCors(req: IncomingMessage, res: ServerResponse, op: S3Operation | null, services: S3Services): Promise<void> {
  if (req.headers.origin === undefined || res.headersSent) return;
  const headers = await actualRequestCorsHeaders(services.buckets, op, req.method ?? 'GET', req.headers.origin);
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
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
