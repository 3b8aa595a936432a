/**
 * @module
 * What the registry core offers its faces (REST, SageMaker, DVC): one set of
 * services, one vocabulary. Faces translate their wire to these calls and map
 * `SignetError` codes to their own error shapes; no rule lives in a face.
 *
 * Every method takes the caller first and checks its scope itself:
 * reads need `read`, changes need `write`, audit and acceptance listings and
 * other users' tokens need `admin`.
 *
 * Lists return a {@link Page}: `nextCursor` is opaque, sealed with a server
 * key and bound to the listing it came from (a cursor of another listing or
 * an edited one fails with InvalidArgument, "invalid pagination token").
 */
import type { Principal } from '../types.ts';
import type {
  ApiToken,
  ApprovalStatus,
  AuditEvent,
  EulaAcceptance,
  Gate,
  Hub,
  HubContent,
  HubContentType,
  Model,
  ModelVersion,
  PackageStatus,
  RegisteredFile,
  RegistryPrincipal,
  StageEvent,
  StageMove,
  StagePointer,
  Tag,
  TagOwner,
  TokenScope,
  UploadScope,
} from './registry-types.ts';
import type { ModelRef, PackageRow } from '../../ports/registry-store.ts';

export type { ModelRef, PackageRow };

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor: string | null;
}

export interface PageRequest {
  /** A `nextCursor` from the previous page of the same listing. */
  readonly cursor?: string | null;
  /** Default 100, at most 1000. */
  readonly limit?: number;
}

// ---------------------------------------------------------------- tokens

export interface NewTokenInput {
  readonly name: string;
  readonly scopes: readonly TokenScope[];
  /** Seconds until the token stops working; absent: never. */
  readonly expiresIn?: number;
  /** Admins may create a token for another user (by name). */
  readonly userName?: string;
}

export interface TokensService {
  /** The token string (`sgt_<id>_<secret>`) is returned once and never stored. Scopes may not exceed the caller's. */
  create(who: RegistryPrincipal, input: NewTokenInput): Promise<{ readonly token: ApiToken; readonly secret: string }>;
  /** The caller's tokens (all users' with admin scope and `all`). */
  list(who: RegistryPrincipal, options?: { readonly all?: boolean }): Promise<ApiToken[]>;
  /** Effective at once: the next request with it fails. */
  revoke(who: RegistryPrincipal, id: string): Promise<ApiToken>;
  /** `Authorization: Bearer <t>` or `token <t>`. Unauthenticated for an unknown, revoked, expired or malformed token. */
  authenticateToken(token: string): Promise<RegistryPrincipal>;
  /** HTTP Basic with an access key id and its secret. Unauthenticated on mismatch. */
  authenticateBasic(accessKeyId: string, secret: string): Promise<RegistryPrincipal>;
  /** A principal already proven by SigV4: root gets every scope, other users read and write. */
  fromSigned(principal: Principal): RegistryPrincipal;
  /** AccessDenied unless the caller holds `scope` (admin implies write implies read). */
  require(who: RegistryPrincipal, scope: TokenScope): void;
}

// ---------------------------------------------------------------- models

/** Where a version's files come from, read at registration time and pinned. */
export type FileSource =
  /** Every object under the prefix; LocalPath is the key without the prefix. */
  | { readonly kind: 's3-prefix'; readonly bucket: string; readonly prefix: string }
  /** One object; LocalPath is the key's last segment unless `path` is given. */
  | { readonly kind: 's3-object'; readonly bucket: string; readonly key: string; readonly versionId?: string; readonly path?: string }
  | {
      readonly kind: 'files';
      readonly files: ReadonlyArray<{ readonly path: string; readonly bucket: string; readonly key: string; readonly versionId?: string }>;
    }
  | { readonly kind: 'none' };

/** Parses `s3://bucket/key-or-prefix` (prefix when it ends with `/` or `asPrefix`). InvalidArgument otherwise. */
export type ParseS3Uri = (uri: string, asPrefix?: boolean) => FileSource;

export interface NewModelInput {
  readonly namespace: string;
  readonly name: string;
  readonly description?: string;
  readonly gate?: Gate | null;
  readonly unversioned?: boolean;
}

export interface VersionFields {
  readonly label?: string | null;
  readonly description?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly approval?: ApprovalStatus;
}

