/**
 * Access-key secrets sealed under the master key: they open only for the
 * access key they were sealed for, under the key they were sealed with.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { MasterKey } from '../../src/core/encryption.ts';
import { isSignetError } from '../../src/core/errors.ts';
import { SecretSeal } from '../../src/core/secret-seal.ts';

const seal = new SecretSeal(new MasterKey(randomBytes(32)));
const refusesToOpen = (fn: () => unknown) => assert.throws(fn, (e) => isSignetError(e) && e.code === 'InternalError');

describe('SecretSeal', () => {
  it('round-trips any secret, and sealing twice gives different text that holds no secret', () => {
    for (const secret of ['s3cr3t-Key/with+chars=', 'ü €', 'x'.repeat(128)]) {
      const a = seal.seal('AKID', secret);
      const b = seal.seal('AKID', secret);
      assert.notEqual(a, b);
      assert.ok(!a.includes(secret) && !Buffer.from(a, 'base64').includes(Buffer.from(secret)));
      assert.equal(seal.open('AKID', a), secret);
      assert.equal(seal.open('AKID', b), secret);
    }
  });

  it('names its master key by the key id, never by the key', () => {
    const master = new MasterKey(randomBytes(32));
    assert.equal(new SecretSeal(master).keyId, master.id);
    assert.match(master.id, /^[0-9a-f]{16}$/);
  });

  it('refuses another access key id, another master key, a damaged or a truncated text', () => {
    const sealed = seal.seal('AKID', 'the-secret');
    refusesToOpen(() => seal.open('OTHER', sealed));
    refusesToOpen(() => new SecretSeal(new MasterKey(randomBytes(32))).open('AKID', sealed));
    const damaged = Buffer.from(sealed, 'base64');
    damaged[14] = (damaged[14] ?? 0) ^ 1;
    refusesToOpen(() => seal.open('AKID', damaged.toString('base64')));
    refusesToOpen(() => seal.open('AKID', sealed.slice(0, 20)));
    refusesToOpen(() => seal.open('AKID', ''));
  });
});
