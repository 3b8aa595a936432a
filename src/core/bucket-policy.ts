/**
 * @module
 * Bucket policies in the AWS JSON grammar: parsing (with S3's validation,
 * `MalformedPolicy` for anything it would refuse) and evaluation, as pure
 * functions. {@link authorizeBucketAccess} is the one decision every S3
 * request against a bucket goes through (called by `Buckets.require`):
 *
 * 1. The policy-management actions (Get/Put/DeleteBucketPolicy,
 *    GetBucketPolicyStatus) belong to the bucket owner and root, always: a
 *    policy can neither grant nor deny them, so a bad policy can always be
 *    read and undone (AWS keeps the same escape hatch for the account root).
 * 2. An explicit `Deny` that applies refuses the request, whoever asks:
 *    owner and root included.
 * 3. The owner and root are let in (Signet's rule without policies).
 * 4. Anyone else, anonymous callers included, needs an `Allow` for every
 *    action the request performs on this bucket.
 *
 * Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
 * Condition semantics: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
 */
import { BlockList, isIP } from 'node:net';
import { fail } from './errors.ts';
import { globMatch, globMatchesSomeExtension } from './glob.ts';
import type { Principal } from './types.ts';

/** One thing a request does to a bucket, as IAM names it. */
export interface AccessRequest {
  readonly bucket: string;
  /** `s3:GetObject`, `s3:ListBucket`, ... */
  readonly action: string;
  /** The object key for object-level actions; null for bucket-level ones. */
  readonly key: string | null;
  /**
   * Some key of the bucket, not known yet (DeleteObjects before its list is
   * read): only an Allow that could cover some key counts, no Deny applies;
   * each key is then checked on its own.
   */
  readonly anyKey?: boolean;
  /** Condition keys of the request, in lower case (`aws:sourceip`, `s3:prefix`); absent keys are not in the request. */
  readonly context: Readonly<Record<string, string>>;
}

export type Effect = 'Allow' | 'Deny';
export type Decision = Effect | 'None';

interface PrincipalSet {
  /** `*`: everyone, anonymous callers included. */
  readonly everyone: boolean;
  readonly userNames: readonly string[];
  readonly userIds: readonly string[];
  /** `arn:aws:iam::<account>:root` or a bare account id: Signet's root user. */
  readonly root: boolean;
}

interface Matcher {
  /** NotAction / NotResource / NotPrincipal. */
  readonly not: boolean;
  readonly patterns: readonly string[];
}

interface Condition {
  /** The operator without `IfExists`: `StringEquals`, `IpAddress`, ... */
  readonly operator: Operator;
  readonly ifExists: boolean;
  /** Lower case. */
  readonly key: string;
  readonly values: readonly string[];
  /** For IpAddress / NotIpAddress. */
  readonly ranges?: BlockList;
}

export interface PolicyStatement {
  readonly sid: string | null;
  readonly effect: Effect;
  readonly principal: PrincipalSet & { readonly not: boolean };
  readonly action: Matcher;
  readonly resource: Matcher;
  readonly conditions: readonly Condition[];
}

export interface BucketPolicy {
  readonly statements: readonly PolicyStatement[];
}

/** Managed by the owner and root only; see the module comment. */
export const POLICY_MANAGEMENT_ACTIONS: ReadonlySet<string> = new Set(['s3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy', 's3:GetBucketPolicyStatus']);

/** S3's documents may not exceed 20 KB. */
export const MAX_POLICY_BYTES = 20 * 1024;

const OBJECT_ACTIONS = [
  'AbortMultipartUpload',
  'BypassGovernanceRetention',
  'DeleteObject',
  'DeleteObjectTagging',
  'DeleteObjectVersion',
  'DeleteObjectVersionTagging',
  'GetObject',
  'GetObjectAcl',
  'GetObjectAttributes',
  'GetObjectLegalHold',
  'GetObjectRetention',
  'GetObjectTagging',
  'GetObjectTorrent',
  'GetObjectVersion',
  'GetObjectVersionAcl',
  'GetObjectVersionAttributes',
  'GetObjectVersionForReplication',
  'GetObjectVersionTagging',
  'GetObjectVersionTorrent',
  'ListMultipartUploadParts',
  'ObjectOwnerOverrideToBucketOwner',
  'PutObject',
  'PutObjectAcl',
  'PutObjectLegalHold',
  'PutObjectRetention',
  'PutObjectTagging',
  'PutObjectVersionAcl',
  'PutObjectVersionTagging',
  'ReplicateDelete',
  'ReplicateObject',
  'ReplicateTags',
  'RestoreObject',
];

