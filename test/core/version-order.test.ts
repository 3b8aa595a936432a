/**
 * versionSortKey: dotted numeric versions compare right as plain strings.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareVersions, versionSortKey } from '../../src/core/registry/version-order.ts';

const byKey = (a: string, b: string): number => Buffer.compare(Buffer.from(versionSortKey(a)), Buffer.from(versionSortKey(b)));

describe('versionSortKey', () => {
  it('orders dotted numbers numerically', () => {
    const ordered = ['0.1', '1', '1.0', '1.0.0', '1.0.9', '1.0.10', '1.9', '1.10', '2', '10.0.0', '99999999999', '100000000000'];
    for (let i = 1; i < ordered.length; i++) {
      const [a, b] = [ordered[i - 1] ?? '', ordered[i] ?? ''];
      assert.ok(byKey(a, b) < 0, `${a} < ${b}`);
    }
    const shuffled = [...ordered].reverse();
    assert.deepEqual(shuffled.sort(compareVersions), ordered);
  });

  it('pads digit runs and keeps other text', () => {
    assert.equal(versionSortKey('1.0.10'), '0000000001.0000000000.0000000010');
    assert.equal(versionSortKey('v2-beta.3'), 'v0000000002-beta.0000000003');
    assert.equal(versionSortKey(''), '');
    assert.equal(versionSortKey('12345678901'), ':1112345678901');
  });

  it('versions differing only in leading zeros share a key; compareVersions still orders them', () => {
    assert.equal(versionSortKey('1.01'), versionSortKey('1.1'));
    assert.ok(compareVersions('1.01', '1.1') < 0);
    assert.equal(compareVersions('1.1', '1.1'), 0);
  });
});
