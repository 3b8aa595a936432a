/**
 * @module
 * The REST wire shapes of registry records. Explicit on purpose: a field added
 * to a record (say, a secret's hash) never reaches the wire by accident.
 * Dates become ISO 8601 strings through JSON.stringify.
 */
import { formatHubContentArn } from '../../core/registry/hub-content-arn.ts';
import type { DownloadGrant, Page, PackageRow, Registry, UploadGrant } from '../../core/registry/registry-api.ts';
import type {
  ApiToken,
  AuditEvent,
  EulaAcceptance,
  Hub,
  HubContent,
  Model,
  ModelVersion,
  RegisteredFile,
  RegistryPrincipal,
  StageEvent,
  StagePointer,
} from '../../core/registry/registry-types.ts';

export function pageJson<T>(page: Page<T>, item: (t: T) => unknown): { items: unknown[]; nextCursor: string | null } {
  return { items: page.items.map(item), nextCursor: page.nextCursor };
}

export function principalJson(p: RegistryPrincipal) {
  return { userId: p.userId, userName: p.userName, root: p.isRoot, scopes: [...p.scopes], via: p.via, tokenId: p.tokenId };
}

export function tokenJson(t: ApiToken) {
  return { id: t.id, userId: t.userId, name: t.name, scopes: t.scopes, createdAt: t.createdAt, expiresAt: t.expiresAt, revokedAt: t.revokedAt };
}

export function modelJson(m: Model) {
  return {
    id: m.id,
    namespace: m.namespace,
    name: m.name,
    description: m.description,
    unversioned: m.unversioned,
    gate: m.gate,
    createdAt: m.createdAt,
    createdBy: m.createdBy,
    lastNumber: m.lastNumber,
  };
}

export function versionJson(v: ModelVersion) {
  return {
    modelId: v.modelId,
    number: v.number,
    label: v.label,
    description: v.description,
    metadata: v.metadata,
    approval: v.approval,
    status: v.status,
    createdAt: v.createdAt,
    createdBy: v.createdBy,
    updatedAt: v.updatedAt,
    fileCount: v.fileCount,
    totalSize: v.totalSize,
    sourceUri: v.sourceUri,
    document: v.document === null ? null : (JSON.parse(v.document) as unknown),
  };
}

export function packageJson(row: PackageRow) {
  return { model: modelJson(row.model), version: versionJson(row.version) };
}

/** The object key in the system bucket stays internal. */
export function fileJson(f: RegisteredFile) {
  return { path: f.path, size: f.size, sha256: f.sha256 };
}

export function pointerJson(p: StagePointer) {
  return { stage: p.stage, number: p.number, status: p.status, description: p.description, movedAt: p.movedAt, movedBy: p.movedBy };
}

export function stageEventJson(e: StageEvent) {
  return { seq: e.seq, stage: e.stage, number: e.number, previous: e.previous, at: e.at, actor: e.actor };
}

export function hubJson(h: Hub) {
  return {
    name: h.name,
    displayName: h.displayName,
    description: h.description,
    searchKeywords: h.searchKeywords,
    createdAt: h.createdAt,
    updatedAt: h.updatedAt,
  };
}

export type Account = Registry['account'];

/** `arn` names this version (SageMaker's HubContentArn), for references from other hubs. */
export function contentJson(c: HubContent, account: Account) {
  return {
    arn: formatHubContentArn({ region: account.region, accountId: account.accountId, hubName: c.hubName, type: c.type, name: c.name, version: c.version }),
    hubName: c.hubName,
    type: c.type,
    name: c.name,
    version: c.version,
    displayName: c.displayName,
    description: c.description,
    markdown: c.markdown,
    searchKeywords: c.searchKeywords,
    supportStatus: c.supportStatus,
    document: c.document,
    documentSchemaVersion: c.documentSchemaVersion,
    artifactUri: c.artifactUri,
    eulaUri: c.eulaUri,
    referenceArn: c.referenceArn,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    fileCount: c.fileCount,
    totalSize: c.totalSize,
  };
}

export function acceptanceJson(a: EulaAcceptance) {
  return { userId: a.userId, userName: a.userName, subject: a.subject, eula: a.eula, eulaVersion: a.eulaVersion, at: a.at };
}

export function auditJson(e: AuditEvent) {
  return { seq: e.seq, at: e.at, userId: e.userId, userName: e.userName, action: e.action, subject: e.subject, detail: e.detail };
}

export function grantJson(g: DownloadGrant, account: Account) {
  const resolved =
    g.resolved.kind === 'model-version'
      ? { kind: g.resolved.kind, model: modelJson(g.resolved.model), version: versionJson(g.resolved.version) }
      : { kind: g.resolved.kind, content: contentJson(g.resolved.content, account) };
  return {
    grantId: g.grantId,
    expiresAt: g.expiresAt,
    resolved,
    files: g.files.map((f) => ({ path: f.path, url: f.url, size: f.size, sha256: f.sha256, expiresAt: f.expiresAt })),
    nextCursor: g.nextCursor,
  };
}

/** Q Apps' CreatePresignedUrl names, plus `uploadNeeded`. */
export function uploadJson(u: UploadGrant) {
  return { fileId: u.fileId, uploadNeeded: u.uploadNeeded, presignedUrl: u.url, presignedUrlFields: u.fields, presignedUrlExpiration: u.expiresAt };
}