const BUCKET_ACTIONS = [
  'CreateBucket',
  'DeleteBucket',
  'DeleteBucketOwnershipControls',
  'DeleteBucketPolicy',
  'DeleteBucketWebsite',
  'GetAccelerateConfiguration',
  'GetAnalyticsConfiguration',
  'GetBucketAcl',
  'GetBucketCORS',
  'GetBucketLocation',
  'GetBucketLogging',
  'GetBucketNotification',
  'GetBucketObjectLockConfiguration',
  'GetBucketOwnershipControls',
  'GetBucketPolicy',
  'GetBucketPolicyStatus',
  'GetBucketPublicAccessBlock',
  'GetBucketRequestPayment',
  'GetBucketTagging',
  'GetBucketVersioning',
  'GetBucketWebsite',
  'GetEncryptionConfiguration',
  'GetIntelligentTieringConfiguration',
  'GetInventoryConfiguration',
  'GetLifecycleConfiguration',
  'GetMetricsConfiguration',
  'GetReplicationConfiguration',
  'ListBucket',
  'ListBucketMultipartUploads',
  'ListBucketVersions',
  // MinIO's extension (ListenBucketNotification).
  'ListenBucketNotification',
  'PutAccelerateConfiguration',
  'PutAnalyticsConfiguration',
  'PutBucketAcl',
  'PutBucketCORS',
  'PutBucketLogging',
  'PutBucketNotification',
  'PutBucketObjectLockConfiguration',
  'PutBucketOwnershipControls',
  'PutBucketPolicy',
  'PutBucketPublicAccessBlock',
  'PutBucketRequestPayment',
  'PutBucketTagging',
  'PutBucketVersioning',
  'PutBucketWebsite',
  'PutEncryptionConfiguration',
  'PutIntelligentTieringConfiguration',
  'PutInventoryConfiguration',
  'PutLifecycleConfiguration',
  'PutMetricsConfiguration',
  'PutReplicationConfiguration',
];

/** Every S3 action a bucket policy may name, with what its resource is. */
const KNOWN_ACTIONS: ReadonlyMap<string, 'object' | 'bucket'> = new Map([
  ...OBJECT_ACTIONS.map((a) => [`s3:${a}`, 'object'] as const),
  ...BUCKET_ACTIONS.map((a) => [`s3:${a}`, 'bucket'] as const),
]);

const STRING_OPERATORS = ['StringEquals', 'StringNotEquals', 'StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase', 'StringLike', 'StringNotLike'] as const;
const NUMERIC_OPERATORS = ['NumericEquals', 'NumericNotEquals', 'NumericLessThan', 'NumericLessThanEquals', 'NumericGreaterThan', 'NumericGreaterThanEquals'] as const;
const DATE_OPERATORS = ['DateEquals', 'DateNotEquals', 'DateLessThan', 'DateLessThanEquals', 'DateGreaterThan', 'DateGreaterThanEquals'] as const;
const OPERATORS = [...STRING_OPERATORS, ...NUMERIC_OPERATORS, ...DATE_OPERATORS, 'Bool', 'IpAddress', 'NotIpAddress', 'Null'] as const;
type Operator = (typeof OPERATORS)[number];

