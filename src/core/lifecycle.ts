/**
 * @module
 * Bucket lifecycle configuration: S3's `LifecycleConfiguration` document
 * read from its element tree and validated as S3 does, the stored form kept
 * with the bucket (`Bucket.config.lifecycle`), and the pure rules the worker
 * (`lifecycle-worker.ts`) applies: which objects a rule's filter selects and
 * when each action falls due. No I/O but the three configuration calls at
 * the end, which only read and write the bucket's document.
 *
 * When an action falls due (as S3, and MinIO, compute it): the start time
 * (an object's creation, the moment a version became noncurrent, an
 * upload's initiation) plus the rule's days, rounded up to the next midnight
 * UTC; precisely `midnight UTC of the start day + (days + 1) days`. An
 * object written 2024-01-15 10:30 UTC under a 3-day rule expires at
 * 2024-01-19 00:00 UTC. A `Date` rule applies from that midnight on.
 *
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/intro-lifecycle-rules.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketLifecycleConfiguration.html
 */
import { randomBytes } from 'node:crypto';
import type { Buckets } from './buckets.ts';
import { fail } from './errors.ts';
import type { Bucket, Principal, Tag } from './types.ts';
import type { MetaStore } from '../ports/meta-store.ts';

/** The kind under which a bucket's lifecycle configuration is kept (`Bucket.config`). */
export const LIFECYCLE_CONFIG = 'lifecycle';

export const MAX_LIFECYCLE_RULES = 1000;
const MAX_ID_LENGTH = 255;
const MAX_NEWER_NONCURRENT = 100;
const DAY_MS = 86_400_000;
/** S3's element values are 32-bit integers. */
const MAX_INT = 2 ** 31 - 1;

const MALFORMED = 'The XML you provided was not well-formed or did not validate against our published schema';

/** The predicates of a `<Filter><And>`: a prefix, tags (all must match) and sizes. */
export interface LifecycleAnd {
  readonly prefix?: string;
  readonly tags: readonly Tag[];
  readonly objectSizeGreaterThan?: number;
  readonly objectSizeLessThan?: number;
}

/**
 * Which objects a rule applies to, in the shape it was given: the legacy
 * top-level `<Prefix>`, or a `<Filter>` with at most one predicate (none:
 * every object).
 */
export type LifecycleFilter =
  | { readonly legacyPrefix: string }
  | {
      readonly prefix?: string;
      readonly tag?: Tag;
      readonly objectSizeGreaterThan?: number;
      readonly objectSizeLessThan?: number;
      readonly and?: LifecycleAnd;
    };

export interface LifecycleExpiration {
  readonly days?: number;
  /** Midnight UTC, ISO 8601 (stored as JSON). */
  readonly date?: string;
  readonly expiredObjectDeleteMarker?: boolean;
}

export interface LifecycleRule {
  readonly id: string;
  readonly status: 'Enabled' | 'Disabled';
  readonly filter: LifecycleFilter;
  readonly expiration?: LifecycleExpiration;
  readonly noncurrentVersionExpiration?: { readonly noncurrentDays: number; readonly newerNoncurrentVersions?: number };
  readonly abortIncompleteMultipartUpload?: { readonly daysAfterInitiation: number };
}

export interface LifecycleConfiguration {
  readonly rules: readonly LifecycleRule[];
}

// The element tree of the request document

/**
 * One parsed XML element: its text, or its children by name (a repeated
 * child as a list). `#text` holds text mixed with children (only
 * whitespace is allowed there).
 */
export type XmlNode = string | { readonly [name: string]: XmlNode | readonly XmlNode[] };

function malformed(): never {
  fail('MalformedXML', MALFORMED);
}

function invalid(message: string, argumentName?: string, argumentValue?: string): never {
  fail('InvalidArgument', message, { ArgumentName: argumentName, ArgumentValue: argumentValue });
}

/** The children of an element; only the names in `allowed` may appear. */
function elements(node: XmlNode | readonly XmlNode[] | undefined, allowed: readonly string[]): Record<string, XmlNode | readonly XmlNode[]> {
  if (node === undefined || Array.isArray(node)) malformed();
  if (typeof node === 'string') {
    if (node.trim() !== '') malformed();
    return {};
  }
  const out: Record<string, XmlNode | readonly XmlNode[]> = {};
  for (const [name, value] of Object.entries(node as Record<string, XmlNode | readonly XmlNode[]>)) {
    if (name === '#text') {
      if (typeof value !== 'string' || value.trim() !== '') malformed();
      continue;
    }
    if (!allowed.includes(name)) malformed();
    out[name] = value;
  }
  return out;
}

