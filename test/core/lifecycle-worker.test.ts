/**
 * The lifecycle worker (`core/lifecycle-worker.ts`) straight against each
 * MetaStore: paging over more keys and versions than one page while it
 * removes them, the log line per rule per bucket, and a rule that fails in
 * one bucket not stopping the others.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { LIFECYCLE_CONFIG, parseLifecycleConfiguration, type XmlNode } from '../../src/core/lifecycle.ts';
import { runLifecyclePass, startLifecycleWorker } from '../../src/core/lifecycle-worker.ts';
import { blankVersion, type Bucket, type VersioningStatus } from '../../src/core/types.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import type { MetaStore } from '../../src/ports/meta-store.ts';
import { describeEachMetaStore, type OpenedMetaStore } from '../support/meta-stores.ts';

const T0 = new Date('2030-03-10T10:00:00.000Z');
const DAY = 86_400_000;
const later = (days: number) => new Date(T0.getTime() + days * DAY);

function config(...rules: XmlNode[]): Record<string, unknown> {
  return { [LIFECYCLE_CONFIG]: parseLifecycleConfiguration({ Rule: rules as XmlNode[] } as XmlNode) };
}

function bucket(name: string, versioning: VersioningStatus, cfg: Record<string, unknown>): Bucket {
  return { name, ownerId: 'owner', createdAt: T0, region: 'us-east-1', versioning, objectLockEnabled: false, config: cfg };
}

describe('lifecycle worker: configuration', () => {
  it('SIGNET_LIFECYCLE_INTERVAL_MS: one hour by default, 0 turns it off, nonsense refused', () => {
    assert.equal(loadConfig({}, {}).lifecycle.intervalMs, 3_600_000);
    assert.equal(loadConfig({}, { SIGNET_LIFECYCLE_INTERVAL_MS: '0' }).lifecycle.intervalMs, 0);
    assert.equal(loadConfig({}, { SIGNET_LIFECYCLE_INTERVAL_MS: '60000' }).lifecycle.intervalMs, 60_000);
    assert.throws(() => loadConfig({}, { SIGNET_LIFECYCLE_INTERVAL_MS: '-1' }), /SIGNET_LIFECYCLE_INTERVAL_MS/);
    assert.throws(() => loadConfig({}, { SIGNET_LIFECYCLE_INTERVAL_MS: 'hourly' }), /SIGNET_LIFECYCLE_INTERVAL_MS/);
  });
});

await describeEachMetaStore('lifecycle worker', (factory) => {
  let opened: OpenedMetaStore;
  let store: MetaStore;
  let lines: Record<string, unknown>[];
  const log = createLogger('debug', (line) => lines.push(JSON.parse(line) as Record<string, unknown>));

  beforeEach(async () => {
    opened = await factory.open();
    store = opened.store;
    lines = [];
  });
  afterEach(() => opened.cleanup());

  let n = 0;
  const write = (b: string, key: string, versioning: VersioningStatus, at = T0) =>
    store.putVersion({ ...blankVersion({ bucket: b, key, versionId: `v${String(++n).padStart(8, '0')}`, lastModified: at, ownerId: 'owner' }), size: 3, etag: 'e', inline: Buffer.from('abc') }, { versioning });

  it('pages through more keys and versions than a page while removing them, and logs one line per rule', async () => {
    await store.createBucket(bucket('plain', 'Unversioned', config({ ID: 'all', Status: 'Enabled', Filter: '', Expiration: { Days: '1' } })));
    await store.createBucket(
      bucket('hist', 'Enabled', config({ ID: 'old', Status: 'Enabled', Filter: { Prefix: 'k' }, NoncurrentVersionExpiration: { NoncurrentDays: '1', NewerNoncurrentVersions: '2' } })),
    );
    await store.createBucket(bucket('none', 'Unversioned', {}));
    for (let i = 0; i < 1100; i++) await write('plain', `key-${String(i).padStart(5, '0')}`, 'Unversioned');
    for (let k = 0; k < 3; k++) for (let i = 0; i < 400; i++) await write('hist', `k${k}`, 'Enabled');
    await write('none', 'x', 'Unversioned');

    const report = await runLifecyclePass(store, later(2), log);
    assert.equal(report.buckets, 2);
    const zero = { expired: 0, noncurrentExpired: 0, deleteMarkersRemoved: 0, uploadsAborted: 0, locked: 0 };
    assert.deepEqual(report.rules, [
      { bucket: 'hist', rule: 'old', ...zero, noncurrentExpired: 3 * 397 },
      { bucket: 'plain', rule: 'all', ...zero, expired: 1100 },
    ]);
    assert.deepEqual(await store.listObjects('plain', { prefix: '', after: null, limit: 10 }), []);
    const left = await store.listVersions('hist', { prefix: '', afterKey: null, afterSeq: null, limit: 100 });
    assert.equal(left.length, 9, 'each key keeps its current version and two noncurrent ones');
    assert.equal((await store.listObjects('none', { prefix: '', after: null, limit: 10 })).length, 1);
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.bucket, l.rule, l.expired, l.noncurrentExpired]),
      [
        ['info', 'lifecycle', 'hist', 'old', 0, 1191],
        ['info', 'lifecycle', 'plain', 'all', 1100, 0],
      ],
    );

    lines = [];
    await runLifecyclePass(store, later(3), log);
    assert.deepEqual(
      lines.map((l) => [l.level, l.bucket, l.rule]),
      [
        ['debug', 'hist', 'old'],
        ['debug', 'plain', 'all'],
      ],
      'nothing to do: still one line per rule, at debug',
    );
  });

  it('runs by itself every interval at the clock it is given, until stopped', async () => {
    await store.createBucket(bucket('timed', 'Unversioned', config({ ID: 'all', Status: 'Enabled', Filter: '', Expiration: { Days: '1' } })));
    await write('timed', 'x', 'Unversioned');
    const worker = startLifecycleWorker(store, { intervalMs: 5, clock: () => later(2), log });
    const logged = () => lines.some((l) => l.msg === 'lifecycle' && l.bucket === 'timed' && l.expired === 1);
    try {
      for (let i = 0; i < 400 && !logged(); i++) await new Promise((r) => setTimeout(r, 5));
    } finally {
      worker.stop();
    }
    assert.ok(logged(), 'a pass ran and reported');
    assert.equal(await store.getVersion('timed', 'x', null), null);
  });

  it('a bucket whose rule fails is logged and the others still run', async () => {
    // A stored document the worker cannot walk (a prefix no key may hold) fails its rule only.
    const broken = { [LIFECYCLE_CONFIG]: { rules: [{ id: 'bad', status: 'Enabled', filter: { prefix: 'a\u0000' }, expiration: { days: 1 } }] } };
    await store.createBucket(bucket('a-broken', 'Unversioned', broken));
    await store.createBucket(bucket('b-fine', 'Unversioned', config({ ID: 'ok', Status: 'Enabled', Filter: '', Expiration: { Days: '1' } })));
    await write('b-fine', 'x', 'Unversioned');
    const report = await runLifecyclePass(store, later(2), log);
    assert.deepEqual(report.rules.map((r) => [r.bucket, r.rule, r.expired]), [['b-fine', 'ok', 1]]);
    assert.deepEqual(
      lines.filter((l) => l.level === 'error').map((l) => [l.msg, l.bucket, l.rule]),
      [['lifecycle rule failed', 'a-broken', 'bad']],
    );
  });
});