/** Operators that hold when the value matches none of the policy's values (and when the key is absent). */
const NEGATED: ReadonlySet<Operator> = new Set(['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'NumericNotEquals', 'DateNotEquals', 'NotIpAddress']);

/** The condition keys Signet fills in (lower case). */
export const CONDITION_KEYS: ReadonlySet<string> = new Set([
  'aws:sourceip',
  'aws:securetransport',
  'aws:currenttime',
  'aws:epochtime',
  'aws:username',
  'aws:userid',
  'aws:principaltype',
  'aws:referer',
  'aws:useragent',
  's3:prefix',
  's3:delimiter',
  's3:max-keys',
  's3:authtype',
  's3:signatureversion',
]);

/** Keys that name who may call: a statement restricted by them is not public. */
const CALLER_KEYS: ReadonlySet<string> = new Set(['aws:sourceip', 'aws:username', 'aws:userid', 'aws:principaltype']);

function malformed(message: string): never {
  fail('MalformedPolicy', message);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string or a non-empty list of strings. */
function stringList(value: unknown, field: string): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value as string[];
  return malformed(`${field} must be a string or a non-empty array of strings`);
}

function actionPattern(raw: string): string {
  if (raw === '*') return raw;
  const m = /^s3:([A-Za-z0-9*?]+)$/i.exec(raw);
  if (!m) malformed('Policy has invalid action');
  const pattern = `s3:${m[1]}`;
  const any = [...KNOWN_ACTIONS.keys()].some((a) => globMatch(pattern, a, true));
  if (!any) malformed('Policy has invalid action');
  return pattern;
}

const ARN_PREFIX = 'arn:aws:s3:::';

function resourcePattern(raw: string, bucket: string): string {
  if (!raw.startsWith(ARN_PREFIX)) malformed('Policy has invalid resource');
  // A bucket policy speaks of its own bucket and its objects only.
  if (resourceKinds([raw], bucket).size === 0) malformed('Policy has invalid resource');
  return raw;
}

function resourceKinds(patterns: readonly string[], bucket: string): Set<'object' | 'bucket'> {
  const kinds = new Set<'object' | 'bucket'>();
  for (const p of patterns) {
    if (globMatch(p, `${ARN_PREFIX}${bucket}`)) kinds.add('bucket');
    if (globMatchesSomeExtension(p, `${ARN_PREFIX}${bucket}/`)) kinds.add('object');
  }
  return kinds;
}

const ACCOUNT_ROOT = /^arn:aws:iam::(\d{12}|\*)?:root$/;
const USER_ARN = /^arn:aws:iam::(\d{12}|\*)?:user\/(?:[^/]+\/)*([^/]+)$/;

function parsePrincipal(value: unknown): PrincipalSet {
  if (value === '*') return { everyone: true, userNames: [], userIds: [], root: false };
  if (!isObject(value) || Object.keys(value).length === 0) malformed('Invalid principal in policy');
  const userNames: string[] = [];
  const userIds: string[] = [];
  let root = false;
  let everyone = false;
  for (const [kind, entries] of Object.entries(value)) {
    if (kind === 'AWS') {
      for (const entry of stringList(entries, 'Principal')) {
        let m: RegExpExecArray | null;
        if (entry === '*') everyone = true;
        else if (ACCOUNT_ROOT.test(entry) || /^\d{12}$/.test(entry)) root = true;
        else if ((m = USER_ARN.exec(entry))) userNames.push(m[2]!);
        else if (/^[A-Za-z0-9_.@+=,-]{1,64}$/.test(entry)) userNames.push(entry);
        else malformed('Invalid principal in policy');
      }
    } else if (kind === 'CanonicalUser') {
      userIds.push(...stringList(entries, 'Principal'));
    } else {
      malformed('Invalid principal in policy');
    }
  }
  return { everyone, userNames, userIds, root };
}

function conditionValues(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) malformed('Invalid Condition: empty value list');
  return list.map((v) => {
    if (typeof v === 'string') return v;
    if (typeof v === 'number' || typeof v === 'boolean') return String(v);
    return malformed('Invalid Condition value: values must be strings, numbers or booleans');
  });
}

function parseCidr(raw: string): { address: string; prefix: number; type: 'ipv4' | 'ipv6' } {
  const [address = '', prefixText, extra] = raw.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) malformed(`Invalid IP address or range: ${raw}`);
  const max = family === 4 ? 32 : 128;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (!/^\d{1,3}$/.test(prefixText ?? String(max)) || prefix > max) malformed(`Invalid IP address or range: ${raw}`);
  return { address, prefix, type: family === 4 ? 'ipv4' : 'ipv6' };
}

function timeOf(value: string): number {
  return /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
}

