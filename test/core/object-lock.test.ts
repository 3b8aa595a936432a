/**
 * The object-lock rules of `core/object-lock.ts`: pure, so every case is
 * checked here with a fixed clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSignetError, type ErrorCode } from '../../src/core/errors.ts';
import {
  OBJECT_LOCK_CONFIG,
  checkDeletable,
  checkRetentionChange,
  defaultRetentionUntil,
  isLocked,
  newVersionLock,
  parseLockRequest,
  parseRetainUntil,
  validateDefaultRetention,
} from '../../src/core/object-lock.ts';
import type { Retention } from '../../src/core/types.ts';

const NOW = new Date('2030-06-15T12:00:00.000Z');
const DAY = 86_400_000;
const at = (ms: number) => new Date(NOW.getTime() + ms);
const ret = (mode: Retention['mode'], ms: number): Retention => ({ mode, until: at(ms) });

function throwsCode(fn: () => unknown, code: ErrorCode): void {
  assert.throws(fn, (e: unknown) => isSignetError(e) && e.code === code);
}

describe('object lock: deleting a version', () => {
  const check = (bypassGovernance = false, now = NOW) => ({ now, bypassGovernance });

  it('is free when nothing protects it, or the retention has passed', () => {
    checkDeletable({ retention: null, legalHold: false }, check());
    checkDeletable({ retention: ret('COMPLIANCE', 0), legalHold: false }, check());
    checkDeletable({ retention: ret('COMPLIANCE', -1), legalHold: false }, check());
    assert.equal(isLocked({ retention: ret('COMPLIANCE', 0), legalHold: false }, NOW), false);
  });

  it('is refused under COMPLIANCE until its date, bypass or not', () => {
    throwsCode(() => checkDeletable({ retention: ret('COMPLIANCE', 1), legalHold: false }, check(true)), 'AccessDenied');
    assert.equal(isLocked({ retention: ret('COMPLIANCE', 1), legalHold: false }, NOW), true);
  });

  it('is refused under GOVERNANCE unless bypassed', () => {
    throwsCode(() => checkDeletable({ retention: ret('GOVERNANCE', DAY), legalHold: false }, check()), 'AccessDenied');
    checkDeletable({ retention: ret('GOVERNANCE', DAY), legalHold: false }, check(true));
  });

  it('is refused under legal hold whatever the retention and the bypass', () => {
    throwsCode(() => checkDeletable({ retention: null, legalHold: true }, check(true)), 'AccessDenied');
    throwsCode(() => checkDeletable({ retention: ret('GOVERNANCE', -DAY), legalHold: true }, check(true)), 'AccessDenied');
  });
});

describe('object lock: changing a retention', () => {
  const check = (bypassGovernance = false) => ({ now: NOW, bypassGovernance });

  it('COMPLIANCE may only be extended, in COMPLIANCE', () => {
    const current = ret('COMPLIANCE', DAY);
    checkRetentionChange(current, ret('COMPLIANCE', DAY), check());
    checkRetentionChange(current, ret('COMPLIANCE', 2 * DAY), check());
    throwsCode(() => checkRetentionChange(current, ret('COMPLIANCE', DAY - 1), check(true)), 'AccessDenied');
    throwsCode(() => checkRetentionChange(current, ret('GOVERNANCE', 2 * DAY), check(true)), 'AccessDenied');
    throwsCode(() => checkRetentionChange(current, null, check(true)), 'AccessDenied');
  });

  it('GOVERNANCE may be extended or made COMPLIANCE; shortened or removed only with the bypass', () => {
    const current = ret('GOVERNANCE', DAY);
    checkRetentionChange(current, ret('GOVERNANCE', 2 * DAY), check());
    checkRetentionChange(current, ret('COMPLIANCE', DAY), check());
    throwsCode(() => checkRetentionChange(current, ret('GOVERNANCE', DAY - 1), check()), 'AccessDenied');
    throwsCode(() => checkRetentionChange(current, null, check()), 'AccessDenied');
    checkRetentionChange(current, ret('GOVERNANCE', 1), check(true));
    checkRetentionChange(current, null, check(true));
  });

  it('an expired or absent retention may become anything', () => {
    checkRetentionChange(ret('COMPLIANCE', -1), null, check());
    checkRetentionChange(ret('COMPLIANCE', 0), ret('GOVERNANCE', 1), check());
    checkRetentionChange(null, ret('COMPLIANCE', DAY), check());
  });
});

describe('object lock: requests and defaults', () => {
  it('parses the three headers; mode and date go together', () => {
    assert.equal(parseLockRequest({}), undefined);
    assert.deepEqual(parseLockRequest({ mode: 'governance', retainUntil: '2031-01-01T00:00:00Z' }), {
      retention: { mode: 'GOVERNANCE', until: new Date('2031-01-01T00:00:00Z') },
    });
    assert.deepEqual(parseLockRequest({ legalHold: 'ON' }), { legalHold: true });
    assert.deepEqual(parseLockRequest({ legalHold: 'off' }), { legalHold: false });
    throwsCode(() => parseLockRequest({ mode: 'GOVERNANCE' }), 'InvalidArgument');
    throwsCode(() => parseLockRequest({ retainUntil: '2031-01-01T00:00:00Z' }), 'InvalidArgument');
    throwsCode(() => parseLockRequest({ mode: 'FOREVER', retainUntil: '2031-01-01T00:00:00Z' }), 'InvalidArgument');
    throwsCode(() => parseLockRequest({ legalHold: 'maybe' }), 'InvalidArgument');
  });

  it('takes only ISO 8601 dates', () => {
    assert.deepEqual(parseRetainUntil('2031-01-01T00:00:00.123+02:00'), new Date('2030-12-31T22:00:00.123Z'));
    throwsCode(() => parseRetainUntil('Wed, 01 Jan 2031 00:00:00 GMT'), 'InvalidArgument');
    throwsCode(() => parseRetainUntil('2031-13-45T00:00:00Z'), 'InvalidArgument');
    throwsCode(() => parseRetainUntil('tomorrow'), 'InvalidArgument');
  });

  it('validates default retentions as S3 does', () => {
    validateDefaultRetention({ mode: 'GOVERNANCE', days: 1 });
    validateDefaultRetention({ mode: 'COMPLIANCE', years: 100 });
    throwsCode(() => validateDefaultRetention({ mode: 'GOVERNANCE' }), 'MalformedXML');
    throwsCode(() => validateDefaultRetention({ mode: 'GOVERNANCE', days: 1, years: 1 }), 'MalformedXML');
    throwsCode(() => validateDefaultRetention({ mode: 'GOVERNANCE', days: 0 }), 'InvalidArgument');
    throwsCode(() => validateDefaultRetention({ mode: 'GOVERNANCE', days: -3 }), 'InvalidArgument');
    throwsCode(() => validateDefaultRetention({ mode: 'GOVERNANCE', years: 101 }), 'InvalidArgument');
    throwsCode(() => validateDefaultRetention({ mode: 'FOREVER' as 'GOVERNANCE', days: 1 }), 'MalformedXML');
  });

  it('computes default dates in days and calendar years', () => {
    assert.deepEqual(defaultRetentionUntil({ mode: 'GOVERNANCE', days: 2 }, NOW), at(2 * DAY));
    assert.deepEqual(defaultRetentionUntil({ mode: 'GOVERNANCE', years: 1 }, NOW), new Date('2031-06-15T12:00:00.000Z'));
  });

  it('gives a new version what it asked for, else the bucket default; refuses lock headers without object lock', () => {
    const plain = { objectLockEnabled: false, config: {} };
    assert.deepEqual(newVersionLock(plain, undefined, NOW), { retention: null, legalHold: false });
    throwsCode(() => newVersionLock(plain, { legalHold: false }, NOW), 'InvalidRequest');
    const locked = { objectLockEnabled: true, config: { [OBJECT_LOCK_CONFIG]: { rule: { mode: 'COMPLIANCE', days: 1 } } } };
    assert.deepEqual(newVersionLock(locked, undefined, NOW), { retention: ret('COMPLIANCE', DAY), legalHold: false });
    assert.deepEqual(newVersionLock(locked, { legalHold: true }, NOW), { retention: ret('COMPLIANCE', DAY), legalHold: true });
    assert.deepEqual(newVersionLock(locked, { retention: ret('GOVERNANCE', 5) }, NOW), { retention: ret('GOVERNANCE', 5), legalHold: false });
    throwsCode(() => newVersionLock(locked, { retention: ret('GOVERNANCE', 0) }, NOW), 'InvalidArgument');
    const noRule = { objectLockEnabled: true, config: {} };
    assert.deepEqual(newVersionLock(noRule, undefined, NOW), { retention: null, legalHold: false });
  });
});
