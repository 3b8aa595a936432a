/**
 * @module
 * REST: models (create, list, get, patch with gate, delete) and the package
 * listing across models (every version with its model, filtered and sorted).
 */
import { APPROVAL_STATUSES, type Gate } from '../../../core/registry/registry-types.ts';
import type { Members } from '../json-input.ts';
import { modelJson, packageJson, pageJson } from '../rest-json.ts';
import { created, NO_CONTENT, ok, type RestContext, type Route } from '../rest-router.ts';
import { defined, modelRef, PAGE, pageOf } from './common.ts';

/** `{eula, version}` or null (no gate); undefined when absent. */
export function gateOf(b: Members): Gate | null | undefined {
  const g = b.nullableObject('gate', ['eula', 'version']);
  if (g === undefined || g === null) return g;
  return { eula: g.requiredString('eula'), version: g.requiredString('version') };
}

async function createModel(c: RestContext) {
  const b = await c.body(['namespace', 'name', 'description', 'gate', 'unversioned']);
  const input = defined({
    namespace: b.requiredString('namespace'),
    name: b.requiredString('name'),
    description: b.string('description'),
    gate: gateOf(b),
    unversioned: b.boolean('unversioned'),
  });
  return created(modelJson(await c.registry.models.createModel(c.who, input)));
}

async function listModels(c: RestContext) {
  const q = c.query(['namespace', 'nameContains', 'unversioned', ...PAGE]);
  const query = defined({ ...pageOf(q), namespace: q.string('namespace'), nameContains: q.string('nameContains'), unversioned: q.boolean('unversioned') });
  return ok(pageJson(await c.registry.models.listModels(c.who, query), modelJson));
}

async function getModel(c: RestContext) {
  c.query([]);
  return ok(modelJson(await c.registry.models.getModel(c.who, modelRef(c))));
}

async function updateModel(c: RestContext) {
  const b = await c.body(['description', 'gate']);
  const patch = defined({ description: b.string('description'), gate: gateOf(b) });
  return ok(modelJson(await c.registry.models.updateModel(c.who, modelRef(c), patch)));
}

async function deleteModel(c: RestContext) {
  c.query([]);
  await c.registry.models.deleteModel(c.who, modelRef(c));
  return NO_CONTENT;
}

async function listPackages(c: RestContext) {
  const q = c.query(['namespace', 'modelName', 'nameContains', 'approval', 'createdAfter', 'createdBefore', 'type', 'sortBy', 'order', ...PAGE]);
  const query = defined({
    ...pageOf(q),
    namespace: q.string('namespace'),
    modelName: q.string('modelName'),
    nameContains: q.string('nameContains'),
    approval: q.oneOf('approval', APPROVAL_STATUSES),
    createdAfter: q.date('createdAfter'),
    createdBefore: q.date('createdBefore'),
    type: q.oneOf('type', ['VERSIONED', 'UNVERSIONED', 'BOTH'] as const),
    sortBy: q.oneOf('sortBy', ['Name', 'CreationTime'] as const),
    order: q.oneOf('order', ['Ascending', 'Descending'] as const),
  });
  return ok(pageJson(await c.registry.models.listPackages(c.who, query), packageJson));
}

export const MODEL_ROUTES: readonly Route[] = [
  { method: 'POST', path: '/models', handler: createModel },
  { method: 'GET', path: '/models', handler: listModels },
  { method: 'GET', path: '/models/{namespace}/{name}', handler: getModel },
  { method: 'PATCH', path: '/models/{namespace}/{name}', handler: updateModel },
  { method: 'DELETE', path: '/models/{namespace}/{name}', handler: deleteModel },
  { method: 'GET', path: '/packages', handler: listPackages },
];
