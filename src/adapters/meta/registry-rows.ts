/**
 * @module
 * Conversions between the registry's records and rows, the same for both
 * engines. Instants are milliseconds since the epoch (exact on both); JSON
 * fields are text, so their key order survives.
 */
import type { Insertable, Selectable } from 'kysely';
import type {
  ApiToken,
  ApprovalStatus,
  AuditEvent,
  EulaAcceptance,
  FileOwner,
  Grant,
  GrantKind,
  Hub,
  HubContent,
  HubContentType,
  Model,
  ModelVersion,
  NewAuditEvent,
  NewHubContent,
  NewModel,
  PackageStatus,
  RegisteredFile,
  StageEvent,
  StagePointer,
  TokenScope,
  UploadScope,
  UploadSlot,
} from '../../core/registry/registry-types.ts';
import { versionSortKey } from '../../core/registry/version-order.ts';
import { flag } from './rows.ts';
import type {
  RegistryAcceptancesTable,
  RegistryAuditTable,
  RegistryFilesTable,
  RegistryGrantsTable,
  RegistryHubContentsTable,
  RegistryHubsTable,
  RegistryModelsTable,
  RegistryModelVersionsTable,
  RegistryStageEventsTable,
  RegistryStagesTable,
  RegistryTokensTable,
  RegistryUploadSlotsTable,
} from './schema.ts';

/** Values an engine may hand back for a 64-bit integer. */
export function num(value: number | string | bigint): number {
  return typeof value === 'number' ? value : Number(value);
}

function date(value: number | string | bigint): Date {
  return new Date(num(value));
}

function dateOrNull(value: number | string | bigint | null): Date | null {
  return value === null ? null : date(value);
}

function numOrNull(value: number | string | bigint | null): number | null {
  return value === null ? null : num(value);
}

function ms(value: Date | null): number | null {
  return value === null ? null : value.getTime();
}

// Tokens

export function tokenRow(t: ApiToken): Insertable<RegistryTokensTable> {
  return {
    id: t.id,
    user_id: t.userId,
    name: t.name,
    scopes: JSON.stringify(t.scopes),
    secret_hash: t.secretHash,
    created_at: t.createdAt.getTime(),
    expires_at: ms(t.expiresAt),
    revoked_at: ms(t.revokedAt),
  };
}

export function toToken(r: Selectable<RegistryTokensTable>): ApiToken {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    scopes: JSON.parse(r.scopes) as TokenScope[],
    secretHash: r.secret_hash,
    createdAt: date(r.created_at),
    expiresAt: dateOrNull(r.expires_at),
    revokedAt: dateOrNull(r.revoked_at),
  };
}

// Models and versions

export function modelRow(m: NewModel): Insertable<RegistryModelsTable> {
  return {
    id: m.id,
    namespace: m.namespace,
    name: m.name,
    description: m.description,
    unversioned: flag(m.unversioned),
    gate_eula: m.gate?.eula ?? null,
    gate_version: m.gate?.version ?? null,
    created_at: m.createdAt.getTime(),
    created_by: m.createdBy,
    last_number: 0,
  };
}

export function toModel(r: Selectable<RegistryModelsTable>): Model {
  return {
    id: r.id,
    namespace: r.namespace,
    name: r.name,
    description: r.description,
    unversioned: Boolean(r.unversioned),
    gate: r.gate_eula === null || r.gate_version === null ? null : { eula: r.gate_eula, version: r.gate_version },
    createdAt: date(r.created_at),
    createdBy: r.created_by,
    lastNumber: num(r.last_number),
  };
}

export function versionRow(v: ModelVersion): Insertable<RegistryModelVersionsTable> {
  return {
    model_id: v.modelId,
    number: v.number,
    label: v.label,
    description: v.description,
    metadata: JSON.stringify(v.metadata),
    approval: v.approval,
    status: v.status,
    created_at: v.createdAt.getTime(),
    created_by: v.createdBy,
    updated_at: v.updatedAt.getTime(),
    file_count: v.fileCount,
    total_size: v.totalSize,
    source_uri: v.sourceUri,
    document: v.document,
  };
}

