/**
 * @module
 * Models, versions and stages: the core of the registry that the REST,
 * SageMaker and DVC faces share. A version is registered from files pinned
 * now (immutable from then on), or published in three steps (declare, upload
 * through grants, finalize). Stage moves are compare-and-swap and atomic per
 * call. Every listing pages with a sealed cursor bound to the listing and its
 * parameters.
 */
import { fail, isSignetError } from '../errors.ts';
import { timeOrderedId } from '../ids.ts';
import type { MetaStore } from '../../ports/meta-store.ts';
import type { ModelRef, PackageFilter, PackageRow, RegistryStore, VersionPatch } from '../../ports/registry-store.ts';
import type { Cursors } from './cursors.ts';
import { pageLimit, toPage } from './pages.ts';
import { byteOrder, checkPaths, mapLimit, MAX_VERSION_FILES, PARALLEL, type Pinning } from './pinning.ts';
import type {
  DeclaredFile,
  ModelQuery,
  ModelsService,
  NewModelInput,
  Page,
  PackageQuery,
  PageRequest,
  Registered,
  RegisterVersionInput,
  UploadGrant,
  UploadRequest,
  VersionFields,
  VersionSelector,
  VersionUpdate,
} from './registry-api.ts';
import {
  MAX_DESCRIPTION,
  validateClientToken,
  validateDescription,
  validateDocument,
  validateFilePath,
  validateGate,
  validateLabel,
  validateMetadata,
  validateModelName,
  validateNameFragment,
  validateNamespace,
  validateStageName,
} from './registry-names.ts';
import { APPROVAL_STATUSES, PACKAGE_STATUSES } from './registry-types.ts';
import type {
  ApprovalStatus,
  FileOwner,
  Gate,
  Model,
  ModelVersion,
  PackageStatus,
  RegisteredFile,
  RegistryPrincipal,
  StageEvent,
  StageMove,
  StagePointer,
} from './registry-types.ts';
import { requireScope } from './scopes.ts';
import type { UploadGranter } from './upload-grants.ts';

export type { UploadGranter };

export interface ModelsDeps {
  readonly meta: MetaStore;
  readonly pinning: Pinning;
  readonly uploads: UploadGranter;
  readonly cursors: Cursors;
  readonly clock: () => Date;
}

/** SageMaker's default for a new model package. */
const DEFAULT_APPROVAL: ApprovalStatus = 'PendingManualApproval';
const MAX_STAGE_MOVES = 20;
const MAX_STATUS_TEXT = 256;
const MAX_SOURCE_URI = 2048;
/** Bad paths named in a failed finalize; the rest are counted. */
const MAX_NAMED_PATHS = 20;

type PackageCursor = { readonly ns: string; readonly name: string; readonly id: string; readonly n: number; readonly at: number };
type Fields = { label: string | null; description: string; metadata: Readonly<Record<string, string>>; approval: ApprovalStatus; document?: string | null };

export class Models implements ModelsService {
  readonly #store: RegistryStore;
  readonly #pinning: Pinning;
  readonly #uploads: UploadGranter;
  readonly #cursors: Cursors;
  readonly #clock: () => Date;

  constructor(deps: ModelsDeps) {
    this.#store = deps.meta.registry;
    this.#pinning = deps.pinning;
    this.#uploads = deps.uploads;
    this.#cursors = deps.cursors;
    this.#clock = deps.clock;
  }

  // ------------------------------------------------------------ models

