/**
 * API tokens and registry authentication against a whole Signet's stores
 * (SQLite and PostgreSQL): scopes, revocation, expiry, malformed and forged
 * tokens, HTTP Basic, SigV4 principals, and the system account's exclusion.
 * A second registry over the same stores has a clock the test moves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Buckets } from '../../src/core/buckets.ts';
import { isSignetError } from '../../src/core/errors.ts';
import type { Registry } from '../../src/core/registry/registry-api.ts';
import { createRegistry } from '../../src/core/registry/registry.ts';
import type { RegistryPrincipal } from '../../src/core/registry/registry-types.ts';
import type { SystemAccount } from '../../src/core/registry/system-account.ts';
import { authenticateRegistry } from '../../src/faces/registry-auth.ts';
import { describeEachMeta, ROOT, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { rejectsWith } from '../support/rejects-with.ts';


const scopesOf = (who: RegistryPrincipal): string[] => [...who.scopes].sort();

describeEachMeta('registry tokens', (kind) => {
  let t: TestSignet;
  let registry: Registry;
  /** A registry whose clock is `now`, moved by the tests. */
  let timed: Registry & { system: SystemAccount };
  let now = new Date();
  let root: RegistryPrincipal;
  let alice: RegistryPrincipal;
  let aliceKey: { accessKeyId: string; secretKey: string };

  before(async () => {
    t = await startTestSignet(kind);
    registry = t.signet.registry;
    const meta = t.signet.meta;
    const clock = () => now;
    timed = await createRegistry({ meta, blobs: t.signet.blobs, buckets: new Buckets(meta, t.config.region, clock), identity: t.signet.identity, clock, region: t.config.region });
    root = registry.tokens.fromSigned((await t.signet.identity.lookup(ROOT.user))!.principal);
    await t.signet.identity.addUser('alice');
    aliceKey = await t.signet.identity.addKey('alice');
    alice = registry.tokens.fromSigned((await t.signet.identity.lookup(aliceKey.accessKeyId))!.principal);
  });
  after(async () => {
    await t?.close();
  });

  describe('principals', () => {
    it('SigV4 and Basic: root gets every scope, other users read and write', async () => {
      assert.deepEqual(scopesOf(root), ['admin', 'read', 'write']);
      assert.deepEqual(scopesOf(alice), ['read', 'write']);
      assert.equal(alice.via, 'sigv4');
      const basic = await registry.tokens.authenticateBasic(aliceKey.accessKeyId, aliceKey.secretKey);
      assert.equal(basic.userName, 'alice');
      assert.equal(basic.via, 'basic');
      assert.deepEqual(scopesOf(basic), ['read', 'write']);
      await rejectsWith(registry.tokens.authenticateBasic(aliceKey.accessKeyId, aliceKey.secretKey + 'x'), 'Unauthenticated');
      await rejectsWith(registry.tokens.authenticateBasic('NOSUCHKEY', 'whatever'), 'Unauthenticated');
    });

    it('the system account can never act on the registry', async () => {
      const { system } = timed;
      await rejectsWith(registry.tokens.authenticateBasic(system.accessKeyId, system.secretKey), 'Unauthenticated');
      assert.throws(() => registry.tokens.fromSigned(system.principal), (e: unknown) => isSignetError(e) && e.code === 'Unauthenticated');
      await rejectsWith(registry.tokens.create(root, { name: 'sys', scopes: ['read'], userName: system.principal.userName }), 'ResourceNotFound');
    });
  });

  describe('tokens', () => {
    it('a token authenticates as its user with its scopes; only the hash of its secret is stored', async () => {
      const { token, secret } = await registry.tokens.create(alice, { name: 'ci', scopes: ['write'] });
      assert.match(secret, /^sgt_[0-9a-f]{24}_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(token.scopes, ['read', 'write']);
      const stored = await t.signet.meta.registry.getToken(token.id);
      assert.ok(stored);
      assert.ok(!JSON.stringify(stored).includes(secret.slice(-43)));
      const who = await registry.tokens.authenticateToken(secret);
      assert.equal(who.userName, 'alice');
      assert.equal(who.via, 'token');
      assert.equal(who.tokenId, token.id);
      assert.deepEqual(scopesOf(who), ['read', 'write']);
      const listed = await registry.tokens.list(alice);
      assert.ok(listed.some((x) => x.id === token.id));
    });

    it('a read-scoped token cannot create, change or delete', async () => {
      const { secret } = await registry.tokens.create(alice, { name: 'reader', scopes: ['read'] });
      const reader = await registry.tokens.authenticateToken(secret);
      assert.deepEqual(scopesOf(reader), ['read']);
      await registry.models.listModels(reader, {});
      await rejectsWith(registry.models.createModel(reader, { namespace: 'acme', name: 'nope' }), 'AccessDenied');
      await rejectsWith(registry.hubs.createHub(reader, { name: 'nope' }), 'AccessDenied');
      await rejectsWith(registry.tokens.create(reader, { name: 'more', scopes: ['read'] }), 'AccessDenied');
      await registry.models.createModel(alice, { namespace: 'acme', name: 'keep' });
      await rejectsWith(registry.models.deleteModel(reader, { namespace: 'acme', name: 'keep' }), 'AccessDenied');
      await rejectsWith(registry.models.updateModel(reader, { namespace: 'acme', name: 'keep' }, { description: 'x' }), 'AccessDenied');
      assert.ok(await registry.models.getModel(reader, { namespace: 'acme', name: 'keep' }));
    });

    it('a revoked token stops working at once; revoking needs ownership or admin', async () => {
      const { token, secret } = await registry.tokens.create(alice, { name: 'short', scopes: ['read'] });
      await registry.tokens.authenticateToken(secret);
      await t.signet.identity.addUser('bob');
      const bobKey = await t.signet.identity.addKey('bob');
      const bob = registry.tokens.fromSigned((await t.signet.identity.lookup(bobKey.accessKeyId))!.principal);
      await rejectsWith(registry.tokens.revoke(bob, token.id), 'AccessDenied');
      await rejectsWith(registry.tokens.revoke(alice, 'ffffffffffffffffffffffff'), 'ResourceNotFound');
      const revoked = await registry.tokens.revoke(alice, token.id);
      assert.ok(revoked.revokedAt);
      await rejectsWith(registry.tokens.authenticateToken(secret), 'Unauthenticated');
      const other = await registry.tokens.create(bob, { name: 'b', scopes: ['read'] });
      await registry.tokens.revoke(root, other.token.id);
      await rejectsWith(registry.tokens.authenticateToken(other.secret), 'Unauthenticated');
      const audit = await registry.audit.list(root, { action: 'token.revoke' });
      assert.deepEqual(audit.items.map((e) => e.userName), ['root', 'alice']);
    });

    it('an expired token is refused', async () => {
      now = new Date();
      const { secret } = await timed.tokens.create(alice, { name: 'brief', scopes: ['read'], expiresIn: 60 });
      now = new Date(now.getTime() + 59_000);
      await timed.tokens.authenticateToken(secret);
      now = new Date(now.getTime() + 1_000);
      await rejectsWith(timed.tokens.authenticateToken(secret), 'Unauthenticated', /expired/);
      await rejectsWith(timed.tokens.create(alice, { name: 'x', scopes: ['read'], expiresIn: 0 }), 'InvalidArgument');
    });

    it('malformed tokens and wrong secrets are refused alike', async () => {
      const { secret } = await registry.tokens.create(alice, { name: 'real', scopes: ['read'] });
      const last = secret.at(-1) === 'A' ? 'B' : 'A';
      const wrongSecret = secret.slice(0, -1) + last;
      const unknownId = `sgt_${'0'.repeat(24)}_${secret.slice(-43)}`;
      for (const bad of ['', 'sgt_', 'sgt_abc_def', 'nope', `Bearer ${secret}`, secret + 'x', wrongSecret, unknownId]) {
        await rejectsWith(registry.tokens.authenticateToken(bad), 'Unauthenticated');
      }
      await registry.tokens.authenticateToken(secret);
    });

    it('scopes never exceed the creator’s; tokens for others need admin', async () => {
      await rejectsWith(registry.tokens.create(alice, { name: 'x', scopes: ['admin'] }), 'AccessDenied');
      await rejectsWith(registry.tokens.create(alice, { name: 'x', scopes: [] }), 'InvalidArgument');
      await rejectsWith(registry.tokens.create(alice, { name: 'x', scopes: ['root' as 'read'] }), 'InvalidArgument');
      await rejectsWith(registry.tokens.create(alice, { name: '', scopes: ['read'] }), 'InvalidArgument');
      await rejectsWith(registry.tokens.create(alice, { name: 'x'.repeat(129), scopes: ['read'] }), 'InvalidArgument');
      await rejectsWith(registry.tokens.create(alice, { name: 'x', scopes: ['read'], userName: 'root' }), 'AccessDenied');
      await rejectsWith(registry.tokens.list(alice, { all: true }), 'AccessDenied');
      const forAlice = await registry.tokens.create(root, { name: 'ops', scopes: ['admin'], userName: 'alice' });
      const adminAlice = await registry.tokens.authenticateToken(forAlice.secret);
      assert.equal(adminAlice.userName, 'alice');
      assert.deepEqual(scopesOf(adminAlice), ['admin', 'read', 'write']);
      assert.ok((await registry.tokens.list(root, { all: true })).some((x) => x.id === forAlice.token.id));
      const created = await registry.audit.list(root, { action: 'token.create', userName: 'root' });
      assert.equal(created.items[0]!.detail.user, 'alice');
    });
  });

  describe('registry faces authentication', () => {
    const request = (authorization?: string) => ({ method: 'GET', rawPath: '/api/v1/models', rawQuery: '', headers: authorization ? { authorization } : {} });
    const deps = () => ({ tokens: registry.tokens, identity: t.signet.identity, clock: () => new Date() });

    it('takes Bearer, token and Basic credentials; anything else is Unauthenticated', async () => {
      const { secret } = await registry.tokens.create(alice, { name: 'hdr', scopes: ['read'] });
      assert.equal((await authenticateRegistry(request(`Bearer ${secret}`), deps(), ['s3'])).userName, 'alice');
      assert.equal((await authenticateRegistry(request(`token ${secret}`), deps(), ['s3'])).tokenId !== null, true);
      const basic = Buffer.from(`${aliceKey.accessKeyId}:${aliceKey.secretKey}`).toString('base64');
      assert.equal((await authenticateRegistry(request(`Basic ${basic}`), deps(), ['s3'])).via, 'basic');
      await rejectsWith(authenticateRegistry(request(), deps(), ['s3']), 'Unauthenticated');
      await rejectsWith(authenticateRegistry(request('Bearer sgt_nope'), deps(), ['s3']), 'Unauthenticated');
      await rejectsWith(authenticateRegistry(request('Digest abc'), deps(), ['s3']), 'Unauthenticated');
    });
  });
});
