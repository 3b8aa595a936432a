/**
 * @module
 * At each start (after the migrations): access-key secrets still in clear
 * are sealed under the configured master key, and a start that could not
 * open the stored secrets (no master key, or another one) is refused, as
 * SSE-S3 data refuses it, rather than failing every signature later.
 */
import type { SecretSeal } from '../../core/secret-seal.ts';
import type { Db } from './meta-dialect.ts';

/** Seals the secrets still in clear. Throws an Error for the operator when some do not open. */
export async function sealStoredSecrets(db: Db, seal: SecretSeal | null): Promise<void> {
  let others = db.selectFrom('access_keys').select('sealed_by').distinct().where('sealed_by', 'is not', null);
  if (seal !== null) others = others.where('sealed_by', '!=', seal.keyId);
  const foreign = (await others.execute()).map((r) => r.sealed_by);
  if (foreign.length > 0) {
    const configured = seal === null ? 'no master key is configured' : `the configured master key is ${seal.keyId}`;
    throw new Error(
      `Access-key secrets are sealed under master key ${foreign.join(', ')} but ${configured}: set SIGNET_MASTER_KEY or SIGNET_MASTER_KEY_FILE to that key`,
    );
  }
  if (seal === null) return;
  const clear = await db.selectFrom('access_keys').select(['access_key_id', 'secret']).where('sealed_by', 'is', null).execute();
  for (const row of clear) {
    await db
      .updateTable('access_keys')
      .set({ secret: seal.seal(row.access_key_id, row.secret), sealed_by: seal.keyId })
      .where('access_key_id', '=', row.access_key_id)
      .where('sealed_by', 'is', null)
      .execute();
  }
}
