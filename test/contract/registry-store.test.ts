/**
 * The RegistryStore contract (`MetaStore.registry`): the same suite against
 * every MetaStore implementation (`test/support/meta-stores.ts`). Each test
 * gets a fresh, empty store.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { compareKeys } from '../../src/adapters/meta/key-order.ts';
import { isSignetError } from '../../src/core/errors.ts';
import type { ErrorCode } from '../../src/core/errors.ts';
import type {
  ApiToken,
  ApprovalStatus,
  FileOwner,
  Hub,
  HubContent,
  Model,
  NewHubContent,
  NewModel,
  NewModelVersion,
  RegisteredFile,
  UploadSlot,
} from '../../src/core/registry/registry-types.ts';
import { compareVersions } from '../../src/core/registry/version-order.ts';
import type { PackageFilter, PackageRow, RegistryStore } from '../../src/ports/registry-store.ts';
import { describeEachMetaStore } from '../support/meta-stores.ts';
import type { OpenedMetaStore } from '../support/meta-stores.ts';

const T0 = 1_700_000_000_123;
/** An instant `s` seconds (and some milliseconds) after T0. */
const at = (s: number): Date => new Date(T0 + s * 1000 + 7);

async function rejectsWith(promise: Promise<unknown>, code: ErrorCode, resource?: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(isSignetError(e), `expected SignetError ${code}, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (resource !== undefined) assert.equal(e.details.Resource, resource);
    return true;
  });
}

// Fixtures

function newModel(name: string, over: Partial<NewModel> = {}): NewModel {
  return {
    id: `m-${over.namespace ?? 'ns'}-${name}`,
    namespace: 'ns',
    name,
    description: `model ${name}`,
    unversioned: false,
    gate: null,
    createdAt: at(0),
    createdBy: 'u1',
    ...over,
  };
}

function newVersion(modelId: string, over: Partial<NewModelVersion> = {}): NewModelVersion {
  return {
    modelId,
    label: null,
    description: '',
    metadata: {},
    approval: 'PendingManualApproval',
    status: 'Completed',
    createdAt: at(1),
    createdBy: 'u1',
    updatedAt: at(1),
    sourceUri: null,
    document: null,
    ...over,
  };
}

function file(path: string, over: Partial<RegisteredFile> = {}): RegisteredFile {
  return { path, size: path.length, sha256: `sha-${path}`, objectKey: `obj/${path}`, ...over };
}

function hub(name: string, over: Partial<Hub> = {}): Hub {
  return {
    id: `hub-${name}`,
    name,
    displayName: name.toUpperCase(),
    description: '',
    searchKeywords: ['k1'],
    createdAt: at(0),
    updatedAt: at(0),
    ...over,
  };
}

function content(hubName: string, name: string, version: string, over: Partial<NewHubContent> = {}): NewHubContent {
  return {
    id: `hc-${hubName}-${name}-${version}`,
    hubName,
    type: 'Model',
    name,
    version,
    displayName: name,
    description: '',
    markdown: '',
    searchKeywords: [],
    supportStatus: null,
    document: '{"b":1,"a":2}',
    documentSchemaVersion: '2.0.0',
    artifactUri: null,
    eulaUri: null,
    referenceArn: null,
    createdAt: at(0),
    updatedAt: at(0),
    ...over,
  };
}

function token(id: string, userId: string, createdAt: Date): ApiToken {
  return {
    id,
    userId,
    name: `token ${id}`,
    scopes: ['read', 'write'],
    secretHash: `hash-${id}`,
    createdAt,
    expiresAt: null,
    revokedAt: null,
  };
}

await describeEachMetaStore('RegistryStore', (factory) => {
  let opened: OpenedMetaStore;
  let reg: RegistryStore;
  beforeEach(async () => {
    opened = await factory.open();
    reg = opened.store.registry;
  });
  afterEach(() => opened.cleanup());

  tokenTests(() => reg);
  modelTests(() => reg);
  versionTests(() => reg);
  clientTokenTests(() => reg);
  fileTests(() => reg);
  packageTests(() => reg);
  stageTests(() => reg);
  hubTests(() => reg);
  hubContentTests(() => reg);
  tagTests(() => reg);
  gateGrantAuditTests(() => reg);
  uploadSlotTests(() => reg);
});

type Get = () => RegistryStore;

function tokenTests(get: Get): void {
  it('tokens: create, get, list newest first, revoke once', async () => {
    const reg = get();
    const t1 = { ...token('t1', 'u1', at(1)), expiresAt: at(100) };
    await reg.createToken(t1);
    await reg.createToken(token('t2', 'u2', at(2)));
    await reg.createToken(token('t3', 'u1', at(3)));
    assert.deepEqual(await reg.getToken('t1'), t1);
    assert.equal(await reg.getToken('nope'), null);
    assert.deepEqual((await reg.listTokens('u1')).map((t) => t.id), ['t3', 't1']);
    assert.deepEqual((await reg.listTokens(null)).map((t) => t.id), ['t3', 't2', 't1']);
    await rejectsWith(reg.createToken(token('t1', 'u9', at(4))), 'ResourceInUse');
    const revoked = await reg.revokeToken('t1', at(5));
    assert.deepEqual(revoked.revokedAt, at(5));
    assert.deepEqual((await reg.revokeToken('t1', at(6))).revokedAt, at(5));
    assert.deepEqual((await reg.getToken('t1'))?.revokedAt, at(5));
    await rejectsWith(reg.revokeToken('nope', at(5)), 'ResourceNotFound', 'token');
  });
}

function modelTests(get: Get): void {
  it('models: create, get by id and by name, uniqueness', async () => {
    const reg = get();
    const m = await reg.createModel(newModel('bert', { gate: { eula: 'https://x/eula', version: 'v1' } }));
    assert.equal(m.lastNumber, 0);
    assert.deepEqual(await reg.getModel({ id: m.id }), m);
    assert.deepEqual(await reg.getModel({ namespace: 'ns', name: 'bert' }), m);
    assert.equal(await reg.getModel({ namespace: 'other', name: 'bert' }), null);
    await rejectsWith(reg.createModel(newModel('bert', { id: 'other-id' })), 'ResourceInUse');
    await rejectsWith(reg.createModel(newModel('x', { id: m.id })), 'ResourceInUse');
    await reg.createModel(newModel('bert', { namespace: 'other' }));
  });

  it('models: list with filters and pages after (namespace, name)', async () => {
    const reg = get();
    const names: [string, string, boolean][] = [
      ['a', 'Zeta', false], ['a', 'alpha', true], ['a', 'beta', false], ['b', 'alphabet', false], ['b', 'é', false],
    ];
    // Created at 30, 10, 20, 10, 40 s: a tie at 10 s is broken by id.
    const times = [30, 10, 20, 10, 40];
    for (const [i, [namespace, name, unversioned]] of names.entries()) {
      await reg.createModel(newModel(name, { namespace, unversioned, createdAt: at(times[i]!) }));
    }
    const list = async (f: Partial<Parameters<RegistryStore['listModels']>[0]>) =>
      (await reg.listModels({ after: null, limit: 100, ...f })).map((m) => `${m.namespace}/${m.name}`);
    assert.deepEqual(await list({}), ['a/Zeta', 'a/alpha', 'a/beta', 'b/alphabet', 'b/é']);
    assert.deepEqual(await list({ namespace: 'b' }), ['b/alphabet', 'b/é']);
    assert.deepEqual(await list({ nameContains: 'alpha' }), ['a/alpha', 'b/alphabet']);
    assert.deepEqual(await list({ nameContains: 'ALPHA' }), []);
    assert.deepEqual(await list({ unversioned: true }), ['a/alpha']);
    assert.deepEqual(await list({ unversioned: false }), ['a/Zeta', 'a/beta', 'b/alphabet', 'b/é']);
    assert.deepEqual(await list({ limit: 2 }), ['a/Zeta', 'a/alpha']);
    const cursorOf = (namespace: string, name: string) => ({ id: `m-${namespace}-${name}`, namespace, name, createdAt: at(0) });
    assert.deepEqual(await list({ after: cursorOf('a', 'beta') }), ['b/alphabet', 'b/é']);
    assert.deepEqual(await list({ order: 'Descending', after: cursorOf('a', 'beta') }), ['a/alpha', 'a/Zeta']);
    // By creation time: ids m-a-alpha < m-b-alphabet break the tie at 10 s.
    assert.deepEqual(await list({ sortBy: 'CreationTime' }), ['a/alpha', 'b/alphabet', 'a/beta', 'a/Zeta', 'b/é']);
    assert.deepEqual(await list({ sortBy: 'CreationTime', order: 'Descending' }), ['b/é', 'a/Zeta', 'a/beta', 'b/alphabet', 'a/alpha']);
    const alpha = { id: 'm-a-alpha', namespace: 'a', name: 'alpha', createdAt: at(10) };
    assert.deepEqual(await list({ sortBy: 'CreationTime', after: alpha }), ['b/alphabet', 'a/beta', 'a/Zeta', 'b/é']);
    assert.deepEqual(await list({ sortBy: 'CreationTime', order: 'Descending', after: { ...alpha, id: 'm-b-alphabet' } }), ['a/alpha']);
    // Bounds are strict.
    assert.deepEqual(await list({ createdAfter: at(10), createdBefore: at(40) }), ['a/Zeta', 'a/beta']);
  });

  it('models: update description and gate; errors on a missing model', async () => {
    const reg = get();
    const m = await reg.createModel(newModel('m'));
    const gated = await reg.updateModel(m.id, { gate: { eula: 'EULA', version: '2' } });
    assert.deepEqual(gated.gate, { eula: 'EULA', version: '2' });
    assert.equal(gated.description, m.description);
    const described = await reg.updateModel(m.id, { description: 'new' });
    assert.deepEqual(described, { ...m, description: 'new', gate: { eula: 'EULA', version: '2' } });
    const ungated = await reg.updateModel(m.id, { gate: null });
    assert.equal(ungated.gate, null);
    assert.deepEqual(await reg.getModel({ id: m.id }), ungated);
    await rejectsWith(reg.updateModel('nope', { description: 'x' }), 'ResourceNotFound', 'model');
    await rejectsWith(reg.deleteModel('nope'), 'ResourceNotFound', 'model');
  });
}

function versionTests(get: Get): void {
  it('versions: numbers are given in order and never reused after a delete', async () => {
    const reg = get();
    const m = await reg.createModel(newModel('m'));
    const v1 = await reg.createVersion(newVersion(m.id, { label: '1.0.0' }), [file('a', { size: 10 }), file('b', { size: 5 })]);
    assert.equal(v1.number, 1);
    assert.equal(v1.fileCount, 2);
    assert.equal(v1.totalSize, 15);
    assert.equal((await reg.createVersion(newVersion(m.id), [])).number, 2);
    assert.equal((await reg.createVersion(newVersion(m.id), [])).number, 3);
    await reg.deleteVersion(m.id, 3, 'u1', at(5));
    assert.equal((await reg.getModel({ id: m.id }))?.lastNumber, 3);
    assert.equal((await reg.createVersion(newVersion(m.id), [])).number, 4);
    assert.equal((await reg.getModel({ id: m.id }))?.lastNumber, 4);
    assert.deepEqual(await reg.getVersion(m.id, 1), v1);
    assert.deepEqual(await reg.getVersionByLabel(m.id, '1.0.0'), v1);
    assert.equal(await reg.getVersion(m.id, 3), null);
    assert.equal(await reg.getVersionByLabel(m.id, '9'), null);
    await rejectsWith(reg.createVersion(newVersion('nope'), []), 'ResourceNotFound', 'model');
  });

  it('versions: concurrent registrations get distinct numbers', async () => {
    const reg = get();
    const m = await reg.createModel(newModel('m'));
    const made = await Promise.all(Array.from({ length: 12 }, () => reg.createVersion(newVersion(m.id), [])));
    assert.deepEqual(made.map((v) => v.number).sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i + 1));
    assert.equal((await reg.getModel({ id: m.id }))?.lastNumber, 12);
  });

  it('versions: labels are unique within a model; an unversioned model holds one version', async () => {
    const reg = get();
    const m = await reg.createModel(newModel('m'));
    const other = await reg.createModel(newModel('other'));
    await reg.createVersion(newVersion(m.id, { label: 'v1' }), []);
    await rejectsWith(reg.createVersion(newVersion(m.id, { label: 'v1' }), []), 'ResourceInUse');
    await reg.createVersion(newVersion(other.id, { label: 'v1' }), []);
    assert.equal((await reg.createVersion(newVersion(m.id, { label: 'v2' }), [])).number, 2);
    const solo = await reg.createModel(newModel('solo', { unversioned: true }));
    await reg.createVersion(newVersion(solo.id), []);
    await rejectsWith(reg.createVersion(newVersion(solo.id), []), 'ResourceInUse');
  });

  it('versions: latest (by status), list after a number, update, delete', async () => {
    const reg = get();
    const m = await reg.createModel(newModel('m'));
    for (const status of ['Completed', 'Completed', 'Pending'] as const) await reg.createVersion(newVersion(m.id, { status }), []);
    assert.equal((await reg.latestVersion(m.id))?.number, 3);
    assert.equal((await reg.latestVersion(m.id, 'Completed'))?.number, 2);
    assert.equal(await reg.latestVersion(m.id, 'Failed'), null);
    assert.deepEqual((await reg.listVersions(m.id, null, 2)).map((v) => v.number), [1, 2]);
    assert.deepEqual((await reg.listVersions(m.id, 2, 2)).map((v) => v.number), [3]);
    const doc = JSON.stringify({ InferenceSpecification: { Containers: [{ Image: 'img:1' }] } });
    const withDoc = await reg.createVersion(newVersion(m.id, { document: doc, sourceUri: 's3://b/p/' }), []);
    assert.equal((await reg.getVersion(m.id, withDoc.number))?.document, doc);
    assert.equal((await reg.getVersion(m.id, 1))?.document, null);
    await reg.deleteVersion(m.id, withDoc.number, 'u1', at(2));
    const v = await reg.updateVersion(m.id, 2, {
      label: 'prod', description: 'd', metadata: { k: 'v' }, approval: 'Approved', status: 'Failed', updatedAt: at(9),
    });
    assert.deepEqual(await reg.getVersion(m.id, 2), v);
    assert.deepEqual([v.label, v.description, v.metadata, v.approval, v.status], ['prod', 'd', { k: 'v' }, 'Approved', 'Failed']);
    assert.deepEqual(v.updatedAt, at(9));
    await rejectsWith(reg.updateVersion(m.id, 1, { label: 'prod', updatedAt: at(9) }), 'ResourceInUse');
    assert.equal((await reg.updateVersion(m.id, 2, { label: 'prod', updatedAt: at(10) })).label, 'prod');
    assert.equal((await reg.updateVersion(m.id, 2, { label: null, updatedAt: at(10) })).label, null);
    assert.equal((await reg.updateVersion(m.id, 1, { label: 'prod', updatedAt: at(10) })).label, 'prod');
    await rejectsWith(reg.updateVersion(m.id, 9, { updatedAt: at(9) }), 'ResourceNotFound', 'version');
    await rejectsWith(reg.deleteVersion(m.id, 9, 'u1', at(9)), 'ResourceNotFound', 'version');
  });
}

function clientTokenTests(get: Get): void {
  it('versions: a client token is kept per model; a second version with it is refused; it goes with its version', async () => {
    const reg = get();
    const m = await reg.createModel(newModel('m'));
    const other = await reg.createModel(newModel('other'));
    const v1 = await reg.createVersion(newVersion(m.id), [file('a')], 'token-1');
    assert.deepEqual(await reg.versionByClientToken(m.id, 'token-1'), v1);
    assert.equal(await reg.versionByClientToken(m.id, 'token-2'), null);
    assert.equal(await reg.versionByClientToken(other.id, 'token-1'), null);
    await rejectsWith(reg.createVersion(newVersion(m.id), [file('b')], 'token-1'), 'ResourceInUse', 'version');
    assert.equal((await reg.getModel({ id: m.id }))?.lastNumber, 1, 'the refused version took no number');
    assert.equal((await reg.createVersion(newVersion(other.id), [], 'token-1')).number, 1, 'another model may use the same token');
    assert.equal((await reg.createVersion(newVersion(m.id), [])).number, 2);
    assert.equal((await reg.createVersion(newVersion(m.id), [])).number, 3, 'versions without a token never clash');
    await reg.deleteVersion(m.id, 1, 'u1', at(5));
    assert.equal(await reg.versionByClientToken(m.id, 'token-1'), null);
  });
}

function fileTests(get: Get): void {
  it('files: listed in byte order after a path; found by SHA-256 once stored; keys returned on delete', async () => {
    const reg = get();
    const m = await reg.createModel(newModel('m'));
    const paths = ['b', 'a/x', 'é', 'Z', 'a', '\u{1F600}'];
    const shared = { sha256: 'same', objectKey: 'obj/shared' };
    await reg.createVersion(newVersion(m.id), [...paths.map((p) => file(p)), file('dup', shared)]);
    const owner: FileOwner = { kind: 'version', modelId: m.id, number: 1 };
    const all = [...paths, 'dup'].sort(compareKeys);
    assert.deepEqual((await reg.listFiles(owner, null, 100)).map((f) => f.path), all);
    assert.deepEqual((await reg.listFiles(owner, all[2] ?? '', 2)).map((f) => f.path), all.slice(3, 5));
    assert.deepEqual(await reg.listFiles(owner, null, 1), [file(all[0] ?? '')]);
    await rejectsWith(reg.createVersion(newVersion(m.id), [file('p'), file('p')]), 'InvalidArgument');

    await reg.createVersion(newVersion(m.id, { status: 'Pending' }), [file('pending', { sha256: 'p-sha' })]);
    assert.equal(await reg.findFileBySha256('p-sha'), null);
    assert.deepEqual(await reg.findFileBySha256('sha-b'), file('b'));
    assert.equal(await reg.findFileBySha256('nope'), null);
    await reg.createVersion(newVersion(m.id), [file('again', shared)]);
    assert.equal(await reg.isObjectKeyUsed('obj/shared'), true);
    assert.equal(await reg.isObjectKeyUsed('obj/none'), false);

    const keys = await reg.deleteVersion(m.id, 1, 'u1', at(5));
    assert.deepEqual(keys.sort(), [...paths.map((p) => `obj/${p}`), 'obj/shared'].sort());
    assert.deepEqual(await reg.listFiles(owner, null, 100), []);
    assert.equal(await reg.isObjectKeyUsed('obj/b'), false);
    assert.equal(await reg.isObjectKeyUsed('obj/shared'), true);
    assert.deepEqual(await reg.findFileBySha256('same'), file('again', shared));
  });

  it('hub content files are found by SHA-256', async () => {
    const reg = get();
    await reg.createHub(hub('h'));
    await reg.createHubContent(content('h', 'c', '1.0.0'), [file('w', { sha256: 'hub-sha' })]);
    assert.deepEqual(await reg.findFileBySha256('hub-sha'), file('w', { sha256: 'hub-sha' }));
  });

  it('deleteModel removes versions, files, stages and history and returns every object key', async () => {
    const reg = get();
    const m = await reg.createModel(newModel('m'));
    const keep = await reg.createModel(newModel('keep'));
    await reg.createVersion(newVersion(m.id), [file('a'), file('b')]);
    await reg.createVersion(newVersion(m.id), [file('c'), file('a2', { objectKey: 'obj/a' })]);
    await reg.createVersion(newVersion(keep.id), [file('k')]);
    await reg.moveStages(m.id, [{ stage: 'prod', to: 2 }], 'u1', at(3));
    assert.deepEqual((await reg.deleteModel(m.id)).sort(), ['obj/a', 'obj/b', 'obj/c']);
    assert.equal(await reg.getModel({ id: m.id }), null);
    assert.equal(await reg.getVersion(m.id, 1), null);
    assert.deepEqual(await reg.getStages(m.id), []);
    assert.deepEqual(await reg.stageHistory(m.id, null, null, 10), []);
    assert.deepEqual(await reg.listFiles({ kind: 'version', modelId: m.id, number: 2 }, null, 10), []);
    assert.equal(await reg.isObjectKeyUsed('obj/a'), false);
    assert.equal(await reg.isObjectKeyUsed('obj/k'), true);
    // The name is free again.
    await reg.createModel(newModel('m', { id: 'm-new' }));
  });
}

/** What listPackages must answer, computed here from every row. */
function expectedPackages(rows: readonly PackageRow[], f: Omit<PackageFilter, 'after' | 'limit'>): PackageRow[] {
  const keep = rows.filter(({ model: m, version: v }) =>
    (f.namespace === undefined || m.namespace === f.namespace) &&
    (f.modelName === undefined || m.name === f.modelName) &&
    (f.nameContains === undefined || m.name.includes(f.nameContains)) &&
    (f.approval === undefined || v.approval === f.approval) &&
    (f.createdAfter === undefined || v.createdAt > f.createdAfter) &&
    (f.createdBefore === undefined || v.createdAt < f.createdBefore) &&
    (f.type === 'BOTH' || m.unversioned === (f.type === 'UNVERSIONED')),
  );
  const byName = (a: PackageRow, b: PackageRow) =>
    compareKeys(a.model.name, b.model.name) || compareKeys(a.model.namespace, b.model.namespace) || a.version.number - b.version.number;
  const byTime = (a: PackageRow, b: PackageRow) =>
    a.version.createdAt.getTime() - b.version.createdAt.getTime() ||
    compareKeys(a.model.id, b.model.id) ||
    a.version.number - b.version.number;
  keep.sort(f.sortBy === 'Name' ? byName : byTime);
  return f.order === 'Ascending' ? keep : keep.reverse();
}

async function allPages(reg: RegistryStore, f: Omit<PackageFilter, 'after' | 'limit'>, limit: number): Promise<PackageRow[]> {
  const out: PackageRow[] = [];
  let after: PackageRow | null = null;
  for (;;) {
    const page = await reg.listPackages({ ...f, after, limit });
    assert.ok(page.length <= limit);
    out.push(...page);
    if (page.length < limit) return out;
    after = page[page.length - 1] ?? null;
  }
}

const id = (r: PackageRow): string => `${r.model.namespace}/${r.model.name}#${r.version.number}`;

async function seedPackages(reg: RegistryStore): Promise<PackageRow[]> {
  const specs: [string, string, boolean][] = [
    ['a', 'alpha', false], ['b', 'alpha', false], ['a', 'beta', false], ['a', 'Gamma', false], ['a', 'solo', true], ['b', 'éclair', true],
  ];
  const approvals: ApprovalStatus[] = ['Approved', 'Rejected', 'PendingManualApproval'];
  const rows: PackageRow[] = [];
  let n = 0;
  for (const [namespace, name, unversioned] of specs) {
    await reg.createModel(newModel(name, { namespace, unversioned }));
    const count = unversioned ? 1 : 3;
    for (let i = 0; i < count; i++) {
      n += 1;
      // Many share a creation time: pages must break ties on (model id, number).
      const v = newVersion(`m-${namespace}-${name}`, { createdAt: at(n % 3), approval: approvals[n % 3] ?? 'Approved' });
      await reg.createVersion(v, []);
    }
  }
  for (const [namespace, name] of specs) {
    const model = (await reg.getModel({ namespace, name })) as Model;
    for (const version of await reg.listVersions(model.id, null, 100)) rows.push({ model, version });
  }
  return rows;
}

function packageTests(get: Get): void {
  it('listPackages: every filter, both sorts, both orders, pages with ties', async () => {
    const reg = get();
    const rows = await seedPackages(reg);
    const base = { type: 'BOTH', sortBy: 'Name', order: 'Ascending' } as const;
    const filters: Omit<PackageFilter, 'after' | 'limit'>[] = [];
    for (const sortBy of ['Name', 'CreationTime'] as const) {
      for (const order of ['Ascending', 'Descending'] as const) {
        for (const type of ['BOTH', 'VERSIONED', 'UNVERSIONED'] as const) filters.push({ ...base, sortBy, order, type });
      }
    }
    filters.push(
      { ...base, namespace: 'b' },
      { ...base, modelName: 'alpha' },
      { ...base, nameContains: 'a' },
      { ...base, nameContains: 'Gam' },
      { ...base, nameContains: 'gam' },
      { ...base, approval: 'Approved', sortBy: 'CreationTime' },
      { ...base, createdAfter: at(0), sortBy: 'CreationTime' },
      { ...base, createdBefore: at(2) },
      { ...base, createdAfter: at(0), createdBefore: at(2), order: 'Descending' },
    );
    for (const f of filters) {
      const want = expectedPackages(rows, f).map(id);
      const label = JSON.stringify(f);
      assert.deepEqual((await reg.listPackages({ ...f, after: null, limit: 1000 })).map(id), want, label);
      for (const limit of [1, 2, 4]) assert.deepEqual((await allPages(reg, f, limit)).map(id), want, `${label} by ${limit}`);
    }
    const whole = await reg.listPackages({ ...base, after: null, limit: 1 });
    assert.deepEqual(whole[0], expectedPackages(rows, base)[0]);
  });
}

function stageTests(get: Get): void {
  it('moveStages: moves, swaps, clears; getStages; errors on a missing model or version', async () => {
    const reg = get();
    const m = await reg.createModel(newModel('m'));
    for (let i = 0; i < 3; i++) await reg.createVersion(newVersion(m.id), []);
    const first = await reg.moveStages(m.id, [
      { stage: 'prod', to: 1, expect: null, status: 'ok', description: 'first' },
      { stage: 'dev', to: 2 },
    ], 'u1', at(10));
    assert.deepEqual(first, [
      { modelId: m.id, stage: 'dev', number: 2, status: null, description: null, movedAt: at(10), movedBy: 'u1' },
      { modelId: m.id, stage: 'prod', number: 1, status: 'ok', description: 'first', movedAt: at(10), movedBy: 'u1' },
    ]);
    const swapped = await reg.moveStages(m.id, [{ stage: 'prod', to: 2, expect: 1 }, { stage: 'dev', to: 1, expect: 2 }], 'u2', at(20));
    assert.deepEqual(swapped.map((s) => [s.stage, s.number, s.movedBy]), [['dev', 1, 'u2'], ['prod', 2, 'u2']]);
    assert.deepEqual(await reg.getStages(m.id), swapped);
    const cleared = await reg.moveStages(m.id, [{ stage: 'dev', to: null }], 'u1', at(30));
    assert.deepEqual(cleared.map((s) => s.stage), ['prod']);
    await rejectsWith(reg.moveStages('nope', [{ stage: 'x', to: 1 }], 'u1', at(31)), 'ResourceNotFound', 'model');
  });

  it('moveStages: a failing expect or a missing version leaves every stage unchanged', async () => {
    const reg = get();
    const m = await reg.createModel(newModel('m'));
    for (let i = 0; i < 2; i++) await reg.createVersion(newVersion(m.id), []);
    const before = await reg.moveStages(m.id, [{ stage: 'prod', to: 1 }, { stage: 'dev', to: 2 }], 'u1', at(10));
    const history = await reg.stageHistory(m.id, null, null, 100);
    await rejectsWith(
      reg.moveStages(m.id, [{ stage: 'prod', to: 2 }, { stage: 'dev', to: 1, expect: 1 }], 'u2', at(20)),
      'Conflict',
    );
    await rejectsWith(reg.moveStages(m.id, [{ stage: 'new', to: 2, expect: 1 }], 'u2', at(20)), 'Conflict');
    const missing = [{ stage: 'dev', to: null }, { stage: 'prod', to: 9 }];
    await rejectsWith(reg.moveStages(m.id, missing, 'u2', at(20)), 'ResourceNotFound', 'version');
    assert.deepEqual(await reg.getStages(m.id), before);
    assert.deepEqual(await reg.stageHistory(m.id, null, null, 100), history);
  });

  it('stageAt and stageHistory answer for any time and page by seq', async () => {
    const reg = get();
    const m = await reg.createModel(newModel('m'));
    for (let i = 0; i < 3; i++) await reg.createVersion(newVersion(m.id), []);
    await reg.moveStages(m.id, [{ stage: 'prod', to: 1 }], 'u1', at(10));
    await reg.moveStages(m.id, [{ stage: 'prod', to: 2 }, { stage: 'dev', to: 3 }], 'u1', at(20));
    await reg.moveStages(m.id, [{ stage: 'prod', to: null }], 'u1', at(30));
    await reg.moveStages(m.id, [{ stage: 'prod', to: 3 }], 'u1', at(40));
    await reg.deleteVersion(m.id, 3, 'u9', at(50));
    const prodAt = async (s: number) => reg.stageAt(m.id, 'prod', new Date(at(s).getTime()));
    assert.equal(await prodAt(5), null);
    assert.equal(await prodAt(10), 1);
    assert.equal(await reg.stageAt(m.id, 'prod', new Date(at(10).getTime() - 1)), null);
    assert.equal(await prodAt(15), 1);
    assert.equal(await prodAt(20), 2);
    assert.equal(await prodAt(35), null);
    assert.equal(await prodAt(45), 3);
    assert.equal(await prodAt(55), null);
    assert.equal(await reg.stageAt(m.id, 'dev', at(45)), 3);
    assert.equal(await reg.stageAt(m.id, 'dev', at(55)), null);
    assert.deepEqual(await reg.getStages(m.id), []);

    const all = await reg.stageHistory(m.id, null, null, 100);
    assert.deepEqual(all.map((e) => [e.stage, e.number, e.previous, e.actor]), [
      ['prod', null, 3, 'u9'], ['dev', null, 3, 'u9'], ['prod', 3, null, 'u1'], ['prod', null, 2, 'u1'],
      ['dev', 3, null, 'u1'], ['prod', 2, 1, 'u1'], ['prod', 1, null, 'u1'],
    ]);
    const seqs = all.map((e) => e.seq);
    assert.deepEqual([...seqs].sort((a, b) => b - a), seqs);
    const prod = await reg.stageHistory(m.id, 'prod', null, 100);
    assert.deepEqual(prod.map((e) => [e.number, e.previous]), [[null, 3], [3, null], [null, 2], [2, 1], [1, null]]);
    assert.deepEqual(prod[4]?.at, at(10));
    const page2 = await reg.stageHistory(m.id, 'prod', prod[1]?.seq ?? 0, 2);
    assert.deepEqual(page2, prod.slice(2, 4));
  });
}

function hubTests(get: Get): void {
  it('hubs: create, get, update, uniqueness, delete only when empty', async () => {
    const reg = get();
    const h = hub('h1', { searchKeywords: ['b', 'a'] });
    await reg.createHub(h);
    assert.deepEqual(await reg.getHub('h1'), h);
    assert.equal(await reg.getHub('nope'), null);
    await rejectsWith(reg.createHub(hub('h1', { id: 'x' })), 'ResourceInUse');
    await rejectsWith(reg.createHub(hub('h2', { id: h.id })), 'ResourceInUse');
    const updated = await reg.updateHub('h1', { description: 'd', searchKeywords: ['z'], updatedAt: at(9) });
    assert.deepEqual(updated, { ...h, description: 'd', searchKeywords: ['z'], updatedAt: at(9) });
    assert.deepEqual(await reg.getHub('h1'), updated);
    await rejectsWith(reg.updateHub('nope', { updatedAt: at(9) }), 'ResourceNotFound', 'hub');
    await reg.createHubContent(content('h1', 'c', '1.0.0'), []);
    await rejectsWith(reg.deleteHub('h1'), 'ResourceInUse');
    await reg.deleteHubContent('h1', 'Model', 'c', null);
    await reg.deleteHub('h1');
    assert.equal(await reg.getHub('h1'), null);
    await rejectsWith(reg.deleteHub('h1'), 'ResourceNotFound', 'hub');
  });

  it('hubs: list with filters, both sorts and orders, pages with ties', async () => {
    const reg = get();
    const specs: [string, number][] = [['b', 1], ['a', 2], ['c', 1], ['é', 3], ['B', 2]];
    for (const [name, s] of specs) await reg.createHub(hub(name, { createdAt: at(s) }));
    const names = async (f: Partial<Parameters<RegistryStore['listHubs']>[0]>) =>
      (await reg.listHubs({ sortBy: 'HubName', order: 'Ascending', after: null, limit: 100, ...f })).map((h) => h.name);
    assert.deepEqual(await names({}), ['B', 'a', 'b', 'c', 'é']);
    assert.deepEqual(await names({ order: 'Descending' }), ['é', 'c', 'b', 'a', 'B']);
    assert.deepEqual(await names({ sortBy: 'CreationTime' }), ['b', 'c', 'B', 'a', 'é']);
    assert.deepEqual(await names({ sortBy: 'CreationTime', order: 'Descending' }), ['é', 'a', 'B', 'c', 'b']);
    assert.deepEqual(await names({ nameContains: 'b' }), ['b']);
    assert.deepEqual(await names({ createdAfter: at(1), createdBefore: at(3) }), ['B', 'a']);
    for (const sortBy of ['HubName', 'CreationTime'] as const) {
      for (const order of ['Ascending', 'Descending'] as const) {
        const want = await names({ sortBy, order });
        const got: string[] = [];
        let after: Hub | null = null;
        for (;;) {
          const page: Hub[] = await reg.listHubs({ sortBy, order, after, limit: 2 });
          got.push(...page.map((h) => h.name));
          if (page.length < 2) break;
          after = page[1] ?? null;
        }
        assert.deepEqual(got, want, `${sortBy} ${order}`);
      }
    }
  });
}

function hubContentTests(get: Get): void {
  it('hub contents: latest by dotted-number order; versions listed in that order', async () => {
    const reg = get();
    await reg.createHub(hub('h'));
    const versions = ['1.0.9', '1.0.10', '1.9', '1.0.0', '2', '1.10.0'];
    for (const [i, v] of versions.entries()) await reg.createHubContent(content('h', 'm', v, { createdAt: at(i) }), [file(`w${v}`)]);
    assert.equal((await reg.getHubContent('h', 'Model', 'm', null))?.version, '2');
    const stored = await reg.getHubContent('h', 'Model', 'm', '1.0.10');
    assert.deepEqual(stored, { ...content('h', 'm', '1.0.10', { createdAt: at(1) }), fileCount: 1, totalSize: 7 });
    assert.equal(await reg.getHubContent('h', 'Model', 'm', '3'), null);
    assert.equal(await reg.getHubContent('h', 'Notebook', 'm', null), null);
    await rejectsWith(reg.createHubContent(content('h', 'm', '2', { id: 'other' }), []), 'ResourceInUse');
    await rejectsWith(reg.createHubContent(content('nohub', 'm', '1'), []), 'ResourceNotFound', 'hub');
    const sorted = [...versions].sort(compareVersions);
    assert.deepEqual(sorted, ['1.0.0', '1.0.9', '1.0.10', '1.9', '1.10.0', '2']);
    const list = async (order: 'Ascending' | 'Descending', sortBy: 'HubContentName' | 'CreationTime' = 'HubContentName') =>
      (await reg.listHubContents({ hubName: 'h', type: 'Model', name: 'm', sortBy, order, after: null, limit: 100 })).map((c) => c.version);
    assert.deepEqual(await list('Ascending'), sorted);
    assert.deepEqual(await list('Descending'), [...sorted].reverse());
    assert.deepEqual(await list('Ascending', 'CreationTime'), versions);

    assert.deepEqual((await reg.deleteHubContent('h', 'Model', 'm', '2')).sort(), ['obj/w2']);
    assert.equal((await reg.getHubContent('h', 'Model', 'm', null))?.version, '1.10.0');
    assert.deepEqual((await reg.deleteHubContent('h', 'Model', 'm', null)).sort(), sorted.slice(0, 5).map((v) => `obj/w${v}`).sort());
    assert.equal(await reg.getHubContent('h', 'Model', 'm', null), null);
    await rejectsWith(reg.deleteHubContent('h', 'Model', 'm', null), 'ResourceNotFound', 'hub-content');
  });

  it('hub contents: listing gives the latest version of each name, filtered, sorted and paged', async () => {
    const reg = get();
    await reg.createHub(hub('h'));
    await reg.createHub(hub('other'));
    const specs: [string, string, number][] = [
      ['b', '1.0.0', 1], ['b', '1.0.10', 5], ['a', '2.0', 2], ['a', '10.0', 3], ['c', '1', 3], ['d', '1', 3], ['é', '0.1', 4],
    ];
    for (const [name, v, s] of specs) await reg.createHubContent(content('h', name, v, { createdAt: at(s) }), []);
    await reg.createHubContent(content('h', 'nb', '1', { type: 'Notebook' }), []);
    await reg.createHubContent(content('other', 'a', '99'), []);
    type F = Partial<Parameters<RegistryStore['listHubContents']>[0]>;
    const list = async (f: F) =>
      (await reg.listHubContents({ hubName: 'h', type: 'Model', sortBy: 'HubContentName', order: 'Ascending', after: null, limit: 100, ...f }))
        .map((c) => `${c.name}@${c.version}`);
    assert.deepEqual(await list({}), ['a@10.0', 'b@1.0.10', 'c@1', 'd@1', 'é@0.1']);
    assert.deepEqual(await list({ order: 'Descending' }), ['é@0.1', 'd@1', 'c@1', 'b@1.0.10', 'a@10.0']);
    assert.deepEqual(await list({ sortBy: 'CreationTime' }), ['a@10.0', 'c@1', 'd@1', 'é@0.1', 'b@1.0.10']);
    assert.deepEqual(await list({ nameContains: 'é' }), ['é@0.1']);
    assert.deepEqual(await list({ createdAfter: at(3) }), ['b@1.0.10', 'é@0.1']);
    assert.deepEqual(await list({ createdBefore: at(3) }), []);
    assert.deepEqual(await list({ type: 'Notebook' }), ['nb@1']);
    for (const sortBy of ['HubContentName', 'CreationTime'] as const) {
      for (const order of ['Ascending', 'Descending'] as const) {
        const want = await list({ sortBy, order });
        const got: string[] = [];
        let after: HubContent | null = null;
        for (;;) {
          const page: HubContent[] = await reg.listHubContents({ hubName: 'h', type: 'Model', sortBy, order, after, limit: 2 });
          got.push(...page.map((c) => `${c.name}@${c.version}`));
          if (page.length < 2) break;
          after = page[1] ?? null;
        }
        assert.deepEqual(got, want, `${sortBy} ${order}`);
      }
    }
  });

  it('hub contents: update keeps what the patch leaves out', async () => {
    const reg = get();
    await reg.createHub(hub('h'));
    const c = await reg.createHubContent(content('h', 'm', '1.0.0', { supportStatus: 'Supported' }), [file('f')]);
    const patched = await reg.updateHubContent('h', 'Model', 'm', '1.0.0', {
      description: 'd', searchKeywords: ['x'], supportStatus: null, updatedAt: at(9),
    });
    assert.deepEqual(patched, { ...c, description: 'd', searchKeywords: ['x'], supportStatus: null, updatedAt: at(9) });
    assert.deepEqual(await reg.getHubContent('h', 'Model', 'm', '1.0.0'), patched);
    await rejectsWith(reg.updateHubContent('h', 'Model', 'm', '9', { updatedAt: at(9) }), 'ResourceNotFound', 'hub-content');
  });
}

function tagTests(get: Get): void {
  const tags = (...pairs: [string, string][]) => pairs.map(([key, value]) => ({ key, value }));

  it('tags: add, replace by key, list in key order, delete by key, each owner apart', async () => {
    const reg = get();
    const m = await reg.createModel(newModel('m'));
    await reg.createVersion(newVersion(m.id), []);
    await reg.createHub(hub('h'));
    const model = { kind: 'model', modelId: m.id } as const;
    const v1 = { kind: 'version', modelId: m.id, number: 1 } as const;
    const h = { kind: 'hub', hubName: 'h' } as const;
    assert.deepEqual(await reg.putTags(model, tags(['team', 'vision'], ['stage', 'dev']), 50), tags(['stage', 'dev'], ['team', 'vision']));
    assert.deepEqual(await reg.putTags(model, tags(['stage', 'prod'], ['É', '']), 50), tags(['stage', 'prod'], ['team', 'vision'], ['É', '']));
    await reg.putTags(v1, tags(['stage', 'v1 only']), 50);
    await reg.putTags(h, tags(['hub', 'yes']), 50);
    assert.deepEqual(await reg.listTags(v1), tags(['stage', 'v1 only']));
    assert.deepEqual(await reg.listTags(h), tags(['hub', 'yes']));
    await reg.deleteTags(model, ['team', 'absent']);
    assert.deepEqual(await reg.listTags(model), tags(['stage', 'prod'], ['É', '']));
    assert.deepEqual(await reg.listTags(v1), tags(['stage', 'v1 only']));
  });

  it('tags: refused on an owner that does not exist, and past the limit with nothing changed', async () => {
    const reg = get();
    const m = await reg.createModel(newModel('m'));
    await rejectsWith(reg.putTags({ kind: 'model', modelId: 'nope' }, tags(['a', 'b']), 50), 'ResourceNotFound', 'model');
    await rejectsWith(reg.putTags({ kind: 'version', modelId: m.id, number: 1 }, tags(['a', 'b']), 50), 'ResourceNotFound', 'version');
    await rejectsWith(reg.putTags({ kind: 'hub', hubName: 'nope' }, tags(['a', 'b']), 50), 'ResourceNotFound', 'hub');
    await rejectsWith(reg.deleteTags({ kind: 'hub', hubName: 'nope' }, ['a']), 'ResourceNotFound', 'hub');
    const model = { kind: 'model', modelId: m.id } as const;
    await reg.putTags(model, tags(['a', '1'], ['b', '2']), 3);
    await rejectsWith(reg.putTags(model, tags(['a', 'changed'], ['c', '3'], ['d', '4']), 3), 'ResourceLimitExceeded');
    assert.deepEqual(await reg.listTags(model), tags(['a', '1'], ['b', '2']));
    assert.deepEqual(await reg.putTags(model, tags(['a', 'changed'], ['c', '3']), 3), tags(['a', 'changed'], ['b', '2'], ['c', '3']));
  });

  it('tags: go with their owner, and a new owner of the same name starts with none', async () => {
    const reg = get();
    const m = await reg.createModel(newModel('m'));
    await reg.createVersion(newVersion(m.id), []);
    await reg.createVersion(newVersion(m.id), []);
    await reg.createHub(hub('h'));
    await reg.putTags({ kind: 'model', modelId: m.id }, tags(['k', 'model']), 50);
    for (const number of [1, 2]) await reg.putTags({ kind: 'version', modelId: m.id, number }, tags(['k', `v${number}`]), 50);
    await reg.putTags({ kind: 'hub', hubName: 'h' }, tags(['k', 'hub']), 50);
    await reg.deleteVersion(m.id, 1, 'u1', at(5));
    assert.deepEqual(await reg.listTags({ kind: 'version', modelId: m.id, number: 1 }), []);
    assert.deepEqual(await reg.listTags({ kind: 'version', modelId: m.id, number: 2 }), tags(['k', 'v2']));
    await reg.deleteModel(m.id);
    assert.deepEqual(await reg.listTags({ kind: 'model', modelId: m.id }), []);
    assert.deepEqual(await reg.listTags({ kind: 'version', modelId: m.id, number: 2 }), []);
    const c1 = await reg.createHubContent(content('h', 'c', '1.0.0'), []);
    const c2 = await reg.createHubContent(content('h', 'c', '2.0.0'), []);
    for (const c of [c1, c2]) await reg.putTags({ kind: 'hub-content', contentId: c.id }, tags(['k', c.version]), 50);
    assert.deepEqual(await reg.listTags({ kind: 'hub-content', contentId: c2.id }), tags(['k', '2.0.0']));
    await reg.deleteHubContent('h', 'Model', 'c', '1.0.0');
    assert.deepEqual(await reg.listTags({ kind: 'hub-content', contentId: c1.id }), []);
    await rejectsWith(reg.putTags({ kind: 'hub-content', contentId: c1.id }, tags(['k', 'v']), 50), 'ResourceNotFound', 'hub-content');
    await reg.deleteHubContent('h', 'Model', 'c', null);
    assert.deepEqual(await reg.listTags({ kind: 'hub-content', contentId: c2.id }), []);
    await reg.deleteHub('h');
    await reg.createHub(hub('h', { id: 'another' }));
    assert.deepEqual(await reg.listTags({ kind: 'hub', hubName: 'h' }), []);
  });
}

function gateGrantAuditTests(get: Get): void {
  it('acceptances: recorded once per EULA version, found exactly, listed newest first', async () => {
    const reg = get();
    const subject = { kind: 'model', id: 'm1' } as const;
    const a1 = { userId: 'u1', userName: 'alice', subject, eula: 'E', eulaVersion: '1', at: at(1) };
    await reg.recordAcceptance(a1);
    await reg.recordAcceptance({ ...a1, at: at(5) });
    await reg.recordAcceptance({ ...a1, eulaVersion: '2', at: at(2) });
    await reg.recordAcceptance({ ...a1, userId: 'u2', userName: 'bob', subject: { kind: 'hub-content', id: 'c1' }, at: at(3) });
    assert.deepEqual(await reg.findAcceptance('u1', subject, 'E', '1'), a1);
    assert.equal(await reg.findAcceptance('u1', subject, 'E', '3'), null);
    assert.equal(await reg.findAcceptance('u2', subject, 'E', '1'), null);
    assert.deepEqual((await reg.listAcceptances(subject, 10)).map((a) => a.eulaVersion), ['2', '1']);
    assert.deepEqual((await reg.listAcceptances(null, 10)).map((a) => a.userId), ['u2', 'u1', 'u1']);
    assert.equal((await reg.listAcceptances(null, 1)).length, 1);
  });

  it('grants are stored with their audit event in one transaction', async () => {
    const reg = get();
    const grant = {
      id: 'g1', kind: 'download', userId: 'u1', tokenId: 't1', face: 'rest', subject: 'model:m@1', createdAt: at(1), expiresAt: at(3601),
    } as const;
    const event = {
      at: at(1), userId: 'u1', userName: 'alice', action: 'grant.download', subject: 'model:m@1', detail: { files: 3, z: 1, a: [1] },
    };
    await reg.recordGrant(grant, event);
    assert.deepEqual(await reg.getGrant('g1'), grant);
    assert.equal(await reg.getGrant('nope'), null);
    await rejectsWith(reg.recordGrant(grant, { ...event, action: 'second' }), 'ResourceInUse');
    const audit = await reg.listAudit({ beforeSeq: null, limit: 10 });
    assert.equal(audit.length, 1);
    assert.deepEqual({ ...audit[0], seq: 0 }, { ...event, seq: 0 });
    assert.deepEqual(Object.keys(audit[0]?.detail ?? {}), ['files', 'z', 'a']);
  });

  it('audit: newest first, filtered by action, user and time, paged by seq', async () => {
    const reg = get();
    const actions = ['token.create', 'grant.download', 'eula.accept', 'grant.download', 'token.revoke', 'grant.download'];
    for (const [i, action] of actions.entries()) {
      await reg.appendAudit({ at: at(i), userId: i % 2 === 0 ? 'u1' : 'u2', userName: 'n', action, subject: `s${i}`, detail: {} });
    }
    const subjects = async (f: Partial<Parameters<RegistryStore['listAudit']>[0]>) =>
      (await reg.listAudit({ beforeSeq: null, limit: 100, ...f })).map((e) => e.subject);
    assert.deepEqual(await subjects({}), ['s5', 's4', 's3', 's2', 's1', 's0']);
    assert.deepEqual(await subjects({ action: 'grant.download' }), ['s5', 's3', 's1']);
    assert.deepEqual(await subjects({ userId: 'u1' }), ['s4', 's2', 's0']);
    assert.deepEqual(await subjects({ since: at(3) }), ['s5', 's4', 's3']);
    assert.deepEqual(await subjects({ action: 'grant.download', userId: 'u2', since: at(2) }), ['s5', 's3']);
    const first = await reg.listAudit({ beforeSeq: null, limit: 2 });
    const next = await reg.listAudit({ beforeSeq: first[1]?.seq ?? 0, limit: 2 });
    assert.deepEqual(next.map((e) => e.subject), ['s3', 's2']);
  });
}

function uploadSlotTests(get: Get): void {
  it('upload slots: create, get, expired session slots oldest first, delete', async () => {
    const reg = get();
    const slot = (fileId: string, over: Partial<UploadSlot> = {}): UploadSlot => ({
      fileId,
      scope: 'SESSION',
      sessionId: 's1',
      fileName: `${fileId}.bin`,
      sha256: `sha-${fileId}`,
      size: null,
      objectKey: `up/${fileId}`,
      owner: null,
      createdBy: 'u1',
      createdAt: at(0),
      expiresAt: at(100),
      ...over,
    });
    const owned = slot('f1', {
      scope: 'APPLICATION', sessionId: null, size: 42, owner: { kind: 'version', modelId: 'm', number: 3 }, expiresAt: at(10),
    });
    await reg.createUploadSlot(owned);
    await reg.createUploadSlot(slot('f2', { sessionId: 's2', expiresAt: at(20) }));
    await reg.createUploadSlot(slot('f3', { sessionId: 's3', expiresAt: at(10), owner: { kind: 'hub-content', contentId: 'hc' } }));
    await reg.createUploadSlot(slot('f4', { sessionId: 's4', expiresAt: at(30) }));
    assert.deepEqual(await reg.getUploadSlot('f1'), owned);
    assert.deepEqual((await reg.getUploadSlot('f3'))?.owner, { kind: 'hub-content', contentId: 'hc' });
    assert.equal(await reg.getUploadSlot('nope'), null);
    await rejectsWith(reg.createUploadSlot(slot('f1')), 'ResourceInUse');
    const expired = async (s: number, limit = 10) => (await reg.listExpiredSessionSlots(at(s), limit)).map((x) => x.fileId);
    assert.deepEqual(await expired(5), []);
    assert.deepEqual(await expired(20), ['f3', 'f2']);
    assert.deepEqual(await expired(40, 2), ['f3', 'f2']);
    await reg.deleteUploadSlots(['f2', 'f3', 'nope']);
    await reg.deleteUploadSlots([]);
    assert.deepEqual(await expired(40), ['f4']);
    assert.notEqual(await reg.getUploadSlot('f1'), null);
  });

  it('upload slots: a session lives from its first slot; once expired, the id starts a new session', async () => {
    const reg = get();
    const slot = (fileId: string, createdAt: Date, expiresAt: Date): UploadSlot => ({
      fileId, scope: 'SESSION', sessionId: 'sess', fileName: fileId, sha256: 'x', size: null, objectKey: `sessions/sess/${fileId}`,
      owner: null, createdBy: 'u1', createdAt, expiresAt,
    });
    assert.deepEqual((await reg.createUploadSlot(slot('a', at(0), at(100)))).expiresAt, at(100));
    assert.deepEqual((await reg.createUploadSlot(slot('b', at(50), at(150)))).expiresAt, at(100));
    assert.deepEqual((await reg.getUploadSlot('b'))?.expiresAt, at(100));
    // At 100 the session has expired: a new slot starts a new one.
    assert.deepEqual((await reg.createUploadSlot(slot('c', at(100), at(200)))).expiresAt, at(200));
    const other = { ...slot('d', at(50), at(500)), sessionId: 'other' };
    assert.deepEqual((await reg.createUploadSlot(other)).expiresAt, at(500));
  });
}
