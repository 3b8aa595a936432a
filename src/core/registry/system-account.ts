/**
 * @module
 * The registry's own account: a user that owns the system bucket where
 * registered files are pinned and uploads land, and the access key that signs
 * every grant URL. Both live in the metadata store, so every node signs and
 * verifies with the same key; ordinary users cannot reach the bucket (it is
 * not theirs), only URLs the registry signed can.
 */
import { createHash, createHmac } from 'node:crypto';
import { canonicalId, newAccessKeyId, newSecretKey } from '../ids.ts';
import type { MetaStore } from '../../ports/meta-store.ts';
import type { Principal } from '../types.ts';
import { OWNER_ONLY } from '../buckets.ts';
import { NO_INLINE } from '../objects.ts';

export const SYSTEM_USER = 'signet-system';
export const SYSTEM_BUCKET = 'signet-registry';

export interface SystemAccount {
  readonly principal: Principal;
  readonly accessKeyId: string;
  readonly secretKey: string;
  readonly bucket: string;
  /** 12 digits for ARNs, stable for this deployment. */
  readonly accountId: string;
  /** Key for sealing pagination cursors. */
  readonly cursorKey: Buffer;
}

/** Creates the system user, key and bucket on first start; safe when several nodes start at once. */
export async function ensureSystemAccount(meta: MetaStore, region: string, clock: () => Date): Promise<SystemAccount> {
  const user = await ensureUser(meta, clock);
  const key = await ensureKey(meta, user.id, clock);
  if (!(await meta.getBucket(SYSTEM_BUCKET))) {
    try {
      await meta.createBucket({
        name: SYSTEM_BUCKET,
        ownerId: user.id,
        createdAt: clock(),
        region,
        versioning: 'Unversioned',
        objectLockEnabled: false,
        config: { [NO_INLINE]: true, [OWNER_ONLY]: true },
      });
    } catch (e) {
      const bucket = await meta.getBucket(SYSTEM_BUCKET);
      if (!bucket) throw e;
    }
  }
  const digits = BigInt('0x' + createHash('sha256').update(user.id).digest('hex').slice(0, 15)) % 10n ** 12n;
  return {
    principal: { userId: user.id, userName: SYSTEM_USER, isRoot: false, accessKeyId: key.accessKeyId },
    accessKeyId: key.accessKeyId,
    secretKey: key.secretKey,
    bucket: SYSTEM_BUCKET,
    accountId: digits.toString().padStart(12, '0'),
    cursorKey: createHmac('sha256', key.secretKey).update('signet cursor key').digest(),
  };
}

async function ensureUser(meta: MetaStore, clock: () => Date) {
  const existing = await meta.getUser({ name: SYSTEM_USER });
  if (existing) return existing;
  try {
    await meta.createUser({ id: canonicalId(), name: SYSTEM_USER, isRoot: false, createdAt: clock() });
  } catch (e) {
    if (!(await meta.getUser({ name: SYSTEM_USER }))) throw e;
  }
  return (await meta.getUser({ name: SYSTEM_USER }))!;
}

async function ensureKey(meta: MetaStore, userId: string, clock: () => Date) {
  const keys = await meta.listAccessKeys(userId);
  if (keys.length > 0) return keys.sort((a, b) => a.accessKeyId.localeCompare(b.accessKeyId))[0]!;
  await meta.putAccessKey({ accessKeyId: newAccessKeyId(), secretKey: newSecretKey(), userId, createdAt: clock() });
  // Two nodes racing each add a key; all agree on the smallest id.
  const all = await meta.listAccessKeys(userId);
  return all.sort((a, b) => a.accessKeyId.localeCompare(b.accessKeyId))[0]!;
}
