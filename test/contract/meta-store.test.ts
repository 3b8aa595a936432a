/**
 * The MetaStore contract: the same suite against every implementation
 * (`test/support/meta-stores.ts`). Each test gets a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { coalescedSync } from '../../src/adapters/meta/coalesced-sync.ts';
import { GroupCommit } from '../../src/adapters/meta/group-commit.ts';
import { KyselyMetaStore } from '../../src/adapters/meta/kysely-meta-store.ts';
import { compareKeys, prefixEnd } from '../../src/adapters/meta/key-order.ts';
import { SIGNET_MIGRATIONS } from '../../src/adapters/meta/migrations.ts';
import { openSqliteMetaStore } from '../../src/adapters/meta/sqlite-meta-store.ts';
import type { SignetMigration } from '../../src/adapters/meta/migrations.ts';
import type { Database } from '../../src/adapters/meta/schema.ts';
import { MasterKey } from '../../src/core/encryption.ts';
import { fail, isSignetError } from '../../src/core/errors.ts';
import { SecretSeal } from '../../src/core/secret-seal.ts';
import type { ErrorCode } from '../../src/core/errors.ts';
import type {
  Bucket,
  MultipartUpload,
  NewObjectVersion,
  ObjectSummary,
  Tag,
  UploadedPart,
  VersioningStatus,
} from '../../src/core/types.ts';
import type { MetaStore } from '../../src/ports/meta-store.ts';
import { describeEachMetaStore, queryAround, storedAccessKeyRows } from '../support/meta-stores.ts';
import type { MetaStoreLocation, OpenedMetaStore } from '../support/meta-stores.ts';

const T0 = new Date(1_700_000_000_123);
const TIB = 1024 ** 4;

function bucket(name: string, over: Partial<Bucket> = {}): Bucket {
  return {
    name,
    ownerId: 'owner-1',
    createdAt: T0,
    region: 'us-east-1',
    versioning: 'Unversioned',
    objectLockEnabled: false,
    config: {},
    ...over,
  };
}

let versionCounter = 0;

function version(bucketName: string, key: string, over: Partial<NewObjectVersion> = {}): NewObjectVersion {
  versionCounter += 1;
  return {
    bucket: bucketName,
    key,
    versionId: `v${String(versionCounter).padStart(6, '0')}`,
    isDeleteMarker: false,
    size: 5,
    etag: `etag-${versionCounter}`,
    lastModified: T0,
    headers: {},
    userMetadata: {},
    checksum: null,
    sha256: null,
    parts: null,
    tags: [],
    inline: Buffer.from('hello'),
    extents: [],
    retention: null,
    legalHold: false,
    ownerId: 'owner-1',
    ...over,
  };
}

function upload(uploadId: string, bucketName: string, key: string): MultipartUpload {
  return {
    uploadId,
    bucket: bucketName,
    key,
    initiated: T0,
    ownerId: 'owner-1',
    headers: { contentType: 'application/x-test' },
    userMetadata: { m: '1' },
    tags: [['t', '1']],
    checksumAlgorithm: 'CRC32',
    checksumType: 'COMPOSITE',
    retention: { mode: 'GOVERNANCE', until: new Date(T0.getTime() + 86_400_123) },
    legalHold: true,
  };
}

function part(uploadId: string, partNumber: number, blob: string, over: Partial<UploadedPart> = {}): UploadedPart {
  return {
    uploadId,
    partNumber,
    size: 10,
    etag: `part-${partNumber}-${blob}`,
    lastModified: T0,
    checksums: { CRC32: 'AAAAAA==' },
    md5: `md5-${partNumber}`,
    extents: [{ blob, offset: 0, length: 10 }],
    ...over,
  };
}

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(isSignetError(e), `expected SignetError ${code}, got ${String(e)}`);
    assert.equal(e.code, code);
    return true;
  });
}

const byBytes = (keys: readonly string[]): string[] => [...keys].sort(compareKeys);
const keysOf = (rows: readonly ObjectSummary[]): string[] => rows.map((r) => r.key);

async function listAll(store: MetaStore, bucketName: string, prefix = ''): Promise<string[]> {
  return keysOf(await store.listObjects(bucketName, { prefix, after: null, limit: 10_000 }));
}

/** Odd keys: ASCII, controls, a slash, Latin-1, CJK, the BMP's edge, astral planes. */
const UNICODE_KEYS = [
  'a',
  'a/b',
  'a\u0001',
  'a\u007f',
  'a\uFFFF',
  'a\u{10000}',
  'é',
  '日本',
  '日本/語',
  '\u{1F600}',
  '\u{1F600}x',
  'Z',
  ' space',
  '\uD7FF',
  '\uE000',
  '\uFFFF',
  '\uFFFFx',
  '\u{10FFFF}',
  '\u{10FFFF}\u{10FFFF}',
];

describe('key order helpers', () => {
  it('prefixEnd increments the last code point, skipping surrogates and carrying', () => {
    assert.equal(prefixEnd(''), null);
    assert.equal(prefixEnd('a'), 'b');
    assert.equal(prefixEnd('a/'), 'a0');
    assert.equal(prefixEnd('\uD7FF'), '\uE000');
    assert.equal(prefixEnd('\uFFFF'), '\u{10000}');
    assert.equal(prefixEnd('a\u{1F600}'), 'a\u{1F601}');
    assert.equal(prefixEnd('a\u{10FFFF}'), 'b');
    assert.equal(prefixEnd('\u{10FFFF}\u{10FFFF}'), null);
  });

  it('compareKeys is UTF-8 byte order, not UTF-16 order', () => {
    assert.ok(compareKeys('\uFFFF', '\u{1F600}') < 0);
    assert.ok('\uFFFF' > '\u{1F600}', 'UTF-16 order disagrees, which is why compareKeys exists');
  });
});

