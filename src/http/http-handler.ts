/**
 * @module
 * The HTTP entry: liveness and readiness, the admin API, and everything else
 * to the S3 face (which owns the rest of the URL space, as S3 does).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.ts';
import type { BlobStore } from '../ports/blob-store.ts';
import type { MetaStore } from '../ports/meta-store.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export const ADMIN_PREFIX = '/_signet/admin/';

export interface HttpHandlerOptions {
  readonly s3: Handler;
  readonly admin: Handler;
  readonly meta: MetaStore;
  readonly blobs: BlobStore;
  readonly log: Logger;
}

export function createHttpHandler(opts: HttpHandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const handle = (): Promise<void> => {
      if (path === '/health' && isRead(req)) return json(res, 200, { status: 'ok' });
      if (path === '/ready' && isRead(req)) return ready(res, opts);
      if (path.startsWith(ADMIN_PREFIX)) return opts.admin(req, res);
      return opts.s3(req, res);
    };
    handle().catch((e: unknown) => {
      opts.log.error('unhandled', { err: e, path });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  };
}

function isRead(req: IncomingMessage): boolean {
  return req.method === 'GET' || req.method === 'HEAD';
}

async function ready(res: ServerResponse, opts: HttpHandlerOptions): Promise<void> {
  try {
    await Promise.all([opts.meta.ping(), opts.blobs.ping()]);
    await json(res, 200, { status: 'ready' });
  } catch (e) {
    opts.log.warn('not ready', { err: e });
    await json(res, 503, { status: 'unavailable', detail: e instanceof Error ? e.message : String(e) });
  }
}

async function json(res: ServerResponse, status: number, body: unknown): Promise<void> {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
