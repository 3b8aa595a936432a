/**
 * Bucket policies: the grammar S3 accepts (and MalformedPolicy for the rest),
 * statement evaluation with conditions, and the access decision (Deny over
 * everything, then owner/root, then Allow), as pure functions.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  authorizeBucketAccess,
  DENY_ALL_POLICY,
  evaluatePolicy,
  namedPrincipals,
  parseBucketPolicy,
  policyIsPublic,
  type AccessRequest,
  type BucketPolicy,
} from '../../src/core/bucket-policy.ts';
import { isSignetError } from '../../src/core/errors.ts';
import { globMatch, globMatchesSomeExtension } from '../../src/core/glob.ts';
import type { Principal } from '../../src/core/types.ts';

const B = 'models';
const owner: Principal = { userId: 'u-owner', userName: 'alice', isRoot: false, accessKeyId: 'AK1' };
const bob: Principal = { userId: 'u-bob', userName: 'bob', isRoot: false, accessKeyId: 'AK2' };
const root: Principal = { userId: 'u-root', userName: 'root', isRoot: true, accessKeyId: 'AK0' };
const anonymous: Principal = { userId: 'anonymous', userName: 'anonymous', isRoot: false, accessKeyId: '', anonymous: true };
const bucket = { name: B, ownerId: owner.userId };

function policy(...statements: unknown[]): BucketPolicy {
  return parseBucketPolicy(JSON.stringify({ Version: '2012-10-17', Statement: statements }), B);
}

function request(action: string, key: string | null, context: Record<string, string> = {}): AccessRequest {
  return { bucket: B, action, key, context };
}

function malformed(doc: unknown, message?: RegExp): void {
  const text = typeof doc === 'string' ? doc : JSON.stringify(doc);
  assert.throws(
    () => parseBucketPolicy(text, B),
    (e: unknown) => isSignetError(e) && e.code === 'MalformedPolicy' && (message === undefined || message.test(e.message)),
    `expected MalformedPolicy for ${text}`,
  );
}

function allowed(p: BucketPolicy | null, who: Principal, ...requests: AccessRequest[]): boolean {
  try {
    authorizeBucketAccess(bucket, p, who, requests);
    return true;
  } catch (e) {
    if (isSignetError(e) && e.code === 'AccessDenied') return false;
    throw e;
  }
}

const publicRead = { Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/public/*` };

describe('glob matching', () => {
  it('matches * and ? across the whole text, case-sensitive unless asked', () => {
    assert.ok(globMatch('a*c', 'abbbc'));
    assert.ok(globMatch('a*c', 'ac'));
    assert.ok(!globMatch('a*c', 'acb'));
    assert.ok(globMatch('a?c', 'abc'));
    assert.ok(!globMatch('a?c', 'ac'));
    assert.ok(globMatch('s3:get*', 's3:GetObject', true));
    assert.ok(!globMatch('s3:get*', 's3:GetObject'));
    assert.ok(globMatch('*', ''));
    assert.ok(globMatch('x/*/y', 'x/a/b/y'));
    assert.ok(globMatch('é*😀', 'éabc😀'));
  });

  it('knows when some extension of a prefix could match', () => {
    assert.ok(globMatchesSomeExtension('arn:aws:s3:::models/*', 'arn:aws:s3:::models/'));
    assert.ok(globMatchesSomeExtension('arn:aws:s3:::mod*', 'arn:aws:s3:::models/'));
    assert.ok(!globMatchesSomeExtension('arn:aws:s3:::models', 'arn:aws:s3:::models/'));
    assert.ok(!globMatchesSomeExtension('arn:aws:s3:::other/*', 'arn:aws:s3:::models/'));
  });

  it('stays linear on hostile patterns', () => {
    const started = Date.now();
    assert.ok(!globMatch('*a*a*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(5000)));
    assert.ok(Date.now() - started < 2000);
  });
});

