/**
 * @module
 * REST: EULA acceptance (accept a model's or a hub content's gate) and the
 * administrators' views: acceptances and the audit log.
 */
import type { GateTarget } from '../../../core/registry/registry-api.ts';
import { acceptanceJson, auditJson, pageJson } from '../rest-json.ts';
import { created, ok, type RestContext, type Route } from '../rest-router.ts';
import { contentType, defined, modelRef, PAGE, pageOf } from './common.ts';

const MAX_ACCEPTANCES = 1000;

function modelTarget(c: RestContext): GateTarget {
  return { kind: 'model', model: modelRef(c) };
}

function contentTarget(c: RestContext): GateTarget {
  return { kind: 'hub-content', hubName: c.params.hub!, type: contentType(c), name: c.params.content!, version: c.params.contentVersion ?? null };
}

async function accept(c: RestContext, target: GateTarget) {
  await c.body([]);
  return created(acceptanceJson(await c.registry.gates.accept(c.who, target)));
}

async function listAcceptances(c: RestContext, target: GateTarget | null) {
  const limit = c.query(['limit']).integer('limit', 1, MAX_ACCEPTANCES);
  const items = await c.registry.gates.listAcceptances(c.who, target, limit);
  return ok({ items: items.map(acceptanceJson), nextCursor: null });
}

async function listAudit(c: RestContext) {
  const q = c.query(['action', 'userName', 'since', ...PAGE]);
  const query = defined({ ...pageOf(q), action: q.string('action'), userName: q.string('userName'), since: q.date('since') });
  return ok(pageJson(await c.registry.audit.list(c.who, query), auditJson));
}

const M = '/models/{namespace}/{name}/acceptances';
const HC = '/hubs/{hub}/contents/{type}/{content}';

export const AUDIT_ROUTES: readonly Route[] = [
  { method: 'POST', path: M, handler: (c) => accept(c, modelTarget(c)) },
  { method: 'GET', path: M, handler: (c) => listAcceptances(c, modelTarget(c)) },
  { method: 'POST', path: `${HC}/acceptances`, handler: (c) => accept(c, contentTarget(c)) },
  { method: 'GET', path: `${HC}/acceptances`, handler: (c) => listAcceptances(c, contentTarget(c)) },
  { method: 'POST', path: `${HC}/versions/{contentVersion}/acceptances`, handler: (c) => accept(c, contentTarget(c)) },
  { method: 'GET', path: `${HC}/versions/{contentVersion}/acceptances`, handler: (c) => listAcceptances(c, contentTarget(c)) },
  { method: 'GET', path: '/acceptances', handler: (c) => listAcceptances(c, null) },
  { method: 'GET', path: '/audit', handler: listAudit },
];
