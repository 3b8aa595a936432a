/**
 * @module
 * Object lock (WORM) rules, as S3 defines them. Pure: no I/O, the time is
 * always given. The metadata store calls {@link checkDeletable} and
 * {@link checkRetentionChange} inside the transaction that removes or
 * changes a version, so no concurrent write can slip past them.
 *
 * - A version is *locked* while its retention date is in the future or its
 *   legal hold is on.
 * - COMPLIANCE: nobody, root included, may delete the version, shorten its
 *   retention, weaken its mode or remove it until the date has passed.
 * - GOVERNANCE: the same, except for a request that sets
 *   `x-amz-bypass-governance-retention: true` and whose caller may bypass
 *   (`s3:BypassGovernanceRetention`: root, the bucket owner, or whom a bucket
 *   policy allows).
 * - Legal hold: no deletion while ON, whatever the retention and whoever asks.
 * - Deleting without a version id in a versioned bucket only adds a delete
 *   marker: always allowed.
 */
import { fail } from './errors.ts';
import type { Bucket, Retention, RetentionMode } from './types.ts';

/** The kind under which a bucket's object-lock configuration is kept (`Bucket.config`). */
export const OBJECT_LOCK_CONFIG = 'objectLock';

export const RETENTION_MODES: readonly RetentionMode[] = ['GOVERNANCE', 'COMPLIANCE'];

/** S3's bounds for a default retention period. */
const MAX_DAYS = 36500;
const MAX_YEARS = 100;

const DAY_MS = 86_400_000;

/** The default retention of a bucket: a mode and a period in days or years (exactly one). */
export interface DefaultRetention {
  readonly mode: RetentionMode;
  readonly days?: number;
  readonly years?: number;
}

/** What PutObjectLockConfiguration stores; `ObjectLockEnabled` is the bucket's own flag. */
export interface ObjectLockConfiguration {
  readonly rule: DefaultRetention | null;
}

/** The lock state of one version. */
export interface LockState {
  readonly retention: Retention | null;
  readonly legalHold: boolean;
}

/** What a write asked for in its `x-amz-object-lock-*` headers; absent fields were not given. */
export interface LockRequest {
  readonly retention?: Retention;
  readonly legalHold?: boolean;
}

/** How a deletion or a retention change is judged: at `now`, with or without the governance bypass. */
export interface LockCheck {
  readonly now: Date;
  readonly bypassGovernance: boolean;
}

export function parseRetentionMode(value: string): RetentionMode {
  const mode = RETENTION_MODES.find((m) => m === value.toUpperCase());
  if (mode === undefined) fail('InvalidArgument', 'Unknown wormMode directive.', { ArgumentName: 'x-amz-object-lock-mode', ArgumentValue: value });
  return mode;
}

/** An ISO 8601 timestamp (S3's only accepted form for retain-until dates). */
export function parseRetainUntil(value: string, argumentName = 'x-amz-object-lock-retain-until-date'): Date {
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;
  const date = new Date(value.trim());
  if (!iso.test(value.trim()) || Number.isNaN(date.getTime())) {
    fail('InvalidArgument', 'The retain until date must be provided in ISO 8601 format', { ArgumentName: argumentName, ArgumentValue: value });
  }
  return date;
}

export function parseLegalHold(value: string, argumentName = 'x-amz-object-lock-legal-hold'): boolean {
  const upper = value.trim().toUpperCase();
  if (upper !== 'ON' && upper !== 'OFF') fail('InvalidArgument', "Legal Hold must be either of 'ON' or 'OFF'", { ArgumentName: argumentName, ArgumentValue: value });
  return upper === 'ON';
}

/**
 * The lock request of a write from its three header values (undefined: not
 * sent). Mode and date go together; {@link newVersionLock} checks the date
 * lies in the future.
 */
export function parseLockRequest(raw: { readonly mode?: string; readonly retainUntil?: string; readonly legalHold?: string }): LockRequest | undefined {
  const { mode, retainUntil, legalHold } = raw;
  if (mode === undefined && retainUntil === undefined && legalHold === undefined) return undefined;
  if ((mode === undefined) !== (retainUntil === undefined)) {
    fail('InvalidArgument', 'x-amz-object-lock-retain-until-date and x-amz-object-lock-mode must both be supplied');
  }
  let retention: Retention | undefined;
  if (mode !== undefined && retainUntil !== undefined) {
    retention = { mode: parseRetentionMode(mode), until: parseRetainUntil(retainUntil) };
  }
  return {
    ...(retention === undefined ? {} : { retention }),
    ...(legalHold === undefined ? {} : { legalHold: parseLegalHold(legalHold) }),
  };
}

