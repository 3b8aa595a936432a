/**
 * @module
 * REST: versions of a model. Register from S3 (`source` prefix or object, or
 * an explicit `files` list), publish (declare → upload grants → finalize),
 * get by number / label / `latest`, list, patch, delete, list files.
 */
import { fail } from '../../../core/errors.ts';
import type { FileSource, RegisterVersionInput, VersionFields } from '../../../core/registry/registry-api.ts';
import { parseS3Uri } from '../../../core/registry/s3-uri.ts';
import { APPROVAL_STATUSES, PACKAGE_STATUSES } from '../../../core/registry/registry-types.ts';
import type { Members } from '../json-input.ts';
import { fileJson, pageJson, uploadJson, versionJson } from '../rest-json.ts';
import { created, NO_CONTENT, ok, type RestContext, type Route } from '../rest-router.ts';
import { defined, modelRef, PAGE, pageOf, selectorOf, versionNumber } from './common.ts';

const FIELDS = ['label', 'description', 'metadata', 'approval'] as const;

function fieldsOf(b: Members): VersionFields {
  return defined({
    label: b.nullableString('label'),
    description: b.string('description'),
    metadata: b.stringMap('metadata'),
    approval: b.oneOf('approval', APPROVAL_STATUSES),
  });
}

/** One object named by `s3://bucket/key` (not a prefix). */
function s3Object(uri: string, member: string): { bucket: string; key: string } {
  const parsed = parseS3Uri(uri);
  if (parsed.kind !== 's3-object') fail('InvalidArgument', `"${member}" must name one object (s3://bucket/key), not a prefix`);
  return { bucket: parsed.bucket, key: parsed.key };
}

/** `source` ending in `/` (or naming a bucket) is a prefix, otherwise one object; or an explicit `files` list. */
function sourceOf(b: Members): FileSource {
  const source = b.string('source');
  const files = b.objects('files', ['path', 's3Uri', 'versionId']);
  if ((source === undefined) === (files === undefined)) fail('InvalidArgument', 'give exactly one of "source" and "files"');
  if (files !== undefined) {
    return { kind: 'files', files: files.map((f, i) => defined({ path: f.requiredString('path'), ...s3Object(f.requiredString('s3Uri'), `files[${i}].s3Uri`), versionId: f.string('versionId') })) };
  }
  const parsed = parseS3Uri(source!);
  const path = b.string('path');
  const versionId = b.string('versionId');
  if (parsed.kind === 's3-object') return defined({ ...parsed, versionId, path });
  if (path !== undefined || versionId !== undefined) fail('InvalidArgument', '"path" and "versionId" apply to a single-object "source" only');
  return parsed;
}

function stageOf(b: Members): RegisterVersionInput['stage'] {
  const s = b.object('stage', ['stage', 'expect', 'status', 'description']);
  if (s === undefined) return undefined;
  return defined({ stage: s.requiredString('stage'), expect: s.nullableInteger('expect', 1), status: s.nullableString('status'), description: s.nullableString('description') });
}

async function registerVersion(c: RestContext) {
  const b = await c.body(['source', 'files', 'path', 'versionId', ...FIELDS, 'stage', 'document', 'clientToken']);
  const document = b.has('document') ? JSON.stringify(b.raw('document')) : undefined;
  const input: RegisterVersionInput = defined({ ...fieldsOf(b), source: sourceOf(b), sourceUri: b.string('source'), stage: stageOf(b), document, clientToken: b.string('clientToken') });
  const { version, replayed } = await c.registry.models.registerVersion(c.who, modelRef(c), input);
  // A repeat of an earlier call (same clientToken) answers what that call made, as 200.
  return replayed ? ok(versionJson(version)) : created(versionJson(version));
}

async function declareVersion(c: RestContext) {
  const b = await c.body(['files', ...FIELDS]);
  const files = b.objects('files', ['path', 'size', 'sha256']);
  if (files === undefined) fail('InvalidArgument', '"files" is required');
  const declared = files.map((f) => ({ path: f.requiredString('path'), size: f.requiredInteger('size', 0), sha256: f.requiredString('sha256') }));
  const answer = await c.registry.models.declareVersion(c.who, modelRef(c), { ...fieldsOf(b), files: declared, baseUrl: c.baseUrl, face: 'rest' });
  return created({ version: versionJson(answer.version), uploads: answer.uploads.map((u) => ({ path: u.path, ...uploadJson(u) })) });
}

async function finalizeVersion(c: RestContext) {
  await c.body([]);
  return ok(versionJson(await c.registry.models.finalizeVersion(c.who, modelRef(c), await versionNumber(c))));
}

async function getVersion(c: RestContext) {
  c.query([]);
  return ok(versionJson(await c.registry.models.getVersion(c.who, modelRef(c), selectorOf(c.params.version!))));
}

async function listVersions(c: RestContext) {
  const page = pageOf(c.query(PAGE));
  return ok(pageJson(await c.registry.models.listVersions(c.who, modelRef(c), page), versionJson));
}

async function updateVersion(c: RestContext) {
  const b = await c.body([...FIELDS, 'status']);
  const update = defined({ ...fieldsOf(b), status: b.oneOf('status', PACKAGE_STATUSES) });
  return ok(versionJson(await c.registry.models.updateVersion(c.who, modelRef(c), await versionNumber(c), update)));
}

async function deleteVersion(c: RestContext) {
  c.query([]);
  await c.registry.models.deleteVersion(c.who, modelRef(c), await versionNumber(c));
  return NO_CONTENT;
}

async function listFiles(c: RestContext) {
  const page = pageOf(c.query(PAGE));
  return ok(pageJson(await c.registry.models.listFiles(c.who, modelRef(c), await versionNumber(c), page), fileJson));
}

const V = '/models/{namespace}/{name}/versions';

export const VERSION_ROUTES: readonly Route[] = [
  { method: 'POST', path: V, handler: registerVersion },
  { method: 'GET', path: V, handler: listVersions },
  { method: 'GET', path: `${V}/{version}`, handler: getVersion },
  { method: 'PATCH', path: `${V}/{version}`, handler: updateVersion },
  { method: 'DELETE', path: `${V}/{version}`, handler: deleteVersion },
  { method: 'GET', path: `${V}/{version}/files`, handler: listFiles },
  { method: 'POST', path: `${V}/{version}/finalize`, handler: finalizeVersion },
  { method: 'POST', path: '/models/{namespace}/{name}/publish', handler: declareVersion },
];
