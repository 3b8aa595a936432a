/**
 * @module
 * REST: download grants (a version, a stage, the latest version, a hub
 * content version: one signed URL per file, with size, SHA-256 and expiry,
 * paginated), their refresh, and upload grants (Q Apps' CreatePresignedUrl).
 */
import { fail } from '../../../core/errors.ts';
import type { DownloadTarget } from '../../../core/registry/registry-api.ts';
import type { UploadScope } from '../../../core/registry/registry-types.ts';
import { grantJson, uploadJson } from '../rest-json.ts';
import { created, ok, type RestContext, type Route } from '../rest-router.ts';
import { contentType, defined, MAX_LIMIT, modelRef, selectorOf } from './common.ts';

async function download(c: RestContext, target: DownloadTarget) {
  const b = await c.body(['expiresIn', 'acceptEula', 'cursor', 'limit']);
  const request = defined({
    target,
    face: 'rest' as const,
    baseUrl: c.baseUrl,
    expiresIn: b.integer('expiresIn', 1),
    acceptEula: b.boolean('acceptEula'),
    cursor: b.string('cursor'),
    limit: b.integer('limit', 1, MAX_LIMIT),
  });
  return created(grantJson(await c.registry.grants.download(c.who, request), c.registry.account));
}

const downloadVersion = (c: RestContext) => download(c, { kind: 'model-version', model: modelRef(c), selector: selectorOf(c.params.version!) });

const downloadStage = (c: RestContext) => download(c, { kind: 'model-version', model: modelRef(c), selector: { stage: c.params.stage! } });

const downloadContent = (c: RestContext) =>
  download(c, { kind: 'hub-content', hubName: c.params.hub!, type: contentType(c), name: c.params.content!, version: c.params.contentVersion ?? null });

async function refresh(c: RestContext) {
  const b = await c.body(['expiresIn', 'cursor', 'limit']);
  const request = defined({ baseUrl: c.baseUrl, expiresIn: b.integer('expiresIn', 1), cursor: b.string('cursor'), limit: b.integer('limit', 1, MAX_LIMIT) });
  return ok(grantJson(await c.registry.grants.refresh(c.who, c.params.grantId!, request), c.registry.account));
}

/** Q Apps names `fileContentsSha256`; `sha256` is accepted too (one of them). */
async function upload(c: RestContext) {
  const b = await c.body(['fileName', 'fileContentsSha256', 'sha256', 'scope', 'sessionId', 'size']);
  const sha256 = b.string('fileContentsSha256') ?? b.string('sha256');
  if (sha256 === undefined || (b.has('fileContentsSha256') && b.has('sha256'))) fail('InvalidArgument', 'give exactly one of "fileContentsSha256" and "sha256"');
  const scope = b.oneOf('scope', ['APPLICATION', 'SESSION'] as const) ?? fail('InvalidArgument', '"scope" is required');
  const request = defined({
    fileName: b.requiredString('fileName'),
    sha256,
    scope: scope as UploadScope,
    sessionId: b.string('sessionId'),
    size: b.integer('size', 0),
    baseUrl: c.baseUrl,
    face: 'rest',
  });
  return created(uploadJson(await c.registry.grants.upload(c.who, request)));
}

const M = '/models/{namespace}/{name}';
const HC = '/hubs/{hub}/contents/{type}/{content}';

export const GRANT_ROUTES: readonly Route[] = [
  { method: 'POST', path: `${M}/versions/{version}/download`, handler: downloadVersion },
  { method: 'POST', path: `${M}/stages/{stage}/download`, handler: downloadStage },
  { method: 'POST', path: `${HC}/download`, handler: downloadContent },
  { method: 'POST', path: `${HC}/versions/{contentVersion}/download`, handler: downloadContent },
  { method: 'POST', path: '/grants/{grantId}/refresh', handler: refresh },
  { method: 'POST', path: '/uploads', handler: upload },
];
