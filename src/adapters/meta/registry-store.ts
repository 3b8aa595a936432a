/**
 * @module
 * The RegistryStore over Kysely, for SQLite and PostgreSQL: reached as
 * `KyselyMetaStore.registry`, sharing its database, its write transactions
 * (on SQLite, the group commit) and its reader. The queries live by subject
 * in `registry-*.ts`; this class only routes each method to them.
 */
import type {
  ApiToken,
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
} from '../../core/registry/registry-types.ts';
import type {
  AuditFilter,
  HubContentFilter,
  HubContentPatch,
  HubFilter,
  ModelFilter,
  ModelPatch,
  ModelRef,
  PackageFilter,
  PackageRow,
  RegistryStore,
  VersionPatch,
} from '../../ports/registry-store.ts';
import * as access from './registry-access.ts';
import type { RegistryContext } from './registry-common.ts';
import * as hubs from './registry-hubs.ts';
import * as models from './registry-models.ts';
import { listPackages } from './registry-packages.ts';
import * as stages from './registry-stages.ts';
import * as tagging from './registry-tags.ts';

export class KyselyRegistryStore implements RegistryStore {
  readonly #ctx: RegistryContext;

  constructor(ctx: RegistryContext) {
    this.#ctx = ctx;
  }

  get #reader() {
    return this.#ctx.reader;
  }

  // API tokens

  createToken(token: ApiToken): Promise<void> {
    return access.createToken(this.#ctx, token);
  }

  getToken(id: string): Promise<ApiToken | null> {
    return access.getToken(this.#reader, id);
  }

  listTokens(userId: string | null): Promise<ApiToken[]> {
    return access.listTokens(this.#reader, userId);
  }

  revokeToken(id: string, at: Date): Promise<ApiToken> {
    return access.revokeToken(this.#ctx, id, at);
  }

  // Models

  createModel(model: NewModel): Promise<Model> {
    return models.createModel(this.#ctx, model);
  }

  getModel(ref: ModelRef): Promise<Model | null> {
    return models.getModel(this.#reader, ref);
  }

  listModels(filter: ModelFilter): Promise<Model[]> {
    return models.listModels(this.#ctx, filter);
  }

  updateModel(id: string, patch: ModelPatch): Promise<Model> {
    return models.updateModel(this.#ctx, id, patch);
  }

  deleteModel(id: string): Promise<string[]> {
    return models.deleteModel(this.#ctx, id);
  }

  // Versions

  createVersion(version: NewModelVersion, files: readonly RegisteredFile[], clientToken?: string): Promise<ModelVersion> {
    return models.createVersion(this.#ctx, version, files, clientToken);
  }

  versionByClientToken(modelId: string, clientToken: string): Promise<ModelVersion | null> {
    return models.versionByClientToken(this.#reader, modelId, clientToken);
  }

  getVersion(modelId: string, number: number): Promise<ModelVersion | null> {
    return models.getVersion(this.#reader, modelId, number);
  }

  getVersionByLabel(modelId: string, label: string): Promise<ModelVersion | null> {
    return models.getVersionByLabel(this.#reader, modelId, label);
  }

  latestVersion(modelId: string, status?: PackageStatus): Promise<ModelVersion | null> {
    return models.latestVersion(this.#reader, modelId, status);
  }

  listVersions(modelId: string, afterNumber: number | null, limit: number): Promise<ModelVersion[]> {
    return models.listVersions(this.#reader, modelId, afterNumber, limit);
  }

  updateVersion(modelId: string, number: number, patch: VersionPatch): Promise<ModelVersion> {
    return models.updateVersion(this.#ctx, modelId, number, patch);
  }

  deleteVersion(modelId: string, number: number, actor: string, at: Date): Promise<string[]> {
    return models.deleteVersion(this.#ctx, modelId, number, actor, at);
  }

  listPackages(filter: PackageFilter): Promise<PackageRow[]> {
    return listPackages(this.#ctx, filter);
  }

  // Files

  listFiles(owner: FileOwner, afterPath: string | null, limit: number): Promise<RegisteredFile[]> {
    return models.listFiles(this.#reader, owner, afterPath, limit);
  }

  findFileBySha256(sha256: string): Promise<RegisteredFile | null> {
    return models.findFileBySha256(this.#reader, sha256);
  }

  isObjectKeyUsed(objectKey: string): Promise<boolean> {
    return models.isObjectKeyUsed(this.#reader, objectKey);
  }

  // Stages

  moveStages(modelId: string, moves: readonly StageMove[], actor: string, at: Date): Promise<StagePointer[]> {
    return stages.moveStages(this.#ctx, modelId, moves, actor, at);
  }

  getStages(modelId: string): Promise<StagePointer[]> {
    return stages.getStages(this.#reader, modelId);
  }

  stageAt(modelId: string, stage: string, at: Date): Promise<number | null> {
    return stages.stageAt(this.#reader, modelId, stage, at);
  }

  stageHistory(modelId: string, stage: string | null, beforeSeq: number | null, limit: number): Promise<StageEvent[]> {
    return stages.stageHistory(this.#reader, modelId, stage, beforeSeq, limit);
  }

  // Hubs

  createHub(hub: Hub): Promise<void> {
    return hubs.createHub(this.#ctx, hub);
  }

  getHub(name: string): Promise<Hub | null> {
    return hubs.getHub(this.#reader, name);
  }

  listHubs(filter: HubFilter): Promise<Hub[]> {
    return hubs.listHubs(this.#ctx, filter);
  }

  updateHub(
    name: string,
    patch: { displayName?: string; description?: string; searchKeywords?: readonly string[]; updatedAt: Date },
  ): Promise<Hub> {
    return hubs.updateHub(this.#ctx, name, patch);
  }

  deleteHub(name: string): Promise<void> {
    return hubs.deleteHub(this.#ctx, name);
  }

  putTags(owner: TagOwner, tags: readonly Tag[], max: number): Promise<Tag[]> {
    return tagging.putTags(this.#ctx, owner, tags, max);
  }

  deleteTags(owner: TagOwner, keys: readonly string[]): Promise<void> {
    return tagging.deleteTags(this.#ctx, owner, keys);
  }

  listTags(owner: TagOwner): Promise<Tag[]> {
    return tagging.listTags(this.#reader, owner);
  }

  createHubContent(content: NewHubContent, files: readonly RegisteredFile[]): Promise<HubContent> {
    return hubs.createHubContent(this.#ctx, content, files);
  }

  getHubContent(hubName: string, type: HubContentType, name: string, version: string | null): Promise<HubContent | null> {
    return hubs.getHubContent(this.#reader, hubName, type, name, version);
  }

  listHubContents(filter: HubContentFilter): Promise<HubContent[]> {
    return hubs.listHubContents(this.#ctx, filter);
  }

  updateHubContent(
    hubName: string,
    type: HubContentType,
    name: string,
    version: string,
    patch: HubContentPatch,
  ): Promise<HubContent> {
    return hubs.updateHubContent(this.#ctx, hubName, type, name, version, patch);
  }

  deleteHubContent(hubName: string, type: HubContentType, name: string, version: string | null): Promise<string[]> {
    return hubs.deleteHubContent(this.#ctx, hubName, type, name, version);
  }

  // Gates

  recordAcceptance(acceptance: EulaAcceptance): Promise<void> {
    return access.recordAcceptance(this.#ctx, acceptance);
  }

  findAcceptance(userId: string, subject: GateSubject, eula: string, eulaVersion: string): Promise<EulaAcceptance | null> {
    return access.findAcceptance(this.#reader, userId, subject, eula, eulaVersion);
  }

  listAcceptances(subject: GateSubject | null, limit: number): Promise<EulaAcceptance[]> {
    return access.listAcceptances(this.#reader, subject, limit);
  }

  // Grants and audit

  recordGrant(grant: Grant, audit: NewAuditEvent): Promise<void> {
    return access.recordGrant(this.#ctx, grant, audit);
  }

  getGrant(id: string): Promise<Grant | null> {
    return access.getGrant(this.#reader, id);
  }

  appendAudit(event: NewAuditEvent): Promise<void> {
    return access.appendAudit(this.#ctx, event);
  }

  listAudit(filter: AuditFilter): Promise<AuditEvent[]> {
    return access.listAudit(this.#reader, filter);
  }

  // Upload slots

  createUploadSlot(slot: UploadSlot): Promise<UploadSlot> {
    return access.createUploadSlot(this.#ctx, slot);
  }

  getUploadSlot(fileId: string): Promise<UploadSlot | null> {
    return access.getUploadSlot(this.#reader, fileId);
  }

  listExpiredSessionSlots(now: Date, limit: number): Promise<UploadSlot[]> {
    return access.listExpiredSessionSlots(this.#reader, now, limit);
  }

  deleteUploadSlots(fileIds: readonly string[]): Promise<void> {
    return access.deleteUploadSlots(this.#ctx, fileIds);
  }
}
