/**
 * The lifecycle rules of `core/lifecycle.ts`: parsing and validation of S3's
 * LifecycleConfiguration (as element trees, the shape the S3 face hands
 * over), filter matching and due dates. Pure, so every case is checked here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSignetError, type ErrorCode } from '../../src/core/errors.ts';
import {
  currentExpiryDue,
  dueAfterDays,
  enabledRules,
  expiredMarkerDue,
  filterScope,
  parseLifecycleConfiguration,
  ruleMatches,
  storedLifecycle,
  LIFECYCLE_CONFIG,
  type LifecycleRule,
  type XmlNode,
} from '../../src/core/lifecycle.ts';

type Tree = { [name: string]: XmlNode | XmlNode[] };

const rule = (body: Tree): Tree => ({ ID: 'r', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: '1' }, ...body });
const parse = (...rules: Tree[]) => parseLifecycleConfiguration({ Rule: rules }, () => 'generated');
const one = (body: Tree): LifecycleRule => parse(rule(body)).rules[0]!;

function rejects(fn: () => unknown, code: ErrorCode, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isSignetError(e), String(e));
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('lifecycle: parsing a configuration', () => {
  it('reads every action and filter shape, and keeps the shape it was given', () => {
    const config = parse(
      { ID: 'legacy', Status: 'Enabled', Prefix: 'tmp/', Expiration: { Date: '2030-01-01T00:00:00Z' } },
      { ID: 'tag', Status: 'Disabled', Filter: { Tag: [{ Key: 'class', Value: 'scratch' }] }, Expiration: { Days: ' 7 ' } },
      { ID: 'size', Status: 'Enabled', Filter: { ObjectSizeGreaterThan: '1048576' }, NoncurrentVersionExpiration: { NoncurrentDays: '30', NewerNoncurrentVersions: '2' } },
      {
        ID: 'and',
        Status: 'Enabled',
        Filter: { And: { Prefix: 'a/', Tag: [{ Key: 'k', Value: 'v' }, { Key: 'k2' }], ObjectSizeLessThan: '100' } },
        Expiration: { Days: '3' },
      },
      { Status: 'Enabled', Filter: '', AbortIncompleteMultipartUpload: { DaysAfterInitiation: '2' }, Expiration: { ExpiredObjectDeleteMarker: 'true' } },
    );
    assert.deepEqual(config.rules, [
      { id: 'legacy', status: 'Enabled', filter: { legacyPrefix: 'tmp/' }, expiration: { date: '2030-01-01T00:00:00.000Z' } },
      { id: 'tag', status: 'Disabled', filter: { tag: ['class', 'scratch'] }, expiration: { days: 7 } },
      { id: 'size', status: 'Enabled', filter: { objectSizeGreaterThan: 1048576 }, noncurrentVersionExpiration: { noncurrentDays: 30, newerNoncurrentVersions: 2 } },
      {
        id: 'and',
        status: 'Enabled',
        filter: { and: { prefix: 'a/', tags: [['k', 'v'], ['k2', '']], objectSizeLessThan: 100 } },
        expiration: { days: 3 },
      },
      { id: 'generated', status: 'Enabled', filter: {}, expiration: { expiredObjectDeleteMarker: true }, abortIncompleteMultipartUpload: { daysAfterInitiation: 2 } },
    ]);
    assert.deepEqual(one({ Expiration: { Date: '2031-02-03' } }).expiration, { date: '2031-02-03T00:00:00.000Z' });
    assert.deepEqual(one({ Expiration: { Date: '2031-02-03T01:00:00+01:00' } }).expiration, { date: '2031-02-03T00:00:00.000Z' });
  });

  it('refuses what S3 refuses, with its codes', () => {
    const cases: [Tree | Tree[], ErrorCode, RegExp?][] = [
      [rule({ Status: 'enabled' }), 'MalformedXML'],
      [rule({ Status: '' }), 'MalformedXML'],
      [{ ID: 'x', Status: 'Enabled', Expiration: { Days: '1' } }, 'MalformedXML'], // neither Filter nor Prefix
      [rule({ Prefix: 'p' }), 'MalformedXML'], // both
      [rule({ Filter: { Prefix: 'a', Tag: [{ Key: 'k', Value: 'v' }] } }), 'MalformedXML'], // two predicates outside And
      [rule({ Filter: { And: { Prefix: 'a' } } }), 'MalformedXML'], // And needs two
      [rule({ Filter: { Tag: [{ Value: 'v' }] } }), 'MalformedXML'],
      [rule({ Filter: { ObjectSizeGreaterThan: '-1' } }), 'MalformedXML'],
      [rule({ Filter: { ObjectSizeGreaterThan: 'big' } }), 'MalformedXML'],
      [rule({ Filter: { And: { ObjectSizeGreaterThan: '10', ObjectSizeLessThan: '10' } } }), 'InvalidArgument', /less than/],
      [rule({ Filter: { And: { Prefix: 'a', Tag: [{ Key: 'k', Value: '1' }, { Key: 'k', Value: '2' }] } } }), 'InvalidArgument', /Duplicate Tag Keys/],
      [rule({ Expiration: '' }), 'MalformedXML'],
      [rule({ Expiration: { Days: 'one' } }), 'MalformedXML'],
      [rule({ Expiration: { Days: '0' } }), 'InvalidArgument', /'Days' for Expiration action must be a positive integer/],
      [rule({ Expiration: { Days: '-3' } }), 'InvalidArgument', /positive integer/],
      [rule({ Expiration: { Days: '1', Date: '2030-01-01T00:00:00Z' } }), 'MalformedXML'],
      [rule({ Expiration: { Days: '1', ExpiredObjectDeleteMarker: 'true' } }), 'MalformedXML'],
      [rule({ Expiration: { ExpiredObjectDeleteMarker: 'yes' } }), 'MalformedXML'],
      [rule({ Expiration: { Date: '20200101' } }), 'MalformedXML'],
      [rule({ Expiration: { Date: '2030-01-01T10:00:00Z' } }), 'InvalidArgument', /'Date' must be at midnight GMT/],
      [rule({ Expiration: undefined as never, NoncurrentVersionExpiration: { NewerNoncurrentVersions: '1' } }), 'MalformedXML'],
      [rule({ NoncurrentVersionExpiration: { NoncurrentDays: '0' } }), 'InvalidArgument', /'NoncurrentDays'/],
      [rule({ NoncurrentVersionExpiration: { NoncurrentDays: '1', NewerNoncurrentVersions: '101' } }), 'InvalidArgument', /NewerNoncurrentVersions/],
      [rule({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: '0' } }), 'InvalidArgument', /'DaysAfterInitiation'/],
      [rule({ AbortIncompleteMultipartUpload: '' }), 'MalformedXML'],
      [rule({ Filter: { Tag: [{ Key: 'k', Value: 'v' }] }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: '1' } }), 'InvalidArgument', /Tags/],
      [rule({ Filter: { ObjectSizeLessThan: '5' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: '1' } }), 'InvalidArgument', /Object Size/],
      [rule({ Filter: { Tag: [{ Key: 'k', Value: 'v' }] }, Expiration: { ExpiredObjectDeleteMarker: 'true' } }), 'InvalidArgument', /Tags/],
      [{ ID: 'x', Status: 'Enabled', Filter: '' }, 'InvalidRequest', /At least one action/],
      [rule({ ID: 'x'.repeat(256) }), 'InvalidArgument', /ID length should not exceed allowed limit of 255/],
      [[rule({ ID: 'same' }), rule({ ID: 'same' })], 'InvalidArgument', /Rule ID must be unique/],
      [rule({ Unknown: 'x' }), 'MalformedXML'],
      [rule({ Status: ['Enabled', 'Disabled'] }), 'MalformedXML'],
      [rule({ Transition: { Days: '30', StorageClass: 'GLACIER' } }), 'NotImplemented'],
    ];
    for (const [input, code, message] of cases) {
      const rules = Array.isArray(input) ? input : [input];
      rejects(() => parse(...rules), code, message);
    }
    rejects(() => parseLifecycleConfiguration({}), 'MalformedXML');
    rejects(() => parseLifecycleConfiguration(undefined), 'MalformedXML');
    rejects(() => parseLifecycleConfiguration({ Rule: [rule({})], '#text': 'stray' }), 'MalformedXML');
    const many = Array.from({ length: 1001 }, (_, i) => rule({ ID: `r${i}` }));
    rejects(() => parse(...many), 'InvalidArgument', /1000/);
    assert.equal(parse(...many.slice(0, 1000)).rules.length, 1000);
  });

  it('accepts an absent ID by generating one, and whitespace between elements', () => {
    const config = parseLifecycleConfiguration({ Rule: [{ Status: 'Enabled', Prefix: '', Expiration: { Days: '1' }, '#text': '\n  ' }], '#text': '\n' });
    assert.equal(config.rules[0]!.id.length > 20, true);
  });
});

describe('lifecycle: matching', () => {
  const obj = (key: string, size = 10, tags: [string, string][] = [], isDeleteMarker = false) => ({ key, size, tags, isDeleteMarker });

  it('prefix, tags (all of them, extra tags allowed), strict size bounds', () => {
    const scope = filterScope({ and: { prefix: 'a/', tags: [['k', 'v'], ['e', '']], objectSizeGreaterThan: 10, objectSizeLessThan: 100 } });
    assert.equal(ruleMatches(scope, obj('a/x', 50, [['k', 'v'], ['e', ''], ['other', '1']])), true);
    assert.equal(ruleMatches(scope, obj('b/x', 50, [['k', 'v'], ['e', '']])), false);
    assert.equal(ruleMatches(scope, obj('a/x', 50, [['k', 'v']])), false, 'every tag must match');
    assert.equal(ruleMatches(scope, obj('a/x', 50, [['k', 'V'], ['e', '']])), false, 'values are exact');
    assert.equal(ruleMatches(scope, obj('a/x', 10, [['k', 'v'], ['e', '']])), false, 'greater than is strict');
    assert.equal(ruleMatches(scope, obj('a/x', 100, [['k', 'v'], ['e', '']])), false, 'less than is strict');
    assert.equal(ruleMatches(filterScope({ objectSizeGreaterThan: 5 }), obj('x', 0, [], true)), true, 'size never excludes a delete marker');
    assert.equal(ruleMatches(filterScope({}), obj('anything')), true);
    assert.equal(ruleMatches(filterScope({ legacyPrefix: 'tmp/' }), obj('tmp/1')), true);
    assert.equal(ruleMatches(filterScope({ tag: ['k', 'v'] }), obj('x', 1, [['k', 'v']])), true);
  });

  it('falls due at the next midnight UTC after start + days', () => {
    assert.equal(dueAfterDays(new Date('2014-01-15T10:30:00Z'), 3).toISOString(), '2014-01-19T00:00:00.000Z');
    assert.equal(dueAfterDays(new Date('2014-01-15T00:00:00Z'), 1).toISOString(), '2014-01-17T00:00:00.000Z');
    assert.equal(dueAfterDays(new Date('2014-01-15T23:59:59.999Z'), 1).toISOString(), '2014-01-17T00:00:00.000Z');
    const days = one({});
    assert.equal(currentExpiryDue(days, new Date('2014-01-15T10:30:00Z'))?.toISOString(), '2014-01-17T00:00:00.000Z');
    const dated = one({ Expiration: { Date: '2030-01-01T00:00:00Z' } });
    assert.equal(currentExpiryDue(dated, new Date('2014-01-15T10:30:00Z'))?.toISOString(), '2030-01-01T00:00:00.000Z');
    const markers = one({ Expiration: { ExpiredObjectDeleteMarker: 'true' } });
    assert.equal(currentExpiryDue(markers, new Date()), null);
    const written = new Date('2014-01-15T10:30:00Z');
    assert.equal(expiredMarkerDue(markers, written), written, 'at once');
    assert.equal(expiredMarkerDue(days, written)?.toISOString(), '2014-01-17T00:00:00.000Z', 'Days also clean expired markers up');
    assert.equal(expiredMarkerDue(dated, written), null);
  });

  it('reads the stored document and keeps the enabled rules', () => {
    assert.equal(storedLifecycle({ config: {} }), null);
    const config = parse(rule({ ID: 'on' }), rule({ ID: 'off', Status: 'Disabled' }));
    const stored = storedLifecycle({ config: { [LIFECYCLE_CONFIG]: JSON.parse(JSON.stringify(config)) } });
    assert.deepEqual(stored, config);
    assert.deepEqual(enabledRules(stored).map((r) => r.id), ['on']);
  });
});