function parseCondition(block: unknown): Condition[] {
  if (!isObject(block)) malformed('Condition must be an object');
  const conditions: Condition[] = [];
  for (const [rawOperator, entries] of Object.entries(block)) {
    const ifExists = rawOperator.endsWith('IfExists') && rawOperator !== 'IfExists';
    const operator = (ifExists ? rawOperator.slice(0, -'IfExists'.length) : rawOperator) as Operator;
    if (!OPERATORS.includes(operator) || (ifExists && operator === 'Null')) malformed(`Invalid Condition type : ${rawOperator}`);
    if (!isObject(entries) || Object.keys(entries).length === 0) malformed(`Condition ${rawOperator} must map keys to values`);
    for (const [rawKey, rawValue] of Object.entries(entries)) {
      const key = rawKey.toLowerCase();
      if (!CONDITION_KEYS.has(key)) malformed(`Policy has an invalid condition key: ${rawKey}`);
      const values = conditionValues(rawValue);
      let ranges: BlockList | undefined;
      if (NUMERIC_OPERATORS.includes(operator as (typeof NUMERIC_OPERATORS)[number])) {
        if (!values.every((v) => /^-?\d+(\.\d+)?$/.test(v))) malformed(`Invalid Condition value for ${rawOperator}: numbers expected`);
      } else if (DATE_OPERATORS.includes(operator as (typeof DATE_OPERATORS)[number])) {
        if (!values.every((v) => Number.isFinite(timeOf(v)))) malformed(`Invalid Condition value for ${rawOperator}: ISO 8601 dates or epoch seconds expected`);
      } else if (operator === 'Bool' || operator === 'Null') {
        if (!values.every((v) => /^(true|false)$/i.test(v))) malformed(`Invalid Condition value for ${rawOperator}: true or false expected`);
      } else if (operator === 'IpAddress' || operator === 'NotIpAddress') {
        if (key !== 'aws:sourceip') malformed(`${rawOperator} applies to aws:SourceIp only`);
        ranges = new BlockList();
        for (const v of values) {
          const { address, prefix, type } = parseCidr(v);
          ranges.addSubnet(address, prefix, type);
        }
      }
      conditions.push({ operator, ifExists, key, values, ...(ranges ? { ranges } : {}) });
    }
  }
  return conditions;
}

const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Principal', 'NotPrincipal', 'Action', 'NotAction', 'Resource', 'NotResource', 'Condition']);

function oneOf(s: Record<string, unknown>, name: string): { not: boolean; value: unknown } {
  const has = s[name] !== undefined;
  const hasNot = s[`Not${name}`] !== undefined;
  if (has && hasNot) malformed(`A statement cannot have both ${name} and Not${name}`);
  if (!has && !hasNot) malformed(`Missing required field ${name}`);
  return has ? { not: false, value: s[name] } : { not: true, value: s[`Not${name}`] };
}

function parseStatement(s: unknown, bucket: string): PolicyStatement {
  if (!isObject(s)) malformed('Each Statement must be an object');
  for (const field of Object.keys(s)) if (!STATEMENT_FIELDS.has(field)) malformed(`Unknown field ${field}`);
  if (s.Sid !== undefined && typeof s.Sid !== 'string') malformed('Sid must be a string');
  if (s.Effect === undefined) malformed('Missing required field Effect');
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') malformed(`Invalid effect: ${String(s.Effect)}`);
  const principal = oneOf(s, 'Principal');
  const action = oneOf(s, 'Action');
  const resource = oneOf(s, 'Resource');
  const actions = stringList(action.value, 'Action').map(actionPattern);
  const resources = stringList(resource.value, 'Resource').map((r) => resourcePattern(r, bucket));
  if (!action.not && !resource.not) {
    const kinds = resourceKinds(resources, bucket);
    for (const pattern of actions) {
      const applies = [...KNOWN_ACTIONS].some(([name, kind]) => kinds.has(kind) && globMatch(pattern, name, true));
      if (!applies) malformed('Action does not apply to any resource(s) in statement');
    }
  }
  return {
    sid: (s.Sid as string | undefined) ?? null,
    effect: s.Effect,
    principal: { ...parsePrincipal(principal.value), not: principal.not },
    action: { not: action.not, patterns: actions },
    resource: { not: resource.not, patterns: resources },
    conditions: s.Condition === undefined ? [] : parseCondition(s.Condition),
  };
}