export interface RegisterVersionInput extends VersionFields {
  readonly source: FileSource;
  /** Recorded as the version's sourceUri; defaults to a URI made from `source`. */
  readonly sourceUri?: string;
  /** A JSON document kept with the version (at most 64 KiB). */
  readonly document?: string;
  /** Stage moves to apply once the version exists (same transaction is not required). */
  readonly stage?: Omit<StageMove, 'to'>;
  /**
   * An idempotency token (SageMaker's ClientToken; the AWS SDKs send a fresh
   * one with each call and the same one with its retries): a call with a
   * token the model's versions already hold answers that version and changes
   * nothing.
   */
  readonly clientToken?: string;
}

/** A registered version, and whether it was made by an earlier call with the same client token. */
export interface Registered {
  readonly version: ModelVersion;
  readonly replayed: boolean;
}

/** A file declared for publishing: its bytes come later, through an upload grant. */
export interface DeclaredFile {
  readonly path: string;
  readonly size: number;
  /** Hex or base64 SHA-256. */
  readonly sha256: string;
}

export type VersionSelector =
  | { readonly number: number }
  | { readonly label: string }
  | { readonly stage: string }
  /** The highest-numbered Completed version. */
  | { readonly latest: true };

export interface VersionUpdate extends VersionFields {
  readonly status?: PackageStatus;
}

export interface PackageQuery extends PageRequest {
  readonly namespace?: string;
  readonly modelName?: string;
  readonly nameContains?: string;
  readonly approval?: ApprovalStatus;
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  readonly type?: 'VERSIONED' | 'UNVERSIONED' | 'BOTH';
  readonly sortBy?: 'Name' | 'CreationTime';
  readonly order?: 'Ascending' | 'Descending';
}

export interface ModelQuery extends PageRequest {
  readonly namespace?: string;
  readonly nameContains?: string;
  readonly unversioned?: boolean;
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  /** Default Name (namespace, then name). */
  readonly sortBy?: 'Name' | 'CreationTime';
  readonly order?: 'Ascending' | 'Descending';
}

export interface ModelsService {
  createModel(who: RegistryPrincipal, input: NewModelInput): Promise<Model>; // ResourceInUse
  getModel(who: RegistryPrincipal, ref: ModelRef): Promise<Model>; // ResourceNotFound
  listModels(who: RegistryPrincipal, query: ModelQuery): Promise<Page<Model>>;
  updateModel(who: RegistryPrincipal, ref: ModelRef, patch: { readonly description?: string; readonly gate?: Gate | null }): Promise<Model>;
  /** Deletes versions, stages and history; bytes another version or object still uses stay. */
  deleteModel(who: RegistryPrincipal, ref: ModelRef): Promise<void>;

  /** Registers a Completed version whose files are pinned from `source` now (or finds the one its client token made). */
  registerVersion(who: RegistryPrincipal, ref: ModelRef, input: RegisterVersionInput): Promise<Registered>;
  /** The version of the model that a call with this client token registered, if any. */
  findByClientToken(who: RegistryPrincipal, ref: ModelRef, clientToken: string): Promise<ModelVersion | null>;
  /**
   * Publish, step 1: a Pending version with declared files. Files whose
   * content the store already holds are pinned at once; the answer carries an
   * upload grant for each of the others.
   */
  declareVersion(
    who: RegistryPrincipal,
    ref: ModelRef,
    input: VersionFields & { readonly files: readonly DeclaredFile[]; readonly baseUrl: string; readonly face: string },
  ): Promise<{ readonly version: ModelVersion; readonly uploads: readonly (UploadGrant & { readonly path: string })[] }>;
  /** Publish, step 3: every declared file must be uploaded with its size and SHA-256 (InvalidRequest names those that are not); then Completed. */
  finalizeVersion(who: RegistryPrincipal, ref: ModelRef, number: number): Promise<ModelVersion>;

  getVersion(who: RegistryPrincipal, ref: ModelRef, selector: VersionSelector): Promise<ModelVersion>;
  listVersions(who: RegistryPrincipal, ref: ModelRef, page: PageRequest): Promise<Page<ModelVersion>>;
  updateVersion(who: RegistryPrincipal, ref: ModelRef, number: number, update: VersionUpdate): Promise<ModelVersion>;
  deleteVersion(who: RegistryPrincipal, ref: ModelRef, number: number): Promise<void>;
  listFiles(who: RegistryPrincipal, ref: ModelRef, number: number, page: PageRequest): Promise<Page<RegisteredFile>>;

