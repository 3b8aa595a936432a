/**
 * @module
 * Hubs and their content (SageMaker's private hubs). Importing content pins
 * the files its document's HostingArtifactUri names, so the content is as
 * immutable as a model version; HostingEulaUri gates it. A ModelReference
 * shares the files (the same system objects: releasing keeps them while
 * either uses them) and the gate of Model content in another hub.
 */
import { randomUUID } from 'node:crypto';
import { fail } from '../errors.ts';
import type { MetaStore } from '../../ports/meta-store.ts';
import type { Cursors } from './cursors.ts';
import { formatHubContentArn, parseHubContentArn } from './hub-content-arn.ts';
import {
  MAX_DOCUMENT,
  checkContentName,
  checkContentVersion,
  checkDescriptive,
  checkHubName,
  checkText,
} from './hub-names.ts';
import type { DescriptiveFields } from './hub-names.ts';
import { pageLimit, toPage } from './pages.ts';
import type { Pinning } from './pinning.ts';
import type { ContentQuery, FileSource, HubsService, ImportContentInput, NewHubInput, Page, PageRequest } from './registry-api.ts';
import { HUB_CONTENT_TYPES } from './registry-types.ts';
import type { Hub, HubContent, HubContentType, NewHubContent, RegisteredFile, RegistryPrincipal } from './registry-types.ts';
import { parseS3Uri } from './s3-uri.ts';
import { requireScope } from './scopes.ts';
import { compareVersions } from './version-order.ts';

export const DEFAULT_CONTENT_VERSION = '1.0.0';
const MAX_EULA_URI = 2048;
const FILE_PAGE = 1000;

export interface HubsDeps {
  readonly meta: MetaStore;
  readonly pinning: Pinning;
  readonly cursors: Cursors;
  readonly clock: () => Date;
  readonly account: { readonly accountId: string; readonly region: string };
}

type HubListQuery = PageRequest & {
  readonly nameContains?: string;
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  readonly sortBy?: 'HubName' | 'CreationTime';
  readonly order?: 'Ascending' | 'Descending';
};

/** What a cursor keeps of the last item: the keys every sort order continues from. */
interface ItemCursor {
  readonly i: string;
  readonly n: string;
  readonly c: number;
  readonly v?: string;
}

export class Hubs implements HubsService {
  readonly #meta: MetaStore;
  readonly #pinning: Pinning;
  readonly #cursors: Cursors;
  readonly #clock: () => Date;
  readonly #account: { readonly accountId: string; readonly region: string };

  constructor(deps: HubsDeps) {
    this.#meta = deps.meta;
    this.#pinning = deps.pinning;
    this.#cursors = deps.cursors;
    this.#clock = deps.clock;
    this.#account = deps.account;
  }

  // ------------------------------------------------------------ hubs

  async createHub(who: RegistryPrincipal, input: NewHubInput): Promise<Hub> {
    requireScope(who, 'write');
    const name = checkHubName(input.name);
    const f = checkDescriptive({ displayName: input.displayName ?? '', description: input.description ?? '', searchKeywords: input.searchKeywords ?? [] });
    const now = this.#clock();
    const hub: Hub = {
      id: randomUUID(),
      name,
      displayName: f.displayName ?? '',
      description: f.description ?? '',
      searchKeywords: f.searchKeywords ?? [],
      createdAt: now,
      updatedAt: now,
    };
    await this.#meta.registry.createHub(hub);
    return hub;
  }

  async getHub(who: RegistryPrincipal, name: string): Promise<Hub> {
    requireScope(who, 'read');
    return this.#requireHub(checkHubName(name));
  }

