/**
 * @module
 * The `encryption_keys` table: which master key SSE-S3 data was written
 * under (its id and check value; the key itself is never stored).
 */
import type { MasterKeyRecord } from '../../ports/meta-store.ts';
import type { Db } from './meta-dialect.ts';
import type { Tx } from './object-writes.ts';

/** Serialises registrations on PostgreSQL (an advisory lock on a name no bucket/key can have). */
const LOCK = ['', 'signet:encryption-keys'] as const;

export async function listMasterKeys(db: Db): Promise<MasterKeyRecord[]> {
  const rows = await db.selectFrom('encryption_keys').selectAll().orderBy('created_at').orderBy('key_id').execute();
  return rows.map((r) => ({ keyId: r.key_id, check: r.check_value, createdAt: new Date(Number(r.created_at)) }));
}

/** Inserts the key when none is recorded yet; two nodes racing with different keys cannot both win. */
export async function registerMasterKey(tx: Tx, key: MasterKeyRecord): Promise<MasterKeyRecord[]> {
  await tx.dialect.lockKey(tx.db, ...LOCK);
  const recorded = await listMasterKeys(tx.db);
  if (recorded.length > 0) return recorded;
  await tx.db
    .insertInto('encryption_keys')
    .values({ key_id: key.keyId, check_value: key.check, created_at: key.createdAt.getTime() })
    .execute();
  return listMasterKeys(tx.db);
}
