/**
 * @module
 * Access-key secrets at rest. SigV4 and SigV2 verify an HMAC keyed by the
 * secret itself, so a secret cannot be stored as a hash; with a master key
 * configured, the metadata store keeps it sealed instead: AES-256-GCM under
 * a key derived from the master key, bound to its access key id (a sealed
 * secret copied onto another key's row does not open). A copy of the
 * database alone then reveals no secret.
 *
 * Sealed form: base64 of nonce (12 bytes) | ciphertext | tag (16 bytes).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { MasterKey } from './encryption.ts';
import { SignetError } from './errors.ts';

const CIPHER = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export class SecretSeal {
  /** The master key's id, stored beside each secret sealed under it. */
  readonly keyId: string;
  readonly #key: Buffer;

  constructor(master: MasterKey) {
    this.keyId = master.id;
    this.#key = master.secretsKey;
  }

  seal(accessKeyId: string, secret: string): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(CIPHER, this.#key, nonce);
    cipher.setAAD(Buffer.from(accessKeyId, 'utf8'));
    const body = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, body, cipher.getAuthTag()]).toString('base64');
  }

  /** The secret; InternalError when `sealed` was not sealed for this key id under this master key. */
  open(accessKeyId: string, sealed: string): string {
    const bytes = Buffer.from(sealed, 'base64');
    try {
      if (bytes.length < NONCE_BYTES + TAG_BYTES) throw new Error('too short');
      const decipher = createDecipheriv(CIPHER, this.#key, bytes.subarray(0, NONCE_BYTES));
      decipher.setAAD(Buffer.from(accessKeyId, 'utf8'));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      const body = bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES);
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
    } catch {
      throw new SignetError('InternalError', `The stored secret of access key ${accessKeyId} does not open under master key ${this.keyId}`);
    }
  }
}
