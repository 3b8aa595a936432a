/**
 * @module
 * Download grants: one presigned GET URL per file of a model version or hub
 * content version, a page at a time in path order, each page one grant
 * recorded with its audit event. Every URL carries the grant id in its
 * signed query. Expiry is the face's promise: SageMaker 15 minutes, DVC one
 * hour, REST what the caller asks up to S3's 7 days.
 */
import { fail } from '../errors.ts';
import { timeOrderedId } from '../ids.ts';
import type { MetaStore } from '../../ports/meta-store.ts';
import type { Cursors } from './cursors.ts';
import type { GateCheck, Gates } from './gates.ts';
import { pageLimit, toPage } from './pages.ts';
import type {
  DownloadGrant,
  DownloadRequest,
  DownloadTarget,
  GrantedFile,
  GrantsService,
  PageRequest,
  UploadGrant,
  UploadRequest,
  VersionSelector,
} from './registry-api.ts';
import { HUB_CONTENT_TYPES } from './registry-types.ts';
import type { FileOwner, Grant, HubContentType, Model, ModelVersion, RegisteredFile, RegistryPrincipal } from './registry-types.ts';
import { requireScope } from './scopes.ts';
import type { UploadGrants } from './upload-grants.ts';
import { checkBaseUrl } from './url-signer.ts';
import type { UrlSigner } from './url-signer.ts';

export const FACE_EXPIRY_S = { sagemaker: 900, dvc: 3600, rest: 3600 } as const;
export const MAX_EXPIRY_S = 604800;
const FACES = Object.keys(FACE_EXPIRY_S);

export interface GrantsDeps {
  readonly meta: MetaStore;
  readonly gates: Gates;
  readonly uploads: UploadGrants;
  readonly signer: UrlSigner;
  readonly cursors: Cursors;
  readonly clock: () => Date;
  /** The system bucket, where every registered file's object lives. */
  readonly bucket: string;
}

/** A resolved download target: what it is, whose files, what gates it. */
interface Resolved {
  readonly resolved: DownloadGrant['resolved'];
  readonly owner: FileOwner;
  /** The grant subject: `model:<modelId>@<number>`, `hub-content:<id>/<hub>/<type>/<name>/<version>`. */
  readonly subject: string;
  readonly gate: GateCheck | null;
  /** Where the files were taken from (ExpectedS3Url is compared with it). */
  readonly artifactUri: string | null;
}

/** One page of signed files, before it is recorded. */
interface Minted {
  readonly files: GrantedFile[];
  readonly nextCursor: string | null;
  readonly expiresAt: Date;
  readonly expiresIn: number;
  readonly limit: number;
}

export class Grants implements GrantsService {
  readonly #meta: MetaStore;
  readonly #gates: Gates;
  readonly #uploads: UploadGrants;
  readonly #signer: UrlSigner;
  readonly #cursors: Cursors;
  readonly #clock: () => Date;
  readonly #bucket: string;

  constructor(deps: GrantsDeps) {
    this.#meta = deps.meta;
    this.#gates = deps.gates;
    this.#uploads = deps.uploads;
    this.#signer = deps.signer;
    this.#cursors = deps.cursors;
    this.#clock = deps.clock;
    this.#bucket = deps.bucket;
  }