export function toVersion(r: Selectable<RegistryModelVersionsTable>): ModelVersion {
  return {
    modelId: r.model_id,
    number: num(r.number),
    label: r.label,
    description: r.description,
    metadata: JSON.parse(r.metadata) as Record<string, string>,
    approval: r.approval as ApprovalStatus,
    status: r.status as PackageStatus,
    createdAt: date(r.created_at),
    createdBy: r.created_by,
    updatedAt: date(r.updated_at),
    fileCount: num(r.file_count),
    totalSize: num(r.total_size),
    sourceUri: r.source_uri,
    document: r.document,
  };
}

// Files

/** The owner columns of a file row. */
export function ownerColumns(owner: FileOwner): Pick<RegistryFilesTable, 'owner_kind' | 'owner_id' | 'owner_number'> {
  return owner.kind === 'version'
    ? { owner_kind: 'version', owner_id: owner.modelId, owner_number: owner.number }
    : { owner_kind: 'hub-content', owner_id: owner.contentId, owner_number: 0 };
}

export function toOwner(kind: string | null, id: string | null, number: number | string | bigint | null): FileOwner | null {
  if (kind === null || id === null) return null;
  return kind === 'version'
    ? { kind: 'version', modelId: id, number: num(number ?? 0) }
    : { kind: 'hub-content', contentId: id };
}

export function fileRow(owner: FileOwner, f: RegisteredFile): Insertable<RegistryFilesTable> {
  return { ...ownerColumns(owner), path: f.path, size: f.size, sha256: f.sha256, object_key: f.objectKey };
}

export function toFile(r: Pick<Selectable<RegistryFilesTable>, 'path' | 'size' | 'sha256' | 'object_key'>): RegisteredFile {
  return { path: r.path, size: num(r.size), sha256: r.sha256, objectKey: r.object_key };
}

// Stages

export function toStage(r: Selectable<RegistryStagesTable>): StagePointer {
  return {
    modelId: r.model_id,
    stage: r.stage,
    number: num(r.number),
    status: r.status,
    description: r.description,
    movedAt: date(r.moved_at),
    movedBy: r.moved_by,
  };
}

export function toStageEvent(r: Selectable<RegistryStageEventsTable>): StageEvent {
  return {
    seq: num(r.seq),
    modelId: r.model_id,
    stage: r.stage,
    number: numOrNull(r.number),
    previous: numOrNull(r.previous),
    at: date(r.at),
    actor: r.actor,
  };
}

// Hubs

export function hubRow(h: Hub): Insertable<RegistryHubsTable> {
  return {
    name: h.name,
    id: h.id,
    display_name: h.displayName,
    description: h.description,
    search_keywords: JSON.stringify(h.searchKeywords),
    created_at: h.createdAt.getTime(),
    updated_at: h.updatedAt.getTime(),
  };
}

export function toHub(r: Selectable<RegistryHubsTable>): Hub {
  return {
    id: r.id,
    name: r.name,
    displayName: r.display_name,
    description: r.description,
    searchKeywords: JSON.parse(r.search_keywords) as string[],
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
  };
}

export function hubContentRow(
  c: NewHubContent,
  files: readonly RegisteredFile[],
): Insertable<RegistryHubContentsTable> {
  return {
    id: c.id,
    hub_name: c.hubName,
    type: c.type,
    name: c.name,
    version: c.version,
    version_key: versionSortKey(c.version),
    is_latest: 0,
    display_name: c.displayName,
    description: c.description,
    markdown: c.markdown,
    search_keywords: JSON.stringify(c.searchKeywords),
    support_status: c.supportStatus,
    document_schema_version: c.documentSchemaVersion,
    artifact_uri: c.artifactUri,
    eula_uri: c.eulaUri,
    reference_arn: c.referenceArn,
    created_at: c.createdAt.getTime(),
    updated_at: c.updatedAt.getTime(),
    file_count: files.length,
    total_size: files.reduce((sum, f) => sum + f.size, 0),
    document: c.document,
  };
}

