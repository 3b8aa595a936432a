/**
 * @module
 * The SageMaker-compatible face: AWS JSON 1.1 on `POST /` with
 * `X-Amz-Target: SageMaker.<Operation>`, signed with SigV4 for service
 * `sagemaker` (API tokens and Basic work too). It reads the body (1 MiB at
 * most), proves the caller, finds the operation and answers its output or
 * `{"__type", "message"}`; every answer carries `x-amzn-RequestId`.
 * The operations live in hubs.ts, hub-contents.ts, model-package-groups.ts,
 * model-packages.ts and tags.ts; docs/sagemaker-api.md lists them.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isSignetError } from '../../core/errors.ts';
import type { Identity } from '../../core/identity.ts';
import { requestId as newRequestId } from '../../core/ids.ts';
import type { Registry } from '../../core/registry/registry-api.ts';
import type { RegistryPrincipal } from '../../core/registry/registry-types.ts';
import { readSmallBody } from '../../core/small-body.ts';
import type { Logger } from '../../log.ts';
import { baseUrlOf } from '../base-url.ts';
import { authenticateRegistry } from '../registry-auth.ts';
import { Arns } from './arns.ts';
import { HUB_CONTENT_OPERATIONS } from './hub-contents.ts';
import { HUB_OPERATIONS } from './hubs.ts';
import { MODEL_PACKAGE_GROUP_OPERATIONS } from './model-package-groups.ts';
import { MODEL_PACKAGE_OPERATIONS } from './model-packages.ts';
import type { Operation, OperationContext, OperationTable } from './operation.ts';
import { Input } from './sagemaker-codec.ts';
import { TAG_OPERATIONS } from './tags.ts';
import { authError, coreError, faceError, INTERNAL, SageMakerError, wireBody, type WireError } from './sagemaker-errors.ts';

export interface SageMakerFaceOptions {
  readonly registry: Registry;
  readonly identity: Identity;
  readonly clock: () => Date;
  readonly log: Logger;
  readonly publicUrl: string | null;
}

const TARGET_PREFIX = 'SageMaker.';
const MAX_BODY = 1024 * 1024;
const CONTENT_TYPE = 'application/x-amz-json-1.1';

export const OPERATIONS: OperationTable = {
  ...HUB_OPERATIONS,
  ...HUB_CONTENT_OPERATIONS,
  ...MODEL_PACKAGE_GROUP_OPERATIONS,
  ...MODEL_PACKAGE_OPERATIONS,
  ...TAG_OPERATIONS,
};

export function createSageMakerFace(opts: SageMakerFaceOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const arns = new Arns(opts.registry.account);
  return async (req, res) => {
    const id = newRequestId();
    const target = String(req.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : target;
    let status: number;
    let closeAfter = false;
    try {
      const body = await readBody(req);
      const who = await authenticate(req, body, opts);
      const op = Object.hasOwn(OPERATIONS, name) ? OPERATIONS[name]! : null;
      if (!op) throw new SageMakerError('UnknownOperationException', `The operation "${name}" is not supported by this endpoint.`);
      const output = await run(op, { registry: opts.registry, who, arns, baseUrl: baseUrlOf(req, opts.publicUrl) }, body);
      status = reply(res, id, 200, output, false);
    } catch (e) {
      const wire = toWire(e, name, opts.log, id);
      // A body we stopped reading early would otherwise be taken for the next request.
      closeAfter = wire.type === 'RequestEntityTooLargeException' || !req.readableEnded;
      status = reply(res, id, wire.status, wireBody(wire), closeAfter);
    }
    opts.log.info('sagemaker', { id, op: name, status });
  };
}

class AuthFailure extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = req.headers['content-length'];
  const length = declared === undefined ? null : Number(declared);
  return readSmallBody({ stream: req, length: Number.isSafeInteger(length) ? length : null, expect: {} }, MAX_BODY);
}

async function authenticate(req: IncomingMessage, body: Buffer, opts: SageMakerFaceOptions): Promise<RegistryPrincipal> {
  if (!req.headers.authorization) {
    throw new AuthFailure({ status: 403, type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' });
  }
  const [rawPath, rawQuery = ''] = (req.url ?? '/').split('?', 2) as [string, string?];
  try {
    return await authenticateRegistry(
      { method: req.method ?? 'POST', rawPath, rawQuery, headers: req.headers, bodySha256: createHash('sha256').update(body).digest('hex') },
      { tokens: opts.registry.tokens, identity: opts.identity, clock: opts.clock },
      ['sagemaker'],
    );
  } catch (e) {
    if (isSignetError(e)) throw new AuthFailure(authError(e));
    throw e;
  }
}

/** The family is known from here on, so core errors map with it. */
async function run(op: Operation, ctx: OperationContext, body: Buffer): Promise<Record<string, unknown>> {
  try {
    return await op.run(ctx, Input.parse(body.toString('utf8')));
  } catch (e) {
    if (isSignetError(e)) throw SageMakerError.of(coreError(e, op.family));
    throw e;
  }
}

function toWire(e: unknown, op: string, log: Logger, id: string): WireError {
  if (e instanceof AuthFailure) return e.wire;
  if (e instanceof SageMakerError) return faceError(e);
  if (isSignetError(e)) return coreError(e, 'hub');
  log.error('sagemaker internal error', { id, op, err: e });
  return INTERNAL;
}

function reply(res: ServerResponse, id: string, status: number, body: unknown, close: boolean): number {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-RequestId': id,
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
  return status;
}
