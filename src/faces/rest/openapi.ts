/**
 * @module
 * The OpenAPI 3.1 document of the REST API, served at
 * `GET /api/v1/openapi.json` without credentials. Built from one table of
 * operations (a test checks it lists exactly the routes of `rest-routes.ts`).
 */
import { ref, schemas } from './openapi-schemas.ts';

type Schema = Record<string, unknown>;

interface Op {
  readonly m: 'get' | 'post' | 'patch' | 'delete';
  readonly p: string;
  readonly tag: string;
  readonly sum: string;
  /** Scope the call needs (documented; the core checks it). */
  readonly scope: 'read' | 'write' | 'admin' | 'any';
  readonly query?: readonly string[];
  /** Request body schema name. */
  readonly body?: string;
  /** [status, schema name or null for no body]. */
  readonly ok: readonly [number, string | null];
  /** Errors beyond 400/401/403/500 (404 is added for every path with parameters). */
  readonly errors?: readonly number[];
}

const PAGE = ['cursor', 'limit'];
const M = '/models/{namespace}/{name}';
const V = `${M}/versions/{version}`;
const H = '/hubs/{hub}';
const HC = `${H}/contents/{type}/{content}`;
const HCV = `${HC}/versions/{contentVersion}`;
const LIST = ['nameContains', 'createdAfter', 'createdBefore', 'sortBy', 'order', ...PAGE];

/** GET, POST and DELETE of the tags of what `base` names. */
function tagOps(tag: string, base: string, what: string): Op[] {
  return [
    { m: 'get', p: `${base}/tags`, tag, sum: `The tags of ${what}`, scope: 'read', ok: [200, 'Tags'] },
    { m: 'post', p: `${base}/tags`, tag, sum: `Add or replace tags of ${what}; answers all its tags`, scope: 'write', body: 'Tags', ok: [200, 'Tags'] },
    { m: 'delete', p: `${base}/tags/{tagKey}`, tag, sum: `Remove one tag of ${what} (204 whether or not it was there)`, scope: 'write', ok: [204, null] },
  ];
}