/** A new retention date must lie in the future. */
export function checkRetainUntil(until: Date, now: Date): void {
  if (until.getTime() <= now.getTime()) fail('InvalidArgument', 'The retain until date must be in the future!', { ArgumentName: 'RetainUntilDate' });
}

/** Refuses a default retention S3 would refuse: a mode, and exactly one positive period within bounds. */
export function validateDefaultRetention(rule: DefaultRetention): void {
  if (!RETENTION_MODES.includes(rule.mode)) fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  const { days, years } = rule;
  if ((days === undefined) === (years === undefined)) {
    fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  }
  const [value, max] = days !== undefined ? [days, MAX_DAYS] : [years ?? 0, MAX_YEARS];
  if (!Number.isSafeInteger(value) || value <= 0) fail('InvalidArgument', 'Default retention period must be a positive integer value.', { ArgumentName: days !== undefined ? 'Days' : 'Years' });
  if (value > max) fail('InvalidArgument', `Default retention period too large: at most ${MAX_DAYS} days or ${MAX_YEARS} years.`, { ArgumentName: days !== undefined ? 'Days' : 'Years' });
}

/** The date a default retention protects a version written at `now` until (years are calendar years, UTC). */
export function defaultRetentionUntil(rule: DefaultRetention, now: Date): Date {
  if (rule.days !== undefined) return new Date(now.getTime() + rule.days * DAY_MS);
  const until = new Date(now.getTime());
  until.setUTCFullYear(until.getUTCFullYear() + (rule.years ?? 0));
  return until;
}

/** The object-lock configuration kept with a bucket (no rule when none was put). */
export function storedLockConfig(bucket: Pick<Bucket, 'config'>): ObjectLockConfiguration {
  const doc = bucket.config[OBJECT_LOCK_CONFIG] as { rule?: DefaultRetention | null } | undefined;
  return { rule: doc?.rule ?? null };
}

/**
 * The lock a new version of `bucket` gets: what the write asked for, else
 * the bucket's default retention. Lock headers on a bucket without object
 * lock are refused (InvalidRequest), as S3 does.
 */
export function newVersionLock(bucket: Pick<Bucket, 'objectLockEnabled' | 'config'>, request: LockRequest | undefined, now: Date): LockState {
  if (request !== undefined && !bucket.objectLockEnabled) fail('InvalidRequest', 'Bucket is missing Object Lock Configuration');
  if (!bucket.objectLockEnabled) return { retention: null, legalHold: false };
  if (request?.retention) checkRetainUntil(request.retention.until, now);
  const rule = storedLockConfig(bucket).rule;
  const retention = request?.retention ?? (rule ? { mode: rule.mode, until: defaultRetentionUntil(rule, now) } : null);
  return { retention, legalHold: request?.legalHold ?? false };
}

/** Whether the retention still protects the version at `now`. */
export function retentionActive(retention: Retention | null, now: Date): boolean {
  return retention !== null && retention.until.getTime() > now.getTime();
}

/** Whether anything stops a permanent deletion of the version at `now` (bypass aside). */
export function isLocked(v: LockState, now: Date): boolean {
  return v.legalHold || retentionActive(v.retention, now);
}

/**
 * Refuses (AccessDenied, as S3) to remove a version for good while a legal
 * hold or an unexpired retention protects it; an unexpired GOVERNANCE
 * retention yields to the bypass.
 */
export function checkDeletable(v: LockState, check: LockCheck): void {
  if (v.legalHold) fail('AccessDenied', 'Access Denied because object protected by object lock (legal hold).');
  const r = v.retention;
  if (r === null || !retentionActive(r, check.now)) return;
  if (r.mode === 'GOVERNANCE' && check.bypassGovernance) return;
  fail('AccessDenied', `Access Denied because object protected by object lock (${r.mode} until ${r.until.toISOString()}).`);
}

/**
 * Whether `next` may replace the version's `current` retention at `now`.
 * An expired (or absent) retention may be set to anything. COMPLIANCE may
 * only be extended, in COMPLIANCE. GOVERNANCE may be extended or turned into
 * COMPLIANCE; shortening or removing it needs the bypass.
 */
export function checkRetentionChange(current: Retention | null, next: Retention | null, check: LockCheck): void {
  if (current === null || !retentionActive(current, check.now)) return;
  const notShorter = next !== null && next.until.getTime() >= current.until.getTime();
  if (current.mode === 'COMPLIANCE') {
    if (next?.mode === 'COMPLIANCE' && notShorter) return;
    fail('AccessDenied', `Access Denied: the COMPLIANCE retention until ${current.until.toISOString()} cannot be shortened, weakened or removed.`);
  }
  if (notShorter || check.bypassGovernance) return;
  fail('AccessDenied', `Access Denied: shortening or removing the GOVERNANCE retention until ${current.until.toISOString()} needs x-amz-bypass-governance-retention.`);
}