  async listHubs(who: RegistryPrincipal, query: HubListQuery): Promise<Page<Hub>> {
    requireScope(who, 'read');
    const limit = pageLimit(query.limit);
    const sortBy = query.sortBy ?? 'CreationTime';
    const order = query.order ?? 'Descending';
    const listing = `hubs|${JSON.stringify([sortBy, order, query.nameContains ?? null, ms(query.createdAfter), ms(query.createdBefore)])}`;
    const at = this.#cursors.open<ItemCursor>(listing, query.cursor);
    const hubs = await this.#meta.registry.listHubs({
      ...optional({ nameContains: query.nameContains, createdAfter: query.createdAfter, createdBefore: query.createdBefore }),
      sortBy,
      order,
      after: at ? hubAt(at) : null,
      limit: limit + 1,
    });
    return toPage(hubs, limit, (h) => this.#cursors.seal(listing, { i: h.id, n: h.name, c: h.createdAt.getTime() } satisfies ItemCursor));
  }

  async updateHub(who: RegistryPrincipal, name: string, patch: Pick<DescriptiveFields, 'displayName' | 'description' | 'searchKeywords'>): Promise<Hub> {
    requireScope(who, 'write');
    const f = checkDescriptive({ displayName: patch.displayName, description: patch.description, searchKeywords: patch.searchKeywords });
    return this.#meta.registry.updateHub(checkHubName(name), { ...optional(f), updatedAt: this.#clock() });
  }

  async deleteHub(who: RegistryPrincipal, name: string): Promise<void> {
    requireScope(who, 'write');
    await this.#meta.registry.deleteHub(checkHubName(name));
  }

  // ------------------------------------------------------------ contents

  async importContent(who: RegistryPrincipal, input: ImportContentInput): Promise<HubContent> {
    requireScope(who, 'write');
    const hubName = checkHubName(input.hubName);
    const type = checkType(input.type);
    if (type === 'ModelReference') fail('InvalidArgument', 'a ModelReference is made with CreateHubContentReference, not imported');
    const name = checkContentName(input.name);
    const version = checkContentVersion(input.version ?? DEFAULT_CONTENT_VERSION);
    const f = checkDescriptive(input);
    const document = checkText('hub content document', input.document, MAX_DOCUMENT);
    const schemaVersion = checkContentVersion(input.documentSchemaVersion ?? DEFAULT_CONTENT_VERSION, 'document schema version');
    const doc = parseDocument(document);
    const artifactUri = artifactUriOf(type, doc);
    const eulaUri = uriField(doc, 'HostingEulaUri');
    await this.#requireHub(hubName);
    if (await this.#meta.registry.getHubContent(hubName, type, name, version)) {
      fail('ResourceInUse', `${type} "${name}" version ${version} already exists in hub "${hubName}".`, { Resource: 'hub-content' });
    }
    const source: FileSource = artifactUri ? parseS3Uri(artifactUri) : { kind: 'none' };
    const pinned = await this.#pinning.pinSource(who, source);
    const now = this.#clock();
    const content: NewHubContent = {
      id: randomUUID(),
      hubName,
      type,
      name,
      version,
      displayName: f.displayName ?? '',
      description: f.description ?? '',
      markdown: f.markdown ?? '',
      searchKeywords: f.searchKeywords ?? [],
      supportStatus: f.supportStatus ?? null,
      document,
      documentSchemaVersion: schemaVersion,
      artifactUri,
      eulaUri,
      referenceArn: null,
      createdAt: now,
      updatedAt: now,
    };
    return this.#store(content, pinned.files);
  }

  async getContent(who: RegistryPrincipal, hubName: string, type: HubContentType, name: string, version?: string | null): Promise<HubContent> {
    requireScope(who, 'read');
    return this.#requireContent(hubName, type, name, version ?? null);
  }

  async listContents(who: RegistryPrincipal, query: ContentQuery): Promise<Page<HubContent>> {
    requireScope(who, 'read');
    return this.#listContents(query, undefined);
  }

  async listContentVersions(who: RegistryPrincipal, query: ContentQuery & { readonly name: string }): Promise<Page<HubContent>> {
    requireScope(who, 'read');
    return this.#listContents(query, checkContentName(query.name));
  }

  async updateContent(
    who: RegistryPrincipal,
    hubName: string,
    type: HubContentType,
    name: string,
    version: string,
    patch: DescriptiveFields,
  ): Promise<HubContent> {
    requireScope(who, 'write');
    const f = checkDescriptive(patch);
    const where = [checkHubName(hubName), checkType(type), checkContentName(name), checkContentVersion(version)] as const;
    return this.#meta.registry.updateHubContent(...where, { ...optional(f), updatedAt: this.#clock() });
  }

  async deleteContent(who: RegistryPrincipal, hubName: string, type: HubContentType, name: string, version: string | null): Promise<void> {
    requireScope(who, 'write');
    const v = version === null ? null : checkContentVersion(version);
    const keys = await this.#meta.registry.deleteHubContent(checkHubName(hubName), checkType(type), checkContentName(name), v);
    await this.#pinning.release(keys);
  }

  async createReference(
    who: RegistryPrincipal,
    input: { readonly hubName: string; readonly sourceArn: string; readonly name?: string; readonly minVersion?: string },
  ): Promise<HubContent> {
    requireScope(who, 'write');
    const hubName = checkHubName(input.hubName);
    const source = await this.#referenced(hubName, input.sourceArn, input.minVersion);
    const name = checkContentName(input.name ?? source.name);
    await this.#requireHub(hubName);
    if (await this.#meta.registry.getHubContent(hubName, 'ModelReference', name, null)) {
      fail('ResourceInUse', `ModelReference "${name}" already exists in hub "${hubName}".`, { Resource: 'hub-content' });
    }
    const now = this.#clock();
    const { fileCount: _count, totalSize: _size, ...shared } = source;
    const reference: NewHubContent = {
      ...shared,
      id: randomUUID(),
      hubName,
      type: 'ModelReference',
      name,
      referenceArn: formatHubContentArn({ ...this.#account, hubName: source.hubName, type: 'Model', name: source.name, version: source.version }),
      createdAt: now,
      updatedAt: now,
    };
    const files = await this.#allFiles(source.id);
    return this.#meta.registry.createHubContent(reference, files);
  }

  async deleteReference(who: RegistryPrincipal, hubName: string, name: string): Promise<void> {
    return this.deleteContent(who, hubName, 'ModelReference', name, null);
  }

  // ------------------------------------------------------------ helpers

  async #requireHub(name: string): Promise<Hub> {
    const hub = await this.#meta.registry.getHub(name);
    if (!hub) fail('ResourceNotFound', `Hub "${name}" does not exist.`, { Resource: 'hub' });
    return hub;
  }

  async #requireContent(hubName: string, type: HubContentType, name: string, version: string | null): Promise<HubContent> {
    const hub = checkHubName(hubName);
    const t = checkType(type);
    const n = checkContentName(name);
    const v = version === null ? null : checkContentVersion(version);
    const content = await this.#meta.registry.getHubContent(hub, t, n, v);
    if (content) return content;
    await this.#requireHub(hub);
    return fail('ResourceNotFound', `${t} "${n}"${v ? ` version ${v}` : ''} does not exist in hub "${hub}".`, { Resource: 'hub-content' });
  }

  /** Stores a content version; on failure, the objects pinned for it are released. */
  async #store(content: NewHubContent, files: readonly RegisteredFile[]): Promise<HubContent> {
    try {
      return await this.#meta.registry.createHubContent(content, files);
    } catch (e) {
      await this.#pinning.release(files.map((f) => f.objectKey)).catch(() => undefined);
      throw e;
    }
  }

  /** The Model content a reference's source ARN names: in this account, another hub, at least `minVersion`. */
  async #referenced(hubName: string, sourceArn: string, minVersion: string | undefined): Promise<HubContent> {
    const arn = parseHubContentArn(sourceArn);
    if (arn.type !== 'Model') fail('InvalidArgument', 'a hub content reference must name Model content');
    if (arn.hubName === hubName) fail('InvalidArgument', 'a hub content reference must name content in another hub');
    const mine = arn.accountId === this.#account.accountId && arn.region === this.#account.region;
    const source = mine ? await this.#meta.registry.getHubContent(arn.hubName, 'Model', arn.name, arn.version) : null;
    if (!source) fail('ResourceNotFound', `No hub content ${sourceArn}.`, { Resource: 'hub-content' });
    if (minVersion !== undefined && compareVersions(source.version, checkContentVersion(minVersion, 'minimum version')) < 0) {
      fail('InvalidArgument', `${sourceArn} is version ${source.version}, below the minimum version ${minVersion}`);
    }
    return source;
  }

  async #allFiles(contentId: string): Promise<RegisteredFile[]> {
    const out: RegisteredFile[] = [];
    for (let after: string | null = null; ; ) {
      const page = await this.#meta.registry.listFiles({ kind: 'hub-content', contentId }, after, FILE_PAGE);
      out.push(...page);
      if (page.length < FILE_PAGE) return out;
      after = page[page.length - 1]!.path;
    }
  }

  async #listContents(query: ContentQuery, name: string | undefined): Promise<Page<HubContent>> {
    const limit = pageLimit(query.limit);
    const hubName = checkHubName(query.hubName);
    const type = checkType(query.type);
    const sortBy = query.sortBy ?? 'CreationTime';
    const order = query.order ?? 'Descending';
    const shape = [hubName, type, name ?? null, sortBy, order, query.nameContains ?? null, ms(query.createdAfter), ms(query.createdBefore)];
    const listing = `hub-contents|${JSON.stringify(shape)}`;
    const at = this.#cursors.open<ItemCursor>(listing, query.cursor);
    await this.#requireHub(hubName);
    const items = await this.#meta.registry.listHubContents({
      hubName,
      type,
      ...optional({ name, nameContains: query.nameContains, createdAfter: query.createdAfter, createdBefore: query.createdBefore }),
      sortBy,
      order,
      after: at ? contentAt(hubName, type, at) : null,
      limit: limit + 1,
    });
    return toPage(items, limit, (c) => this.#cursors.seal(listing, { i: c.id, n: c.name, c: c.createdAt.getTime(), v: c.version } satisfies ItemCursor));
  }
}