const OPS: readonly Op[] = [
  { m: 'get', p: '/me', tag: 'tokens', sum: 'Who the credentials belong to, and their scopes', scope: 'any', ok: [200, 'Principal'] },
  { m: 'post', p: '/tokens', tag: 'tokens', sum: 'Create an API token (the token string is in this answer only)', scope: 'write', body: 'NewToken', ok: [201, 'CreatedToken'] },
  { m: 'get', p: '/tokens', tag: 'tokens', sum: "List the caller's tokens (everyone's with admin scope and all=true)", scope: 'read', query: ['all'], ok: [200, 'TokenPage'] },
  { m: 'delete', p: '/tokens/{tokenId}', tag: 'tokens', sum: 'Revoke a token (effective at once; another user\'s needs admin)', scope: 'write', ok: [200, 'Token'] },

  { m: 'post', p: '/models', tag: 'models', sum: 'Create a model', scope: 'write', body: 'NewModel', ok: [201, 'Model'], errors: [409] },
  { m: 'get', p: '/models', tag: 'models', sum: 'List models by namespace, then name', scope: 'read', query: ['namespace', 'nameContains', 'unversioned', ...PAGE], ok: [200, 'ModelPage'] },
  { m: 'get', p: M, tag: 'models', sum: 'Get a model', scope: 'read', ok: [200, 'Model'] },
  { m: 'patch', p: M, tag: 'models', sum: "Change a model's description or gate", scope: 'write', body: 'ModelPatch', ok: [200, 'Model'] },
  { m: 'delete', p: M, tag: 'models', sum: 'Delete a model with its versions, stages and history', scope: 'write', ok: [204, null] },
  { m: 'get', p: '/packages', tag: 'models', sum: 'List versions across models (SageMaker ListModelPackages filters)', scope: 'read', query: ['namespace', 'modelName', 'nameContains', 'approval', 'createdAfter', 'createdBefore', 'packageType', 'packageSortBy', 'order', ...PAGE], ok: [200, 'PackagePage'] },

  { m: 'post', p: `${M}/versions`, tag: 'versions', sum: 'Register a version from S3 (files pinned now); a repeat with the same clientToken answers 200 with the first version', scope: 'write', body: 'RegisterVersion', ok: [201, 'Version'], errors: [409] },
  { m: 'get', p: `${M}/versions`, tag: 'versions', sum: 'List versions by number', scope: 'read', query: PAGE, ok: [200, 'VersionPage'] },
  { m: 'get', p: V, tag: 'versions', sum: 'Get a version by number, label or `latest`', scope: 'read', ok: [200, 'Version'] },
  { m: 'patch', p: V, tag: 'versions', sum: "Change a version's label, description, metadata, approval or status", scope: 'write', body: 'VersionPatch', ok: [200, 'Version'], errors: [409] },
  { m: 'delete', p: V, tag: 'versions', sum: 'Delete a version (stages on it are cleared)', scope: 'write', ok: [204, null] },
  { m: 'get', p: `${V}/files`, tag: 'versions', sum: "List a version's files by path", scope: 'read', query: PAGE, ok: [200, 'FilePage'] },
  { m: 'post', p: `${M}/publish`, tag: 'versions', sum: 'Publish step 1: declare files; answers a Pending version and an upload grant per file', scope: 'write', body: 'Publish', ok: [201, 'PublishAnswer'], errors: [409] },
  { m: 'post', p: `${V}/finalize`, tag: 'versions', sum: 'Publish step 3: check every declared file arrived; the version becomes Completed', scope: 'write', body: 'Empty', ok: [200, 'Version'] },

  { m: 'get', p: `${M}/stages`, tag: 'stages', sum: 'Where every stage points now', scope: 'read', ok: [200, 'StagePointerPage'] },
  { m: 'post', p: `${M}/stages`, tag: 'stages', sum: 'Move several stages atomically (compare-and-swap with expect)', scope: 'write', body: 'StageMoves', ok: [200, 'StagePointerPage'], errors: [409] },
  { m: 'get', p: `${M}/stages/{stage}`, tag: 'stages', sum: 'Which version a stage held at a time (default now)', scope: 'read', query: ['at'], ok: [200, 'StageAt'] },
  { m: 'get', p: `${M}/history`, tag: 'stages', sum: 'Stage moves, newest first', scope: 'read', query: ['stage', ...PAGE], ok: [200, 'StageEventPage'] },

  { m: 'post', p: `${V}/download`, tag: 'grants', sum: 'Download grant for a version (number, label or latest)', scope: 'read', body: 'Download', ok: [201, 'Grant'] },
  { m: 'post', p: `${M}/stages/{stage}/download`, tag: 'grants', sum: 'Download grant for the version a stage points at', scope: 'read', body: 'Download', ok: [201, 'Grant'] },
  { m: 'post', p: `${HC}/download`, tag: 'grants', sum: 'Download grant for the latest version of hub content', scope: 'read', body: 'Download', ok: [201, 'Grant'] },
  { m: 'post', p: `${HCV}/download`, tag: 'grants', sum: 'Download grant for one version of hub content', scope: 'read', body: 'Download', ok: [201, 'Grant'] },
  { m: 'post', p: '/grants/{grantId}/refresh', tag: 'grants', sum: "Re-sign an earlier grant's URLs with a fresh expiry", scope: 'read', body: 'Refresh', ok: [200, 'Grant'] },
  { m: 'post', p: '/uploads', tag: 'grants', sum: 'Upload grant: a presigned POST bound to the SHA-256 (Q Apps CreatePresignedUrl)', scope: 'write', body: 'Upload', ok: [201, 'UploadGrant'] },

  { m: 'post', p: `${M}/acceptances`, tag: 'gates', sum: "Accept a model's EULA (recorded)", scope: 'read', body: 'Empty', ok: [201, 'Acceptance'] },
  { m: 'get', p: `${M}/acceptances`, tag: 'gates', sum: "Acceptances of a model's EULA, newest first", scope: 'admin', query: ['limit'], ok: [200, 'AcceptancePage'] },
  { m: 'post', p: `${HC}/acceptances`, tag: 'gates', sum: "Accept the latest hub content version's EULA", scope: 'read', body: 'Empty', ok: [201, 'Acceptance'] },
  { m: 'get', p: `${HC}/acceptances`, tag: 'gates', sum: 'Acceptances of hub content, newest first', scope: 'admin', query: ['limit'], ok: [200, 'AcceptancePage'] },
  { m: 'post', p: `${HCV}/acceptances`, tag: 'gates', sum: "Accept one hub content version's EULA", scope: 'read', body: 'Empty', ok: [201, 'Acceptance'] },
  { m: 'get', p: `${HCV}/acceptances`, tag: 'gates', sum: 'Acceptances of one hub content version', scope: 'admin', query: ['limit'], ok: [200, 'AcceptancePage'] },
  { m: 'get', p: '/acceptances', tag: 'gates', sum: 'Every acceptance, newest first', scope: 'admin', query: ['limit'], ok: [200, 'AcceptancePage'] },
  ...tagOps('models', M, 'a model'),
  ...tagOps('versions', V, 'a version'),
  ...tagOps('hubs', H, 'a hub'),
  ...tagOps('hubs', HCV, 'a hub content version'),
  { m: 'get', p: '/audit', tag: 'audit', sum: 'The audit log, newest first', scope: 'admin', query: ['action', 'userName', 'since', ...PAGE], ok: [200, 'AuditEventPage'] },

  { m: 'post', p: '/hubs', tag: 'hubs', sum: 'Create a hub', scope: 'write', body: 'NewHub', ok: [201, 'Hub'], errors: [409] },
  { m: 'get', p: '/hubs', tag: 'hubs', sum: 'List hubs', scope: 'read', query: ['nameContains', 'createdAfter', 'createdBefore', 'hubSortBy', 'order', ...PAGE], ok: [200, 'HubPage'] },
  { m: 'get', p: H, tag: 'hubs', sum: 'Get a hub', scope: 'read', ok: [200, 'Hub'] },
  { m: 'patch', p: H, tag: 'hubs', sum: 'Change a hub', scope: 'write', body: 'HubPatch', ok: [200, 'Hub'] },
  { m: 'delete', p: H, tag: 'hubs', sum: 'Delete an empty hub', scope: 'write', ok: [204, null], errors: [409] },
  { m: 'post', p: `${H}/contents`, tag: 'hubs', sum: 'Import hub content (its artifact files are pinned now)', scope: 'write', body: 'ImportContent', ok: [201, 'HubContent'], errors: [409] },
  { m: 'get', p: `${H}/contents/{type}`, tag: 'hubs', sum: 'List hub contents of a type (latest version of each)', scope: 'read', query: LIST, ok: [200, 'HubContentPage'] },
  { m: 'get', p: HC, tag: 'hubs', sum: 'Get the latest version of hub content', scope: 'read', ok: [200, 'HubContent'] },
  { m: 'delete', p: HC, tag: 'hubs', sum: 'Delete every version of hub content', scope: 'write', ok: [204, null] },
  { m: 'get', p: `${HC}/versions`, tag: 'hubs', sum: 'List versions of hub content', scope: 'read', query: LIST, ok: [200, 'HubContentPage'] },
  { m: 'get', p: HCV, tag: 'hubs', sum: 'Get one version of hub content', scope: 'read', ok: [200, 'HubContent'] },
  { m: 'patch', p: HCV, tag: 'hubs', sum: 'Change one version of hub content', scope: 'write', body: 'ContentPatch', ok: [200, 'HubContent'] },
  { m: 'delete', p: HCV, tag: 'hubs', sum: 'Delete one version of hub content', scope: 'write', ok: [204, null] },
  { m: 'post', p: `${H}/references`, tag: 'hubs', sum: 'Reference Model content of another hub', scope: 'write', body: 'NewReference', ok: [201, 'HubContent'], errors: [409] },
  { m: 'delete', p: `${H}/references/{reference}`, tag: 'hubs', sum: 'Delete a reference', scope: 'write', ok: [204, null] },
];

