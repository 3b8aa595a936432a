/**
 * @module
 * REST: hubs, hub contents (import with a document, versions, patch, delete)
 * and references from one hub to Model content in another.
 */
import { fail } from '../../../core/errors.ts';
import { HUB_CONTENT_TYPES, type HubContentType } from '../../../core/registry/registry-types.ts';
import type { Members, QueryParams } from '../json-input.ts';
import { contentJson, hubJson, pageJson } from '../rest-json.ts';
import { created, NO_CONTENT, ok, type RestContext, type Route } from '../rest-router.ts';
import { contentType, defined, PAGE, pageOf } from './common.ts';

const ORDER = ['Ascending', 'Descending'] as const;

function listFilters(q: QueryParams) {
  return { ...pageOf(q), nameContains: q.string('nameContains'), createdAfter: q.date('createdAfter'), createdBefore: q.date('createdBefore'), order: q.oneOf('order', ORDER) };
}

const LIST_PARAMS = ['nameContains', 'createdAfter', 'createdBefore', 'sortBy', 'order', ...PAGE];

async function createHub(c: RestContext) {
  const b = await c.body(['name', 'displayName', 'description', 'searchKeywords']);
  const input = defined({ name: b.requiredString('name'), displayName: b.string('displayName'), description: b.string('description'), searchKeywords: b.stringArray('searchKeywords') });
  return created(hubJson(await c.registry.hubs.createHub(c.who, input)));
}

async function listHubs(c: RestContext) {
  const q = c.query(LIST_PARAMS);
  const query = defined({ ...listFilters(q), sortBy: q.oneOf('sortBy', ['HubName', 'CreationTime'] as const) });
  return ok(pageJson(await c.registry.hubs.listHubs(c.who, query), hubJson));
}

async function getHub(c: RestContext) {
  c.query([]);
  return ok(hubJson(await c.registry.hubs.getHub(c.who, c.params.hub!)));
}

async function updateHub(c: RestContext) {
  const b = await c.body(['displayName', 'description', 'searchKeywords']);
  const patch = defined({ displayName: b.string('displayName'), description: b.string('description'), searchKeywords: b.stringArray('searchKeywords') });
  return ok(hubJson(await c.registry.hubs.updateHub(c.who, c.params.hub!, patch)));
}

async function deleteHub(c: RestContext) {
  c.query([]);
  await c.registry.hubs.deleteHub(c.who, c.params.hub!);
  return NO_CONTENT;
}

/** The document is JSON text, or a JSON object sent as is (stored as its text). */
function documentOf(b: Members): string {
  const doc = b.raw('document');
  if (typeof doc === 'string') return doc;
  if (typeof doc === 'object' && doc !== null && !Array.isArray(doc)) return JSON.stringify(doc);
  return fail('InvalidArgument', doc === undefined ? '"document" is required' : '"document" must be a JSON object or its text');
}

const CONTENT_TEXT = ['displayName', 'description', 'markdown', 'searchKeywords', 'supportStatus'] as const;

function contentText(b: Members) {
  return defined({
    displayName: b.string('displayName'),
    description: b.string('description'),
    markdown: b.string('markdown'),
    searchKeywords: b.stringArray('searchKeywords'),
    supportStatus: b.nullableString('supportStatus'),
  });
}

async function importContent(c: RestContext) {
  const b = await c.body(['type', 'name', 'version', 'document', 'documentSchemaVersion', ...CONTENT_TEXT]);
  const type = b.oneOf('type', HUB_CONTENT_TYPES) ?? fail('InvalidArgument', '"type" is required');
  const input = defined({
    ...contentText(b),
    hubName: c.params.hub!,
    type: type as HubContentType,
    name: b.requiredString('name'),
    version: b.string('version'),
    document: documentOf(b),
    documentSchemaVersion: b.string('documentSchemaVersion'),
  });
  return created(contentJson(await c.registry.hubs.importContent(c.who, input), c.registry.account));
}

async function listContents(c: RestContext) {
  const q = c.query(LIST_PARAMS);
  const query = defined({ ...listFilters(q), hubName: c.params.hub!, type: contentType(c), sortBy: q.oneOf('sortBy', ['HubContentName', 'CreationTime'] as const) });
  return ok(pageJson(await c.registry.hubs.listContents(c.who, query), (x) => contentJson(x, c.registry.account)));
}

async function listContentVersions(c: RestContext) {
  const q = c.query(LIST_PARAMS);
  const query = defined({ ...listFilters(q), hubName: c.params.hub!, type: contentType(c), name: c.params.content!, sortBy: q.oneOf('sortBy', ['HubContentName', 'CreationTime'] as const) });
  return ok(pageJson(await c.registry.hubs.listContentVersions(c.who, query), (x) => contentJson(x, c.registry.account)));
}

async function getContent(c: RestContext) {
  c.query([]);
  const content = await c.registry.hubs.getContent(c.who, c.params.hub!, contentType(c), c.params.content!, c.params.contentVersion ?? null);
  return ok(contentJson(content, c.registry.account));
}

async function updateContent(c: RestContext) {
  const b = await c.body([...CONTENT_TEXT]);
  const { hub, content, contentVersion } = c.params;
  return ok(contentJson(await c.registry.hubs.updateContent(c.who, hub!, contentType(c), content!, contentVersion!, contentText(b)), c.registry.account));
}

async function deleteContent(c: RestContext) {
  c.query([]);
  await c.registry.hubs.deleteContent(c.who, c.params.hub!, contentType(c), c.params.content!, c.params.contentVersion ?? null);
  return NO_CONTENT;
}

async function createReference(c: RestContext) {
  const b = await c.body(['sourceArn', 'name', 'minVersion']);
  const input = defined({ hubName: c.params.hub!, sourceArn: b.requiredString('sourceArn'), name: b.string('name'), minVersion: b.string('minVersion') });
  return created(contentJson(await c.registry.hubs.createReference(c.who, input), c.registry.account));
}

async function deleteReference(c: RestContext) {
  c.query([]);
  await c.registry.hubs.deleteReference(c.who, c.params.hub!, c.params.reference!);
  return NO_CONTENT;
}

const H = '/hubs/{hub}';
const HC = `${H}/contents/{type}/{content}`;

export const HUB_ROUTES: readonly Route[] = [
  { method: 'POST', path: '/hubs', handler: createHub },
  { method: 'GET', path: '/hubs', handler: listHubs },
  { method: 'GET', path: H, handler: getHub },
  { method: 'PATCH', path: H, handler: updateHub },
  { method: 'DELETE', path: H, handler: deleteHub },
  { method: 'POST', path: `${H}/contents`, handler: importContent },
  { method: 'GET', path: `${H}/contents/{type}`, handler: listContents },
  { method: 'GET', path: HC, handler: getContent },
  { method: 'DELETE', path: HC, handler: deleteContent },
  { method: 'GET', path: `${HC}/versions`, handler: listContentVersions },
  { method: 'GET', path: `${HC}/versions/{contentVersion}`, handler: getContent },
  { method: 'PATCH', path: `${HC}/versions/{contentVersion}`, handler: updateContent },
  { method: 'DELETE', path: `${HC}/versions/{contentVersion}`, handler: deleteContent },
  { method: 'POST', path: `${H}/references`, handler: createReference },
  { method: 'DELETE', path: `${H}/references/{reference}`, handler: deleteReference },
];
