/**
 * @module
 * Upload grants (the Q Apps CreatePresignedUrl shape): the caller declares a
 * file's name and SHA-256 and gets a presigned POST whose policy binds the
 * object key, a size range and `x-amz-checksum-sha256`, so the S3 face
 * refuses (and stores nothing of) a body that is not the declared one.
 * Content the store already holds (size known) needs no upload: the answer
 * says so, with an empty `url` and no `fields`, and the slot points at a
 * system object holding that content.
 *
 * APPLICATION files land in `uploads/<fileId>`, SESSION files in
 * `sessions/<sessionId>/<fileId>`; a session lives 24 hours from its first
 * upload grant, and {@link UploadGrants.sweepSessions} removes its files then.
 */
import { randomUUID } from 'node:crypto';
import { fail } from '../errors.ts';
import { timeOrderedId } from '../ids.ts';
import type { MetaStore } from '../../ports/meta-store.ts';
import type { Pinning } from './pinning.ts';
import type { UploadGrant, UploadRequest } from './registry-api.ts';
import type { FileOwner, RegistryPrincipal, UploadScope, UploadSlot } from './registry-types.ts';
import { requireScope } from './scopes.ts';
import { checkBaseUrl } from './url-signer.ts';
import type { PresignedPost, UrlSigner } from './url-signer.ts';

export const UPLOAD_URL_TTL_S = 3600;
export const SESSION_TTL_MS = 24 * 3600 * 1000;
/** APPLICATION uploads nobody registered are removed this long after their grant lapsed. */
export const ABANDONED_UPLOAD_MS = 24 * 3600 * 1000;
export const MAX_UPLOAD_SIZE = 5 * 1024 ** 3;
const MAX_FILE_NAME = 1024;
const SESSION_ID = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;
const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;
const B64_SHA256 = /^[A-Za-z0-9+/]{43}=$/;
const SWEEP_BATCH = 500;
const UPLOADS = 'uploads/';

/** What the publish flow (models.ts) needs of upload grants: the same grant, tied to the version it is for. */
export interface UploadGranter {
  grant(who: RegistryPrincipal, request: UploadRequest, owner: FileOwner | null): Promise<UploadGrant & { readonly objectKey: string }>;
}

export interface UploadGrantsDeps {
  readonly meta: MetaStore;
  readonly pinning: Pinning;
  readonly signer: UrlSigner;
  readonly clock: () => Date;
  /** The system bucket. */
  readonly bucket: string;
}

export class UploadGrants implements UploadGranter {
  readonly #meta: MetaStore;
  readonly #pinning: Pinning;
  readonly #signer: UrlSigner;
  readonly #clock: () => Date;
  readonly #bucket: string;
  /** Where the scan for abandoned APPLICATION uploads goes on next time (per process; any node may sweep). */
  #scanAfter: string | null = null;

  constructor(deps: UploadGrantsDeps) {
    this.#meta = deps.meta;
    this.#pinning = deps.pinning;
    this.#signer = deps.signer;
    this.#clock = deps.clock;
    this.#bucket = deps.bucket;
  }

  /** GrantsService.upload: a grant for a file of no version yet. */
  async upload(who: RegistryPrincipal, request: UploadRequest): Promise<UploadGrant> {
    requireScope(who, 'write');
    const { objectKey: _key, ...grant } = await this.grant(who, request, null);
    return grant;
  }

  async grant(who: RegistryPrincipal, request: UploadRequest, owner: FileOwner | null): Promise<UploadGrant & { readonly objectKey: string }> {
    const fileName = checkFileName(request.fileName);
    const sha = parseSha256(request.sha256);
    const scope = checkScope(request.scope);
    const sessionId = checkSessionId(scope, request.sessionId);
    const size = request.size === undefined ? null : checkSize(request.size);
    checkBaseUrl(request.baseUrl);
    const now = this.#clock();
    const fileId = randomUUID();
    const expiresAt = new Date(now.getTime() + UPLOAD_URL_TTL_S * 1000);
    const found = size === null ? null : await this.#pinning.findContent(sha.hex, size);
    const objectKey = found ?? (sessionId === null ? `${UPLOADS}${fileId}` : `sessions/${sessionId}/${fileId}`);
    // A SESSION slot lives as long as its session: the store gives it the expiry of the session's first grant.
    const slotExpiry = sessionId === null ? expiresAt : new Date(now.getTime() + SESSION_TTL_MS);
    const asked: UploadSlot = { fileId, scope, sessionId, fileName, sha256: sha.hex, size, objectKey, owner, createdBy: who.userId, createdAt: now, expiresAt: slotExpiry };
    let slot: UploadSlot;
    try {
      slot = await this.#meta.registry.createUploadSlot(asked);
      await this.#record(who, request, slot, found === null, expiresAt);
    } catch (e) {
      if (found !== null) await this.#pinning.release([found]).catch(() => undefined);
      throw e;
    }
    const post = found !== null ? { url: '', fields: {} } : this.#post(request.baseUrl, objectKey, sha.base64, size, now);
    return { fileId, uploadNeeded: found === null, ...post, expiresAt, objectKey };
  }