  async download(who: RegistryPrincipal, request: DownloadRequest): Promise<DownloadGrant> {
    requireScope(who, 'read');
    const expiresIn = expirySeconds(request.face, request.expiresIn);
    checkBaseUrl(request.baseUrl);
    const target = await this.#resolve(request.target);
    if (request.expectedS3Url !== undefined && !sameUri(request.expectedS3Url, target.artifactUri)) {
      fail('InvalidArgument', `ExpectedS3Url does not match the content's artifact location${target.artifactUri ? ` (${target.artifactUri})` : ''}`);
    }
    await this.#gates.checkGate(who, target.gate, request.acceptEula === true);
    const grantId = timeOrderedId(this.#clock());
    const listing = `download|${target.subject}|${who.userId}`;
    const page = await this.#mint(target, listing, request, grantId, expiresIn);
    const grant = this.#grant(who, grantId, request.face, target.subject, page.expiresAt);
    await this.#meta.registry.recordGrant(grant, {
      at: grant.createdAt,
      userId: who.userId,
      userName: who.userName,
      action: 'grant.download',
      subject: target.subject,
      detail: { grantId, target: describe(target), face: request.face, pageSize: page.limit, files: page.files.length, expiresIn, acceptEula: request.acceptEula === true },
    });
    return { grantId, expiresAt: page.expiresAt, resolved: target.resolved, files: page.files, nextCursor: page.nextCursor };
  }

  async refresh(who: RegistryPrincipal, grantId: string, request: PageRequest & { readonly baseUrl: string; readonly expiresIn?: number }): Promise<DownloadGrant> {
    requireScope(who, 'read');
    checkBaseUrl(request.baseUrl);
    const grant = await this.#meta.registry.getGrant(grantId);
    if (!grant || grant.kind !== 'download') fail('ResourceNotFound', `No download grant ${grantId}.`, { Resource: 'grant' });
    if (grant.userId !== who.userId) requireScope(who, 'admin');
    const face = grant.face as DownloadRequest['face'];
    const expiresIn = expirySeconds(face, request.expiresIn);
    const target = await this.#fromSubject(grant.subject);
    // A gate changed since (a new EULA version) holds for refreshed URLs too.
    await this.#gates.checkGate({ ...who, userId: grant.userId }, target.gate, false);
    const page = await this.#mint(target, `refresh|${grant.id}|${who.userId}`, request, grant.id, expiresIn);
    await this.#meta.registry.appendAudit({
      at: this.#clock(),
      userId: who.userId,
      userName: who.userName,
      action: 'grant.refresh',
      subject: grant.subject,
      detail: { grantId: grant.id, grantUserId: grant.userId, face, pageSize: page.limit, files: page.files.length, expiresIn },
    });
    return { grantId: grant.id, expiresAt: page.expiresAt, resolved: target.resolved, files: page.files, nextCursor: page.nextCursor };
  }

  upload(who: RegistryPrincipal, request: UploadRequest): Promise<UploadGrant> {
    return this.#uploads.upload(who, request);
  }

  sweepSessions(now: Date): Promise<number> {
    return this.#uploads.sweepSessions(now);
  }

  /** Signs one page of the target's files, continuing the listing's cursor. */
  async #mint(target: Resolved, listing: string, page: PageRequest & { readonly baseUrl: string }, grantId: string, expiresIn: number): Promise<Minted> {
    const limit = pageLimit(page.limit);
    const at = this.#cursors.open<{ p: string }>(listing, page.cursor);
    const fetched = await this.#meta.registry.listFiles(target.owner, at?.p ?? null, limit + 1);
    const { items, nextCursor } = toPage(fetched, limit, (f) => this.#cursors.seal(listing, { p: f.path }));
    const now = this.#clock();
    const expiresAt = new Date(now.getTime() + expiresIn * 1000);
    const files = items.map((f) => this.#signed(f, page.baseUrl, grantId, expiresIn, now, expiresAt));
    return { files, nextCursor, expiresAt, expiresIn, limit };
  }

  #signed(f: RegisteredFile, baseUrl: string, grantId: string, expiresIn: number, now: Date, expiresAt: Date): GrantedFile {
    const url = this.#signer.presignGet({ baseUrl, bucket: this.#bucket, key: f.objectKey, expiresIn, grantId, now });
    return { path: f.path, url, size: f.size, sha256: f.sha256, expiresAt };
  }

  #grant(who: RegistryPrincipal, id: string, face: string, subject: string, expiresAt: Date): Grant {
    return { id, kind: 'download', userId: who.userId, tokenId: who.tokenId, face, subject, createdAt: this.#clock(), expiresAt };
  }

  // ------------------------------------------------------------ targets

  async #resolve(target: DownloadTarget): Promise<Resolved> {
    if (target.kind === 'model-version') {
      const model = await this.#meta.registry.getModel(target.model);
      if (!model) fail('ResourceNotFound', 'No such model.', { Resource: 'model' });
      const version = await this.#select(model, target.selector);
      if (!version) fail('ResourceNotFound', `No such version of model ${model.namespace}/${model.name}.`, { Resource: 'version' });
      return this.#ofVersion(model, version);
    }
    const content = await this.#meta.registry.getHubContent(target.hubName, target.type, target.name, target.version ?? null);
    if (!content) {
      if (!(await this.#meta.registry.getHub(target.hubName))) fail('ResourceNotFound', `Hub "${target.hubName}" does not exist.`, { Resource: 'hub' });
      fail('ResourceNotFound', `${target.type} "${target.name}" does not exist in hub "${target.hubName}".`, { Resource: 'hub-content' });
    }
    return {
      resolved: { kind: 'hub-content', content },
      owner: { kind: 'hub-content', contentId: content.id },
      subject: `hub-content:${[content.id, content.hubName, content.type, content.name, content.version].join('/')}`,
      gate: await this.#gates.contentGate(content),
      artifactUri: content.artifactUri,
    };
  }

  #ofVersion(model: Model, version: ModelVersion): Resolved {
    if (version.status === 'Pending') {
      fail('InvalidRequest', `version ${version.number} of ${model.namespace}/${model.name} is still being published (Pending): nothing to download yet`);
    }
    return {
      resolved: { kind: 'model-version', model, version },
      owner: { kind: 'version', modelId: model.id, number: version.number },
      subject: `model:${model.id}@${version.number}`,
      gate: this.#gates.modelGate(model),
      artifactUri: version.sourceUri,
    };
  }

  async #select(model: Model, selector: VersionSelector): Promise<ModelVersion | null> {
    const store = this.#meta.registry;
    if ('number' in selector) return store.getVersion(model.id, selector.number);
    if ('label' in selector) return store.getVersionByLabel(model.id, selector.label);
    if ('stage' in selector) {
      const pointer = (await store.getStages(model.id)).find((s) => s.stage === selector.stage);
      return pointer ? store.getVersion(model.id, pointer.number) : null;
    }
    return store.latestVersion(model.id, 'Completed');
  }

  /** The target a recorded grant named, as it is now: ResourceNotFound once it is gone. */
  async #fromSubject(subject: string): Promise<Resolved> {
    const gone = (): never => fail('ResourceNotFound', 'What this grant was for no longer exists.', { Resource: 'grant' });
    const model = /^model:([^@]+)@(\d+)$/.exec(subject);
    if (model) {
      const found = await this.#meta.registry.getModel({ id: model[1]! });
      const version = found ? await this.#meta.registry.getVersion(found.id, Number(model[2])) : null;
      return found && version ? this.#ofVersion(found, version) : gone();
    }
    const parts = subject.startsWith('hub-content:') ? subject.slice('hub-content:'.length).split('/') : [];
    const [id, hubName, type, name, version] = parts;
    if (parts.length !== 5 || !(HUB_CONTENT_TYPES as readonly string[]).includes(type!)) return gone();
    const content = await this.#meta.registry.getHubContent(hubName!, type as HubContentType, name!, version!);
    if (!content || content.id !== id) return gone();
    return this.#resolve({ kind: 'hub-content', hubName: hubName!, type: type as HubContentType, name: name!, version: version! });
  }
}