/** A child that may appear at most once. */
function once(children: Record<string, XmlNode | readonly XmlNode[]>, name: string): XmlNode | undefined {
  const v = children[name];
  if (Array.isArray(v)) {
    if (v.length !== 1) malformed();
    return v[0] as XmlNode;
  }
  return v as XmlNode | undefined;
}

/** A child that may repeat. */
function many(children: Record<string, XmlNode | readonly XmlNode[]>, name: string): XmlNode[] {
  const v = children[name];
  if (v === undefined) return [];
  return Array.isArray(v) ? [...(v as XmlNode[])] : [v as XmlNode];
}

/** The text of a leaf element; an element with children is malformed. */
function leaf(node: XmlNode | undefined): string | undefined {
  if (node === undefined) return undefined;
  if (typeof node === 'string') return node;
  if (Object.keys(node).length === 0) return '';
  malformed();
}

/** An integer element: MalformedXML unless it is one; range checks are the caller's. */
function integer(node: XmlNode | undefined): number | undefined {
  const s = leaf(node);
  if (s === undefined) return undefined;
  if (!/^\s*-?\d{1,10}\s*$/.test(s)) malformed();
  const n = Number(s.trim());
  if (n > MAX_INT || n < -MAX_INT) malformed();
  return n;
}

/** A size element (a long): a non-negative integer of bytes. */
function size(node: XmlNode | undefined): number | undefined {
  const s = leaf(node);
  if (s === undefined) return undefined;
  if (!/^\s*\d{1,16}\s*$/.test(s)) malformed();
  const n = Number(s.trim());
  if (!Number.isSafeInteger(n)) malformed();
  return n;
}

function tagOf(node: XmlNode): Tag {
  const c = elements(node, ['Key', 'Value']);
  const key = leaf(once(c, 'Key'));
  if (key === undefined || key === '') malformed();
  const value = leaf(once(c, 'Value')) ?? '';
  if (key.length > 128 || value.length > 256) fail('InvalidTag', 'The TagKey you have provided is invalid');
  return [key, value];
}

function parseAnd(node: XmlNode): LifecycleAnd {
  const c = elements(node, ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan']);
  const prefix = leaf(once(c, 'Prefix'));
  const tags = many(c, 'Tag').map(tagOf);
  const gt = size(once(c, 'ObjectSizeGreaterThan'));
  const lt = size(once(c, 'ObjectSizeLessThan'));
  // "a logical AND to two or more predicates"
  const predicates = (prefix !== undefined ? 1 : 0) + tags.length + (gt !== undefined ? 1 : 0) + (lt !== undefined ? 1 : 0);
  if (predicates < 2) malformed();
  const keys = new Set<string>();
  for (const [k] of tags) {
    if (keys.has(k)) invalid('Duplicate Tag Keys are not allowed.');
    keys.add(k);
  }
  checkSizeRange(gt, lt);
  return {
    ...(prefix !== undefined ? { prefix } : {}),
    tags,
    ...(gt !== undefined ? { objectSizeGreaterThan: gt } : {}),
    ...(lt !== undefined ? { objectSizeLessThan: lt } : {}),
  };
}

function checkSizeRange(gt: number | undefined, lt: number | undefined): void {
  if (gt !== undefined && lt !== undefined && gt >= lt) {
    invalid('ObjectSizeGreaterThan must be less than ObjectSizeLessThan.', 'ObjectSizeGreaterThan', String(gt));
  }
}

function parseFilter(node: XmlNode): LifecycleFilter {
  const c = elements(node, ['Prefix', 'Tag', 'ObjectSizeGreaterThan', 'ObjectSizeLessThan', 'And']);
  const prefix = leaf(once(c, 'Prefix'));
  const tag = once(c, 'Tag');
  const gt = size(once(c, 'ObjectSizeGreaterThan'));
  const lt = size(once(c, 'ObjectSizeLessThan'));
  const and = once(c, 'And');
  // Exactly one predicate, or none (every object); several go inside <And>.
  const predicates = [prefix, tag, gt, lt, and].filter((p) => p !== undefined).length;
  if (predicates > 1) malformed();
  if (prefix !== undefined) return { prefix };
  if (tag !== undefined) return { tag: tagOf(tag) };
  if (gt !== undefined) return { objectSizeGreaterThan: gt };
  if (lt !== undefined) return { objectSizeLessThan: lt };
  if (and !== undefined) return { and: parseAnd(and) };
  return {};
}

/** `YYYY-MM-DD` or an ISO 8601 timestamp; S3 takes only midnight UTC. */
function parseDate(text: string): string {
  const s = text.trim();
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2}))?$/;
  if (!iso.test(s)) malformed();
  const date = new Date(s.length === 10 ? `${s}T00:00:00Z` : s);
  if (Number.isNaN(date.getTime())) malformed();
  if (date.getTime() % DAY_MS !== 0) invalid("'Date' must be at midnight GMT", 'Date', text);
  return date.toISOString();
}

