/**
 * The MetaStore's record of master keys (encryption at rest), on every
 * engine: none at first, the first registration wins, later ones (another
 * key, or racing writers) leave it as it is.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, it } from 'node:test';
import { describeEachMetaStore, type OpenedMetaStore } from '../support/meta-stores.ts';

await describeEachMetaStore('MetaStore master keys', (factory) => {
  let opened: OpenedMetaStore;
  beforeEach(async () => {
    opened = await factory.open();
  });
  afterEach(() => opened.cleanup());

  const key = (id: string) => ({ keyId: id, check: id.repeat(4), createdAt: new Date(1_700_000_000_000) });

  it('records the first key only, and lists it', async () => {
    const { store } = opened;
    assert.deepEqual(await store.listMasterKeys(), []);
    assert.deepEqual(await store.registerMasterKey(key('aaaaaaaaaaaaaaaa')), [key('aaaaaaaaaaaaaaaa')]);
    assert.deepEqual(await store.registerMasterKey(key('aaaaaaaaaaaaaaaa')), [key('aaaaaaaaaaaaaaaa')]);
    assert.deepEqual(await store.registerMasterKey(key('bbbbbbbbbbbbbbbb')), [key('aaaaaaaaaaaaaaaa')]);
    assert.deepEqual(await store.listMasterKeys(), [key('aaaaaaaaaaaaaaaa')]);
  });

  it('of registrations racing with different keys exactly one wins', async () => {
    const { store } = opened;
    const ids = ['1111111111111111', '2222222222222222', '3333333333333333', '4444444444444444'];
    const results = await Promise.all(ids.map((id) => store.registerMasterKey(key(id))));
    const recorded = await store.listMasterKeys();
    assert.equal(recorded.length, 1);
    for (const r of results) assert.deepEqual(r, recorded);
  });
});