/**
 * Parses and validates a bucket policy for `bucket` as S3 does; throws
 * `MalformedPolicy` saying what is wrong. Users named in principals are
 * returned by {@link namedPrincipals} so the caller can check they exist.
 */
export function parseBucketPolicy(text: string, bucket: string): BucketPolicy {
  if (Buffer.byteLength(text) > MAX_POLICY_BYTES) malformed('Policies must be less than 20 KB');
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    malformed("Policies must be valid JSON and the first byte must be '{'");
  }
  if (!isObject(doc)) malformed("Policies must be valid JSON and the first byte must be '{'");
  for (const field of Object.keys(doc)) if (field !== 'Version' && field !== 'Id' && field !== 'Statement') malformed(`Unknown field ${field}`);
  if (doc.Version !== undefined && doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') malformed('Invalid Version');
  if (doc.Id !== undefined && typeof doc.Id !== 'string') malformed('Id must be a string');
  if (doc.Statement === undefined) malformed('Missing required field Statement');
  const list = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  if (list.length === 0) malformed('Could not parse the policy: Statement is empty!');
  const statements = list.map((s) => parseStatement(s, bucket));
  const sids = statements.map((s) => s.sid).filter((s): s is string => s !== null);
  if (new Set(sids).size !== sids.length) malformed('Statement IDs (SID) in a single policy must be unique');
  return { statements };
}

/** The user names and user ids a policy names (to check that they exist). */
export function namedPrincipals(policy: BucketPolicy): { names: string[]; ids: string[] } {
  const names = new Set<string>();
  const ids = new Set<string>();
  for (const s of policy.statements) {
    s.principal.userNames.forEach((n) => names.add(n));
    s.principal.userIds.forEach((i) => ids.add(i));
  }
  return { names: [...names], ids: [...ids] };
}

function principalMatches(p: PrincipalSet, who: Principal): boolean {
  if (p.everyone) return true;
  if (who.anonymous) return false;
  return (p.root && who.isRoot) || p.userNames.includes(who.userName) || p.userIds.includes(who.userId);
}

function valueMatches(operator: Operator, actual: string, expected: string): boolean {
  switch (operator) {
    case 'StringEquals':
    case 'StringNotEquals':
      return actual === expected;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return actual.toLowerCase() === expected.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
      return globMatch(expected, actual);
    case 'NumericEquals':
    case 'NumericNotEquals':
      return Number(actual) === Number(expected);
    case 'NumericLessThan':
      return Number(actual) < Number(expected);
    case 'NumericLessThanEquals':
      return Number(actual) <= Number(expected);
    case 'NumericGreaterThan':
      return Number(actual) > Number(expected);
    case 'NumericGreaterThanEquals':
      return Number(actual) >= Number(expected);
    case 'DateEquals':
    case 'DateNotEquals':
      return timeOf(actual) === timeOf(expected);
    case 'DateLessThan':
      return timeOf(actual) < timeOf(expected);
    case 'DateLessThanEquals':
      return timeOf(actual) <= timeOf(expected);
    case 'DateGreaterThan':
      return timeOf(actual) > timeOf(expected);
    case 'DateGreaterThanEquals':
      return timeOf(actual) >= timeOf(expected);
    case 'Bool':
      return actual.toLowerCase() === expected.toLowerCase();
    case 'IpAddress':
    case 'NotIpAddress':
    case 'Null':
      return false; // handled by the caller
  }
}

function ipIn(ranges: BlockList, address: string): boolean {
  const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  const family = isIP(plain);
  if (family === 0) return false;
  return ranges.check(plain, family === 4 ? 'ipv4' : 'ipv6');
}

function conditionHolds(c: Condition, context: Readonly<Record<string, string>>): boolean {
  const actual = Object.hasOwn(context, c.key) ? context[c.key] : undefined;
  if (c.operator === 'Null') return c.values.some((v) => (v.toLowerCase() === 'true') === (actual === undefined));
  if (actual === undefined) return c.ifExists || NEGATED.has(c.operator);
  const matches = c.ranges ? ipIn(c.ranges, actual) : c.values.some((v) => valueMatches(c.operator, actual, v));
  return NEGATED.has(c.operator) ? !matches : matches;
}