  /** The form: exactly `size` bytes when known, else 1 byte to 5 GiB. */
  #post(baseUrl: string, key: string, sha256Base64: string, size: number | null, now: Date): PresignedPost {
    return this.#signer.presignPost({
      baseUrl,
      bucket: this.#bucket,
      key,
      expiresIn: UPLOAD_URL_TTL_S,
      sha256Base64,
      minSize: size ?? 1,
      maxSize: size ?? MAX_UPLOAD_SIZE,
      now,
    });
  }

  /** Removes the files of expired sessions and system objects left unused; returns how many files. */
  async sweepSessions(now: Date): Promise<number> {
    let removed = 0;
    for (;;) {
      const slots = await this.#meta.registry.listExpiredSessionSlots(now, SWEEP_BATCH);
      await this.#pinning.release(slots.map((s) => s.objectKey));
      await this.#meta.registry.deleteUploadSlots(slots.map((s) => s.fileId));
      removed += slots.length;
      if (slots.length < SWEEP_BATCH) break;
    }
    return removed + (await this.#sweepOrphans(now));
  }

  async #record(who: RegistryPrincipal, request: UploadRequest, slot: UploadSlot, uploadNeeded: boolean, expiresAt: Date): Promise<void> {
    const subject = `upload:${slot.fileId}`;
    await this.#meta.registry.recordGrant(
      { id: timeOrderedId(slot.createdAt), kind: 'upload', userId: who.userId, tokenId: who.tokenId, face: request.face, subject, createdAt: slot.createdAt, expiresAt },
      {
        at: slot.createdAt,
        userId: who.userId,
        userName: who.userName,
        action: 'grant.upload',
        subject,
        detail: {
          fileId: slot.fileId,
          fileName: slot.fileName,
          sha256: slot.sha256,
          size: slot.size,
          scope: slot.scope,
          sessionId: slot.sessionId,
          owner: slot.owner,
          uploadNeeded,
          face: request.face,
        },
      },
    );
  }

  /**
   * System objects no registry file uses, a day after the grant that made
   * them lapsed: APPLICATION uploads nobody registered, and copies made for
   * content already held that nothing took up. The port lists only expired
   * SESSION slots, so this walks the system bucket, one batch per sweep,
   * going on where the last sweep stopped. An object no slot names counts
   * from its own age (pins are taken up by their version within seconds).
   */
  async #sweepOrphans(now: Date): Promise<number> {
    const cutoff = now.getTime() - ABANDONED_UPLOAD_MS;
    const objects = await this.#meta.listObjects(this.#bucket, { prefix: '', after: this.#scanAfter, limit: SWEEP_BATCH });
    this.#scanAfter = objects.length < SWEEP_BATCH ? null : objects[objects.length - 1]!.key;
    let removed = 0;
    for (const o of objects) {
      if (o.lastModified.getTime() > cutoff) continue;
      const fileId = fileIdOf(o.key);
      const slot = fileId === null ? null : await this.#meta.registry.getUploadSlot(fileId);
      if ((slot && slot.expiresAt.getTime() > cutoff) || (await this.#meta.registry.isObjectKeyUsed(o.key))) continue;
      await this.#pinning.release([o.key]);
      if (slot) await this.#meta.registry.deleteUploadSlots([slot.fileId]);
      removed++;
    }
    return removed;
  }
}

/** The slot an upload object belongs to: `uploads/<fileId>`, `sessions/<sessionId>/<fileId>`. */
function fileIdOf(key: string): string | null {
  const m = /^(?:uploads|sessions\/[^/]+)\/([^/]+)$/.exec(key);
  return m ? m[1]! : null;
}

/** Hex or base64 SHA-256, as both. */
export function parseSha256(value: unknown): { hex: string; base64: string } {
  if (typeof value === 'string' && HEX_SHA256.test(value)) {
    return { hex: value.toLowerCase(), base64: Buffer.from(value, 'hex').toString('base64') };
  }
  if (typeof value === 'string' && B64_SHA256.test(value)) {
    return { hex: Buffer.from(value, 'base64').toString('hex'), base64: value };
  }
  return fail('InvalidArgument', 'invalid sha256: expected 64 hex digits or 44 base64 characters');
}

function checkFileName(name: unknown): string {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_FILE_NAME) {
    fail('InvalidArgument', `invalid file name: needs 1 to ${MAX_FILE_NAME} characters`);
  }
  return name;
}

function checkScope(scope: unknown): UploadScope {
  if (scope !== 'APPLICATION' && scope !== 'SESSION') fail('InvalidArgument', 'invalid scope: APPLICATION or SESSION');
  return scope;
}

function checkSessionId(scope: UploadScope, sessionId: unknown): string | null {
  if (scope === 'APPLICATION') {
    if (sessionId !== undefined && sessionId !== null) fail('InvalidArgument', 'a sessionId is only for SESSION scope');
    return null;
  }
  if (typeof sessionId !== 'string' || !SESSION_ID.test(sessionId)) {
    fail('InvalidArgument', 'SESSION scope needs a sessionId of 1 to 128 letters, digits, ".", "_" or "-"');
  }
  return sessionId;
}

function checkSize(size: unknown): number {
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || size > MAX_UPLOAD_SIZE) {
    fail('InvalidArgument', `invalid size: a whole number of bytes from 0 to ${MAX_UPLOAD_SIZE}`);
  }
  return size;
}
