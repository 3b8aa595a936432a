/**
 * @module
 * The lifecycle worker: one pass over every bucket with a lifecycle
 * configuration, carrying out each enabled rule (`lifecycle.ts` says which
 * objects a rule selects and when its actions fall due):
 *
 * - **Expiration** (Days or Date) of current versions: deleted in an
 *   unversioned bucket; hidden under a new delete marker in a versioned one;
 *   in a suspended one replaced by a `null` delete marker (which removes a
 *   `null` version, as S3 does).
 * - **Expired delete markers** (ExpiredObjectDeleteMarker, or Days): a
 *   delete marker that is the only version left of its key is removed.
 * - **NoncurrentVersionExpiration**: a version is removed NoncurrentDays
 *   (rounded as S3 does) after it became noncurrent, i.e. after the next
 *   newer version still present was written, once at least
 *   NewerNoncurrentVersions newer noncurrent versions are kept.
 * - **AbortIncompleteMultipartUpload**: uploads of the rule's prefix older
 *   than DaysAfterInitiation are aborted.
 *
 * Object lock: every removal goes through the metadata store's delete with
 * its lock check, judged inside the deleting transaction, so a version
 * under legal hold or unexpired retention (GOVERNANCE included: the worker
 * never bypasses) is never removed, whatever changes concurrently. It is
 * counted as `locked` and retried on the next pass. A delete marker over a
 * locked current version is allowed (S3 places them too): the version stays.
 *
 * Several nodes may run passes at once: each removal names the exact row it
 * decided about (`DeleteOptions.ifSeq`), so a version already gone is
 * skipped, a delete marker is added only while the version the pass
 * expired is still the current one (never twice), and a key written again
 * since it was read is left alone. Memory is bounded: keys are walked page
 * by page with the store's listings.
 */
import { isSignetError } from './errors.ts';
import { timeOrderedId } from './ids.ts';
import {
  currentExpiryDue,
  dueAfterDays,
  enabledRules,
  expiredMarkerDue,
  filterScope,
  sizeMatches,
  storedLifecycle,
  tagsMatch,
  type LifecycleRule,
  type RuleScope,
} from './lifecycle.ts';
import type { Bucket, ObjectSummary } from './types.ts';
import type { Logger } from '../log.ts';
import type { DeleteOptions, MetaStore } from '../ports/meta-store.ts';

/** What one enabled rule did in one bucket during a pass. */
export interface LifecycleRuleReport {
  readonly bucket: string;
  readonly rule: string;
  /** Current versions expired: deleted (unversioned) or hidden by a new delete marker (versioned). */
  readonly expired: number;
  readonly noncurrentExpired: number;
  readonly deleteMarkersRemoved: number;
  readonly uploadsAborted: number;
  /** Versions due but protected by object lock (retention or legal hold): left in place. */
  readonly locked: number;
}

export interface LifecycleReport {
  /** Buckets with at least one enabled rule. */
  readonly buckets: number;
  readonly rules: readonly LifecycleRuleReport[];
}

type Counts = { -readonly [K in Exclude<keyof LifecycleRuleReport, 'bucket' | 'rule'>]: number };

const PAGE = 500;

/** The outcome of one conditional removal. */
type Outcome = 'done' | 'skipped' | 'locked';

/**
 * Runs one pass at `now`. Errors in one bucket are logged and do not stop
 * the others; what happened is logged one line per rule per bucket.
 */
export async function runLifecyclePass(meta: MetaStore, now: Date, log: Logger): Promise<LifecycleReport> {
  const reports: LifecycleRuleReport[] = [];
  let buckets = 0;
  for (const bucket of await meta.listBuckets(null)) {
    const rules = enabledRules(storedLifecycle(bucket));
    if (rules.length === 0) continue;
    buckets++;
    for (const rule of rules) {
      const counts: Counts = { expired: 0, noncurrentExpired: 0, deleteMarkersRemoved: 0, uploadsAborted: 0, locked: 0 };
      try {
        await applyRule(meta, bucket, rule, now, counts);
      } catch (e) {
        log.error('lifecycle rule failed', { bucket: bucket.name, rule: rule.id, err: e, ...counts });
        if (isSignetError(e) && e.code === 'NoSuchBucket') break;
        continue;
      }
      const report = { bucket: bucket.name, rule: rule.id, ...counts };
      reports.push(report);
      if (Object.values(counts).some((n) => n > 0)) log.info('lifecycle', { ...report });
      else log.debug('lifecycle', { ...report });
    }
  }
  return { buckets, rules: reports };
}