const s = (type: string, extra: Schema = {}): Schema => ({ type, ...extra });

const PATH_PARAMS: Record<string, [string, Schema]> = {
  namespace: ['Model namespace, percent-encoded as one segment (`/` is `%2F`).', s('string')],
  name: ['Model name, percent-encoded as one segment (`/` is `%2F`, `:` may stay).', s('string')],
  version: ['Version number (`3`), `latest`, a label (`v2.0.0`), or `label:<label>` for a label that looks like a number.', s('string')],
  stage: ['Stage name, e.g. `production`.', s('string')],
  tokenId: ['Token id.', s('string')],
  grantId: ['Grant id from a download grant.', s('string')],
  hub: ['Hub name.', s('string')],
  type: ['Hub content type.', s('string', { enum: ['Model', 'Notebook', 'ModelReference', 'DataSet', 'JsonDoc'] })],
  content: ['Hub content name.', s('string')],
  contentVersion: ['Hub content version, e.g. `1.0.0`.', s('string')],
  reference: ['Name of the reference content.', s('string')],
  tagKey: ['Tag key, percent-encoded as one segment.', s('string')],
};

const QUERY_PARAMS: Record<string, [string, string, Schema]> = {
  cursor: ['cursor', '`nextCursor` of the previous page of the same listing (a forged or foreign cursor is 400).', s('string')],
  limit: ['limit', 'Items per page (default 100).', s('integer', { minimum: 1, maximum: 1000 })],
  all: ['all', 'Admin: every user\'s tokens.', s('boolean')],
  namespace: ['namespace', 'Exact namespace.', s('string')],
  nameContains: ['nameContains', 'Substring of the name.', s('string')],
  unversioned: ['unversioned', 'Only unversioned (true) or versioned (false) models.', s('boolean')],
  modelName: ['modelName', 'Exact model name.', s('string')],
  approval: ['approval', 'Approval status.', s('string', { enum: ['Approved', 'Rejected', 'PendingManualApproval'] })],
  createdAfter: ['createdAfter', 'ISO 8601 date-time.', s('string', { format: 'date-time' })],
  createdBefore: ['createdBefore', 'ISO 8601 date-time.', s('string', { format: 'date-time' })],
  packageType: ['type', 'Versioned, unversioned or both (default).', s('string', { enum: ['VERSIONED', 'UNVERSIONED', 'BOTH'] })],
  packageSortBy: ['sortBy', 'Sort key.', s('string', { enum: ['Name', 'CreationTime'] })],
  hubSortBy: ['sortBy', 'Sort key.', s('string', { enum: ['HubName', 'CreationTime'] })],
  sortBy: ['sortBy', 'Sort key.', s('string', { enum: ['HubContentName', 'CreationTime'] })],
  order: ['order', 'Sort order.', s('string', { enum: ['Ascending', 'Descending'] })],
  at: ['at', 'ISO 8601 date-time; default now.', s('string', { format: 'date-time' })],
  stage: ['stage', 'Only this stage\'s moves.', s('string')],
  action: ['action', 'Exact action, e.g. grant.download.', s('string')],
  userName: ['userName', 'Only this user\'s events.', s('string')],
  since: ['since', 'Events at or after this ISO 8601 date-time.', s('string', { format: 'date-time' })],
};