/** Seconds each face's URLs live: SageMaker and DVC fixed, REST as asked (1 s to 7 days). */
export function expirySeconds(face: string, expiresIn: number | undefined): number {
  if (!FACES.includes(face)) fail('InvalidArgument', `unknown face "${face}"`);
  if (face !== 'rest' || expiresIn === undefined) return FACE_EXPIRY_S[face as keyof typeof FACE_EXPIRY_S];
  if (!Number.isSafeInteger(expiresIn) || expiresIn < 1 || expiresIn > MAX_EXPIRY_S) {
    fail('InvalidArgument', `expiresIn must be a whole number of seconds from 1 to ${MAX_EXPIRY_S}`);
  }
  return expiresIn;
}

/** s3:// URIs compared as written, but for trailing slashes. */
function sameUri(expected: string, actual: string | null): boolean {
  const norm = (u: string) => u.replace(/\/+$/, '');
  return actual !== null && norm(expected) === norm(actual);
}

function describe(target: Resolved): Record<string, unknown> {
  const r = target.resolved;
  return r.kind === 'model-version'
    ? { kind: r.kind, modelId: r.model.id, namespace: r.model.namespace, name: r.model.name, number: r.version.number }
    : { kind: r.kind, contentId: r.content.id, hubName: r.content.hubName, type: r.content.type, name: r.content.name, version: r.content.version };
}
