/**
 * @module
 * The REST face (`/api/v1/`, JSON): route → authenticate (API token, HTTP
 * Basic with an access key, or SigV4 over the buffered body) → handler →
 * JSON answer. Every error leaves as problem+json through `rest-errors.ts`.
 * `GET /api/v1/openapi.json` describes it all and needs no credentials.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fail, isSignetError, SignetError } from '../../core/errors.ts';
import type { Identity } from '../../core/identity.ts';
import { requestId as newRequestId } from '../../core/ids.ts';
import type { Registry } from '../../core/registry/registry-api.ts';
import type { RegistryPrincipal } from '../../core/registry/registry-types.ts';
import type { Logger } from '../../log.ts';
import { baseUrlOf } from '../base-url.ts';
import { authenticateRegistry } from '../registry-auth.ts';
import { BufferedBody, drainUnread, sendJson, splitUrl } from './http-io.ts';
import { Members, parseJsonObject, QueryParams } from './json-input.ts';
import { openApiDocument } from './openapi.ts';
import { problemOf } from './rest-errors.ts';
import { matchRoute, pathSegments, type RestContext, type RouteMatch } from './rest-router.ts';
import { REST_ROUTES } from './rest-routes.ts';

export interface RegistryFaceOptions {
  readonly registry: Registry;
  readonly identity: Identity;
  readonly clock: () => Date;
  readonly log: Logger;
  readonly publicUrl: string | null;
}

export const REST_BASE = '/api/v1';

/** Services a SigV4 signature may name for the REST API. */
const SIGV4_SERVICES = ['s3', 'signet'];

export function createRestFace(opts: RegistryFaceOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const openapi = JSON.stringify(openApiDocument());
  return async (req, res) => {
    const started = process.hrtime.bigint();
    const id = newRequestId();
    const { rawPath, rawQuery } = splitUrl(req.url);
    const method = req.method ?? 'GET';
    let who: RegistryPrincipal | null = null;
    try {
      const subPath = rawPath.slice(REST_BASE.length);
      if (subPath === '/openapi.json') return sendOpenApi(res, method, openapi);
      const match = matchRoute(REST_ROUTES, method, pathSegments(subPath), rawPath);
      const body = new BufferedBody(req);
      who = await authenticate(req, body, { method, rawPath, rawQuery }, opts);
      const answer = await match.route.handler(contextOf(match, who, body, req, rawQuery, opts));
      sendJson(res, answer.status, answer.body, { 'x-request-id': id });
    } catch (e) {
      sendProblem(res, e, rawPath, id, opts.log);
    } finally {
      drainUnread(req);
      const ms = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      opts.log.info('rest', { id, method, path: rawPath, status: res.statusCode, ms, principal: who?.userName, token: who?.tokenId ?? undefined });
    }
  };
}

/** The OpenAPI document: public, so clients and tools can read it before they hold credentials. */
function sendOpenApi(res: ServerResponse, method: string, text: string): void {
  if (method !== 'GET' && method !== 'HEAD') fail('MethodNotAllowed', `${method} is not allowed on the OpenAPI document`, { Allow: 'GET, HEAD' });
  const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache' };
  res.writeHead(200, headers).end(method === 'HEAD' ? undefined : text);
}

async function authenticate(req: IncomingMessage, body: BufferedBody, url: { method: string; rawPath: string; rawQuery: string }, opts: RegistryFaceOptions) {
  // Only a SigV4 signature covers the body: read it first then (capped), and never otherwise before the caller is known.
  const sigv4 = /^aws4-hmac-sha256\s/i.test(req.headers.authorization ?? '');
  const bodySha256 = sigv4 ? await body.sha256() : undefined;
  return authenticateRegistry({ ...url, headers: req.headers, ...(bodySha256 === undefined ? {} : { bodySha256 }) }, { tokens: opts.registry.tokens, identity: opts.identity, clock: opts.clock }, SIGV4_SERVICES);
}

function contextOf(match: RouteMatch, who: RegistryPrincipal, body: BufferedBody, req: IncomingMessage, rawQuery: string, opts: RegistryFaceOptions): RestContext {
  const search = new URLSearchParams(rawQuery);
  return {
    registry: opts.registry,
    who,
    params: match.params,
    query: (allowed) => new QueryParams(search, allowed),
    body: async (allowed) => {
      // Calls with a body take no query parameters.
      new QueryParams(search, []);
      return new Members(parseJsonObject(await body.read()), allowed);
    },
    baseUrl: baseUrlOf(req, opts.publicUrl),
    clock: opts.clock,
  };
}

function sendProblem(res: ServerResponse, e: unknown, instance: string, id: string, log: Logger): void {
  if (!isSignetError(e)) log.error('rest internal error', { id, err: e });
  const error = isSignetError(e) ? e : new SignetError('InternalError', 'internal error');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const p = problemOf(error, instance, id);
  // An unread body over the cap is not drained: the connection closes after the answer.
  const headers: Record<string, string> = { ...p.headers, 'x-request-id': id };
  if (p.status === 413) headers.connection = 'close';
  sendJson(res, p.status, p.body, headers, 'application/problem+json');
}
