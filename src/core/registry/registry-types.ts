/**
 * @module
 * The registry's domain records: one model serves the REST, SageMaker and
 * DVC vocabularies (DESIGN §3). Plain, readonly data; times are `Date`.
 */

export const TOKEN_SCOPES = ['read', 'write', 'admin'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** An API token. Only the SHA-256 of its secret is stored. */
export interface ApiToken {
  readonly id: string;
  readonly userId: string;
  readonly name: string;
  readonly scopes: readonly TokenScope[];
  /** Hex SHA-256 of the secret part of the token. */
  readonly secretHash: string;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

/** Who calls the registry, once authenticated, and what it may do. */
export interface RegistryPrincipal {
  readonly userId: string;
  readonly userName: string;
  readonly isRoot: boolean;
  readonly scopes: ReadonlySet<TokenScope>;
  readonly via: 'token' | 'basic' | 'sigv4';
  /** The token used, when `via` is 'token'. */
  readonly tokenId: string | null;
}

export const APPROVAL_STATUSES = ['Approved', 'Rejected', 'PendingManualApproval'] as const;
export type ApprovalStatus = (typeof APPROVAL_STATUSES)[number];

export const PACKAGE_STATUSES = ['Pending', 'InProgress', 'Completed', 'Failed', 'Deleting'] as const;
export type PackageStatus = (typeof PACKAGE_STATUSES)[number];

/** A licence that must be accepted before any download grant. `version` names what was accepted. */
export interface Gate {
  /** A URI (SageMaker's HostingEulaUri) or a short title for an EULA text. */
  readonly eula: string;
  readonly version: string;
}

/**
 * A model: SageMaker's model package group, DVC's repo + model name, MLflow's
 * registered model. `unversioned` models hold exactly one version: they are
 * SageMaker's unversioned model packages.
 */
export interface Model {
  readonly id: string;
  readonly namespace: string;
  readonly name: string;
  readonly description: string;
  readonly unversioned: boolean;
  readonly gate: Gate | null;
  readonly createdAt: Date;
  readonly createdBy: string;
  /** The highest version number ever given (numbers are never reused); 0 before the first. */
  readonly lastNumber: number;
}

export type NewModel = Omit<Model, 'lastNumber'>;

export interface ModelVersion {
  readonly modelId: string;
  readonly number: number;
  /** Optional semver-like label (DVC's version tag), unique within the model. */
  readonly label: string | null;
  readonly description: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly approval: ApprovalStatus;
  readonly status: PackageStatus;
  readonly createdAt: Date;
  readonly createdBy: string;
  readonly updatedAt: Date;
  readonly fileCount: number;
  readonly totalSize: number;
  /** Where the files came from, as given at registration (e.g. `s3://bucket/prefix/`). */
  readonly sourceUri: string | null;
  /**
   * A JSON document kept as given with the version: what the registering
   * face knew of it beyond files (SageMaker's InferenceSpecification).
   */
  readonly document: string | null;
}

export type NewModelVersion = Omit<ModelVersion, 'number' | 'fileCount' | 'totalSize'>;

/** What tags hang on: a model (a SageMaker model package group), a version (a model package), a hub or a hub content version. */
export type TagOwner =
  | { readonly kind: 'model'; readonly modelId: string }
  | { readonly kind: 'version'; readonly modelId: string; readonly number: number }
  | { readonly kind: 'hub'; readonly hubName: string }
  | { readonly kind: 'hub-content'; readonly contentId: string };

/** A key-value label on a model, version or hub, as AWS resources carry them. */
export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** What a file list belongs to. */
export type FileOwner =
  | { readonly kind: 'version'; readonly modelId: string; readonly number: number }
  | { readonly kind: 'hub-content'; readonly contentId: string };

/**
 * One file of a registered version or hub content version. Its bytes are an
 * object in the system bucket (`objectKey`), written when it was registered
 * and never changed: later writes elsewhere cannot alter what it serves.
 * For a version being published (status Pending) the key is where the upload
 * grant sends the bytes; finalizing checks they arrived with this size and hash.
 */
export interface RegisteredFile {
  /** Relative path, `/`-separated: the download's LocalPath. */
  readonly path: string;
  readonly size: number;
  /** Hex SHA-256 of the content. */
  readonly sha256: string;
  readonly objectKey: string;
}

/** Where a stage points now. */
export interface StagePointer {
  readonly modelId: string;
  readonly stage: string;
  readonly number: number;
  readonly status: string | null;
  readonly description: string | null;
  readonly movedAt: Date;
  readonly movedBy: string;
}

/** One move of a stage pointer; `number` null when the stage was cleared. */
export interface StageEvent {
  readonly seq: number;
  readonly modelId: string;
  readonly stage: string;
  readonly number: number | null;
  readonly previous: number | null;
  readonly at: Date;
  readonly actor: string;
}

/**
 * One stage move in an atomic batch. `expect` (when present) is the version
 * the caller believes holds the stage now (null: the stage is empty); a
 * mismatch fails the whole batch with Conflict.
 */
export interface StageMove {
  readonly stage: string;
  /** The version to point at; null clears the stage. */
  readonly to: number | null;
  readonly expect?: number | null;
  readonly status?: string | null;
  readonly description?: string | null;
}

export const HUB_CONTENT_TYPES = ['Model', 'Notebook', 'ModelReference', 'DataSet', 'JsonDoc'] as const;
export type HubContentType = (typeof HUB_CONTENT_TYPES)[number];

export interface Hub {
  readonly id: string;
  readonly name: string;
  readonly displayName: string;
  readonly description: string;
  readonly searchKeywords: readonly string[];
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface HubContent {
  readonly id: string;
  readonly hubName: string;
  readonly type: HubContentType;
  readonly name: string;
  /** Version string, e.g. `1.0.0`; compared as dotted numbers where it is one. */
  readonly version: string;
  readonly displayName: string;
  readonly description: string;
  readonly markdown: string;
  readonly searchKeywords: readonly string[];
  readonly supportStatus: string | null;
  /** The JSON document as given (HubContentDocument). */
  readonly document: string;
  readonly documentSchemaVersion: string;
  /** HostingArtifactUri from the document: where the files were taken from. */
  readonly artifactUri: string | null;
  /** HostingEulaUri from the document: set means gated. */
  readonly eulaUri: string | null;
  /** For ModelReference: the ARN of the referenced content in another hub. */
  readonly referenceArn: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly fileCount: number;
  readonly totalSize: number;
}

export type NewHubContent = Omit<HubContent, 'fileCount' | 'totalSize'>;

export type GateSubject =
  | { readonly kind: 'model'; readonly id: string }
  | { readonly kind: 'hub-content'; readonly id: string };

export interface EulaAcceptance {
  readonly userId: string;
  readonly userName: string;
  readonly subject: GateSubject;
  /** Which EULA (URI or title) and version was accepted. */
  readonly eula: string;
  readonly eulaVersion: string;
  readonly at: Date;
}

export type GrantKind = 'download' | 'upload';

/** A grant of signed URLs: every URL minted carries its id. */
export interface Grant {
  readonly id: string;
  readonly kind: GrantKind;
  readonly userId: string;
  readonly tokenId: string | null;
  /** The face that asked: 'rest' | 'sagemaker' | 'dvc'. */
  readonly face: string;
  /** What was granted, e.g. `model:<id>@3`, `hub-content:<id>`, `upload:<fileId>`. */
  readonly subject: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export interface AuditEvent {
  readonly seq: number;
  readonly at: Date;
  readonly userId: string;
  readonly userName: string;
  /** e.g. `grant.download`, `grant.upload`, `eula.accept`, `token.create`, `token.revoke`. */
  readonly action: string;
  readonly subject: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

export type NewAuditEvent = Omit<AuditEvent, 'seq'>;

export type UploadScope = 'APPLICATION' | 'SESSION';

/** A declared upload: where its bytes must land and what they must hash to. */
export interface UploadSlot {
  readonly fileId: string;
  readonly scope: UploadScope;
  readonly sessionId: string | null;
  readonly fileName: string;
  /** Hex SHA-256 the body must have. */
  readonly sha256: string;
  readonly size: number | null;
  /** Key in the system bucket the presigned POST targets. */
  readonly objectKey: string;
  /** The version being published that this file belongs to, if any. */
  readonly owner: FileOwner | null;
  readonly createdBy: string;
  readonly createdAt: Date;
  /** SESSION: when the session's files are removed; APPLICATION: when the grant lapses. */
  readonly expiresAt: Date;
}