describe('parsing bucket policies', () => {
  it('accepts the common shapes: Principal * or {AWS}, single or listed actions and resources, conditions', () => {
    const p = parseBucketPolicy(
      JSON.stringify({
        Version: '2012-10-17',
        Id: 'p1',
        Statement: [
          publicRead,
          { Effect: 'Allow', Principal: { AWS: ['bob', 'arn:aws:iam::123456789012:user/carol', 'arn:aws:iam::123456789012:root'] }, Action: ['s3:Get*', 's3:ListBucket'], Resource: [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/*`] },
          { Effect: 'Deny', Principal: { AWS: '*' }, NotAction: 's3:GetObject', NotResource: `arn:aws:s3:::${B}/keep/*`, Condition: { Bool: { 'aws:SecureTransport': false } } },
          {
            Effect: 'Allow',
            NotPrincipal: { CanonicalUser: 'u-bob' },
            Action: 's3:ListBucket',
            Resource: `arn:aws:s3:::${B}`,
            Condition: {
              StringLike: { 's3:prefix': ['public/*', ''] },
              NumericLessThanEquals: { 's3:max-keys': 100 },
              IpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '2001:db8::/32', '192.0.2.7'] },
              DateLessThan: { 'aws:CurrentTime': '2100-01-01T00:00:00Z' },
              StringNotEqualsIfExists: { 'aws:Referer': 'http://evil.example' },
              Null: { 'aws:username': 'false' },
            },
          },
        ],
      }),
      B,
    );
    assert.equal(p.statements.length, 4);
    assert.deepEqual(namedPrincipals(p), { names: ['bob', 'carol'], ids: ['u-bob'] });
    // A single statement object and a missing Version are accepted too.
    parseBucketPolicy(JSON.stringify({ Statement: publicRead }), B);
    parseBucketPolicy(JSON.stringify({ Version: '2008-10-17', Statement: [{ ...publicRead, Action: '*', Resource: 'arn:aws:s3:::*' }] }), B);
  });

  it('refuses what S3 refuses, with MalformedPolicy', () => {
    malformed('not json', /valid JSON/);
    malformed('[1,2]', /valid JSON/);
    malformed({ Version: '2012-10-17' }, /Statement/);
    malformed({ Statement: [] });
    malformed({ Version: '2020-01-01', Statement: [publicRead] }, /Version/);
    malformed({ Statement: [publicRead], Extra: 1 }, /Unknown field Extra/);
    malformed({ Statement: [{ ...publicRead, Effect: 'Maybe' }] }, /effect/i);
    malformed({ Statement: [{ ...publicRead, Effect: undefined }] }, /Effect/);
    malformed({ Statement: [{ ...publicRead, Principal: undefined }] }, /Principal/);
    malformed({ Statement: [{ ...publicRead, Principal: { Service: 'ec2.amazonaws.com' } }] }, /principal/);
    malformed({ Statement: [{ ...publicRead, Principal: { AWS: 'not a user!' } }] }, /principal/);
    malformed({ Statement: [{ ...publicRead, Action: undefined }] }, /Action/);
    malformed({ Statement: [{ ...publicRead, NotAction: 's3:PutObject' }] }, /both/);
    malformed({ Statement: [{ ...publicRead, Action: 'iam:CreateUser' }] }, /invalid action/);
    malformed({ Statement: [{ ...publicRead, Action: 's3:GetObjekt' }] }, /invalid action/);
    malformed({ Statement: [{ ...publicRead, Action: 's3:Frobnicate*' }] }, /invalid action/);
    malformed({ Statement: [{ ...publicRead, Action: [] }] });
    malformed({ Statement: [{ ...publicRead, Resource: 'arn:aws:s3:::other-bucket/*' }] }, /invalid resource/);
    malformed({ Statement: [{ ...publicRead, Resource: '*' }] }, /invalid resource/);
    malformed({ Statement: [{ ...publicRead, Resource: `arn:aws:s3:::${B}` }] }, /does not apply/);
    malformed({ Statement: [{ ...publicRead, Action: 's3:ListBucket' }] }, /does not apply/);
    malformed({ Statement: [{ ...publicRead, Condition: { StringEquals: { 'aws:Nonsense': 'x' } } }] }, /condition key/);
    malformed({ Statement: [{ ...publicRead, Condition: { StringSortOf: { 'aws:UserAgent': 'x' } } }] }, /Condition type/);
    malformed({ Statement: [{ ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } }] }, /IP/);
    malformed({ Statement: [{ ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': 'example.com' } } }] }, /IP/);
    malformed({ Statement: [{ ...publicRead, Condition: { IpAddress: { 'aws:UserAgent': '10.0.0.0/8' } } }] });
    malformed({ Statement: [{ ...publicRead, Condition: { NumericLessThan: { 's3:max-keys': 'ten' } } }] }, /numbers/);
    malformed({ Statement: [{ ...publicRead, Condition: { DateLessThan: { 'aws:CurrentTime': 'tomorrow' } } }] }, /date/i);
    malformed({ Statement: [{ ...publicRead, Condition: { Bool: { 'aws:SecureTransport': 'yes' } } }] }, /true or false/);
    malformed({ Statement: [{ ...publicRead, Condition: { StringEquals: { 'aws:UserAgent': [] } } }] });
    malformed({ Statement: [{ ...publicRead, Condition: { StringEquals: { 'aws:UserAgent': { nested: 1 } } } }] });
    malformed({ Statement: [publicRead, { ...publicRead }] }, /unique/);
    malformed({ Statement: [{ ...publicRead, Sid: 7 }] });
    malformed({ Statement: [{ ...publicRead, Surprise: true }] }, /Unknown field Surprise/);
    malformed(JSON.stringify({ Statement: [{ ...publicRead, Sid: 'x'.repeat(21 * 1024) }] }), /20 KB/);
  });
});

describe('evaluating statements', () => {
  it('public read on a prefix: inside yes, outside and other actions no', () => {
    const p = policy(publicRead);
    assert.equal(evaluatePolicy(p, anonymous, request('s3:GetObject', 'public/a.txt')), 'Allow');
    assert.equal(evaluatePolicy(p, anonymous, request('s3:GetObject', 'private/a.txt')), 'None');
    assert.equal(evaluatePolicy(p, anonymous, request('s3:PutObject', 'public/a.txt')), 'None');
    assert.equal(evaluatePolicy(p, anonymous, request('s3:ListBucket', null)), 'None');
    assert.equal(evaluatePolicy(p, { ...bob, isRoot: false }, request('s3:GetObject', 'public/x')), 'Allow');
  });

  it('named principals match users (by name, ARN or canonical id), never anonymous callers', () => {
    const p = policy({ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::123456789012:user/bob'] }, Action: 's3:*', Resource: `arn:aws:s3:::${B}/*` });
    assert.equal(evaluatePolicy(p, bob, request('s3:PutObject', 'k')), 'Allow');
    assert.equal(evaluatePolicy(p, owner, request('s3:PutObject', 'k')), 'None');
    assert.equal(evaluatePolicy(p, { ...anonymous, userName: 'bob' }, request('s3:PutObject', 'k')), 'None');
    const byId = policy({ Effect: 'Allow', Principal: { CanonicalUser: 'u-bob' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*` });
    assert.equal(evaluatePolicy(byId, bob, request('s3:GetObject', 'k')), 'Allow');
    const rootOnly = policy({ Effect: 'Allow', Principal: { AWS: '123456789012' }, Action: 's3:GetObject', Resource: `arn:aws:s3:::${B}/*` });
    assert.equal(evaluatePolicy(rootOnly, root, request('s3:GetObject', 'k')), 'Allow');
    assert.equal(evaluatePolicy(rootOnly, bob, request('s3:GetObject', 'k')), 'None');
  });

  it('actions match case-insensitively with wildcards; NotAction, NotResource and NotPrincipal invert', () => {
    const p = policy(
      { Sid: 'a', Effect: 'Allow', Principal: '*', Action: 's3:get*', Resource: `arn:aws:s3:::${B}/*` },
      { Sid: 'd', Effect: 'Deny', NotPrincipal: { AWS: 'bob' }, NotAction: ['s3:GetObject'], NotResource: `arn:aws:s3:::${B}/scratch/*` },
    );
    assert.equal(evaluatePolicy(p, anonymous, request('s3:GetObject', 'x')), 'Allow');
    assert.equal(evaluatePolicy(p, anonymous, request('s3:GetObjectTagging', 'x')), 'Deny', 'allowed by s3:get*, denied by NotAction');
    assert.equal(evaluatePolicy(p, bob, request('s3:GetObjectTagging', 'x')), 'Allow', 'bob is outside NotPrincipal');
    assert.equal(evaluatePolicy(p, anonymous, request('s3:PutObject', 'x')), 'Deny');
    assert.equal(evaluatePolicy(p, anonymous, request('s3:PutObject', 'scratch/x')), 'None');
    assert.equal(evaluatePolicy(p, bob, request('s3:PutObject', 'x')), 'None');
  });

  it('conditions: strings, wildcards, numbers, dates, booleans, IP ranges, IfExists, Null, absent keys', () => {
    const st = (Condition: unknown) => policy({ Effect: 'Allow', Principal: '*', Action: 's3:ListBucket', Resource: `arn:aws:s3:::${B}`, Condition });
    const list = (context: Record<string, string>) => request('s3:ListBucket', null, context);
    assert.equal(evaluatePolicy(st({ StringEquals: { 's3:prefix': 'a/' } }), anonymous, list({ 's3:prefix': 'a/' })), 'Allow');
    assert.equal(evaluatePolicy(st({ StringEquals: { 's3:prefix': 'a/' } }), anonymous, list({ 's3:prefix': 'A/' })), 'None');
    assert.equal(evaluatePolicy(st({ StringEqualsIgnoreCase: { 's3:prefix': 'a/' } }), anonymous, list({ 's3:prefix': 'A/' })), 'Allow');
    assert.equal(evaluatePolicy(st({ StringEquals: { 's3:prefix': 'a/' } }), anonymous, list({})), 'None', 'absent key: positive operator is false');
    assert.equal(evaluatePolicy(st({ StringNotEquals: { 's3:prefix': 'a/' } }), anonymous, list({})), 'Allow', 'absent key: negated operator is true');
    assert.equal(evaluatePolicy(st({ StringNotEquals: { 's3:prefix': ['a/', 'b/'] } }), anonymous, list({ 's3:prefix': 'b/' })), 'None');
    assert.equal(evaluatePolicy(st({ StringLike: { 's3:prefix': ['home/*', 'pub?/*'] } }), anonymous, list({ 's3:prefix': 'pubs/x' })), 'Allow');
    assert.equal(evaluatePolicy(st({ StringNotLike: { 's3:prefix': 'home/*' } }), anonymous, list({ 's3:prefix': 'home/x' })), 'None');
    assert.equal(evaluatePolicy(st({ NumericLessThanEquals: { 's3:max-keys': '10' } }), anonymous, list({ 's3:max-keys': '10' })), 'Allow');
    assert.equal(evaluatePolicy(st({ NumericLessThan: { 's3:max-keys': 10 } }), anonymous, list({ 's3:max-keys': '10' })), 'None');
    assert.equal(evaluatePolicy(st({ NumericGreaterThan: { 's3:max-keys': 10 } }), anonymous, list({ 's3:max-keys': '11' })), 'Allow');
    const now = { 'aws:currenttime': '2030-06-01T00:00:00.000Z', 'aws:epochtime': String(Date.parse('2030-06-01') / 1000) };
    assert.equal(evaluatePolicy(st({ DateLessThan: { 'aws:CurrentTime': '2031-01-01T00:00:00Z' } }), anonymous, list(now)), 'Allow');
    assert.equal(evaluatePolicy(st({ DateGreaterThan: { 'aws:CurrentTime': '2031-01-01T00:00:00Z' } }), anonymous, list(now)), 'None');
    assert.equal(evaluatePolicy(st({ DateGreaterThanEquals: { 'aws:EpochTime': Date.parse('2030-01-01') / 1000 } }), anonymous, list(now)), 'Allow');
    assert.equal(evaluatePolicy(st({ Bool: { 'aws:SecureTransport': 'true' } }), anonymous, list({ 'aws:securetransport': 'false' })), 'None');
    assert.equal(evaluatePolicy(st({ Bool: { 'aws:SecureTransport': false } }), anonymous, list({ 'aws:securetransport': 'false' })), 'Allow');
    const ip = st({ IpAddress: { 'aws:SourceIp': ['192.0.2.0/24', '2001:db8::/32'] } });
    assert.equal(evaluatePolicy(ip, anonymous, list({ 'aws:sourceip': '192.0.2.77' })), 'Allow');
    assert.equal(evaluatePolicy(ip, anonymous, list({ 'aws:sourceip': '::ffff:192.0.2.77' })), 'Allow');
    assert.equal(evaluatePolicy(ip, anonymous, list({ 'aws:sourceip': '2001:db8::1' })), 'Allow');
    assert.equal(evaluatePolicy(ip, anonymous, list({ 'aws:sourceip': '198.51.100.1' })), 'None');
    assert.equal(evaluatePolicy(st({ NotIpAddress: { 'aws:SourceIp': '127.0.0.0/8' } }), anonymous, list({ 'aws:sourceip': '127.0.0.1' })), 'None');
    assert.equal(evaluatePolicy(st({ StringEqualsIfExists: { 'aws:Referer': 'https://app' } }), anonymous, list({})), 'Allow');
    assert.equal(evaluatePolicy(st({ StringEqualsIfExists: { 'aws:Referer': 'https://app' } }), anonymous, list({ 'aws:referer': 'https://evil' })), 'None');
    assert.equal(evaluatePolicy(st({ Null: { 'aws:username': 'true' } }), anonymous, list({})), 'Allow');
    assert.equal(evaluatePolicy(st({ Null: { 'aws:username': 'true' } }), bob, list({ 'aws:username': 'bob' })), 'None');
    // Keys are case-insensitive; several operators and keys all have to hold.
    const both = st({ StringEquals: { 'AWS:USERNAME': 'bob' }, StringLike: { 'aws:UserAgent': '*curl*' } });
    assert.equal(evaluatePolicy(both, bob, list({ 'aws:username': 'bob', 'aws:useragent': 'curl/8' })), 'Allow');
    assert.equal(evaluatePolicy(both, bob, list({ 'aws:username': 'bob', 'aws:useragent': 'wget' })), 'None');
  });

  it('"some key" (DeleteObjects before its list is read) counts Allows that could cover a key, never Denies', () => {
    const p = policy(
      { Sid: 'a', Effect: 'Allow', Principal: { AWS: 'bob' }, Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${B}/tmp/*` },
      { Sid: 'd', Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${B}/*` },
    );
    assert.equal(evaluatePolicy(p, bob, { ...request('s3:DeleteObject', null), anyKey: true }), 'Allow');
    assert.equal(evaluatePolicy(p, bob, request('s3:DeleteObject', 'tmp/x')), 'Deny');
    assert.equal(evaluatePolicy(p, owner, { ...request('s3:DeleteObject', null), anyKey: true }), 'None');
  });
});

describe('the access decision', () => {
  it('without a policy: the owner and root only, as before policies existed', () => {
    assert.ok(allowed(null, owner, request('s3:GetObject', 'k')));
    assert.ok(allowed(null, root, request('s3:GetObject', 'k')));
    assert.ok(!allowed(null, bob, request('s3:GetObject', 'k')));
    assert.ok(!allowed(null, anonymous, request('s3:GetObject', 'k')));
    // Internal calls carry no request: the owner rule alone.
    assert.ok(allowed(null, owner));
    assert.ok(!allowed(null, bob));
  });

  it('an Allow lets others in only for what it names; every request of the call must be allowed', () => {
    const p = policy(publicRead);
    assert.ok(allowed(p, anonymous, request('s3:GetObject', 'public/a')));
    assert.ok(!allowed(p, anonymous, request('s3:GetObject', 'secret/a')));
    assert.ok(!allowed(p, anonymous, request('s3:PutObject', 'public/a')));
    assert.ok(!allowed(p, bob, request('s3:GetObject', 'public/a'), request('s3:PutObject', 'public/b')));
    assert.ok(!allowed(p, bob), 'no request for this bucket: no Allow can apply');
    // Requests for other buckets are not this bucket's business.
    assert.ok(allowed(p, bob, request('s3:GetObject', 'public/a'), { ...request('s3:PutObject', 'x'), bucket: 'elsewhere' }));
    // The owner still does everything else.
    assert.ok(allowed(p, owner, request('s3:PutObject', 'secret/a')));
  });

  it('an explicit Deny wins over Allow, ownership and root', () => {
    const p = policy(
      { Sid: 'all', Effect: 'Allow', Principal: '*', Action: 's3:*', Resource: `arn:aws:s3:::${B}/*` },
      { Sid: 'no-delete', Effect: 'Deny', Principal: '*', Action: 's3:DeleteObject', Resource: `arn:aws:s3:::${B}/locked/*` },
    );
    assert.ok(allowed(p, bob, request('s3:DeleteObject', 'free/a')));
    for (const who of [bob, owner, root, anonymous]) assert.ok(!allowed(p, who, request('s3:DeleteObject', 'locked/a')), who.userName);
  });

  it('policy management stays with the owner and root, whatever the policy says', () => {
    const p = policy(
      { Sid: 'deny-all', Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: [`arn:aws:s3:::${B}`, `arn:aws:s3:::${B}/*`] },
      { Sid: 'bob-admin', Effect: 'Allow', Principal: { AWS: 'bob' }, Action: 's3:*Policy*', Resource: `arn:aws:s3:::${B}` },
    );
    assert.ok(!allowed(p, owner, request('s3:GetObject', 'k')));
    assert.ok(!allowed(p, root, request('s3:ListBucket', null)));
    for (const action of ['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:GetBucketPolicyStatus']) {
      assert.ok(allowed(p, owner, request(action, null)), action);
      assert.ok(allowed(p, root, request(action, null)), action);
      assert.ok(!allowed(p, bob, request(action, null)), action);
    }
  });
});

describe('a stored policy that no longer parses', () => {
  it('stands for Deny everything: nobody gets in, but the owner and root can still manage the policy', () => {
    for (const who of [owner, root, bob, anonymous]) {
      assert.ok(!allowed(DENY_ALL_POLICY, who, request('s3:GetObject', 'k')), who.userName);
      assert.ok(!allowed(DENY_ALL_POLICY, who, request('s3:ListBucket', null)), who.userName);
    }
    assert.ok(allowed(DENY_ALL_POLICY, owner, request('s3:DeleteBucketPolicy', null)));
    assert.ok(allowed(DENY_ALL_POLICY, root, request('s3:PutBucketPolicy', null)));
    assert.equal(policyIsPublic(DENY_ALL_POLICY), false);
  });
});

describe('public status', () => {
  it('is public when everyone is allowed something without a caller-narrowing condition', () => {
    assert.equal(policyIsPublic(policy(publicRead)), true);
    assert.equal(policyIsPublic(policy({ ...publicRead, Effect: 'Deny' })), false);
    assert.equal(policyIsPublic(policy({ ...publicRead, Principal: { AWS: 'bob' } })), false);
    assert.equal(policyIsPublic(policy({ ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } })), false);
    assert.equal(policyIsPublic(policy({ ...publicRead, Condition: { StringLike: { 'aws:Referer': 'https://app/*' } } })), true);
  });
});