  /** Atomic: every move or none (Conflict when an `expect` fails). */
  moveStages(who: RegistryPrincipal, ref: ModelRef, moves: readonly StageMove[]): Promise<StagePointer[]>;
  getStages(who: RegistryPrincipal, ref: ModelRef): Promise<StagePointer[]>;
  stageAt(who: RegistryPrincipal, ref: ModelRef, stage: string, at: Date): Promise<number | null>;
  stageHistory(who: RegistryPrincipal, ref: ModelRef, stage: string | null, page: PageRequest): Promise<Page<StageEvent>>;

  listPackages(who: RegistryPrincipal, query: PackageQuery): Promise<Page<PackageRow>>;
}

// ---------------------------------------------------------------- hubs

export interface NewHubInput {
  readonly name: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly searchKeywords?: readonly string[];
}

export interface ImportContentInput {
  readonly hubName: string;
  readonly type: HubContentType;
  readonly name: string;
  /** Default `1.0.0`. */
  readonly version?: string;
  readonly displayName?: string;
  readonly description?: string;
  readonly markdown?: string;
  readonly searchKeywords?: readonly string[];
  readonly supportStatus?: string | null;
  /** JSON text; its HostingArtifactUri (s3://…) is pinned, its HostingEulaUri gates the content. */
  readonly document: string;
  readonly documentSchemaVersion?: string;
}

export interface ContentQuery extends PageRequest {
  readonly hubName: string;
  readonly type: HubContentType;
  readonly nameContains?: string;
  readonly createdAfter?: Date;
  readonly createdBefore?: Date;
  readonly sortBy?: 'HubContentName' | 'CreationTime';
  readonly order?: 'Ascending' | 'Descending';
}

export interface HubsService {
  createHub(who: RegistryPrincipal, input: NewHubInput): Promise<Hub>;
  getHub(who: RegistryPrincipal, name: string): Promise<Hub>;
  listHubs(
    who: RegistryPrincipal,
    query: PageRequest & { readonly nameContains?: string; readonly createdAfter?: Date; readonly createdBefore?: Date; readonly sortBy?: 'HubName' | 'CreationTime'; readonly order?: 'Ascending' | 'Descending' },
  ): Promise<Page<Hub>>;
  updateHub(who: RegistryPrincipal, name: string, patch: { readonly displayName?: string; readonly description?: string; readonly searchKeywords?: readonly string[] }): Promise<Hub>;
  deleteHub(who: RegistryPrincipal, name: string): Promise<void>;

  importContent(who: RegistryPrincipal, input: ImportContentInput): Promise<HubContent>;
  getContent(who: RegistryPrincipal, hubName: string, type: HubContentType, name: string, version?: string | null): Promise<HubContent>;
  /** The latest version of each content name. */
  listContents(who: RegistryPrincipal, query: ContentQuery): Promise<Page<HubContent>>;
  listContentVersions(who: RegistryPrincipal, query: ContentQuery & { readonly name: string }): Promise<Page<HubContent>>;
  updateContent(
    who: RegistryPrincipal,
    hubName: string,
    type: HubContentType,
    name: string,
    version: string,
    patch: { readonly displayName?: string; readonly description?: string; readonly markdown?: string; readonly searchKeywords?: readonly string[]; readonly supportStatus?: string | null },
  ): Promise<HubContent>;
  /** version null: all versions. */
  deleteContent(who: RegistryPrincipal, hubName: string, type: HubContentType, name: string, version: string | null): Promise<void>;
  /** A ModelReference in `hubName` to Model content named by its ARN in another hub; shares its files and gate. */
  createReference(
    who: RegistryPrincipal,
    input: { readonly hubName: string; readonly sourceArn: string; readonly name?: string; readonly minVersion?: string },
  ): Promise<HubContent>;
  deleteReference(who: RegistryPrincipal, hubName: string, name: string): Promise<void>;
}

// ---------------------------------------------------------------- gates

export type GateTarget =
  | { readonly kind: 'model'; readonly model: ModelRef }
  | { readonly kind: 'hub-content'; readonly hubName: string; readonly type: HubContentType; readonly name: string; readonly version?: string | null };

export interface GatesService {
  /** Records that the caller accepts the target's current EULA. InvalidRequest if the target is not gated. */
  accept(who: RegistryPrincipal, target: GateTarget): Promise<EulaAcceptance>;
  /** Admin: acceptances, newest first, of one target or all. */
  listAcceptances(who: RegistryPrincipal, target: GateTarget | null, limit?: number): Promise<EulaAcceptance[]>;
}