  async createModel(who: RegistryPrincipal, input: NewModelInput): Promise<Model> {
    requireScope(who, 'write');
    const now = this.#clock();
    return this.#store.createModel({
      id: timeOrderedId(now),
      namespace: validateNamespace(input.namespace),
      name: validateModelName(input.name),
      description: validateDescription(input.description ?? ''),
      unversioned: input.unversioned ?? false,
      gate: validateGate(input.gate ?? null),
      createdAt: now,
      createdBy: who.userName,
    });
  }

  async getModel(who: RegistryPrincipal, ref: ModelRef): Promise<Model> {
    requireScope(who, 'read');
    return this.#model(ref);
  }

  async listModels(who: RegistryPrincipal, query: ModelQuery): Promise<Page<Model>> {
    requireScope(who, 'read');
    const limit = pageLimit(query.limit);
    const filter = {
      ...(query.namespace === undefined ? {} : { namespace: validateNamespace(query.namespace) }),
      ...(query.nameContains === undefined ? {} : { nameContains: validateNameFragment(query.nameContains) }),
      ...(query.unversioned === undefined ? {} : { unversioned: query.unversioned }),
      ...(query.createdAfter === undefined ? {} : { createdAfter: optionalDate(query.createdAfter, 'createdAfter') }),
      ...(query.createdBefore === undefined ? {} : { createdBefore: optionalDate(query.createdBefore, 'createdBefore') }),
      sortBy: oneOf(query.sortBy, SORTS, 'sort', 'Name'),
      order: oneOf(query.order, ORDERS, 'sort order', 'Ascending'),
    };
    const listing = listingOf('models', [filter.namespace, filter.nameContains, filter.unversioned, filter.createdAfter, filter.createdBefore, filter.sortBy, filter.order]);
    const cursor = this.#cursors.open<{ id: string; namespace: string; name: string; createdAt: number }>(listing, query.cursor);
    const after = cursor === null ? null : { ...cursor, createdAt: new Date(cursor.createdAt) };
    const rows = await this.#store.listModels({ ...filter, after, limit: limit + 1 });
    return toPage(rows, limit, (m) => this.#cursors.seal(listing, { id: m.id, namespace: m.namespace, name: m.name, createdAt: m.createdAt.getTime() }));
  }

  async updateModel(who: RegistryPrincipal, ref: ModelRef, patch: { readonly description?: string; readonly gate?: Gate | null }): Promise<Model> {
    requireScope(who, 'write');
    const model = await this.#model(ref);
    return this.#store.updateModel(model.id, {
      ...(patch.description === undefined ? {} : { description: validateDescription(patch.description) }),
      ...(patch.gate === undefined ? {} : { gate: validateGate(patch.gate) }),
    });
  }

  async deleteModel(who: RegistryPrincipal, ref: ModelRef): Promise<void> {
    requireScope(who, 'write');
    const model = await this.#model(ref);
    await this.#pinning.release(await this.#store.deleteModel(model.id));
  }

  // ------------------------------------------------------------ registering and publishing

  async registerVersion(who: RegistryPrincipal, ref: ModelRef, input: RegisterVersionInput): Promise<Registered> {
    requireScope(who, 'write');
    const model = await this.#model(ref);
    const token = input.clientToken === undefined ? undefined : validateClientToken(input.clientToken);
    const earlier = token === undefined ? null : await this.#store.versionByClientToken(model.id, token);
    if (earlier !== null) return { version: earlier, replayed: true };
    const fields = versionFields(input);
    const stage = input.stage === undefined ? null : checkMove({ ...input.stage, to: null });
    const givenUri = input.sourceUri === undefined ? null : validateDescription(input.sourceUri, 'source URI', MAX_SOURCE_URI);
    const document = input.document === undefined ? null : validateDocument(input.document);
    await this.#checkVersionFits(model, fields.label);
    const { files, sourceUri } = await this.#pinning.pinSource(who, input.source);
    let version: ModelVersion;
    try {
      version = await this.#createVersion(who, model, { ...fields, document }, 'Completed', givenUri ?? sourceUri, files, token);
    } catch (e) {
      // A concurrent call with the same token won: answer what it made.
      const winner = token !== undefined && isSignetError(e) && e.code === 'ResourceInUse' ? await this.#store.versionByClientToken(model.id, token) : null;
      if (winner !== null) return { version: winner, replayed: true };
      throw e;
    }
    if (stage !== null) {
      try {
        await this.#store.moveStages(model.id, [{ ...stage, to: version.number }], who.userName, this.#clock());
      } catch (e) {
        // The stage refused the version (e.g. a failed compare-and-swap): register nothing.
        await this.#dropVersion(who, model.id, version.number);
        throw e;
      }
    }
    return { version, replayed: false };
  }

  async findByClientToken(who: RegistryPrincipal, ref: ModelRef, clientToken: string): Promise<ModelVersion | null> {
    requireScope(who, 'read');
    return this.#store.versionByClientToken((await this.#model(ref)).id, validateClientToken(clientToken));
  }

  /**
   * The upload grants are made before the version exists, without an owner:
   * the version's number is only given by createVersion, in the transaction
   * that stores its file rows, and those rows need the object keys the grants
   * choose. Guessing lastNumber + 1 would race with concurrent registrations.
   * Finalizing checks the file rows, so nothing depends on the grants' owner.
   */
  async declareVersion(
    who: RegistryPrincipal,
    ref: ModelRef,
    input: VersionFields & { readonly files: readonly DeclaredFile[]; readonly baseUrl: string; readonly face: string },
  ): Promise<{ readonly version: ModelVersion; readonly uploads: readonly (UploadGrant & { readonly path: string })[] }> {
    requireScope(who, 'write');
    const model = await this.#model(ref);
    const fields = versionFields(input);
    const declared = declaredFiles(input.files);
    await this.#checkVersionFits(model, fields.label);
    const pinned: string[] = [];
    try {
      const planned = await mapLimit(declared, PARALLEL, async (f) => {
        const held = await this.#pinning.findContent(f.sha256, f.size);
        if (held !== null) pinned.push(held);
        return { file: f, held };
      });
      const uploads: (UploadGrant & { path: string })[] = [];
      const files = await mapLimit(planned, PARALLEL, async ({ file, held }): Promise<RegisteredFile> => {
        if (held !== null) return { ...file, objectKey: held };
        const request: UploadRequest = { fileName: file.path, sha256: file.sha256, scope: 'APPLICATION', size: file.size, baseUrl: input.baseUrl, face: input.face };
        const { objectKey, ...grant } = await this.#uploads.grant(who, request, null);
        if (grant.uploadNeeded) uploads.push({ ...grant, path: file.path });
        else pinned.push(objectKey);
        return { ...file, objectKey };
      });
      const version = await this.#createVersion(who, model, fields, 'Pending', null, files);
      return { version, uploads: uploads.sort((a, b) => byteOrder(a.path, b.path)) };
    } catch (e) {
      await this.#pinning.release(pinned).catch(() => undefined);
      throw e;
    }
  }

  async finalizeVersion(who: RegistryPrincipal, ref: ModelRef, number: number): Promise<ModelVersion> {
    requireScope(who, 'write');
    const model = await this.#model(ref);
    const version = await this.#version(model, checkNumber(number));
    if (version.status === 'Completed') return version; // a retried finalize
    if (version.status !== 'Pending') fail('InvalidRequest', `version ${number} of ${describe(model)} is ${version.status}, not Pending`);
    const files = await this.#allFiles({ kind: 'version', modelId: model.id, number });
    const verdicts = await mapLimit(files, PARALLEL, async (f) => ((await this.#pinning.verifyObject(f.objectKey, f.sha256, f.size)) ? null : f.path));
    const bad = verdicts.filter((p): p is string => p !== null);
    if (bad.length > 0) {
      const named = bad.slice(0, MAX_NAMED_PATHS).join(', ') + (bad.length > MAX_NAMED_PATHS ? ` and ${bad.length - MAX_NAMED_PATHS} more` : '');
      fail('InvalidRequest', `${bad.length} file(s) not uploaded or not matching their declared size and SHA-256: ${named}`, { Paths: named });
    }
    return this.#store.updateVersion(model.id, number, { status: 'Completed', updatedAt: this.#clock() });
  }

  // ------------------------------------------------------------ versions

  async getVersion(who: RegistryPrincipal, ref: ModelRef, selector: VersionSelector): Promise<ModelVersion> {
    requireScope(who, 'read');
    const model = await this.#model(ref);
    if ('number' in selector) return this.#version(model, checkNumber(selector.number));
    if ('label' in selector) {
      const found = await this.#store.getVersionByLabel(model.id, validateLabel(selector.label));
      return found ?? notFound(`no version labelled "${selector.label}" in ${describe(model)}`);
    }
    if ('stage' in selector) {
      const stage = validateStageName(selector.stage);
      const pointer = (await this.#store.getStages(model.id)).find((s) => s.stage === stage);
      if (pointer === undefined) notFound(`no version is in stage "${stage}" of ${describe(model)}`);
      return this.#version(model, pointer.number);
    }
    if (selector.latest !== true) fail('InvalidArgument', 'a version selector needs a number, a label, a stage or latest');
    const latest = await this.#store.latestVersion(model.id, 'Completed');
    return latest ?? notFound(`${describe(model)} has no completed version`);
  }

  async listVersions(who: RegistryPrincipal, ref: ModelRef, page: PageRequest): Promise<Page<ModelVersion>> {
    requireScope(who, 'read');
    const model = await this.#model(ref);
    const limit = pageLimit(page.limit);
    const listing = listingOf('versions', [model.id]);
    const after = this.#cursors.open<number>(listing, page.cursor);
    const rows = await this.#store.listVersions(model.id, after, limit + 1);
    return toPage(rows, limit, (v) => this.#cursors.seal(listing, v.number));
  }

  async updateVersion(who: RegistryPrincipal, ref: ModelRef, number: number, update: VersionUpdate): Promise<ModelVersion> {
    requireScope(who, 'write');
    const model = await this.#model(ref);
    const current = await this.#version(model, checkNumber(number));
    const patch: VersionPatch = {
      ...(update.label === undefined ? {} : { label: update.label === null ? null : validateLabel(update.label) }),
      ...(update.description === undefined ? {} : { description: validateDescription(update.description) }),
      ...(update.metadata === undefined ? {} : { metadata: validateMetadata(update.metadata) }),
      ...(update.approval === undefined ? {} : { approval: checkApproval(update.approval) }),
      ...(update.status === undefined ? {} : { status: checkStatusChange(current.status, update.status) }),
      updatedAt: this.#clock(),
    };
    return this.#store.updateVersion(model.id, current.number, patch);
  }

  async deleteVersion(who: RegistryPrincipal, ref: ModelRef, number: number): Promise<void> {
    requireScope(who, 'write');
    const model = await this.#model(ref);
    await this.#version(model, checkNumber(number));
    await this.#dropVersion(who, model.id, number);
  }

  async listFiles(who: RegistryPrincipal, ref: ModelRef, number: number, page: PageRequest): Promise<Page<RegisteredFile>> {
    requireScope(who, 'read');
    const model = await this.#model(ref);
    await this.#version(model, checkNumber(number));
    const limit = pageLimit(page.limit);
    const listing = listingOf('files', [model.id, number]);
    const after = this.#cursors.open<string>(listing, page.cursor);
    const rows = await this.#store.listFiles({ kind: 'version', modelId: model.id, number }, after, limit + 1);
    return toPage(rows, limit, (f) => this.#cursors.seal(listing, f.path));
  }

  // ------------------------------------------------------------ stages

  async moveStages(who: RegistryPrincipal, ref: ModelRef, moves: readonly StageMove[]): Promise<StagePointer[]> {
    requireScope(who, 'write');
    const model = await this.#model(ref);
    if (!Array.isArray(moves) || moves.length === 0 || moves.length > MAX_STAGE_MOVES) fail('InvalidArgument', `give 1 to ${MAX_STAGE_MOVES} stage moves`);
    const checked = moves.map(checkMove);
    const stages = new Set(checked.map((m) => m.stage));
    if (stages.size !== checked.length) fail('InvalidArgument', 'a stage may be moved once per call');
    for (const to of new Set(checked.map((m) => m.to))) {
      if (to === null) continue;
      const target = await this.#version(model, to);
      if (target.status !== 'Completed') fail('InvalidRequest', `version ${to} of ${describe(model)} is ${target.status}: only a Completed version can hold a stage`);
    }
    return this.#store.moveStages(model.id, checked, who.userName, this.#clock());
  }

  async getStages(who: RegistryPrincipal, ref: ModelRef): Promise<StagePointer[]> {
    requireScope(who, 'read');
    const model = await this.#model(ref);
    return this.#store.getStages(model.id);
  }

  async stageAt(who: RegistryPrincipal, ref: ModelRef, stage: string, at: Date): Promise<number | null> {
    requireScope(who, 'read');
    const model = await this.#model(ref);
    if (!(at instanceof Date) || Number.isNaN(at.getTime())) fail('InvalidArgument', 'invalid time');
    return this.#store.stageAt(model.id, validateStageName(stage), at);
  }

  async stageHistory(who: RegistryPrincipal, ref: ModelRef, stage: string | null, page: PageRequest): Promise<Page<StageEvent>> {
    requireScope(who, 'read');
    const model = await this.#model(ref);
    const name = stage === null ? null : validateStageName(stage);
    const limit = pageLimit(page.limit);
    const listing = listingOf('stage-history', [model.id, name]);
    const before = this.#cursors.open<number>(listing, page.cursor);
    const rows = await this.#store.stageHistory(model.id, name, before, limit + 1);
    return toPage(rows, limit, (e) => this.#cursors.seal(listing, e.seq));
  }

  // ------------------------------------------------------------ packages

  async listPackages(who: RegistryPrincipal, query: PackageQuery): Promise<Page<PackageRow>> {
    requireScope(who, 'read');
    const limit = pageLimit(query.limit);
    const filter = packageFilter(query);
    const { after: _after, limit: _limit, ...shape } = filter;
    const listing = listingOf('packages', [shape]);
    const cursor = this.#cursors.open<PackageCursor>(listing, query.cursor);
    const rows = await this.#store.listPackages({ ...filter, after: cursor === null ? null : packageAfter(cursor), limit: limit + 1 });
    return toPage(rows, limit, ({ model, version }) =>
      this.#cursors.seal(listing, { ns: model.namespace, name: model.name, id: model.id, n: version.number, at: version.createdAt.getTime() } satisfies PackageCursor),
    );
  }

  // ------------------------------------------------------------ helpers

  async #model(ref: ModelRef): Promise<Model> {
    const checked: ModelRef = 'id' in ref ? { id: String(ref.id) } : { namespace: validateNamespace(ref.namespace), name: validateModelName(ref.name) };
    const model = await this.#store.getModel(checked);
    if (model === null) {
      const what = 'id' in checked ? `model ${checked.id}` : `model "${checked.name}" in namespace "${checked.namespace}"`;
      fail('ResourceNotFound', `${what} does not exist`, { Resource: 'model' });
    }
    return model;
  }

  async #version(model: Model, number: number): Promise<ModelVersion> {
    const version = await this.#store.getVersion(model.id, number);
    return version ?? notFound(`version ${number} of ${describe(model)} does not exist`);
  }

  /** Fails early, before any pinning or grant, when the store would refuse the version anyway. */
  async #checkVersionFits(model: Model, label: string | null): Promise<void> {
    if (label !== null && (await this.#store.getVersionByLabel(model.id, label)) !== null) {
      fail('ResourceInUse', `label "${label}" is taken in ${describe(model)}`, { Resource: 'version' });
    }
    if (model.unversioned && (await this.#store.latestVersion(model.id)) !== null) {
      fail('ResourceInUse', `${describe(model)} is unversioned and already has its version`, { Resource: 'version' });
    }
  }

  /** Stores the version; if that fails, the objects pinned for it are released. */
  async #createVersion(
    who: RegistryPrincipal,
    model: Model,
    fields: Fields,
    status: PackageStatus,
    sourceUri: string | null,
    files: readonly RegisteredFile[],
    clientToken?: string,
  ): Promise<ModelVersion> {
    const now = this.#clock();
    try {
      const version = { modelId: model.id, ...fields, document: fields.document ?? null, status, createdAt: now, createdBy: who.userName, updatedAt: now, sourceUri };
      return await this.#store.createVersion(version, files, clientToken);
    } catch (e) {
      await this.#pinning.release(files.map((f) => f.objectKey)).catch(() => undefined);
      throw e;
    }
  }

  async #dropVersion(who: RegistryPrincipal, modelId: string, number: number): Promise<void> {
    const keys = await this.#store.deleteVersion(modelId, number, who.userName, this.#clock());
    await this.#pinning.release(keys);
  }

  async #allFiles(owner: FileOwner): Promise<RegisteredFile[]> {
    const all: RegisteredFile[] = [];
    for (let after: string | null = null; ; ) {
      const page = await this.#store.listFiles(owner, after, 1000);
      all.push(...page);
      if (page.length < 1000) return all;
      after = page[page.length - 1]!.path;
    }
  }
}

// ---------------------------------------------------------------- input checks

function notFound(message: string): never {
  return fail('ResourceNotFound', message, { Resource: 'version' });
}

function describe(model: Model): string {
  return `model "${model.name}" in namespace "${model.namespace}"`;
}

/** Names what is listed with every parameter that shapes it, so a cursor serves only its own listing. */
function listingOf(kind: string, params: readonly unknown[]): string {
  return `${kind}:${JSON.stringify(params)}`;
}

function checkNumber(n: number): number {
  if (!Number.isSafeInteger(n) || n < 1) fail('InvalidArgument', `invalid version number ${String(n)}: expected a positive integer`);
  return n;
}

function checkApproval(value: unknown): ApprovalStatus {
  if (!APPROVAL_STATUSES.includes(value as ApprovalStatus)) fail('InvalidArgument', `invalid approval status: expected one of ${APPROVAL_STATUSES.join(', ')}`);
  return value as ApprovalStatus;
}

/**
 * Completed is reached only by registering or finalizing (which checks the
 * bytes), and a Completed version never goes back to Pending or InProgress.
 */
function checkStatusChange(from: PackageStatus, to: unknown): PackageStatus {
  if (!PACKAGE_STATUSES.includes(to as PackageStatus)) fail('InvalidArgument', `invalid status: expected one of ${PACKAGE_STATUSES.join(', ')}`);
  const status = to as PackageStatus;
  if (status === from) return status;
  if (status === 'Completed') fail('InvalidRequest', 'a version becomes Completed by finalizing it');
  if (from === 'Completed' && (status === 'Pending' || status === 'InProgress')) fail('InvalidRequest', `a Completed version cannot become ${status}`);
  return status;
}

function versionFields(input: VersionFields): Fields {
  return {
    label: input.label === undefined || input.label === null ? null : validateLabel(input.label),
    description: validateDescription(input.description ?? ''),
    metadata: validateMetadata(input.metadata ?? {}),
    approval: checkApproval(input.approval ?? DEFAULT_APPROVAL),
  };
}

function checkMove(move: StageMove): StageMove {
  if (typeof move !== 'object' || move === null) fail('InvalidArgument', 'a stage move must be an object');
  const optionalNumber = (n: number | null | undefined, what: string) => {
    if (n !== null && n !== undefined && (!Number.isSafeInteger(n) || n < 1)) fail('InvalidArgument', `invalid ${what}: expected a version number or null`);
  };
  optionalNumber(move.to, 'stage target');
  optionalNumber(move.expect, 'expected version');
  const text = (s: string | null | undefined, what: string, max: number) => (s === undefined || s === null ? s : validateDescription(s, what, max));
  return {
    stage: validateStageName(move.stage),
    to: move.to ?? null,
    ...(move.expect === undefined ? {} : { expect: move.expect }),
    ...(move.status === undefined ? {} : { status: text(move.status, 'stage status', MAX_STATUS_TEXT) }),
    ...(move.description === undefined ? {} : { description: text(move.description, 'stage description', MAX_DESCRIPTION) }),
  };
}

/** Paths valid and unique, sizes whole, SHA-256 (hex or base64) stored as hex. */
function declaredFiles(files: readonly DeclaredFile[]): DeclaredFile[] {
  if (!Array.isArray(files)) fail('InvalidArgument', 'files must be a list');
  if (files.length > MAX_VERSION_FILES) fail('ResourceLimitExceeded', `a version holds at most ${MAX_VERSION_FILES} files`);
  const out = files.map((f) => {
    const path = validateFilePath(f.path);
    if (!Number.isSafeInteger(f.size) || f.size < 0) fail('InvalidArgument', `invalid size of "${path}": expected a non-negative integer`);
    return { path, size: f.size, sha256: sha256Hex(f.sha256, path) };
  });
  checkPaths(out.map((f) => f.path));
  return out;
}

/** A SHA-256 given as 64 hex digits or as base64 (standard or URL-safe) of its 32 bytes, as hex. */
export function sha256Hex(value: unknown, path = 'file'): string {
  if (typeof value === 'string' && /^[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase();
  if (typeof value === 'string' && /^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    if (bytes.length === 32) return bytes.toString('hex');
  }
  return fail('InvalidArgument', `invalid sha256 of "${path}": expected 64 hex digits or base64 of 32 bytes`);
}

const PACKAGE_TYPES = ['VERSIONED', 'UNVERSIONED', 'BOTH'] as const;
const SORTS = ['Name', 'CreationTime'] as const;
const ORDERS = ['Ascending', 'Descending'] as const;

function oneOf<T extends string>(value: unknown, allowed: readonly T[], what: string, fallback: T): T {
  if (value === undefined) return fallback;
  if (!allowed.includes(value as T)) fail('InvalidArgument', `invalid ${what}: expected one of ${allowed.join(', ')}`);
  return value as T;
}

function optionalDate(value: unknown, what: string): Date | undefined {
  if (value === undefined) return undefined;
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) fail('InvalidArgument', `invalid ${what}: expected a time`);
  return value;
}

/** The core's defaults: both kinds of package, by creation time, oldest first (faces pass their own). */
function packageFilter(q: PackageQuery): PackageFilter {
  return {
    ...(q.namespace === undefined ? {} : { namespace: validateNamespace(q.namespace) }),
    ...(q.modelName === undefined ? {} : { modelName: validateModelName(q.modelName) }),
    ...(q.nameContains === undefined ? {} : { nameContains: validateNameFragment(q.nameContains) }),
    ...(q.approval === undefined ? {} : { approval: checkApproval(q.approval) }),
    ...(q.createdAfter === undefined ? {} : { createdAfter: optionalDate(q.createdAfter, 'createdAfter') }),
    ...(q.createdBefore === undefined ? {} : { createdBefore: optionalDate(q.createdBefore, 'createdBefore') }),
    type: oneOf(q.type, PACKAGE_TYPES, 'package type', 'BOTH'),
    sortBy: oneOf(q.sortBy, SORTS, 'sort', 'CreationTime'),
    order: oneOf(q.order, ORDERS, 'sort order', 'Ascending'),
    after: null,
    limit: 0,
  };
}

/**
 * The last row of the previous page, rebuilt from what the cursor keeps: the
 * store continues after it by (name, namespace, number) or (creation time,
 * model id, number), so the other fields are placeholders.
 */
function packageAfter(c: PackageCursor): PackageRow {
  const at = new Date(c.at);
  return {
    model: { id: c.id, namespace: c.ns, name: c.name, description: '', unversioned: false, gate: null, createdAt: at, createdBy: '', lastNumber: c.n },
    version: {
      modelId: c.id,
      number: c.n,
      label: null,
      description: '',
      metadata: {},
      approval: DEFAULT_APPROVAL,
      status: 'Completed',
      createdAt: at,
      createdBy: '',
      updatedAt: at,
      fileCount: 0,
      totalSize: 0,
      sourceUri: null,
      document: null,
    },
  };
}