describe('SQLite group commit', () => {
  /** A store-less GroupCommit over an in-memory table, whose control statements are logged and can fail. */
  function setup(failingCommits: number, afterCommit?: () => Promise<void>) {
    const raw = new BetterSqlite3(':memory:');
    raw.exec('create table t (k text primary key)');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: raw }) });
    const log: string[] = [];
    let failures = failingCommits;
    const group = new GroupCommit(db, (statement) => {
      log.push(statement);
      if (statement === 'commit' && failures-- > 0) {
        raw.exec('rollback');
        throw new Error('disk I/O error (simulated)');
      }
      raw.exec(statement);
    }, afterCommit);
    const insert = (k: string) => group.run((trx) => sql`insert into t (k) values (${k})`.execute(trx));
    const rows = () => (raw.prepare('select k from t order by k').all() as { k: string }[]).map((r) => r.k);
    const count = (statement: string) => log.filter((s) => s === statement).length;
    return { group, insert, rows, count, close: () => group.close().then(() => db.destroy()) };
  }

  it('runs the writes of one event-loop turn in one transaction, each in its savepoint', async () => {
    const g = setup(0);
    await Promise.all(Array.from({ length: 50 }, (_, i) => g.insert(`k${String(i).padStart(2, '0')}`)));
    assert.equal(g.count('begin immediate'), 1);
    assert.equal(g.count('commit'), 1);
    assert.equal(g.count('savepoint op'), 50);
    assert.equal(g.rows().length, 50);
    await g.close();
  });

  it('fails only the write that fails', async () => {
    const g = setup(0);
    const results = await Promise.allSettled([g.insert('a'), g.insert('a'), g.insert('b')]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['fulfilled', 'rejected', 'fulfilled'],
    );
    assert.deepEqual(g.rows(), ['a', 'b']);
    await g.close();
  });

  it('runs a write alone in its batch without a savepoint; its failure rolls back the whole transaction', async () => {
    const g = setup(0);
    await g.insert('a');
    await rejectsWith(g.group.run(async (trx) => {
      await sql`insert into t (k) values ('b')`.execute(trx);
      fail('PreconditionFailed', 'after a write (simulated)');
    }), 'PreconditionFailed');
    assert.deepEqual(g.rows(), ['a'], 'the write made before the failure is gone');
    assert.equal(g.count('savepoint op'), 0);
    assert.equal(g.count('rollback'), 1);
    await g.close();
  });

  it('runs each write alone when the batch cannot commit, and reports lasting failures to every caller', async () => {
    const once = setup(1);
    await Promise.all(['a', 'b', 'c'].map((k) => once.insert(k)));
    assert.deepEqual(once.rows(), ['a', 'b', 'c']);
    assert.equal(once.count('begin immediate'), 4);
    await once.close();

    const always = setup(Infinity);
    const results = await Promise.allSettled(['a', 'b'].map((k) => always.insert(k)));
    for (const r of results) assert.match(String((r as PromiseRejectedResult).reason), /simulated/);
    assert.deepEqual(always.rows(), []);
    await always.close();
  });

  it('settles a batch only once it is durable, while the next batch commits meanwhile', async () => {
    const syncs: { resolve: () => void; reject: (e: Error) => void }[] = [];
    const g = setup(0, () => new Promise<void>((resolve, reject) => syncs.push({ resolve, reject })));
    let firstDone = false;
    const first = g.insert('a').then(() => (firstDone = true));
    while (syncs.length < 1) await new Promise((r) => setImmediate(r));
    // Committed, not yet durable: not acknowledged, and the next batch goes ahead.
    const second = g.insert('b');
    while (syncs.length < 2) await new Promise((r) => setImmediate(r));
    assert.equal(firstDone, false);
    assert.deepEqual(g.rows(), ['a', 'b']);
    syncs[1]!.resolve();
    await second;
    assert.equal(firstDone, false, 'each batch waits for its own fsync');
    syncs[0]!.reject(new Error('fsync failed (simulated)'));
    await assert.rejects(first, /fsync failed/);
    const third = g.insert('c');
    while (syncs.length < 3) await new Promise((r) => setImmediate(r));
    const closed = g.close();
    syncs[2]!.resolve();
    await Promise.all([third, closed]);
  });

  it('runs a task between batches and holds the next batch until it ends', async () => {
    const g = setup(0);
    await g.insert('a');
    let release = (): void => {};
    let rowsDuringTask: string[] = [];
    const task = g.group.between(async () => {
      rowsDuringTask = g.rows();
      await new Promise<void>((r) => (release = r));
    });
    const second = g.insert('b');
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(rowsDuringTask, ['a']);
    assert.deepEqual(g.rows(), ['a'], 'no batch begins while the task runs');
    release();
    await Promise.all([task, second]);
    assert.deepEqual(g.rows(), ['a', 'b']);
    await assert.rejects(g.group.between(() => Promise.reject(new Error('task failed'))), /task failed/);
    await g.insert('c');
    assert.deepEqual(g.rows(), ['a', 'b', 'c'], 'a failed task fails only itself');
    await g.close();
  });
});

describe('coalescedSync', () => {
  it('answers each call with a sync begun after it, one sync at a time', async () => {
    const syncs: { resolve: () => void; reject: (e: Error) => void }[] = [];
    const sync = coalescedSync(() => new Promise<void>((resolve, reject) => syncs.push({ resolve, reject })));
    const settled: string[] = [];
    const track = (name: string, p: Promise<void>) => p.then(() => settled.push(name), (e: Error) => settled.push(`${name}:${e.message}`));
    const tick = () => new Promise((r) => setImmediate(r));
    const a = track('a', sync());
    const b = track('b', sync());
    const c = track('c', sync());
    await tick();
    assert.equal(syncs.length, 1, 'b and c wait for the running sync to end');
    syncs[0]!.resolve();
    await a;
    await tick();
    assert.deepEqual(settled, ['a'], 'the first sync began before b and c: it does not answer them');
    assert.equal(syncs.length, 2, 'one sync serves b and c');
    syncs[1]!.reject(new Error('EIO'));
    await Promise.all([b, c]);
    assert.deepEqual(settled, ['a', 'b:EIO', 'c:EIO']);
    const d = track('d', sync());
    await tick();
    assert.equal(syncs.length, 3, 'a failed sync does not stop the next');
    syncs[2]!.resolve();
    await d;
    assert.deepEqual(settled.at(-1), 'd');
  });
});