async function applyRule(meta: MetaStore, bucket: Bucket, rule: LifecycleRule, now: Date, counts: Counts): Promise<void> {
  const scope = filterScope(rule.filter);
  if (rule.expiration?.days !== undefined || rule.expiration?.date !== undefined) await expireCurrent(meta, bucket, rule, scope, now, counts);
  const versioned = bucket.versioning !== 'Unversioned';
  const markers = rule.expiration?.expiredObjectDeleteMarker === true || rule.expiration?.days !== undefined;
  if (versioned && (markers || rule.noncurrentVersionExpiration !== undefined)) await walkVersions(meta, bucket, rule, scope, now, counts);
  if (rule.abortIncompleteMultipartUpload !== undefined) await abortUploads(meta, bucket, scope.prefix, rule.abortIncompleteMultipartUpload.daysAfterInitiation, now, counts);
}

/** A removal that names its row; a row gone or changed is skipped, a locked one reported. */
async function remove(meta: MetaStore, bucket: Bucket, key: string, now: Date, options: Pick<DeleteOptions, 'versionId' | 'ifSeq'>): Promise<Outcome> {
  try {
    const result = await meta.deleteObject(bucket.name, key, {
      versioning: bucket.versioning,
      markerVersionId: timeOrderedId(now),
      now,
      ownerId: bucket.ownerId,
      lockCheck: { now, bypassGovernance: false },
      ...options,
    });
    return result.versionId === null ? 'skipped' : 'done';
  } catch (e) {
    if (isSignetError(e) && e.code === 'AccessDenied') return 'locked';
    if (isSignetError(e) && (e.code === 'PreconditionFailed' || e.code === 'NoSuchKey' || e.code === 'NoSuchVersion')) return 'skipped';
    throw e;
  }
}

/** With a tag filter, the version's tags (read once it is otherwise due); false when it changed or is gone. */
async function tagsAllow(meta: MetaStore, bucket: string, row: ObjectSummary, scope: RuleScope): Promise<boolean> {
  if (scope.tags.length === 0) return true;
  if (row.isDeleteMarker) return false;
  const v = await meta.getVersion(bucket, row.key, row.versionId);
  return v !== null && v.seq === row.seq && tagsMatch(scope, v.tags);
}

async function expireCurrent(meta: MetaStore, bucket: Bucket, rule: LifecycleRule, scope: RuleScope, now: Date, counts: Counts): Promise<void> {
  let after: string | null = null;
  for (;;) {
    const page = await meta.listObjects(bucket.name, { prefix: scope.prefix, after, limit: PAGE });
    for (const obj of page) {
      const due = currentExpiryDue(rule, obj.lastModified);
      if (due === null || now < due || !sizeMatches(scope, obj.size)) continue;
      if (!(await tagsAllow(meta, bucket.name, obj, scope))) continue;
      const outcome = await remove(meta, bucket, obj.key, now, { ifSeq: obj.seq });
      if (outcome === 'done') counts.expired++;
      if (outcome === 'locked') counts.locked++;
    }
    if (page.length < PAGE) return;
    after = page[page.length - 1]!.key;
  }
}

/** The versions of one key seen so far, newest first, without holding them. */
interface KeyState {
  key: string;
  /** The latest row (current version or delete marker). */
  latest: ObjectSummary;
  /** When the previous (newer) row was written: when the next row became noncurrent. */
  newerWritten: Date;
  /** Older versions seen and kept (all but those this pass removed). */
  keptNoncurrent: number;
}

