/**
 * @module
 * The HTTP entry: liveness and readiness, the admin API, the registry's faces
 * (REST under /api/v1/, DVC Studio under /api/model-registry/, SageMaker's
 * JSON protocol on `POST /` with `X-Amz-Target: SageMaker.*`), and everything
 * else to the S3 face (which owns the rest of the URL space, as S3 does).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.ts';
import type { BlobStore } from '../ports/blob-store.ts';
import type { MetaStore } from '../ports/meta-store.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export const ADMIN_PREFIX = '/_signet/admin/';
export const REST_PREFIX = '/api/v1/';
export const DVC_PREFIX = '/api/model-registry/';

export interface Faces {
  readonly s3: Handler;
  readonly admin: Handler;
  readonly rest: Handler;
  readonly dvc: Handler;
  readonly sagemaker: Handler;
}

export interface HttpHandlerOptions {
  readonly faces: Faces;
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
      const { faces } = opts;
      if (path.startsWith(ADMIN_PREFIX)) return faces.admin(req, res);
      if (path.startsWith(REST_PREFIX)) return faces.rest(req, res);
      if (path.startsWith(DVC_PREFIX)) return faces.dvc(req, res);
      if (path === '/' && req.method === 'POST' && isSageMaker(req)) return faces.sagemaker(req, res);
      return faces.s3(req, res);
    };
    handle().catch((e: unknown) => {
      opts.log.error('unhandled', { err: e, path });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  };
}

function isSageMaker(req: IncomingMessage): boolean {
  const target = req.headers['x-amz-target'];
  return typeof target === 'string' && target.startsWith('SageMaker.');
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
