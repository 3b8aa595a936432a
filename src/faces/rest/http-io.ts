/**
 * @module
 * Request and response plumbing shared by the REST and DVC faces: a capped
 * body read, JSON answers, and dropping an unread body after an early answer.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fail } from '../../core/errors.ts';
import { readSmallBody } from '../../core/small-body.ts';

/** JSON bodies above this are refused with 413. */
export const MAX_JSON_BODY = 1024 * 1024;

/** The request URL's raw (still percent-encoded) path and query. */
export function splitUrl(url: string | undefined): { rawPath: string; rawQuery: string } {
  const u = url ?? '/';
  const q = u.indexOf('?');
  return q < 0 ? { rawPath: u, rawQuery: '' } : { rawPath: u.slice(0, q), rawQuery: u.slice(q + 1) };
}

/** The body, read once and kept (SigV4 needs its hash before a handler parses it). */
export class BufferedBody {
  readonly #req: IncomingMessage;
  #buf: Promise<Buffer> | null = null;

  constructor(req: IncomingMessage) {
    this.#req = req;
  }

  read(): Promise<Buffer> {
    this.#buf ??= this.#load();
    return this.#buf;
  }

  async sha256(): Promise<string> {
    return createHash('sha256').update(await this.read()).digest('hex');
  }

  #load(): Promise<Buffer> {
    const declared = this.#req.headers['content-length'];
    const length = declared === undefined ? null : Number(declared);
    if (length !== null && !Number.isSafeInteger(length)) fail('InvalidArgument', 'invalid Content-Length');
    return readSmallBody({ stream: this.#req, length, expect: {} }, MAX_JSON_BODY);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Readonly<Record<string, string>> = {}, type = 'application/json'): void {
  if (body === undefined) {
    res.writeHead(status, { 'cache-control': 'no-store', ...headers }).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers }).end(text);
}

export { drainUnread } from '../../http/drain-unread.ts';