/** Expired delete markers and noncurrent versions: one walk over every version of the rule's prefix. */
async function walkVersions(meta: MetaStore, bucket: Bucket, rule: LifecycleRule, scope: RuleScope, now: Date, counts: Counts): Promise<void> {
  const noncurrent = rule.noncurrentVersionExpiration;
  let state: KeyState | null = null;

  const finishKey = async (s: KeyState): Promise<void> => {
    // Only the marker is left (this pass may just have removed the versions under it).
    const marker = s.latest;
    if (s.keptNoncurrent > 0 || !marker.isDeleteMarker || scope.tags.length > 0) return;
    const due = expiredMarkerDue(rule, marker.lastModified);
    if (due === null || now < due) return;
    const outcome = await remove(meta, bucket, marker.key, now, { versionId: marker.versionId, ifSeq: marker.seq });
    if (outcome === 'done') counts.deleteMarkersRemoved++;
  };

  const visitNoncurrent = async (s: KeyState, row: ObjectSummary): Promise<void> => {
    const becameNoncurrent = s.newerWritten;
    s.newerWritten = row.lastModified;
    if (noncurrent === undefined) {
      s.keptNoncurrent++;
      return;
    }
    const retained = s.keptNoncurrent >= (noncurrent.newerNoncurrentVersions ?? 0);
    const due = dueAfterDays(becameNoncurrent, noncurrent.noncurrentDays);
    let outcome: Outcome = 'skipped';
    if (retained && now >= due && sizeMatches(scope, row.size, row.isDeleteMarker) && (await tagsAllow(meta, bucket.name, row, scope))) {
      outcome = await remove(meta, bucket, row.key, now, { versionId: row.versionId, ifSeq: row.seq });
    }
    if (outcome === 'done') counts.noncurrentExpired++;
    else s.keptNoncurrent++;
    if (outcome === 'locked') counts.locked++;
  };

  let cursor: { afterKey: string | null; afterSeq: number | null } = { afterKey: null, afterSeq: null };
  for (;;) {
    const page = await meta.listVersions(bucket.name, { prefix: scope.prefix, ...cursor, limit: PAGE });
    for (const row of page) {
      if (state === null || state.key !== row.key) {
        if (state !== null) await finishKey(state);
        state = { key: row.key, latest: row, newerWritten: row.lastModified, keptNoncurrent: 0 };
        continue;
      }
      await visitNoncurrent(state, row);
    }
    if (page.length < PAGE) break;
    const last = page[page.length - 1]!;
    cursor = { afterKey: last.key, afterSeq: last.seq };
  }
  if (state !== null) await finishKey(state);
}

async function abortUploads(meta: MetaStore, bucket: Bucket, prefix: string, days: number, now: Date, counts: Counts): Promise<void> {
  let keyMarker: string | null = null;
  let uploadIdMarker: string | null = null;
  for (;;) {
    const page = await meta.listUploads(bucket.name, { prefix, keyMarker, uploadIdMarker, limit: PAGE });
    for (const upload of page) {
      if (now < dueAfterDays(upload.initiated, days)) continue;
      try {
        await meta.abortUpload(upload.uploadId);
        counts.uploadsAborted++;
      } catch (e) {
        if (!(isSignetError(e) && e.code === 'NoSuchUpload')) throw e; // completed or aborted meanwhile
      }
    }
    if (page.length < PAGE) return;
    const last = page[page.length - 1]!;
    keyMarker = last.key;
    uploadIdMarker = last.uploadId;
  }
}

/**
 * Runs a pass every `intervalMs` (0: never) at the clock's time, one at a
 * time per process. `runNow` starts a pass of its own at once (tests; two
 * calls race as two nodes would).
 */
export function startLifecycleWorker(meta: MetaStore, opts: { intervalMs: number; clock: () => Date; log: Logger }): { stop(): void; runNow(): Promise<LifecycleReport> } {
  const runNow = (): Promise<LifecycleReport> => runLifecyclePass(meta, opts.clock(), opts.log);
  let running = false;
  const tick = (): void => {
    if (running) return;
    running = true;
    runNow()
      .catch((e: unknown) => opts.log.error('lifecycle failed', { err: e }))
      .finally(() => {
        running = false;
      });
  };
  const timer = opts.intervalMs > 0 ? setInterval(tick, opts.intervalMs) : null;
  timer?.unref();
  return { stop: () => timer && clearInterval(timer), runNow };
}
