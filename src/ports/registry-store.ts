/**
 * @module
 * The registry's part of the metadata port (reached as `MetaStore.registry`).
 * Methods are whole use cases, each one transaction. Implemented once over
 * Kysely for SQLite and PostgreSQL (`adapters/meta/registry-store.ts`), proven
 * by `test/contract/registry-store.test.ts`.
 *
 * Listing methods take the last item of the previous page as `after` (null for
 * the first page) and return at most `limit` items; the core turns items into
 * opaque cursors. Strings compare in UTF-8 byte order.
 *
 * Errors (SignetError): ResourceNotFound (details.Resource names what),
 * ResourceInUse (a unique name or number taken), Conflict (a stage
 * compare-and-swap failed).
 */
import type {
  ApiToken,
  ApprovalStatus,
  AuditEvent,
  EulaAcceptance,
  FileOwner,
  GateSubject,
  Grant,
  Hub,
  HubContent,
  HubContentType,
  Model,
  ModelVersion,
  NewAuditEvent,
  NewHubContent,
  NewModel,
  NewModelVersion,
  PackageStatus,
  RegisteredFile,
  StageEvent,
  StageMove,
  StagePointer,
  Tag,
  TagOwner,
  UploadSlot,
} from '../core/registry/registry-types.ts';

export type ModelRef = { readonly id: string } | { readonly namespace: string; readonly name: string };

export interface ModelFilter {
  readonly namespace?: string;
  readonly nameContains?: string;
  readonly unversioned?: boolean;
  /** Strict bounds on creation time. */
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  /** Name (default): namespace, then name. CreationTime: creation time, then id. */
  readonly sortBy?: 'Name' | 'CreationTime';
  readonly order?: 'Ascending' | 'Descending';
  /** The last model of the previous page (the fields both sorts need). */
  readonly after: ModelCursor | null;
  readonly limit: number;
}

export type ModelCursor = Pick<Model, 'id' | 'namespace' | 'name' | 'createdAt'>;

export interface ModelPatch {
  readonly description?: string;
  /** null removes the gate. */
  readonly gate?: Model['gate'];
}

export interface VersionPatch {
  readonly label?: string | null;
  readonly description?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly approval?: ApprovalStatus;
  readonly status?: PackageStatus;
  readonly updatedAt: Date;
}

/** ListModelPackages: a model with one of its versions. */
export interface PackageRow {
  readonly model: Model;
  readonly version: ModelVersion;
}

export interface PackageFilter {
  readonly namespace?: string;
  /** Exact model name (SageMaker's ModelPackageGroupName). */
  readonly modelName?: string;
  readonly nameContains?: string;
  readonly approval?: ApprovalStatus;
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  readonly type: 'VERSIONED' | 'UNVERSIONED' | 'BOTH';
  /** Name: model name, then version number; CreationTime: version creation, then model id, then number. */
  readonly sortBy: 'Name' | 'CreationTime';
  readonly order: 'Ascending' | 'Descending';
  readonly after: PackageRow | null;
  readonly limit: number;
}

export interface HubFilter {
  readonly nameContains?: string;
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  readonly sortBy: 'HubName' | 'CreationTime';
  readonly order: 'Ascending' | 'Descending';
  readonly after: Hub | null;
  readonly limit: number;
}

export interface HubContentFilter {
  readonly hubName: string;
  readonly type: HubContentType;
  /** Set: versions of this content (ListHubContentVersions). Unset: the latest version of each name. */
  readonly name?: string;
  readonly nameContains?: string;
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  readonly sortBy: 'HubContentName' | 'CreationTime';
  readonly order: 'Ascending' | 'Descending';
  readonly after: HubContent | null;
  readonly limit: number;
}

export interface HubContentPatch {
  readonly displayName?: string;
  readonly description?: string;
  readonly markdown?: string;
  readonly searchKeywords?: readonly string[];
  readonly supportStatus?: string | null;
  readonly updatedAt: Date;
}

export interface AuditFilter {
  readonly action?: string;
  readonly userId?: string;
  readonly since?: Date;
  /** Newest first: events with seq below this. */
  readonly beforeSeq: number | null;
  readonly limit: number;
}

export interface RegistryStore {
  // API tokens
  createToken(token: ApiToken): Promise<void>;
  getToken(id: string): Promise<ApiToken | null>;
  /** A user's tokens, or everyone's when userId is null; newest first. */
  listTokens(userId: string | null): Promise<ApiToken[]>;
  /** ResourceNotFound if absent; revoking twice keeps the first time. */
  revokeToken(id: string, at: Date): Promise<ApiToken>;

  // Models
  createModel(model: NewModel): Promise<Model>; // ResourceInUse
  getModel(ref: ModelRef): Promise<Model | null>;
  listModels(filter: ModelFilter): Promise<Model[]>;
  updateModel(id: string, patch: ModelPatch): Promise<Model>;
  /** Removes the model, its versions, files, stages and history; returns the object keys its files used. */
  deleteModel(id: string): Promise<string[]>;