function parseBoolean(text: string): boolean {
  const s = text.trim();
  if (s !== 'true' && s !== 'false') malformed();
  return s === 'true';
}

function positive(n: number | undefined, message: string, argumentName: string): number | undefined {
  if (n !== undefined && n <= 0) invalid(message, argumentName, String(n));
  return n;
}

function parseExpiration(node: XmlNode): LifecycleExpiration {
  const c = elements(node, ['Days', 'Date', 'ExpiredObjectDeleteMarker']);
  const days = positive(integer(once(c, 'Days')), "'Days' for Expiration action must be a positive integer", 'Days');
  const dateText = leaf(once(c, 'Date'));
  const markerText = leaf(once(c, 'ExpiredObjectDeleteMarker'));
  const marker = markerText === undefined ? undefined : parseBoolean(markerText);
  if (days === undefined && dateText === undefined && marker === undefined) malformed();
  if (days !== undefined && dateText !== undefined) malformed();
  // "This cannot be specified with Days or Date in a Lifecycle Expiration Policy."
  if (marker === true && (days !== undefined || dateText !== undefined)) malformed();
  const date = dateText === undefined ? undefined : parseDate(dateText);
  return {
    ...(days !== undefined ? { days } : {}),
    ...(date !== undefined ? { date } : {}),
    ...(marker !== undefined ? { expiredObjectDeleteMarker: marker } : {}),
  };
}

function parseNoncurrent(node: XmlNode): NonNullable<LifecycleRule['noncurrentVersionExpiration']> {
  const c = elements(node, ['NoncurrentDays', 'NewerNoncurrentVersions']);
  const days = positive(integer(once(c, 'NoncurrentDays')), "'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer", 'NoncurrentDays');
  if (days === undefined) malformed();
  const newer = integer(once(c, 'NewerNoncurrentVersions'));
  if (newer !== undefined && (newer <= 0 || newer > MAX_NEWER_NONCURRENT)) {
    invalid(
      `'NewerNoncurrentVersions' for NoncurrentVersionExpiration action must be a positive integer up to ${MAX_NEWER_NONCURRENT}`,
      'NewerNoncurrentVersions',
      String(newer),
    );
  }
  return { noncurrentDays: days, ...(newer !== undefined ? { newerNoncurrentVersions: newer } : {}) };
}

function parseAbort(node: XmlNode): NonNullable<LifecycleRule['abortIncompleteMultipartUpload']> {
  const c = elements(node, ['DaysAfterInitiation']);
  const days = positive(integer(once(c, 'DaysAfterInitiation')), "'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer", 'DaysAfterInitiation');
  if (days === undefined) malformed();
  return { daysAfterInitiation: days };
}

const RULE_ELEMENTS = [
  'ID',
  'Status',
  'Filter',
  'Prefix',
  'Expiration',
  'NoncurrentVersionExpiration',
  'AbortIncompleteMultipartUpload',
  'Transition',
  'NoncurrentVersionTransition',
] as const;