function resourceMatches(patterns: readonly string[], request: AccessRequest): boolean {
  if (request.anyKey) return patterns.some((p) => globMatchesSomeExtension(p, `${ARN_PREFIX}${request.bucket}/`));
  const arn = request.key === null ? `${ARN_PREFIX}${request.bucket}` : `${ARN_PREFIX}${request.bucket}/${request.key}`;
  return patterns.some((p) => globMatch(p, arn));
}

function statementApplies(s: PolicyStatement, who: Principal, request: AccessRequest): boolean {
  if (principalMatches(s.principal, who) === s.principal.not) return false;
  if (s.action.patterns.some((p) => globMatch(p, request.action, true)) === s.action.not) return false;
  // "Some key" cannot be ruled out by a NotResource list; each key is checked later.
  if (!(request.anyKey && s.resource.not) && resourceMatches(s.resource.patterns, request) === s.resource.not) return false;
  return s.conditions.every((c) => conditionHolds(c, request.context));
}

/** What the policy says about one request: Deny beats Allow; None when no statement applies. */
export function evaluatePolicy(policy: BucketPolicy, who: Principal, request: AccessRequest): Decision {
  let allowed = false;
  for (const s of policy.statements) {
    if (request.anyKey && s.effect === 'Deny') continue;
    if (!statementApplies(s, who, request)) continue;
    if (s.effect === 'Deny') return 'Deny';
    allowed = true;
  }
  return allowed ? 'Allow' : 'None';
}

/**
 * The access decision for `bucket` (see the module comment); AccessDenied
 * when refused. `requests` may name other buckets too (CopyObject's source
 * and destination): only this bucket's are considered. A caller with no
 * request for this bucket (an internal call) gets the owner rule only.
 */
export function authorizeBucketAccess(
  bucket: { readonly name: string; readonly ownerId: string },
  policy: BucketPolicy | null,
  who: Principal,
  requests: readonly AccessRequest[],
): void {
  const mine = requests.filter((r) => r.bucket === bucket.name);
  const isOwner = !who.anonymous && (who.isRoot || bucket.ownerId === who.userId);
  if (mine.some((r) => POLICY_MANAGEMENT_ACTIONS.has(r.action))) {
    if (!isOwner) fail('AccessDenied', 'Access Denied');
    return;
  }
  if (policy === null) {
    if (!isOwner) fail('AccessDenied', 'Access Denied');
    return;
  }
  const decisions = mine.map((r) => evaluatePolicy(policy, who, r));
  if (decisions.includes('Deny')) fail('AccessDenied', 'Access Denied');
  if (isOwner) return;
  if (decisions.length > 0 && decisions.every((d) => d === 'Allow')) return;
  fail('AccessDenied', 'Access Denied');
}

/**
 * Whether the policy grants anything to everyone (GetBucketPolicyStatus): an
 * Allow whose principal takes in anonymous callers and that no condition
 * narrows to known callers (source IP, user name or id, principal type).
 */
export function policyIsPublic(policy: BucketPolicy): boolean {
  return policy.statements.some((s) => {
    if (s.effect !== 'Allow') return false;
    const anyone = s.principal.not ? !s.principal.everyone : s.principal.everyone;
    if (!anyone) return false;
    return !s.conditions.some((c) => CALLER_KEYS.has(c.key) && !NEGATED.has(c.operator) && !c.ifExists && c.operator !== 'Null');
  });
}

/** Denies every action to everyone (what a stored policy that no longer parses stands for). */
export const DENY_ALL_POLICY: BucketPolicy = {
  statements: [
    {
      sid: null,
      effect: 'Deny',
      principal: { everyone: true, userNames: [], userIds: [], root: false, not: false },
      action: { not: false, patterns: ['*'] },
      resource: { not: true, patterns: [] },
      conditions: [],
    },
  ],
};

/** Whether an action name is one a bucket policy may name (for tests and the S3 face's table). */
export function isKnownAction(action: string): boolean {
  return KNOWN_ACTIONS.has(action);
}