export function toHubContent(r: Selectable<RegistryHubContentsTable>): HubContent {
  return {
    id: r.id,
    hubName: r.hub_name,
    type: r.type as HubContentType,
    name: r.name,
    version: r.version,
    displayName: r.display_name,
    description: r.description,
    markdown: r.markdown,
    searchKeywords: JSON.parse(r.search_keywords) as string[],
    supportStatus: r.support_status,
    document: r.document,
    documentSchemaVersion: r.document_schema_version,
    artifactUri: r.artifact_uri,
    eulaUri: r.eula_uri,
    referenceArn: r.reference_arn,
    createdAt: date(r.created_at),
    updatedAt: date(r.updated_at),
    fileCount: num(r.file_count),
    totalSize: num(r.total_size),
  };
}

// Gates, grants, audit

export function acceptanceRow(a: EulaAcceptance): Insertable<RegistryAcceptancesTable> {
  return {
    subject_kind: a.subject.kind,
    subject_id: a.subject.id,
    user_id: a.userId,
    eula: a.eula,
    eula_version: a.eulaVersion,
    user_name: a.userName,
    at: a.at.getTime(),
  };
}

export function toAcceptance(r: Selectable<RegistryAcceptancesTable>): EulaAcceptance {
  return {
    userId: r.user_id,
    userName: r.user_name,
    subject: { kind: r.subject_kind, id: r.subject_id },
    eula: r.eula,
    eulaVersion: r.eula_version,
    at: date(r.at),
  };
}

export function grantRow(g: Grant): Insertable<RegistryGrantsTable> {
  return {
    id: g.id,
    kind: g.kind,
    user_id: g.userId,
    token_id: g.tokenId,
    face: g.face,
    subject: g.subject,
    created_at: g.createdAt.getTime(),
    expires_at: g.expiresAt.getTime(),
  };
}

export function toGrant(r: Selectable<RegistryGrantsTable>): Grant {
  return {
    id: r.id,
    kind: r.kind as GrantKind,
    userId: r.user_id,
    tokenId: r.token_id,
    face: r.face,
    subject: r.subject,
    createdAt: date(r.created_at),
    expiresAt: date(r.expires_at),
  };
}

export function auditRow(e: NewAuditEvent): Insertable<RegistryAuditTable> {
  return {
    at: e.at.getTime(),
    user_id: e.userId,
    user_name: e.userName,
    action: e.action,
    subject: e.subject,
    detail: JSON.stringify(e.detail),
  };
}

export function toAudit(r: Selectable<RegistryAuditTable>): AuditEvent {
  return {
    seq: num(r.seq),
    at: date(r.at),
    userId: r.user_id,
    userName: r.user_name,
    action: r.action,
    subject: r.subject,
    detail: JSON.parse(r.detail) as Record<string, unknown>,
  };
}

// Upload slots

export function slotRow(s: UploadSlot): Insertable<RegistryUploadSlotsTable> {
  const owner = s.owner === null ? null : ownerColumns(s.owner);
  return {
    file_id: s.fileId,
    scope: s.scope,
    session_id: s.sessionId,
    file_name: s.fileName,
    sha256: s.sha256,
    size: s.size,
    object_key: s.objectKey,
    owner_kind: owner?.owner_kind ?? null,
    owner_id: owner?.owner_id ?? null,
    owner_number: owner?.owner_number ?? null,
    created_by: s.createdBy,
    created_at: s.createdAt.getTime(),
    expires_at: s.expiresAt.getTime(),
  };
}

export function toSlot(r: Selectable<RegistryUploadSlotsTable>): UploadSlot {
  return {
    fileId: r.file_id,
    scope: r.scope as UploadScope,
    sessionId: r.session_id,
    fileName: r.file_name,
    sha256: r.sha256,
    size: numOrNull(r.size),
    objectKey: r.object_key,
    owner: toOwner(r.owner_kind, r.owner_id, r.owner_number),
    createdBy: r.created_by,
    createdAt: date(r.created_at),
    expiresAt: date(r.expires_at),
  };
}