function parseRule(node: XmlNode, newId: () => string): LifecycleRule {
  const c = elements(node, RULE_ELEMENTS);
  const idText = leaf(once(c, 'ID'));
  if (idText !== undefined && idText.length > MAX_ID_LENGTH) invalid(`ID length should not exceed allowed limit of ${MAX_ID_LENGTH}`, 'ID', idText);
  const status = leaf(once(c, 'Status'));
  if (status !== 'Enabled' && status !== 'Disabled') malformed();
  const legacyPrefix = leaf(once(c, 'Prefix'));
  const filterNode = once(c, 'Filter');
  if ((legacyPrefix === undefined) === (filterNode === undefined)) malformed();
  const filter: LifecycleFilter = legacyPrefix !== undefined ? { legacyPrefix } : parseFilter(filterNode!);
  if (c.Transition !== undefined || c.NoncurrentVersionTransition !== undefined) {
    fail('NotImplemented', 'Lifecycle transitions are not supported: Signet keeps every object in one storage class.');
  }
  const expiration = c.Expiration === undefined ? undefined : parseExpiration(once(c, 'Expiration')!);
  const noncurrent = c.NoncurrentVersionExpiration === undefined ? undefined : parseNoncurrent(once(c, 'NoncurrentVersionExpiration')!);
  const abort = c.AbortIncompleteMultipartUpload === undefined ? undefined : parseAbort(once(c, 'AbortIncompleteMultipartUpload')!);
  if (expiration === undefined && noncurrent === undefined && abort === undefined) {
    fail('InvalidRequest', 'At least one action needs to be specified in a rule');
  }
  const scope = filterScope(filter);
  if (abort !== undefined && scope.tags.length > 0) invalid('AbortIncompleteMultipartUpload cannot be specified with Tags');
  if (abort !== undefined && (scope.sizeGreaterThan !== null || scope.sizeLessThan !== null)) {
    invalid('AbortIncompleteMultipartUpload cannot be specified with Object Size');
  }
  if (expiration?.expiredObjectDeleteMarker === true && scope.tags.length > 0) invalid('ExpiredObjectDeleteMarker cannot be specified with Tags');
  if (expiration?.expiredObjectDeleteMarker === true && (scope.sizeGreaterThan !== null || scope.sizeLessThan !== null)) malformed();
  return {
    id: idText === undefined || idText === '' ? newId() : idText,
    status,
    filter,
    ...(expiration !== undefined ? { expiration } : {}),
    ...(noncurrent !== undefined ? { noncurrentVersionExpiration: noncurrent } : {}),
    ...(abort !== undefined ? { abortIncompleteMultipartUpload: abort } : {}),
  };
}

/** A rule id S3 would generate for a rule given without one. */
export function generatedRuleId(): string {
  return randomBytes(30).toString('base64url').toLowerCase().replace(/[^a-z0-9]/g, '0');
}

/**
 * Parses and validates the `<LifecycleConfiguration>` element (the document's
 * root, as a tree). MalformedXML for what does not fit S3's schema,
 * InvalidArgument / InvalidRequest with S3's messages for what S3 refuses
 * by value.
 */
export function parseLifecycleConfiguration(root: XmlNode | undefined, newId: () => string = generatedRuleId): LifecycleConfiguration {
  const c = elements(root, ['Rule']);
  const ruleNodes = many(c, 'Rule');
  if (ruleNodes.length === 0) malformed();
  if (ruleNodes.length > MAX_LIFECYCLE_RULES) {
    invalid(`The number of lifecycle rules should not exceed allowed limit of ${MAX_LIFECYCLE_RULES} rules`);
  }
  const rules = ruleNodes.map((n) => parseRule(n, newId));
  const ids = new Set<string>();
  for (const rule of rules) {
    if (ids.has(rule.id)) invalid('Rule ID must be unique. Found same ID for more than one rule', 'ID', rule.id);
    ids.add(rule.id);
  }
  return { rules };
}

// Matching

/** A filter flattened: all of it must hold. Null sizes: no bound. */
export interface RuleScope {
  readonly prefix: string;
  readonly tags: readonly Tag[];
  readonly sizeGreaterThan: number | null;
  readonly sizeLessThan: number | null;
}

export function filterScope(filter: LifecycleFilter): RuleScope {
  if ('legacyPrefix' in filter) return { prefix: filter.legacyPrefix, tags: [], sizeGreaterThan: null, sizeLessThan: null };
  const and = filter.and;
  return {
    prefix: filter.prefix ?? and?.prefix ?? '',
    tags: filter.tag ? [filter.tag] : (and?.tags ?? []),
    sizeGreaterThan: filter.objectSizeGreaterThan ?? and?.objectSizeGreaterThan ?? null,
    sizeLessThan: filter.objectSizeLessThan ?? and?.objectSizeLessThan ?? null,
  };
}