describe('SQLite WAL under sustained writes', () => {
  it('starts the WAL over instead of letting it grow with the data written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'signet-wal-'));
    const file = join(dir, 'meta.sqlite');
    const store = await openSqliteMetaStore(file);
    try {
      await store.migrate();
      await store.createBucket(bucket('wal'));
      const body = Buffer.alloc(8192, 7);
      const total = 10_000;
      let next = 0;
      // 80 MiB of inline bodies, 32 writes in flight: without a reset the WAL holds all of it.
      await Promise.all(
        Array.from({ length: 32 }, async () => {
          while (next < total) {
            const i = next++;
            await store.putVersion(version('wal', `k${i}`, { size: body.length, inline: body }), { versioning: 'Unversioned' });
          }
        }),
      );
      const walBytes = (await stat(`${file}-wal`)).size;
      assert.ok(walBytes < 48 * 2 ** 20, `WAL is ${(walBytes / 2 ** 20).toFixed(1)} MiB after 80 MiB written`);
      assert.equal((await store.getVersion('wal', `k${total - 1}`, null))?.size, body.length);
    } finally {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

await describeEachMetaStore('MetaStore', (factory) => {
  let opened: OpenedMetaStore;
  let store: MetaStore;

  beforeEach(async () => {
    opened = await factory.open();
    store = opened.store;
  });
  afterEach(() => opened.cleanup());

  async function withBucket(name: string, versioning: VersioningStatus = 'Unversioned'): Promise<void> {
    await store.createBucket(bucket(name, { versioning }));
  }

  describe('lifecycle', () => {
    it('migrates again harmlessly and answers ping', async () => {
      await store.migrate();
      await store.ping();
    });

    it('migrates from several processes at once', async () => {
      const fresh = await factory.open({ migrate: false });
      try {
        await migrateInProcesses(fresh.location, 3);
        await fresh.store.migrate();
        await fresh.store.createBucket(bucket('b'));
        const other = await fresh.openAnother();
        assert.equal((await other.getBucket('b'))?.name, 'b');
      } finally {
        await fresh.cleanup();
      }
    });

    it('runs a later migration that adds a column, then keeps working', async () => {
      assert.ok(store instanceof KyselyMetaStore);
      const extra: SignetMigration[] = [
        {
          name: '9001_test_add_column',
          async up(db) {
            await db.schema.alterTable('versions').addColumn('test_note', 'text').execute();
          },
        },
        {
          name: '9002_test_use_column',
          async up(db) {
            await db.selectFrom('versions').select('test_note').execute();
          },
        },
      ];
      await store.migrate([...SIGNET_MIGRATIONS, ...extra]);
      await store.migrate([...SIGNET_MIGRATIONS, ...extra]);
      await withBucket('mig');
      await store.putVersion(version('mig', 'k'), { versioning: 'Unversioned' });
      assert.equal((await store.getVersion('mig', 'k', null))?.inline?.toString(), 'hello');
    });
  });

  describe('users and access keys', () => {
    it('creates, finds, lists and refuses duplicates', async () => {
      await store.createUser({ id: 'u2', name: 'bob', isRoot: false, createdAt: T0 });
      await store.createUser({ id: 'u1', name: 'alice', isRoot: true, createdAt: T0 });
      assert.deepEqual(await store.getUser({ id: 'u1' }), { id: 'u1', name: 'alice', isRoot: true, createdAt: T0 });
      assert.equal((await store.getUser({ name: 'bob' }))?.id, 'u2');
      assert.equal(await store.getUser({ id: 'nobody' }), null);
      assert.deepEqual(
        (await store.listUsers()).map((u) => u.name),
        ['alice', 'bob'],
      );
      await rejectsWith(store.createUser({ id: 'u1', name: 'carol', isRoot: false, createdAt: T0 }), 'UserAlreadyExists');
      await rejectsWith(store.createUser({ id: 'u3', name: 'alice', isRoot: false, createdAt: T0 }), 'UserAlreadyExists');
    });

    it('stores, replaces and deletes keys; deleting a user removes its keys', async () => {
      await store.createUser({ id: 'u1', name: 'alice', isRoot: false, createdAt: T0 });
      await store.putAccessKey({ accessKeyId: 'AK1', secretKey: 's1', userId: 'u1', createdAt: T0 });
      await store.putAccessKey({ accessKeyId: 'AK2', secretKey: 's2', userId: 'u1', createdAt: new Date(T0.getTime() + 1) });
      await store.putAccessKey({ accessKeyId: 'AK1', secretKey: 's1b', userId: 'u1', createdAt: T0 });
      assert.deepEqual(await store.getAccessKey('AK1'), { accessKeyId: 'AK1', secretKey: 's1b', userId: 'u1', createdAt: T0 });
      assert.deepEqual(
        (await store.listAccessKeys('u1')).map((k) => k.accessKeyId),
        ['AK1', 'AK2'],
      );
      await rejectsWith(store.putAccessKey({ accessKeyId: 'AK3', secretKey: 's', userId: 'ghost', createdAt: T0 }), 'NoSuchUser');
      await store.deleteAccessKey('AK2');
      await rejectsWith(store.deleteAccessKey('AK2'), 'NoSuchAccessKey');
      await store.deleteUser('u1');
      assert.equal(await store.getAccessKey('AK1'), null);
      assert.deepEqual(await store.listAccessKeys('u1'), []);
      await rejectsWith(store.deleteUser('u1'), 'NoSuchUser');
    });
  });

  describe('access-key secrets under a master key', () => {
    it('seals clear secrets at migrate and new ones as written; a store without that key refuses to start', async () => {
      const seal = new SecretSeal(new MasterKey(randomBytes(32)));
      await store.createUser({ id: 'u1', name: 'alice', isRoot: false, createdAt: T0 });
      await store.putAccessKey({ accessKeyId: 'AK1', secretKey: 'secret-written-in-clear', userId: 'u1', createdAt: T0 });
      assert.deepEqual((await storedAccessKeyRows(opened.location)).map((r) => [r.secret, r.sealed_by]), [['secret-written-in-clear', null]]);

      const sealed = await opened.openAnother({ secrets: seal });
      await sealed.migrate();
      await sealed.putAccessKey({ accessKeyId: 'AK2', secretKey: 'secret-sealed-from-the-start', userId: 'u1', createdAt: T0 });
      await sealed.migrate();
      assert.equal((await sealed.getAccessKey('AK1'))?.secretKey, 'secret-written-in-clear');
      assert.equal((await sealed.getAccessKey('AK2'))?.secretKey, 'secret-sealed-from-the-start');
      assert.deepEqual((await sealed.listAccessKeys('u1')).map((k) => k.secretKey), ['secret-written-in-clear', 'secret-sealed-from-the-start']);
      const rows = await storedAccessKeyRows(opened.location);
      assert.deepEqual(rows.map((r) => r.sealed_by), [seal.keyId, seal.keyId]);
      for (const row of rows) assert.ok(!row.secret.includes('secret-'), `${row.access_key_id} is stored in clear`);

      const withoutKey = await opened.openAnother();
      await assert.rejects(withoutKey.migrate(), new RegExp(`sealed under master key ${seal.keyId} but no master key is configured`));
      const otherKey = await opened.openAnother({ secrets: new SecretSeal(new MasterKey(randomBytes(32))) });
      await assert.rejects(otherKey.migrate(), new RegExp(`sealed under master key ${seal.keyId} but the configured master key is`));
    });

    it('a sealed secret moved onto another key\'s row does not open', async () => {
      const seal = new SecretSeal(new MasterKey(randomBytes(32)));
      const sealed = await opened.openAnother({ secrets: seal });
      await sealed.createUser({ id: 'u1', name: 'alice', isRoot: false, createdAt: T0 });
      await sealed.putAccessKey({ accessKeyId: 'AK1', secretKey: 'secret-one', userId: 'u1', createdAt: T0 });
      await sealed.putAccessKey({ accessKeyId: 'AK2', secretKey: 'secret-two', userId: 'u1', createdAt: T0 });
      assert.equal((await sealed.getAccessKey('AK2'))?.secretKey, 'secret-two');
      await queryAround(opened.location, 'update access_keys set secret = (select secret from access_keys where access_key_id = ?) where access_key_id = ?', ['AK1', 'AK2']);
      await nextTurn(); // a store may answer from memory until the turn after another process's commit
      await rejectsWith(sealed.getAccessKey('AK2'), 'InternalError');
      assert.equal((await sealed.getAccessKey('AK1'))?.secretKey, 'secret-one');
    });
  });

  describe('catalog reads (users, keys, buckets) after writes', () => {
    it('sees its own writes and those of another node at once', async () => {
      await store.createUser({ id: 'u1', name: 'alice', isRoot: false, createdAt: T0 });
      await store.putAccessKey({ accessKeyId: 'AK1', secretKey: 's1', userId: 'u1', createdAt: T0 });
      await store.createBucket(bucket('cb'));
      // Read twice: a store that keeps catalog records in memory now holds them.
      for (let i = 0; i < 2; i++) {
        assert.equal((await store.getAccessKey('AK1'))?.secretKey, 's1');
        assert.equal((await store.getUser({ id: 'u1' }))?.name, 'alice');
        assert.equal((await store.getBucket('cb'))?.versioning, 'Unversioned');
      }
      await store.updateBucket('cb', { versioning: 'Enabled' });
      assert.equal((await store.getBucket('cb'))?.versioning, 'Enabled');
      await store.putAccessKey({ accessKeyId: 'AK1', secretKey: 's2', userId: 'u1', createdAt: T0 });
      assert.equal((await store.getAccessKey('AK1'))?.secretKey, 's2');

      const other = await opened.openAnother();
      await other.updateBucket('cb', { versioning: 'Suspended' });
      assert.equal((await store.getBucket('cb'))?.versioning, 'Suspended');
      await other.deleteAccessKey('AK1');
      assert.equal(await store.getAccessKey('AK1'), null);
      await other.deleteUser('u1');
      assert.equal(await store.getUser({ id: 'u1' }), null);
      await other.deleteBucket('cb');
      assert.equal(await store.getBucket('cb'), null);
    });
  });

  describe('buckets', () => {
    it('creates once, lists by owner, updates and deletes', async () => {
      await store.createBucket(bucket('b2', { ownerId: 'o2' }));
      await store.createBucket(bucket('b1', { config: { cors: { rules: [1] } } }));
      await rejectsWith(store.createBucket(bucket('b1', { ownerId: 'o2' })), 'BucketAlreadyExists');
      assert.deepEqual(await store.getBucket('b1'), bucket('b1', { config: { cors: { rules: [1] } } }));
      assert.equal(await store.getBucket('nope'), null);
      assert.deepEqual(
        (await store.listBuckets(null)).map((b) => b.name),
        ['b1', 'b2'],
      );
      assert.deepEqual(
        (await store.listBuckets('o2')).map((b) => b.name),
        ['b2'],
      );
      const updated = await store.updateBucket('b1', {
        versioning: 'Enabled',
        objectLockEnabled: true,
        config: { cors: null, tagging: [['a', 'b']] },
      });
      assert.deepEqual(updated, bucket('b1', { versioning: 'Enabled', objectLockEnabled: true, config: { tagging: [['a', 'b']] } }));
      assert.deepEqual(await store.getBucket('b1'), updated);
      await rejectsWith(store.updateBucket('nope', { versioning: 'Enabled' }), 'NoSuchBucket');
      await store.deleteBucket('b2');
      assert.equal(await store.getBucket('b2'), null);
      await rejectsWith(store.deleteBucket('b2'), 'NoSuchBucket');
    });

    it('refuses to delete while any version or delete marker remains; drops pending uploads', async () => {
      await withBucket('full', 'Enabled');
      const v = await store.putVersion(version('full', 'k'), { versioning: 'Enabled' });
      const marker = await store.deleteObject('full', 'k', deleteOpts('Enabled'));
      await rejectsWith(store.deleteBucket('full'), 'BucketNotEmpty');
      await store.deleteObject('full', 'k', { ...deleteOpts('Enabled'), versionId: v.versionId });
      await rejectsWith(store.deleteBucket('full'), 'BucketNotEmpty');
      await store.deleteObject('full', 'k', { ...deleteOpts('Enabled'), versionId: marker.versionId ?? '' });
      await store.createUpload(upload('up1', 'full', 'big'));
      await store.putPart(part('up1', 1, 'blob-p'));
      await store.deleteBucket('full');
      assert.equal(await store.getUpload('up1'), null);
      assert.deepEqual(await store.listParts('up1', 0, 100), []);
      assert.deepEqual([...(await store.referencedBlobs(['blob-p']))], []);
    });
  });

  describe('objects', () => {
    it('round-trips every field of an inline version, and of an extent version', async () => {
      await withBucket('b');
      const inline = version('b', 'inline', {
        size: 5 * TIB,
        lastModified: new Date(1_234_567_890_987),
        headers: { contentType: 'text/plain', cacheControl: 'no-cache', expires: 'Thu, 01 Dec 1994 16:00:00 GMT' },
        userMetadata: { zeta: '1', alpha: 'ü' },
        checksum: { algorithm: 'CRC64NVME', value: 'AAAAAAAAAAA=', type: 'FULL_OBJECT' },
        sha256: 'ab'.repeat(32),
        tags: [['z', '1'], ['a', '2']],
        retention: { mode: 'COMPLIANCE', until: new Date(1_900_000_000_001) },
        legalHold: true,
        inline: Buffer.from([0, 1, 2, 255]),
      });
      const stored = await store.putVersion(inline, { versioning: 'Unversioned' });
      assert.equal(stored.versionId, 'null');
      assert.equal(stored.isLatest, true);
      const got = await store.getVersion('b', 'inline', null);
      assert.deepEqual(got, { ...inline, versionId: 'null', seq: stored.seq, isLatest: true });
      assert.deepEqual(await store.getVersion('b', 'inline', 'null'), got);

      const extents = [
        { blob: 'c'.repeat(64), offset: 0, length: 4 * TIB },
        { blob: 'd'.repeat(64), offset: 7, length: TIB },
      ];
      const parts = [
        { number: 1, size: 4 * TIB, etag: 'p1', checksum: 'x' },
        { number: 2, size: TIB, etag: 'p2' },
      ];
      const big = version('b', 'big', { inline: null, extents, parts, etag: 'abc-2' });
      await store.putVersion(big, { versioning: 'Unversioned' });
      const gotBig = await store.getVersion('b', 'big', null);
      assert.deepEqual(gotBig?.extents, extents);
      assert.deepEqual(gotBig?.parts, parts);
      assert.equal(gotBig?.inline, null);
    });

    it('keeps an empty inline body distinct from no inline body', async () => {
      await withBucket('b');
      await store.putVersion(version('b', 'empty', { size: 0, inline: Buffer.alloc(0) }), { versioning: 'Unversioned' });
      assert.deepEqual((await store.getVersion('b', 'empty', null))?.inline, Buffer.alloc(0));
    });

    it('answers null for what does not exist and NoSuchBucket for writes to a missing bucket', async () => {
      await withBucket('b');
      assert.equal(await store.getVersion('b', 'missing', null), null);
      assert.equal(await store.getVersion('b', 'missing', 'v1'), null);
      assert.equal(await store.getVersion('ghost', 'k', null), null);
      await rejectsWith(store.putVersion(version('ghost', 'k'), { versioning: 'Unversioned' }), 'NoSuchBucket');
      await rejectsWith(store.deleteObject('ghost', 'k', deleteOpts('Unversioned')), 'NoSuchBucket');
    });

    it('rejects keys and prefixes containing U+0000 or lone surrogates', async () => {
      await withBucket('b');
      await rejectsWith(store.putVersion(version('b', 'a\u0000b'), { versioning: 'Unversioned' }), 'InvalidArgument');
      await rejectsWith(store.putVersion(version('b', 'a\uD800'), { versioning: 'Unversioned' }), 'InvalidArgument');
      await rejectsWith(store.getVersion('b', 'a\u0000', null), 'InvalidArgument');
      await rejectsWith(store.listObjects('b', { prefix: '\u0000', after: null, limit: 10 }), 'InvalidArgument');
      await rejectsWith(store.createUpload(upload('u', 'b', 'x\u0000')), 'InvalidArgument');
    });

    it('updates tags, retention and legal hold of the latest or a named version', async () => {
      await withBucket('b', 'Enabled');
      const old = await store.putVersion(version('b', 'k'), { versioning: 'Enabled' });
      await store.putVersion(version('b', 'k'), { versioning: 'Enabled' });
      const until = new Date(2_000_000_000_555);
      const latest = await store.updateVersion('b', 'k', null, { tags: [['x', 'y']], legalHold: true });
      assert.deepEqual(latest.tags, [['x', 'y']]);
      assert.equal(latest.legalHold, true);
      await store.updateVersion('b', 'k', old.versionId, { retention: { mode: 'GOVERNANCE', until } });
      const gotOld = await store.getVersion('b', 'k', old.versionId);
      assert.deepEqual(gotOld?.retention, { mode: 'GOVERNANCE', until });
      assert.deepEqual(gotOld?.tags, []);
      await store.updateVersion('b', 'k', old.versionId, { retention: null });
      assert.equal((await store.getVersion('b', 'k', old.versionId))?.retention, null);
      assert.deepEqual((await store.getVersion('b', 'k', null))?.tags, [['x', 'y']]);
      await rejectsWith(store.updateVersion('b', 'nope', null, { legalHold: true }), 'NoSuchKey');
      await rejectsWith(store.updateVersion('b', 'k', 'no-such-version', { legalHold: true }), 'NoSuchVersion');
      await store.deleteObject('b', 'k', deleteOpts('Enabled'));
      await rejectsWith(store.updateVersion('b', 'k', null, { legalHold: true }), 'NoSuchKey');
    });
  });

  describe('versioning on write', () => {
    it('Enabled keeps every version, newest latest; Unversioned replaces the null version', async () => {
      await withBucket('b', 'Enabled');
      const a = await store.putVersion(version('b', 'k', { etag: 'a' }), { versioning: 'Enabled' });
      const b = await store.putVersion(version('b', 'k', { etag: 'b' }), { versioning: 'Enabled' });
      assert.ok(b.seq > a.seq);
      assert.equal((await store.getVersion('b', 'k', null))?.etag, 'b');
      assert.equal((await store.getVersion('b', 'k', a.versionId))?.isLatest, false);

      await withBucket('u');
      await store.putVersion(version('u', 'k', { etag: '1' }), { versioning: 'Unversioned' });
      await store.putVersion(version('u', 'k', { etag: '2' }), { versioning: 'Unversioned' });
      const all = await store.listVersions('u', { prefix: '', afterKey: null, afterSeq: null, limit: 100 });
      assert.deepEqual(
        all.map((v) => [v.versionId, v.etag, v.isLatest]),
        [['null', '2', true]],
      );
    });

    it('Suspended replaces only the null version; others become noncurrent', async () => {
      await withBucket('b', 'Enabled');
      const a = await store.putVersion(version('b', 'k', { etag: 'a' }), { versioning: 'Enabled' });
      await store.putVersion(version('b', 'k', { etag: 'n1' }), { versioning: 'Suspended' });
      const c = await store.putVersion(version('b', 'k', { etag: 'c' }), { versioning: 'Enabled' });
      await store.putVersion(version('b', 'k', { etag: 'n2' }), { versioning: 'Suspended' });
      const all = await store.listVersions('b', { prefix: '', afterKey: null, afterSeq: null, limit: 100 });
      assert.deepEqual(
        all.map((v) => [v.versionId, v.etag, v.isLatest]),
        [
          ['null', 'n2', true],
          [c.versionId, 'c', false],
          [a.versionId, 'a', false],
        ],
      );
    });
  });

  describe('listing', () => {
    it('lists keys in UTF-8 byte order, page by page', async () => {
      await withBucket('b');
      for (const key of UNICODE_KEYS) await store.putVersion(version('b', key), { versioning: 'Unversioned' });
      const expected = byBytes(UNICODE_KEYS);
      assert.deepEqual(await listAll(store, 'b'), expected);
      const paged: string[] = [];
      let after: string | null = null;
      for (;;) {
        const page = await store.listObjects('b', { prefix: '', after, limit: 3 });
        paged.push(...keysOf(page));
        if (page.length < 3) break;
        after = page[page.length - 1]?.key ?? null;
      }
      assert.deepEqual(paged, expected);
    });

    it('windows by prefix as a key range, including BMP-edge and astral prefixes', async () => {
      await withBucket('b');
      for (const key of UNICODE_KEYS) await store.putVersion(version('b', key), { versioning: 'Unversioned' });
      const prefixes = ['', 'a', 'a/', '日本', '\uFFFF', '\u{1F600}', '\u{10FFFF}', '\uD7FF', 'zz'];
      for (const prefix of prefixes) {
        const expected = byBytes(UNICODE_KEYS.filter((k) => k.startsWith(prefix)));
        assert.deepEqual(await listAll(store, 'b', prefix), expected, `prefix ${JSON.stringify(prefix)}`);
      }
      const afterInside = await store.listObjects('b', { prefix: 'a', after: 'a/b', limit: 100 });
      assert.deepEqual(keysOf(afterInside), byBytes(UNICODE_KEYS.filter((k) => k.startsWith('a') && compareKeys(k, 'a/b') > 0)));
      const afterBefore = await store.listObjects('b', { prefix: 'a', after: ' ', limit: 100 });
      assert.deepEqual(keysOf(afterBefore), await listAll(store, 'b', 'a'));
      const inclusive = await store.listObjects('b', { prefix: '', after: 'a/b', inclusive: true, limit: 2 });
      assert.deepEqual(keysOf(inclusive), ['a/b', 'a\u007f']);
      assert.deepEqual(await store.listObjects('b', { prefix: '', after: null, limit: 0 }), []);
    });

    it('leaves noncurrent versions and delete markers out of listObjects', async () => {
      await withBucket('b', 'Enabled');
      for (let i = 0; i < 3; i++) await store.putVersion(version('b', 'kept', { etag: `e${i}` }), { versioning: 'Enabled' });
      await store.putVersion(version('b', 'gone'), { versioning: 'Enabled' });
      await store.deleteObject('b', 'gone', deleteOpts('Enabled'));
      await store.putVersion(version('b', 'other'), { versioning: 'Enabled' });
      const listed = await store.listObjects('b', { prefix: '', after: null, limit: 100 });
      assert.deepEqual(
        listed.map((o) => [o.key, o.etag, o.isLatest, o.isDeleteMarker]),
        [
          ['kept', 'e2', true, false],
          ['other', listed[1]?.etag, true, false],
        ],
      );
    });

    it('listObjectsWithDetails: the rows of listObjects, with stored headers, user metadata and tags', async () => {
      await withBucket('b', 'Enabled');
      await store.putVersion(version('b', 'a', { headers: { contentType: 'text/old' }, userMetadata: { old: 'yes' } }), { versioning: 'Enabled' });
      const tags: Tag[] = [['k', 'v'], ['team', 'ml']];
      await store.putVersion(version('b', 'a', { headers: { contentType: 'text/plain', cacheControl: 'no-cache' }, userMetadata: { project: 'one' }, tags }), { versioning: 'Enabled' });
      await store.putVersion(version('b', 'b/c'), { versioning: 'Enabled' });
      await store.putVersion(version('b', 'gone'), { versioning: 'Enabled' });
      await store.deleteObject('b', 'gone', deleteOpts('Enabled'));
      const window = { prefix: '', after: null, limit: 100 };
      const summary = (o: ObjectSummary) => [o.key, o.versionId, o.seq, o.etag, o.size, o.lastModified.getTime(), o.isLatest, o.checksum];
      const detailed = await store.listObjectsWithDetails('b', window);
      assert.deepEqual(detailed.map(summary), (await store.listObjects('b', window)).map(summary));
      assert.deepEqual(
        detailed.map((o) => [o.key, o.headers, o.userMetadata, o.tags]),
        [
          ['a', { contentType: 'text/plain', cacheControl: 'no-cache' }, { project: 'one' }, tags],
          ['b/c', {}, {}, []],
        ],
      );
      assert.deepEqual(keysOf(await store.listObjectsWithDetails('b', { prefix: 'b', after: 'b', inclusive: true, limit: 1 })), ['b/c']);
      assert.deepEqual(await store.listObjectsWithDetails('b', { prefix: '', after: null, limit: 0 }), []);
    });

    it('lists versions by key, newest first, and resumes inside a key', async () => {
      await withBucket('b', 'Enabled');
      const a1 = await store.putVersion(version('b', 'a'), { versioning: 'Enabled' });
      const b1 = await store.putVersion(version('b', 'b'), { versioning: 'Enabled' });
      const a2 = await store.putVersion(version('b', 'a'), { versioning: 'Enabled' });
      const marker = await store.deleteObject('b', 'a', deleteOpts('Enabled'));
      const c1 = await store.putVersion(version('b', 'c'), { versioning: 'Enabled' });
      const expected = [marker.versionId, a2.versionId, a1.versionId, b1.versionId, c1.versionId];
      const all = await store.listVersions('b', { prefix: '', afterKey: null, afterSeq: null, limit: 100 });
      assert.deepEqual(
        all.map((v) => v.versionId),
        expected,
      );
      assert.deepEqual(
        all.map((v) => [v.isLatest, v.isDeleteMarker]),
        [
          [true, true],
          [false, false],
          [false, false],
          [true, false],
          [true, false],
        ],
      );
      const paged: string[] = [];
      let cursor: { afterKey: string | null; afterSeq: number | null } = { afterKey: null, afterSeq: null };
      for (;;) {
        const page = await store.listVersions('b', { prefix: '', ...cursor, limit: 2 });
        paged.push(...page.map((v) => v.versionId));
        const last = page[page.length - 1];
        if (page.length < 2 || last === undefined) break;
        cursor = { afterKey: last.key, afterSeq: last.seq };
      }
      assert.deepEqual(paged, expected);
      const afterA = await store.listVersions('b', { prefix: '', afterKey: 'a', afterSeq: null, limit: 100 });
      assert.deepEqual(
        afterA.map((v) => v.versionId),
        [b1.versionId, c1.versionId],
      );
      const onlyA = await store.listVersions('b', { prefix: 'a', afterKey: null, afterSeq: null, limit: 100 });
      assert.equal(onlyA.length, 3);
    });

    it('serves listObjects from the partial index: no full scan, no sort', async () => {
      assert.ok(store instanceof KyselyMetaStore);
      await withBucket('b');
      const windows = [
        { prefix: '', after: null, limit: 1000 },
        { prefix: 'photos/2024/', after: null, limit: 1000 },
        { prefix: 'photos/', after: 'photos/2024/x', limit: 1000 },
        { prefix: '', after: 'm', inclusive: true, limit: 1000 },
      ];
      for (const window of windows) {
        const plan = (await store.explainListObjects('b', window)).join('\n');
        if (factory.name === 'sqlite') {
          assert.match(plan, /SEARCH versions USING (COVERING )?INDEX versions_current \(bucket=\? AND key>/, plan);
          assert.doesNotMatch(plan, /\bSCAN versions\b|TEMP B-TREE/, plan);
        } else {
          assert.match(plan, /Index (Only )?Scan using versions_current on versions/, plan);
          assert.match(plan, /Index Cond: \(\(bucket = .*\) AND \(key >/, plan);
          assert.doesNotMatch(plan, /Seq Scan|Sort|Bitmap/, plan);
        }
      }
    });
  });

  describe('conditional writes', () => {
    it('checks If-Match and If-None-Match against the current version', async () => {
      await withBucket('b', 'Enabled');
      const put = (over: Partial<NewObjectVersion>, cond: { ifMatch?: string; ifNoneMatch?: '*' }) =>
        store.putVersion(version('b', 'k', over), { versioning: 'Enabled', ...cond });
      await rejectsWith(put({}, { ifMatch: 'x' }), 'NoSuchKey');
      await put({ etag: 'first' }, { ifNoneMatch: '*' });
      await rejectsWith(put({}, { ifNoneMatch: '*' }), 'PreconditionFailed');
      await rejectsWith(put({}, { ifMatch: 'other' }), 'PreconditionFailed');
      await put({ etag: 'second' }, { ifMatch: 'first' });
      assert.equal((await store.getVersion('b', 'k', null))?.etag, 'second');
      await store.deleteObject('b', 'k', deleteOpts('Enabled'));
      await rejectsWith(put({}, { ifMatch: 'second' }), 'NoSuchKey');
      await put({ etag: 'third' }, { ifNoneMatch: '*' });
    });

    it('lets exactly one of several racing If-None-Match puts win', async () => {
      await withBucket('b', 'Enabled');
      // Open the pool's connections first, so the writers really overlap.
      await Promise.all(Array.from({ length: 16 }, () => store.ping()));
      for (let round = 0; round < 5; round++) {
        const key = `race-${round}`;
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, i) =>
            store.putVersion(version('b', key, { etag: `r${i}` }), { versioning: 'Enabled', ifNoneMatch: '*' }),
          ),
        );
        assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1, key);
        for (const r of results) {
          if (r.status === 'rejected') assert.equal((r.reason as { code?: string }).code, 'PreconditionFailed');
        }
        const all = await store.listVersions('b', { prefix: key, afterKey: null, afterSeq: null, limit: 100 });
        assert.equal(all.length, 1, key);
      }
    });

    it('fails only the writes whose condition fails when 200 arrive together', async () => {
      await withBucket('b');
      for (let i = 0; i < 200; i += 20) await store.putVersion(version('b', `k${i}`), { versioning: 'Unversioned' });
      const results = await Promise.allSettled(
        Array.from({ length: 200 }, (_, i) =>
          store.putVersion(version('b', `k${i}`, { etag: `new${i}` }), {
            versioning: 'Unversioned',
            ...(i % 20 === 0 ? { ifNoneMatch: '*' as const } : {}),
          }),
        ),
      );
      results.forEach((r, i) => {
        if (i % 20 === 0) {
          assert.equal(r.status, 'rejected', `k${i}`);
          assert.equal((r as PromiseRejectedResult).reason.code, 'PreconditionFailed');
        } else {
          assert.equal(r.status, 'fulfilled', `k${i}`);
        }
      });
      const listed = await store.listObjects('b', { prefix: '', after: null, limit: 1000 });
      assert.equal(listed.length, 200);
      for (const o of listed) {
        const i = Number(o.key.slice(1));
        if (i % 20 === 0) assert.match(o.etag, /^etag-/, 'the refused write changed nothing');
        else assert.equal(o.etag, `new${i}`);
      }
    });

    it('undoes all of a write that fails halfway, and nothing of its neighbours', async () => {
      await withBucket('b', 'Enabled');
      const existing = await store.putVersion(version('b', 'dup', { etag: 'old' }), { versioning: 'Enabled' });
      // Reusing a version id fails at the insert, after the old latest was demoted.
      const results = await Promise.allSettled([
        store.putVersion(version('b', 'n1'), { versioning: 'Enabled' }),
        store.putVersion(version('b', 'dup', { versionId: existing.versionId, etag: 'new' }), { versioning: 'Enabled' }),
        store.putVersion(version('b', 'n2'), { versioning: 'Enabled' }),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ['fulfilled', 'rejected', 'fulfilled'],
      );
      const latest = await store.getVersion('b', 'dup', null);
      assert.equal(latest?.etag, 'old');
      assert.equal(latest?.isLatest, true);
      assert.deepEqual(await listAll(store, 'b'), ['dup', 'n1', 'n2']);
    });

    it('requires the named versions to exist when the write commits', async () => {
      await withBucket('b', 'Enabled');
      const src = await store.putVersion(version('b', 'src'), { versioning: 'Enabled' });
      const ref = { bucket: 'b', key: 'src', versionId: src.versionId };
      await store.putVersion(version('b', 'copy1'), { versioning: 'Enabled', requireVersions: [ref] });
      await store.deleteObject('b', 'src', { ...deleteOpts('Enabled'), versionId: src.versionId });
      await rejectsWith(
        store.putVersion(version('b', 'copy2'), { versioning: 'Enabled', requireVersions: [ref] }),
        'NoSuchKey',
      );
      assert.equal(await store.getVersion('b', 'copy2', null), null);
      await store.createUpload(upload('up', 'b', 'mp'));
      await rejectsWith(store.putPart(part('up', 1, 'blob'), { requireVersions: [ref] }), 'NoSuchKey');
      assert.deepEqual(await store.listParts('up', 0, 10), []);
    });
  });

  describe('deleteObject', () => {
    it('Unversioned: removes the null version', async () => {
      await withBucket('b');
      await store.putVersion(version('b', 'k'), { versioning: 'Unversioned' });
      assert.deepEqual(await store.deleteObject('b', 'k', deleteOpts('Unversioned')), { versionId: 'null', deleteMarker: false });
      assert.equal(await store.getVersion('b', 'k', null), null);
      assert.deepEqual(await store.deleteObject('b', 'k', deleteOpts('Unversioned')), { versionId: null, deleteMarker: false });
    });

    it('Enabled: adds a delete marker as latest; deleting it brings the object back', async () => {
      await withBucket('b', 'Enabled');
      const v1 = await store.putVersion(version('b', 'k'), { versioning: 'Enabled' });
      const v2 = await store.putVersion(version('b', 'k'), { versioning: 'Enabled' });
      const del = await store.deleteObject('b', 'k', { ...deleteOpts('Enabled'), markerVersionId: 'marker-1' });
      assert.deepEqual(del, { versionId: 'marker-1', deleteMarker: true });
      const latest = await store.getVersion('b', 'k', null);
      assert.equal(latest?.isDeleteMarker, true);
      assert.equal(latest?.versionId, 'marker-1');
      assert.deepEqual(latest?.lastModified, T0);
      assert.deepEqual(await listAll(store, 'b'), []);
      // A marker on a key with no versions at all, as S3 does.
      assert.equal((await store.deleteObject('b', 'never', deleteOpts('Enabled'))).deleteMarker, true);

      assert.deepEqual(await store.deleteObject('b', 'k', { ...deleteOpts('Enabled'), versionId: 'marker-1' }), {
        versionId: 'marker-1',
        deleteMarker: true,
      });
      assert.equal((await store.getVersion('b', 'k', null))?.versionId, v2.versionId);
      assert.equal((await store.getVersion('b', 'k', null))?.isLatest, true);
      assert.deepEqual(await listAll(store, 'b'), ['k']);

      await store.deleteObject('b', 'k', { ...deleteOpts('Enabled'), versionId: v2.versionId });
      assert.equal((await store.getVersion('b', 'k', null))?.versionId, v1.versionId);
      assert.deepEqual(await store.deleteObject('b', 'k', { ...deleteOpts('Enabled'), versionId: 'no-such' }), {
        versionId: null,
        deleteMarker: false,
      });
      await store.deleteObject('b', 'k', { ...deleteOpts('Enabled'), versionId: v1.versionId });
      assert.equal(await store.getVersion('b', 'k', null), null);
    });

    it('Suspended: replaces the null version with a null delete marker, keeps the others', async () => {
      await withBucket('b', 'Enabled');
      const v1 = await store.putVersion(version('b', 'k'), { versioning: 'Enabled' });
      await store.putVersion(version('b', 'k'), { versioning: 'Suspended' });
      const del = await store.deleteObject('b', 'k', deleteOpts('Suspended'));
      assert.deepEqual(del, { versionId: 'null', deleteMarker: true });
      const all = await store.listVersions('b', { prefix: '', afterKey: null, afterSeq: null, limit: 100 });
      assert.deepEqual(
        all.map((v) => [v.versionId, v.isDeleteMarker, v.isLatest]),
        [
          ['null', true, true],
          [v1.versionId, false, false],
        ],
      );
      await store.deleteObject('b', 'k', deleteOpts('Suspended'));
      assert.equal((await store.listVersions('b', { prefix: '', afterKey: null, afterSeq: null, limit: 100 })).length, 2);
    });

    it('ifSeq: acts only on the row it names (the lifecycle worker on several nodes)', async () => {
      await withBucket('b', 'Enabled');
      const v1 = await store.putVersion(version('b', 'k'), { versioning: 'Enabled' });
      // Two workers decided to expire v1: one marker, never two.
      const [a, b] = await Promise.allSettled([
        store.deleteObject('b', 'k', { ...deleteOpts('Enabled'), ifSeq: v1.seq }),
        store.deleteObject('b', 'k', { ...deleteOpts('Enabled'), ifSeq: v1.seq }),
      ]);
      assert.deepEqual([a.status, b.status].sort(), ['fulfilled', 'rejected']);
      const failed = [a, b].find((r) => r.status === 'rejected');
      assert.ok(failed && isSignetError(failed.reason) && failed.reason.code === 'PreconditionFailed');
      const rows = await store.listVersions('b', { prefix: '', afterKey: null, afterSeq: null, limit: 100 });
      assert.deepEqual(rows.map((r) => r.isDeleteMarker), [true, false]);
      // No versions at all: no marker.
      await rejectsWith(store.deleteObject('b', 'gone', { ...deleteOpts('Enabled'), ifSeq: v1.seq }), 'PreconditionFailed');
      assert.equal(await store.getVersion('b', 'gone', null), null);

      // A named version: removed once; gone is fine; another row under the same id is left alone.
      assert.equal((await store.deleteObject('b', 'k', { ...deleteOpts('Enabled'), versionId: v1.versionId, ifSeq: v1.seq })).versionId, v1.versionId);
      assert.deepEqual(await store.deleteObject('b', 'k', { ...deleteOpts('Enabled'), versionId: v1.versionId, ifSeq: v1.seq }), { versionId: null, deleteMarker: false });
      await withBucket('u');
      const old = await store.putVersion(version('u', 'k'), { versioning: 'Unversioned' });
      const fresh = await store.putVersion(version('u', 'k', { etag: 'fresh' }), { versioning: 'Unversioned' });
      assert.notEqual(fresh.seq, old.seq, 'a rewrite is a new row');
      await rejectsWith(store.deleteObject('u', 'k', { ...deleteOpts('Unversioned'), ifSeq: old.seq }), 'PreconditionFailed');
      await rejectsWith(store.deleteObject('u', 'k', { ...deleteOpts('Unversioned'), versionId: 'null', ifSeq: old.seq }), 'PreconditionFailed');
      assert.equal((await store.getVersion('u', 'k', null))?.etag, 'fresh');
      assert.equal((await store.deleteObject('u', 'k', { ...deleteOpts('Unversioned'), ifSeq: fresh.seq })).versionId, 'null');
      assert.equal(await store.getVersion('u', 'k', null), null);
    });
  });

  describe('object lock', () => {
    const DAY = 86_400_000;
    const at = (ms: number) => new Date(T0.getTime() + ms);
    const check = (now: Date, bypassGovernance = false) => ({ now, bypassGovernance });
    const exact = (versionId: string, now: Date, bypassGovernance = false) => ({
      ...deleteOpts('Enabled'),
      versionId,
      now,
      lockCheck: check(now, bypassGovernance),
    });

    it('refuses to remove a version under legal hold, for anyone, until the hold is lifted', async () => {
      await withBucket('b', 'Enabled');
      const held = await store.putVersion(version('b', 'k', { legalHold: true }), { versioning: 'Enabled' });
      await rejectsWith(store.deleteObject('b', 'k', exact(held.versionId, T0, true)), 'AccessDenied');
      const still = await store.getVersion('b', 'k', held.versionId);
      assert.equal(still?.isLatest, true, 'the refused delete changed nothing');
      // Without a version id a versioned delete only adds a marker: allowed.
      const marker = await store.deleteObject('b', 'k', { ...deleteOpts('Enabled'), lockCheck: check(T0) });
      assert.equal(marker.deleteMarker, true);
      assert.equal((await store.getVersion('b', 'k', held.versionId))?.isLatest, false);
      await store.updateVersion('b', 'k', held.versionId, { legalHold: false });
      assert.deepEqual(await store.deleteObject('b', 'k', exact(held.versionId, T0)), { versionId: held.versionId, deleteMarker: false });
    });

    it('COMPLIANCE holds until its date, bypass or not; GOVERNANCE yields to the bypass', async () => {
      await withBucket('b', 'Enabled');
      const c = await store.putVersion(version('b', 'c', { retention: { mode: 'COMPLIANCE', until: at(DAY) } }), { versioning: 'Enabled' });
      await rejectsWith(store.deleteObject('b', 'c', exact(c.versionId, T0)), 'AccessDenied');
      await rejectsWith(store.deleteObject('b', 'c', exact(c.versionId, at(DAY - 1), true)), 'AccessDenied');
      assert.notEqual(await store.getVersion('b', 'c', c.versionId), null);
      assert.equal((await store.deleteObject('b', 'c', exact(c.versionId, at(DAY)))).versionId, c.versionId);

      const g = await store.putVersion(version('b', 'g', { retention: { mode: 'GOVERNANCE', until: at(DAY) } }), { versioning: 'Enabled' });
      await rejectsWith(store.deleteObject('b', 'g', exact(g.versionId, T0)), 'AccessDenied');
      assert.equal((await store.deleteObject('b', 'g', exact(g.versionId, T0, true))).versionId, g.versionId);
      assert.equal(await store.getVersion('b', 'g', null), null);
    });

    it('guards the null version a Suspended write or delete would replace', async () => {
      await withBucket('b', 'Suspended');
      const locked = version('b', 'k', { etag: 'locked', retention: { mode: 'COMPLIANCE', until: at(DAY) } });
      await store.putVersion(locked, { versioning: 'Suspended' });
      await rejectsWith(store.putVersion(version('b', 'k', { lastModified: T0 }), { versioning: 'Suspended' }), 'AccessDenied');
      await rejectsWith(store.deleteObject('b', 'k', { ...deleteOpts('Suspended'), lockCheck: check(T0, true) }), 'AccessDenied');
      assert.equal((await store.getVersion('b', 'k', null))?.etag, 'locked');
      await store.putVersion(version('b', 'k', { etag: 'later', lastModified: at(DAY) }), { versioning: 'Suspended' });
      assert.equal((await store.getVersion('b', 'k', null))?.etag, 'later');
    });

    it('checks retention changes against the stored retention', async () => {
      await withBucket('b', 'Enabled');
      const c = await store.putVersion(version('b', 'c', { retention: { mode: 'COMPLIANCE', until: at(DAY) } }), { versioning: 'Enabled' });
      const patch = (mode: 'GOVERNANCE' | 'COMPLIANCE', until: Date | null, now: Date, bypass = false) => ({
        retention: until === null ? null : { mode, until },
        retentionCheck: check(now, bypass),
      });
      await rejectsWith(store.updateVersion('b', 'c', c.versionId, patch('COMPLIANCE', at(DAY - 1), T0, true)), 'AccessDenied');
      await rejectsWith(store.updateVersion('b', 'c', c.versionId, patch('GOVERNANCE', at(2 * DAY), T0, true)), 'AccessDenied');
      await rejectsWith(store.updateVersion('b', 'c', c.versionId, patch('COMPLIANCE', null, T0, true)), 'AccessDenied');
      assert.deepEqual((await store.getVersion('b', 'c', c.versionId))?.retention, { mode: 'COMPLIANCE', until: at(DAY) });
      await store.updateVersion('b', 'c', c.versionId, patch('COMPLIANCE', at(2 * DAY), T0));
      // Expired: anything goes.
      await store.updateVersion('b', 'c', c.versionId, patch('GOVERNANCE', at(3 * DAY), at(2 * DAY)));

      const g = await store.putVersion(version('b', 'g', { retention: { mode: 'GOVERNANCE', until: at(DAY) } }), { versioning: 'Enabled' });
      await rejectsWith(store.updateVersion('b', 'g', g.versionId, patch('GOVERNANCE', at(DAY - 1), T0)), 'AccessDenied');
      await rejectsWith(store.updateVersion('b', 'g', g.versionId, patch('GOVERNANCE', null, T0)), 'AccessDenied');
      await store.updateVersion('b', 'g', g.versionId, patch('COMPLIANCE', at(DAY), T0));
      const g2 = await store.putVersion(version('b', 'g', { retention: { mode: 'GOVERNANCE', until: at(DAY) } }), { versioning: 'Enabled' });
      await store.updateVersion('b', 'g', g2.versionId, patch('GOVERNANCE', null, T0, true));
      assert.equal((await store.getVersion('b', 'g', g2.versionId))?.retention, null);
    });

    it('a legal hold racing a delete: exactly one of them wins', async () => {
      await withBucket('b', 'Enabled');
      for (let i = 0; i < 15; i++) {
        const v = await store.putVersion(version('b', `race-${i}`), { versioning: 'Enabled' });
        const [hold, del] = await Promise.allSettled([
          store.updateVersion('b', `race-${i}`, v.versionId, { legalHold: true }),
          store.deleteObject('b', `race-${i}`, exact(v.versionId, T0, true)),
        ]);
        const left = await store.getVersion('b', `race-${i}`, v.versionId);
        if (del.status === 'fulfilled') {
          assert.equal(hold.status, 'rejected', 'the hold cannot land on a version already deleted');
          assert.equal(left, null);
        } else {
          assert.equal(hold.status, 'fulfilled');
          assert.equal(left?.legalHold, true);
          assert.ok(isSignetError(del.reason) && del.reason.code === 'AccessDenied');
        }
      }
    });
  });

  describe('listVersions seeking past a common prefix', () => {
    it('starts at afterKey itself when inclusive', async () => {
      await withBucket('b', 'Enabled');
      for (const key of ['a/1', 'a/2', 'b', 'c']) await store.putVersion(version('b', key), { versioning: 'Enabled' });
      const from = async (afterKey: string, inclusive: boolean) =>
        keysOf(await store.listVersions('b', { prefix: '', afterKey, afterSeq: null, inclusive, limit: 10 }));
      assert.deepEqual(await from('b', true), ['b', 'c']);
      assert.deepEqual(await from('b', false), ['c']);
      assert.deepEqual(await from('a0', true), ['b', 'c']);
    });
  });

  describe('multipart uploads', () => {
    it('creates, lists in key then id order, and honours the markers', async () => {
      await withBucket('b');
      await rejectsWith(store.createUpload(upload('x', 'ghost', 'k')), 'NoSuchBucket');
      for (const [id, key] of [
        ['u2', 'k1'],
        ['u1', 'k1'],
        ['u3', 'k0'],
        ['u4', 'k2'],
      ] as const) {
        await store.createUpload(upload(id, 'b', key));
      }
      assert.deepEqual(await store.getUpload('u1'), upload('u1', 'b', 'k1'));
      assert.equal(await store.getUpload('nope'), null);
      const ids = async (keyMarker: string | null, uploadIdMarker: string | null, prefix = '') =>
        (await store.listUploads('b', { prefix, keyMarker, uploadIdMarker, limit: 100 })).map((u) => u.uploadId);
      assert.deepEqual(await ids(null, null), ['u3', 'u1', 'u2', 'u4']);
      assert.deepEqual(await ids('k1', null), ['u4']);
      assert.deepEqual(await ids('k1', 'u1'), ['u2', 'u4']);
      assert.deepEqual(await ids(null, null, 'k1'), ['u1', 'u2']);
    });

    it('adds and replaces parts, lists them with extents, completes atomically', async () => {
      await withBucket('b');
      await store.createUpload(upload('up', 'b', 'obj'));
      await store.putPart(part('up', 2, 'blob-b'));
      await store.putPart(part('up', 1, 'blob-old'));
      await store.putPart(
        part('up', 1, 'blob-a', {
          extents: [
            { blob: 'blob-a', offset: 0, length: 4 },
            { blob: 'blob-a2', offset: 3, length: 6 },
          ],
        }),
      );
      await store.putPart(part('up', 3, 'blob-c'));
      const parts = await store.listParts('up', 0, 100);
      assert.deepEqual(
        parts.map((p) => [p.partNumber, p.etag, p.extents.map((e) => e.blob)]),
        [
          [1, 'part-1-blob-a', ['blob-a', 'blob-a2']],
          [2, 'part-2-blob-b', ['blob-b']],
          [3, 'part-3-blob-c', ['blob-c']],
        ],
      );
      assert.deepEqual(parts[1], part('up', 2, 'blob-b'));
      assert.deepEqual(
        (await store.listParts('up', 1, 1)).map((p) => p.partNumber),
        [2],
      );
      assert.deepEqual([...(await store.referencedBlobs(['blob-old', 'blob-a2']))], ['blob-a2']);

      const extents = parts.flatMap((p) => p.extents);
      await rejectsWith(
        store.completeUpload('up', version('b', 'other-key', { inline: null, extents }), { versioning: 'Unversioned' }),
        'NoSuchUpload',
      );
      const done = await store.completeUpload('up', version('b', 'obj', { inline: null, extents }), {
        versioning: 'Unversioned',
      });
      assert.equal(done.versionId, 'null');
      assert.deepEqual((await store.getVersion('b', 'obj', null))?.extents, extents);
      assert.equal(await store.getUpload('up'), null);
      assert.deepEqual(await store.listParts('up', 0, 100), []);
      await rejectsWith(
        store.completeUpload('up', version('b', 'obj', { inline: null, extents }), { versioning: 'Unversioned' }),
        'NoSuchUpload',
      );
      await rejectsWith(store.putPart(part('up', 4, 'blob-d')), 'NoSuchUpload');
    });

    it('leaves the upload in place when a completion fails its condition', async () => {
      await withBucket('b');
      await store.putVersion(version('b', 'obj'), { versioning: 'Unversioned' });
      await store.createUpload(upload('up', 'b', 'obj'));
      await store.putPart(part('up', 1, 'blob-a'));
      await rejectsWith(
        store.completeUpload('up', version('b', 'obj', { inline: null }), { versioning: 'Unversioned', ifNoneMatch: '*' }),
        'PreconditionFailed',
      );
      assert.notEqual(await store.getUpload('up'), null);
      assert.equal((await store.listParts('up', 0, 10)).length, 1);
    });

    it('aborts once', async () => {
      await withBucket('b');
      await store.createUpload(upload('up', 'b', 'obj'));
      await store.putPart(part('up', 1, 'blob-a'));
      await store.abortUpload('up');
      await rejectsWith(store.abortUpload('up'), 'NoSuchUpload');
      assert.deepEqual([...(await store.referencedBlobs(['blob-a']))], []);
    });
  });

  describe('referencedBlobs', () => {
    it('finds blobs referenced by versions or parts, and forgets them when those go', async () => {
      await withBucket('b');
      const extent = (blob: string) => ({ blob, offset: 0, length: 1 });
      await store.putVersion(version('b', 'k', { inline: null, extents: [extent('v1'), extent('shared')] }), {
        versioning: 'Unversioned',
      });
      await store.createUpload(upload('up', 'b', 'm'));
      await store.putPart(part('up', 1, 'p1'));
      await store.putPart(part('up', 2, 'shared'));
      const many = Array.from({ length: 1200 }, (_, i) => `unused-${i}`);
      const found = await store.referencedBlobs([...many, 'v1', 'p1', 'shared', 'v1']);
      assert.deepEqual([...found].sort(), ['p1', 'shared', 'v1']);
      await store.deleteObject('b', 'k', deleteOpts('Unversioned'));
      assert.deepEqual([...(await store.referencedBlobs(['v1', 'shared']))], ['shared']);
      assert.deepEqual([...(await store.referencedBlobs([]))], []);
    });
  });
});

/**
 * migrate() in child processes started together, as nodes booting at once:
 * each opens its store, says ready, and migrates only when all are ready.
 */
async function migrateInProcesses(location: MetaStoreLocation, count: number): Promise<void> {
  const support = new URL('../support/meta-stores.ts', import.meta.url).href;
  const code = `const m = await import(${JSON.stringify(support)});
    const store = await m.openMetaStoreAt(JSON.parse(process.argv[1]));
    process.stdout.write('ready\\n');
    await new Promise((go) => process.stdin.once('data', go));
    try { await store.migrate(); } finally { await store.close(); process.stdin.destroy(); }`;
  const children = Array.from({ length: count }, () => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, JSON.stringify(location)]);
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const ready = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const exited = new Promise<void>((resolve, reject) =>
      child.on('exit', (status) => (status === 0 ? resolve() : reject(new Error(`migrate failed: ${stderr}`)))),
    );
    return { child, ready, exited };
  });
  await Promise.race([Promise.all(children.map((c) => c.ready)), Promise.all(children.map((c) => c.exited))]);
  for (const c of children) c.child.stdin.write('go\n');
  await Promise.all(children.map((c) => c.exited));
}

function deleteOpts(versioning: VersioningStatus) {
  return { versioning, markerVersionId: `m-${versioning}-${++versionCounter}`, now: T0, ownerId: 'owner-1' };
}