const ERRORS: Record<number, string> = {
  400: 'Invalid input: malformed JSON, a member of the wrong type, an unknown member or parameter, a value over its limit, a forged cursor.',
  401: 'No credentials, or an unknown, revoked or expired token (`WWW-Authenticate: Bearer`).',
  403: 'The credentials lack the scope the call needs, a SigV4 signature is wrong, or a gated model\'s EULA is not accepted (code EulaNotAccepted).',
  404: 'The model, version, stage, hub, content, token or grant does not exist (code ResourceNotFound).',
  405: 'The path exists but not with this method (`Allow` lists those it has).',
  409: 'A name, number or label is taken (ResourceInUse), or a stage compare-and-swap failed (Conflict).',
  413: 'The JSON body is over 1 MiB.',
  500: 'Internal error.',
};

function operation(op: Op): Schema {
  const pathNames = [...op.p.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const parameters = [
    ...pathNames.map((n) => ({ name: n, in: 'path', required: true, description: PATH_PARAMS[n]![0], schema: PATH_PARAMS[n]![1] })),
    ...(op.query ?? []).map((q) => ({ name: QUERY_PARAMS[q]![0], in: 'query', required: false, description: QUERY_PARAMS[q]![1], schema: QUERY_PARAMS[q]![2] })),
  ];
  const codes = new Set([400, 401, 403, 405, 500, ...(pathNames.length > 0 ? [404] : []), ...(op.body ? [413] : []), ...(op.errors ?? [])]);
  const [status, schema] = op.ok;
  const responses: Schema = { [status]: schema === null ? { description: 'Done; no body.' } : { description: 'OK', content: { 'application/json': { schema: ref(schema) } } } };
  for (const code of [...codes].sort()) responses[code] = { $ref: `#/components/responses/E${code}` };
  return {
    operationId: `${op.m}${op.p.replace(/[{}]/g, '').replace(/\/(\w)/g, (_m, c: string) => c.toUpperCase())}`,
    tags: [op.tag],
    summary: op.sum,
    description: op.scope === 'any' ? 'Any valid credentials.' : `Needs the \`${op.scope}\` scope.`,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(op.body ? { requestBody: { required: op.body !== 'Empty', content: { 'application/json': { schema: ref(op.body) } } } } : {}),
    responses,
  };
}

function errorResponses(): Schema {
  const problem = { 'application/problem+json': { schema: ref('Problem') } };
  return Object.fromEntries(
    Object.entries(ERRORS).map(([code, description]) => [
      `E${code}`,
      { description, content: problem, ...(code === '401' ? { headers: { 'WWW-Authenticate': { schema: { type: 'string' }, description: 'Bearer realm="signet"' } } } : {}) },
    ]),
  );
}

/** Every path of the REST API with its method, in the router's spelling (for the route-table test). */
export function documentedRoutes(): string[] {
  return OPS.map((op) => `${op.m.toUpperCase()} ${op.p}`);
}

export function openApiDocument(): Schema {
  const paths: Record<string, Record<string, Schema>> = {};
  for (const op of OPS) (paths[op.p] ??= {})[op.m] = operation(op);
  return {
    openapi: '3.1.0',
    info: { title: 'Signet registry REST API', version: '1', description: 'Models, versions, stages, download and upload grants, hubs, EULA gates, tokens and audit. See docs/rest-api.md.' },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }, { basic: [] }, { sigv4: [] }],
    paths,
    components: {
      schemas: schemas(),
      responses: errorResponses(),
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token (`sgt_…`); `Authorization: token <t>` works too.' },
        basic: { type: 'http', scheme: 'basic', description: 'An access key id and its secret.' },
        sigv4: { type: 'apiKey', in: 'header', name: 'Authorization', description: 'AWS Signature Version 4 (service `s3` or `signet`), signed over the body.' },
      },
    },
  };
}
