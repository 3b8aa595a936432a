/**
 * @module
 * How the auth layer finds a secret: one async lookup by access key id,
 * supplied by whoever owns the keys (the meta store, a config file...).
 */
import { fail } from '../../../core/errors.ts';
import type { Principal } from '../../../core/types.ts';

export interface SecretRecord {
  readonly secretKey: string;
  readonly principal: Principal;
}

export type SecretLookup = (accessKeyId: string) => Promise<SecretRecord | null>;

/** The secret for `accessKeyId`, or InvalidAccessKeyId as S3 answers for an unknown key. */
export async function requireSecret(lookup: SecretLookup, accessKeyId: string): Promise<SecretRecord> {
  const found = accessKeyId === '' ? null : await lookup(accessKeyId);
  if (!found) fail('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: accessKeyId });
  return found;
}

/** A lookup over a fixed list (config files, tests). */
export function staticSecretLookup(
  keys: ReadonlyArray<{ readonly accessKeyId: string } & SecretRecord>,
): SecretLookup {
  const byId = new Map(keys.map((k) => [k.accessKeyId, { secretKey: k.secretKey, principal: k.principal }]));
  return (id) => Promise.resolve(byId.get(id) ?? null);
}