function checkType(type: unknown): HubContentType {
  if (!(HUB_CONTENT_TYPES as readonly unknown[]).includes(type)) fail('InvalidArgument', `invalid hub content type: must be one of ${HUB_CONTENT_TYPES.join(', ')}`);
  return type as HubContentType;
}

function parseDocument(document: string): Record<string, unknown> {
  let doc: unknown;
  try {
    doc = JSON.parse(document);
  } catch {
    return fail('InvalidArgument', 'invalid hub content document: not valid JSON');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) fail('InvalidArgument', 'invalid hub content document: must be a JSON object');
  return doc as Record<string, unknown>;
}

/** A string field of the document, if present; InvalidArgument if it is not a non-empty string. */
function uriField(doc: Record<string, unknown>, field: string): string | null {
  const value = doc[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_EULA_URI) {
    fail('InvalidArgument', `invalid hub content document: ${field} must be a string of 1 to ${MAX_EULA_URI} characters`);
  }
  return value;
}

/** HostingArtifactUri (a prefix or an object); a Notebook may name its file with NotebookLocation. */
function artifactUriOf(type: HubContentType, doc: Record<string, unknown>): string | null {
  const hosting = uriField(doc, 'HostingArtifactUri');
  return hosting ?? (type === 'Notebook' ? uriField(doc, 'NotebookLocation') : null);
}

function ms(date: Date | undefined): number | null {
  return date === undefined ? null : date.getTime();
}

/** The entries whose value is not undefined (the store's filters are optional properties). */
function optional<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** A hub standing for the cursor's position: the store continues from its sort keys. */
function hubAt(c: ItemCursor): Hub {
  const at = new Date(c.c);
  return { id: c.i, name: c.n, displayName: '', description: '', searchKeywords: [], createdAt: at, updatedAt: at };
}

function contentAt(hubName: string, type: HubContentType, c: ItemCursor): HubContent {
  const at = new Date(c.c);
  return {
    id: c.i,
    hubName,
    type,
    name: c.n,
    version: c.v ?? '',
    displayName: '',
    description: '',
    markdown: '',
    searchKeywords: [],
    supportStatus: null,
    document: '',
    documentSchemaVersion: '',
    artifactUri: null,
    eulaUri: null,
    referenceArn: null,
    createdAt: at,
    updatedAt: at,
    fileCount: 0,
    totalSize: 0,
  };
}
