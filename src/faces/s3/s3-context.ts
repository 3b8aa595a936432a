/**
 * @module
 * What an S3 handler receives and returns. Handlers translate: read the
 * request, call the core, shape the answer. No business rule lives here.
 */
import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Body } from '../../core/body.ts';
import type { Buckets } from '../../core/buckets.ts';
import { fail } from '../../core/errors.ts';
import type { Multipart } from '../../core/multipart.ts';
import type { Notifications } from '../../core/notifications.ts';
import type { Objects } from '../../core/objects.ts';
import type { Sse } from '../../core/sse.ts';
import type { Versioning } from '../../core/versioning.ts';
import type { Principal } from '../../core/types.ts';
import type { MetaStore } from '../../ports/meta-store.ts';
import type { DecodeBodyOptions } from './auth/auth-gate.ts';
import type { PostUpload } from './auth/post-policy.ts';
import type { S3Operation } from './router.ts';

export interface S3Services {
  readonly meta: MetaStore;
  readonly buckets: Buckets;
  readonly objects: Objects;
  readonly multipart: Multipart;
  readonly versioning: Versioning;
  readonly sse: Sse;
  /** Bucket notification configurations and listening to a bucket's events. */
  readonly notifications: Notifications;
  readonly region: string;
}

export interface S3Request {
  readonly services: S3Services;
  readonly principal: Principal;
  readonly req: IncomingMessage;
  readonly query: URLSearchParams;
  readonly requestId: string;
  /** For PostObject: the verified form (its policy signature authenticated the request). */
  readonly postForm?: PostUpload;
  /** The decoded body (aws-chunked removed, declared digests attached). Call once. */
  body(options?: DecodeBodyOptions): Body;
  header(name: string): string | undefined;
}

export interface S3Response {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string | number>>;
  readonly body?: string | Buffer | Readable;
}

export type S3Handler<O extends S3Operation = S3Operation> = (request: S3Request, op: O) => Promise<S3Response>;

export type S3HandlerTable = {
  readonly [N in Exclude<S3Operation['name'], 'NotImplemented'>]: S3Handler<Extract<S3Operation, { name: N }>>;
};

export function xmlResponse(body: string, status = 200, headers: Record<string, string | number> = {}): S3Response {
  return { status, headers: { 'content-type': 'application/xml', ...headers }, body };
}

export function emptyResponse(status = 200, headers: Record<string, string | number> = {}): S3Response {
  return { status, headers };
}

/** Integer query parameter within bounds; InvalidArgument otherwise. */
export function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) {
    fail('InvalidArgument', `Provided ${name} not an integer or within integer range`, { ArgumentName: name, ArgumentValue: raw });
  }
  return Math.min(n, max);
}

/** `encoding-type`: only `url` exists. */
export function encodingParam(query: URLSearchParams): ((s: string) => string) | null {
  const value = query.get('encoding-type');
  if (value === null || value === '') return null;
  if (value.toLowerCase() !== 'url') fail('InvalidArgument', 'Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: value });
  return (s) => encodeURIComponent(s).replace(/%2F/g, '/');
}
