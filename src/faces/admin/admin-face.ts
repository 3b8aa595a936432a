/**
 * @module
 * The admin API (JSON over HTTP, root only, SigV4-signed like S3 requests):
 *
 *   GET    /_signet/admin/v1/users                  list users
 *   POST   /_signet/admin/v1/users                  {"name"} add a user
 *   DELETE /_signet/admin/v1/users/{name}           remove a user and its keys
 *   GET    /_signet/admin/v1/users/{name}/keys      list a user's access keys
 *   POST   /_signet/admin/v1/users/{name}/keys      {"accessKeyId"?, "secretKey"?} add a key (the answer holds the secret)
 *   DELETE /_signet/admin/v1/keys/{accessKeyId}     remove a key
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fail, isSignetError, SignetError } from '../../core/errors.ts';
import type { Identity } from '../../core/identity.ts';
import { requestId as newRequestId } from '../../core/ids.ts';
import { readSmallBody } from '../../core/small-body.ts';
import type { AccessKey, Principal, User } from '../../core/types.ts';
import type { Logger } from '../../log.ts';
import { authenticate, decodeBody } from '../s3/auth/auth-gate.ts';
import { problem } from './admin-errors.ts';

export interface AdminFaceOptions {
  readonly identity: Identity;
  readonly clock: () => Date;
  readonly log: Logger;
}

const BASE = '/_signet/admin/v1/';

export function createAdminFace(opts: AdminFaceOptions) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const id = newRequestId();
    const [rawPath, rawQuery = ''] = (req.url ?? '/').split('?', 2) as [string, string?];
    try {
      const auth = await authenticate(
        { method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headers },
        { lookup: (k) => opts.identity.lookup(k), now: opts.clock(), services: ['s3'] },
      );
      if (!auth.principal.isRoot) fail('AccessDenied', 'the admin API is for the root user');
      const readJson = async (): Promise<Record<string, unknown>> => {
        const buf = await readSmallBody(decodeBody(req, auth.payload, req.headers), 64 * 1024);
        try {
          const value: unknown = buf.length === 0 ? {} : JSON.parse(buf.toString('utf8'));
          if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
          return value as Record<string, unknown>;
        } catch {
          fail('InvalidArgument', 'the body must be a JSON object');
        }
      };
      const { status, body } = await route(opts.identity, req.method ?? 'GET', rawPath, auth.principal, readJson);
      reply(res, status, body, 'application/json');
    } catch (e) {
      if (!isSignetError(e)) opts.log.error('admin internal error', { id, err: e });
      const err = isSignetError(e) ? e : new SignetError('InternalError', 'internal error');
      const p = problem(err, rawPath);
      reply(res, p.status, p.body, 'application/problem+json');
    }
    opts.log.info('admin', { id, method: req.method, path: rawPath, status: res.statusCode });
  };
}

type Answer = { status: number; body: unknown };

async function route(identity: Identity, method: string, rawPath: string, _who: Principal, readJson: () => Promise<Record<string, unknown>>): Promise<Answer> {
  if (!rawPath.startsWith(BASE)) fail('InvalidArgument', 'unknown admin path');
  const parts = rawPath.slice(BASE.length).split('/').map(decodeURIComponent);
  const [first, name, sub] = parts;
  if (first === 'users' && parts.length === 1) {
    if (method === 'GET') return ok({ users: (await identity.listUsers()).map(userJson) });
    if (method === 'POST') return { status: 201, body: userJson(await identity.addUser(stringField(await readJson(), 'name', true)!)) };
  }
  if (first === 'users' && name !== undefined && parts.length === 2 && method === 'DELETE') {
    await identity.removeUser(name);
    return { status: 204, body: null };
  }
  if (first === 'users' && name !== undefined && sub === 'keys' && parts.length === 3) {
    if (method === 'GET') return ok({ keys: (await identity.listKeys(name)).map((k) => keyJson(k, false)) });
    if (method === 'POST') {
      const body = await readJson();
      const key = await identity.addKey(name, { accessKeyId: stringField(body, 'accessKeyId', false), secretKey: stringField(body, 'secretKey', false) });
      return { status: 201, body: keyJson(key, true) };
    }
  }
  if (first === 'keys' && name !== undefined && parts.length === 2 && method === 'DELETE') {
    await identity.removeKey(name);
    return { status: 204, body: null };
  }
  fail('MethodNotAllowed', `${method} ${rawPath} is not an admin operation`);
}

function ok(body: unknown): Answer {
  return { status: 200, body };
}

function stringField(body: Record<string, unknown>, name: string, required: boolean): string | undefined {
  const v = body[name];
  if (v === undefined && !required) return undefined;
  if (typeof v !== 'string') fail('InvalidArgument', `"${name}" must be a string`);
  return v;
}

function userJson(u: User) {
  return { id: u.id, name: u.name, root: u.isRoot, createdAt: u.createdAt.toISOString() };
}

function keyJson(k: AccessKey, withSecret: boolean) {
  return { accessKeyId: k.accessKeyId, ...(withSecret ? { secretKey: k.secretKey } : {}), createdAt: k.createdAt.toISOString() };
}

function reply(res: ServerResponse, status: number, body: unknown, type: string): void {
  if (body === null) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text) }).end(text);
}
