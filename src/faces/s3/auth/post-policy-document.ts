/**
 * @module
 * The POST policy document: parsing and checking the form against it
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html),
 * with MinIO's postpolicyform.go as the reference for the finer rules.
 */
import { fail } from '../../../core/errors.ts';

export type ConditionOp = 'eq' | 'starts-with';

export interface PolicyCondition {
  readonly op: ConditionOp;
  /** Lower-case form field name, without '$'. */
  readonly field: string;
  readonly value: string;
}

export interface ContentLengthRange {
  readonly min: number;
  readonly max: number;
}

export interface PostPolicy {
  readonly expiration: Date;
  readonly conditions: readonly PolicyCondition[];
  /** The tightest content-length-range given, or null. */
  readonly contentLengthRange: ContentLengthRange | null;
}

/** Form fields by lower-case name, every value in form order. */
export type FormFields = ReadonlyMap<string, readonly string[]>;

const EXPIRATION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
// Fields the policy need not mention (AWS: signature, file, policy, x-ignore-*; SigV2 adds AWSAccessKeyId).
const EXEMPT = new Set(['policy', 'x-amz-signature', 'signature', 'awsaccesskeyid', 'file']);
// Auth fields must match exactly: a prefix would let a form pick its own credential.
const EQ_ONLY = new Set(['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'bucket']);

function malformed(why: string): never {
  return fail('InvalidPolicyDocument', `Invalid Policy: ${why}`);
}

function denied(why: string): never {
  return fail('AccessDenied', `Invalid according to Policy: ${why}`);
}

function parseRange(c: readonly unknown[]): ContentLengthRange {
  const [min, max] = c.slice(1).map((v) => (typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v));
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || (min as number) < 0 || (min as number) > (max as number)) {
    malformed('content-length-range needs two integers, 0 <= min <= max.');
  }
  return { min: min as number, max: max as number };
}

function parseArrayCondition(c: readonly unknown[]): PolicyCondition | ContentLengthRange {
  const op = typeof c[0] === 'string' ? c[0].toLowerCase() : '';
  if (c.length !== 3) malformed(`condition ${JSON.stringify(c)} must have three elements.`);
  if (op === 'content-length-range') return parseRange(c);
  if (op !== 'eq' && op !== 'starts-with') malformed(`unknown condition operator in ${JSON.stringify(c)}.`);
  const [, field, value] = c;
  if (typeof field !== 'string' || !field.startsWith('$') || typeof value !== 'string') {
    malformed(`condition ${JSON.stringify(c)} must be [op, "$field", "value"].`);
  }
  return { op: op as ConditionOp, field: field.slice(1).toLowerCase(), value };
}

function parseConditions(raw: unknown): { conditions: PolicyCondition[]; range: ContentLengthRange | null } {
  if (!Array.isArray(raw)) return malformed('conditions must be an array.');
  const conditions: PolicyCondition[] = [];
  let range: ContentLengthRange | null = null;
  for (const c of raw as unknown[]) {
    if (Array.isArray(c)) {
      const parsed = parseArrayCondition(c);
      if ('op' in parsed) conditions.push(parsed);
      else range = range ? { min: Math.max(range.min, parsed.min), max: Math.min(range.max, parsed.max) } : parsed;
    } else if (c !== null && typeof c === 'object') {
      // {"acl": "public-read"} is shorthand for ["eq", "$acl", "public-read"].
      for (const [field, value] of Object.entries(c)) {
        if (typeof value !== 'string') malformed(`condition {"${field}": ...} must have a string value.`);
        conditions.push({ op: 'eq', field: field.toLowerCase(), value });
      }
    } else {
      malformed(`unexpected condition ${JSON.stringify(c)}.`);
    }
  }
  return { conditions, range };
}

/** Decodes the base64 `policy` field. Malformed documents are InvalidPolicyDocument. */
export function parsePostPolicy(base64: string): PostPolicy {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    return malformed('Invalid JSON.');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return malformed('Invalid JSON.');
  const { expiration, conditions } = doc as Record<string, unknown>;
  if (typeof expiration !== 'string' || !EXPIRATION.test(expiration)) malformed('Policy missing expiration, or it is not ISO 8601.');
  const parsed = parseConditions(conditions);
  return { expiration: new Date(Date.parse(expiration)), conditions: parsed.conditions, contentLengthRange: parsed.range };
}

function conditionText(c: PolicyCondition): string {
  return `[${JSON.stringify(c.op)}, ${JSON.stringify(`$${c.field}`)}, ${JSON.stringify(c.value)}]`;
}

function checkCondition(c: PolicyCondition, fields: FormFields, bucket: string): void {
  if (c.op === 'starts-with' && EQ_ONLY.has(c.field)) denied(`Policy Condition failed: ${conditionText(c)}`);
  const values = c.field === 'bucket' ? [bucket] : fields.get(c.field) ?? [''];
  if (values.length > 1) denied(`Policy Condition failed: ${conditionText(c)}. Field ${c.field} has several values.`);
  const v = values[0] as string;
  if (c.op === 'eq' ? v !== c.value : !v.startsWith(c.value)) denied(`Policy Condition failed: ${conditionText(c)}`);
}

/**
 * Checks expiry, every condition, and that each form field is covered by a
 * condition (AWS: all but signature, file, policy and x-ignore-* fields).
 * `bucket` is the bucket of the request URL: `{"bucket": ...}` checks it.
 */
export function checkPostPolicy(policy: PostPolicy, fields: FormFields, bucket: string, now: Date): void {
  if (now.getTime() >= policy.expiration.getTime()) denied('Policy expired.');
  const covered = new Set<string>();
  for (const c of policy.conditions) {
    checkCondition(c, fields, bucket);
    covered.add(c.field);
  }
  for (const name of fields.keys()) {
    if (!covered.has(name) && !EXEMPT.has(name) && !name.startsWith('x-ignore-')) denied(`Extra input fields: ${name}`);
  }
}