  // Versions
  /**
   * Gives the next number (lastNumber + 1) and stores the version with its
   * files in one transaction. ResourceInUse if the label is taken, or if the
   * model is unversioned and already has a version.
   */
  /**
   * Stores a version with the next number. With a `clientToken`, the model
   * keeps it: a second version with the same token is ResourceInUse (the
   * caller then finds the first with {@link versionByClientToken}).
   */
  createVersion(version: NewModelVersion, files: readonly RegisteredFile[], clientToken?: string): Promise<ModelVersion>;
  /** The version of the model created with this client token, if any. */
  versionByClientToken(modelId: string, clientToken: string): Promise<ModelVersion | null>;
  getVersion(modelId: string, number: number): Promise<ModelVersion | null>;
  getVersionByLabel(modelId: string, label: string): Promise<ModelVersion | null>;
  /** The highest-numbered version, optionally only among those with this status. */
  latestVersion(modelId: string, status?: PackageStatus): Promise<ModelVersion | null>;
  /** By number ascending, after `afterNumber`. */
  listVersions(modelId: string, afterNumber: number | null, limit: number): Promise<ModelVersion[]>;
  updateVersion(modelId: string, number: number, patch: VersionPatch): Promise<ModelVersion>;
  /** Removes the version, its files and any stage pointing at it (recorded as a cleared-stage event); returns the object keys its files used. */
  deleteVersion(modelId: string, number: number, actor: string, at: Date): Promise<string[]>;
  listPackages(filter: PackageFilter): Promise<PackageRow[]>;

  // Files of versions and hub contents
  /** By path (byte order), after `afterPath`. */
  listFiles(owner: FileOwner, afterPath: string | null, limit: number): Promise<RegisteredFile[]>;
  /** Any registered file with this content whose bytes are stored, to reuse them. */
  findFileBySha256(sha256: string): Promise<RegisteredFile | null>;
  /** Whether any file row still uses this object key (for sweeping orphaned system objects). */
  isObjectKeyUsed(objectKey: string): Promise<boolean>;

  // Stages
  /**
   * Applies every move or none: Conflict if an `expect` does not hold,
   * ResourceNotFound if a target version does not exist. Records one event per move.
   */
  moveStages(modelId: string, moves: readonly StageMove[], actor: string, at: Date): Promise<StagePointer[]>;
  getStages(modelId: string): Promise<StagePointer[]>;
  /** The version the stage pointed at, at time `at` (null: none). */
  stageAt(modelId: string, stage: string, at: Date): Promise<number | null>;
  /** Newest first, events with seq below `beforeSeq`. */
  stageHistory(modelId: string, stage: string | null, beforeSeq: number | null, limit: number): Promise<StageEvent[]>;

  // Hubs
  createHub(hub: Hub): Promise<void>; // ResourceInUse
  getHub(name: string): Promise<Hub | null>;
  listHubs(filter: HubFilter): Promise<Hub[]>;
  updateHub(name: string, patch: { displayName?: string; description?: string; searchKeywords?: readonly string[]; updatedAt: Date }): Promise<Hub>;
  /** ResourceInUse while the hub holds content. */
  deleteHub(name: string): Promise<void>;

  /** Stores a content version with its files. ResourceInUse if that type/name/version exists. */
  createHubContent(content: NewHubContent, files: readonly RegisteredFile[]): Promise<HubContent>;
  /** version null: the latest (highest by dotted-number order). */
  getHubContent(hubName: string, type: HubContentType, name: string, version: string | null): Promise<HubContent | null>;
  listHubContents(filter: HubContentFilter): Promise<HubContent[]>;
  updateHubContent(hubName: string, type: HubContentType, name: string, version: string, patch: HubContentPatch): Promise<HubContent>;
  /** version null: every version. Returns the object keys the removed files used. */
  deleteHubContent(hubName: string, type: HubContentType, name: string, version: string | null): Promise<string[]>;

  // Tags (removed with their owner)
  /** Adds or replaces tags by key. ResourceNotFound when the owner does not exist; ResourceLimitExceeded (nothing changed) when it would hold more than `max`. */
  putTags(owner: TagOwner, tags: readonly Tag[], max: number): Promise<Tag[]>;
  /** Removes the tags with these keys (absent keys are ignored). ResourceNotFound when the owner does not exist. */
  deleteTags(owner: TagOwner, keys: readonly string[]): Promise<void>;
  /** The owner's tags in key order (none for an owner that does not exist). */
  listTags(owner: TagOwner): Promise<Tag[]>;

  // Gates
  recordAcceptance(acceptance: EulaAcceptance): Promise<void>;
  /** The acceptance of exactly this EULA version by this user, if any. */
  findAcceptance(userId: string, subject: GateSubject, eula: string, eulaVersion: string): Promise<EulaAcceptance | null>;
  /** Newest first. */
  listAcceptances(subject: GateSubject | null, limit: number): Promise<EulaAcceptance[]>;

  // Grants and audit
  /** Stores the grant and its audit event in one transaction. */
  recordGrant(grant: Grant, audit: NewAuditEvent): Promise<void>;
  getGrant(id: string): Promise<Grant | null>;
  appendAudit(event: NewAuditEvent): Promise<void>;
  listAudit(filter: AuditFilter): Promise<AuditEvent[]>;

  // Upload slots
  /**
   * Stores a slot. A SESSION slot joins its session: while the session has a
   * slot that has not expired at `slot.createdAt`, the new slot takes that
   * expiry (a session lives from its first grant). Returns the slot as stored.
   */
  createUploadSlot(slot: UploadSlot): Promise<UploadSlot>;
  getUploadSlot(fileId: string): Promise<UploadSlot | null>;
  /** SESSION slots whose session expired at `now`, oldest first. */
  listExpiredSessionSlots(now: Date, limit: number): Promise<UploadSlot[]>;
  deleteUploadSlots(fileIds: readonly string[]): Promise<void>;
}