/** Whether the size bounds admit `size` (they are strict, as S3's names say). Delete markers have no size: size filters never exclude them. */
export function sizeMatches(scope: RuleScope, size: number, isDeleteMarker = false): boolean {
  if (isDeleteMarker) return true;
  if (scope.sizeGreaterThan !== null && !(size > scope.sizeGreaterThan)) return false;
  if (scope.sizeLessThan !== null && !(size < scope.sizeLessThan)) return false;
  return true;
}

/** Whether the object carries every tag of the filter (same key, same value); other tags do not matter. */
export function tagsMatch(scope: RuleScope, tags: readonly Tag[]): boolean {
  return scope.tags.every(([k, v]) => tags.some(([tk, tv]) => tk === k && tv === v));
}

/** Whether the rule applies to this object or version. */
export function ruleMatches(scope: RuleScope, object: { readonly key: string; readonly size: number; readonly tags: readonly Tag[]; readonly isDeleteMarker: boolean }): boolean {
  return object.key.startsWith(scope.prefix) && sizeMatches(scope, object.size, object.isDeleteMarker) && tagsMatch(scope, object.tags);
}

/** When an action `days` after `start` falls due: the next midnight UTC after start + days (see the module note). */
export function dueAfterDays(start: Date, days: number): Date {
  const startDay = Math.floor(start.getTime() / DAY_MS) * DAY_MS;
  return new Date(startDay + (days + 1) * DAY_MS);
}

/** When the rule's Expiration expires a current version written at `lastModified`; null when it has no Days or Date. */
export function currentExpiryDue(rule: LifecycleRule, lastModified: Date): Date | null {
  const e = rule.expiration;
  if (e?.date !== undefined) return new Date(e.date);
  if (e?.days !== undefined) return dueAfterDays(lastModified, e.days);
  return null;
}

/**
 * When a delete marker that is the only version of its key is removed:
 * at once with ExpiredObjectDeleteMarker, or once it is as old as the
 * Expiration's Days (S3 cleans such markers up with Days too); null: never.
 */
export function expiredMarkerDue(rule: LifecycleRule, markerWritten: Date): Date | null {
  const e = rule.expiration;
  if (e?.expiredObjectDeleteMarker === true) return markerWritten;
  if (e?.days !== undefined) return dueAfterDays(markerWritten, e.days);
  return null;
}

/** The enabled rules of a stored configuration. */
export function enabledRules(config: LifecycleConfiguration | null): LifecycleRule[] {
  return config === null ? [] : config.rules.filter((r) => r.status === 'Enabled');
}

/** The configuration kept with the bucket, or null. */
export function storedLifecycle(bucket: Pick<Bucket, 'config'>): LifecycleConfiguration | null {
  const doc = bucket.config[LIFECYCLE_CONFIG] as LifecycleConfiguration | null | undefined;
  return doc && Array.isArray(doc.rules) ? doc : null;
}

// The configuration calls (GetBucketLifecycleConfiguration and the rest)

/** NoSuchLifecycleConfiguration when the bucket has none. */
export async function bucketLifecycle(buckets: Buckets, who: Principal, name: string): Promise<LifecycleConfiguration> {
  const config = storedLifecycle(await buckets.require(who, name));
  if (config === null) fail('NoSuchLifecycleConfiguration', 'The lifecycle configuration does not exist', { BucketName: name });
  return config;
}

/** Replaces the configuration (already validated by {@link parseLifecycleConfiguration}). */
export async function putBucketLifecycle(meta: MetaStore, buckets: Buckets, who: Principal, name: string, config: LifecycleConfiguration): Promise<void> {
  await buckets.require(who, name);
  await meta.updateBucket(name, { config: { [LIFECYCLE_CONFIG]: config } });
}

/** Removes the configuration; a bucket without one is fine (204, as S3). */
export async function deleteBucketLifecycle(meta: MetaStore, buckets: Buckets, who: Principal, name: string): Promise<void> {
  await buckets.require(who, name);
  await meta.updateBucket(name, { config: { [LIFECYCLE_CONFIG]: null } });
}
