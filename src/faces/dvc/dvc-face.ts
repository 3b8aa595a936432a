/**
 * @module
 * The DVC Studio-compatible face: `GET /api/model-registry/get-download-uris
 * ?repo=&name=&version=|&stage=` with `Authorization: token <t>` (or Bearer),
 * answering `{ "<path>": "<signed url>" }` for every file of the version,
 * URLs valid one hour. `repo` resolves to the model's namespace, `name` is
 * the model name (`path/to/dvc.yaml:model` included), `version` a version
 * label, `stage` a stage; neither: the latest version. Errors are
 * `{"detail": "..."}` (as DVC Studio's Django REST framework answers) with
 * the REST face's statuses.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fail, isSignetError, SignetError } from '../../core/errors.ts';
import { requestId as newRequestId } from '../../core/ids.ts';
import type { DownloadTarget, Registry, VersionSelector } from '../../core/registry/registry-api.ts';
import type { RegistryPrincipal } from '../../core/registry/registry-types.ts';
import type { Logger } from '../../log.ts';
import { baseUrlOf } from '../base-url.ts';
import { authenticateRegistry } from '../registry-auth.ts';
import { drainUnread, sendJson, splitUrl } from '../rest/http-io.ts';
import { restStatus } from '../rest/rest-errors.ts';
import type { RegistryFaceOptions } from '../rest/rest-face.ts';
import { namespaceOfRepo } from './dvc-repo.ts';

export const DVC_DOWNLOAD_PATH = '/api/model-registry/get-download-uris';

/** Files per grant page; every page is fetched. */
const PAGE = 1000;

export function createDvcFace(opts: RegistryFaceOptions): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const id = newRequestId();
    const { rawPath, rawQuery } = splitUrl(req.url);
    const method = req.method ?? 'GET';
    let who: RegistryPrincipal | null = null;
    try {
      if (rawPath !== DVC_DOWNLOAD_PATH) fail('ResourceNotFound', 'Not found.', { Resource: 'route' });
      if (method !== 'GET') fail('MethodNotAllowed', `Method "${method}" not allowed.`, { Allow: 'GET' });
      const auth = { tokens: opts.registry.tokens, identity: opts.identity, clock: opts.clock };
      who = await authenticateRegistry({ method, rawPath, rawQuery, headers: req.headers }, auth, ['s3', 'signet']);
      const target = targetOf(new URLSearchParams(rawQuery));
      sendJson(res, 200, await downloadUris(opts.registry, who, target, baseUrlOf(req, opts.publicUrl)), { 'x-request-id': id });
    } catch (e) {
      sendDetail(res, e, id, opts.log);
    } finally {
      drainUnread(req);
      opts.log.info('dvc', { id, method, path: rawPath, status: res.statusCode, principal: who?.userName });
    }
  };
}

function param(query: URLSearchParams, name: string): string | undefined {
  const v = query.get(name);
  return v === null || v === '' ? undefined : v;
}

function targetOf(query: URLSearchParams): DownloadTarget {
  const repo = param(query, 'repo') ?? fail('InvalidArgument', 'The "repo" parameter is required.');
  const name = param(query, 'name') ?? fail('InvalidArgument', 'The "name" parameter is required.');
  const version = param(query, 'version');
  const stage = param(query, 'stage');
  if (version !== undefined && stage !== undefined) fail('InvalidArgument', 'Only one of "version" and "stage" may be given, not both.');
  const selector: VersionSelector = version !== undefined ? { label: version } : stage !== undefined ? { stage } : { latest: true };
  return { kind: 'model-version', model: { namespace: namespaceOfRepo(repo), name }, selector };
}

/** Every file of the version, over as many grant pages as it takes. */
async function downloadUris(registry: Registry, who: RegistryPrincipal, target: DownloadTarget, baseUrl: string): Promise<Record<string, string>> {
  const uris = new Map<string, string>();
  let cursor: string | null = null;
  do {
    const grant = await registry.grants.download(who, { target, face: 'dvc', baseUrl, limit: PAGE, cursor });
    for (const f of grant.files) uris.set(f.path, f.url);
    cursor = grant.nextCursor;
  } while (cursor !== null);
  // fromEntries defines own properties, so a path like `__proto__` stays a plain key.
  return Object.fromEntries(uris);
}

function sendDetail(res: ServerResponse, e: unknown, id: string, log: Logger): void {
  if (!isSignetError(e)) log.error('dvc internal error', { id, err: e });
  const error = isSignetError(e) ? e : new SignetError('InternalError', 'A server error occurred.');
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = restStatus(error.code);
  const headers: Record<string, string> = { 'x-request-id': id };
  if (status === 401) headers['www-authenticate'] = 'Token realm="signet"';
  if (status === 405) headers.allow = 'GET';
  sendJson(res, status, { detail: error.message, code: error.code }, headers);
}