// ---------------------------------------------------------------- grants

export type DownloadTarget =
  | { readonly kind: 'model-version'; readonly model: ModelRef; readonly selector: VersionSelector }
  | { readonly kind: 'hub-content'; readonly hubName: string; readonly type: HubContentType; readonly name: string; readonly version?: string | null };

export interface DownloadRequest extends PageRequest {
  readonly target: DownloadTarget;
  /** 'rest' | 'sagemaker' | 'dvc': decides the default and maximum expiry. */
  readonly face: 'rest' | 'sagemaker' | 'dvc';
  /** Seconds; REST only (default 3600, at most 7 days). SageMaker: 900, DVC: 3600. */
  readonly expiresIn?: number;
  /** Accept the EULA for this request only (SageMaker's AccessConfig.AcceptEula). */
  readonly acceptEula?: boolean;
  /** Refuse unless the content's artifact URI is this (SageMaker's AccessConfig.ExpectedS3Url). */
  readonly expectedS3Url?: string;
  /** Scheme, host and port clients reach Signet at, e.g. `http://127.0.0.1:9000`. */
  readonly baseUrl: string;
}

export interface GrantedFile {
  readonly path: string;
  readonly url: string;
  readonly size: number;
  /** Hex SHA-256. */
  readonly sha256: string;
  readonly expiresAt: Date;
}

export interface DownloadGrant {
  readonly grantId: string;
  readonly expiresAt: Date;
  /** The version or content version the files belong to. */
  readonly resolved: { readonly kind: 'model-version'; readonly model: Model; readonly version: ModelVersion } | { readonly kind: 'hub-content'; readonly content: HubContent };
  readonly files: readonly GrantedFile[];
  readonly nextCursor: string | null;
}

export interface UploadRequest {
  readonly fileName: string;
  /** Base64 (as Q Apps) or hex SHA-256 of the body. */
  readonly sha256: string;
  readonly scope: UploadScope;
  /** Required for SESSION scope. */
  readonly sessionId?: string;
  /** Exact size when known; the policy then allows only it. */
  readonly size?: number;
  readonly baseUrl: string;
  readonly face: string;
}

export interface UploadGrant {
  readonly fileId: string;
  /** False when the store already holds this content: nothing needs uploading. */
  readonly uploadNeeded: boolean;
  /** The presigned POST: URL and form fields (the file goes last, in field `file`). */
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
  readonly expiresAt: Date;
}

export interface GrantsService {
  /** Gated targets refuse with EulaNotAccepted unless accepted (recorded, or `acceptEula`). */
  download(who: RegistryPrincipal, request: DownloadRequest): Promise<DownloadGrant>;
  /** Re-signs the files of an earlier grant (the caller's own, or any with admin) with a fresh expiry; same grant id. */
  refresh(who: RegistryPrincipal, grantId: string, request: PageRequest & { readonly baseUrl: string; readonly expiresIn?: number }): Promise<DownloadGrant>;
  upload(who: RegistryPrincipal, request: UploadRequest): Promise<UploadGrant>;
  /** Removes the files of expired sessions; returns how many. */
  sweepSessions(now: Date): Promise<number>;
}

// ---------------------------------------------------------------- audit

export interface AuditService {
  /** Admin only; newest first. */
  list(who: RegistryPrincipal, query: PageRequest & { readonly action?: string; readonly userName?: string; readonly since?: Date }): Promise<Page<AuditEvent>>;
}

/** Everything a registry face needs. */
/** Tags on models, versions and hubs (`tags.ts`). */
export interface TagsService {
  add(who: RegistryPrincipal, owner: TagOwner, tags: readonly Tag[]): Promise<Tag[]>;
  remove(who: RegistryPrincipal, owner: TagOwner, keys: readonly string[]): Promise<void>;
  list(who: RegistryPrincipal, owner: TagOwner): Promise<Tag[]>;
}

export interface Registry {
  readonly tokens: TokensService;
  readonly models: ModelsService;
  readonly hubs: HubsService;
  readonly tags: TagsService;
  readonly gates: GatesService;
  readonly grants: GrantsService;
  readonly audit: AuditService;
  /** Account id and region used in ARNs (SageMaker face). */
  readonly account: { readonly accountId: string; readonly region: string };
}
