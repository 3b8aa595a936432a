/**
 * @module
 * Bucket notifications: the configuration document (S3's queue, topic and
 * cloud-function configurations: id, destination ARN, event patterns, key
 * prefix/suffix filter), kept as the bucket config kind `notification`, and
 * listening to a bucket's events as they happen (MinIO's
 * ListenBucketNotification) through the {@link EventBus}.
 *
 * Signet delivers to no external destination yet: a configuration naming a
 * destination is refused as S3 and MinIO refuse an unknown one, unless the
 * caller asks to skip destination validation (then it is stored, and nothing
 * is delivered). An empty configuration is always accepted and removes it.
 */
import type { Buckets } from './buckets.ts';
import { fail } from './errors.ts';
import { isObjectEventPattern, type EventBus, type EventFilter, type EventListener } from './events.ts';
import type { Principal } from './types.ts';
import type { MetaStore } from '../ports/meta-store.ts';

/** The bucket config kind of the notification document. */
const NOTIFICATION = 'notification';

export type TargetKind = 'Queue' | 'Topic' | 'CloudFunction';

export interface NotificationTarget {
  readonly kind: TargetKind;
  readonly id?: string;
  readonly arn: string;
  /** `s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`, ... */
  readonly events: readonly string[];
  readonly prefix?: string;
  readonly suffix?: string;
}

export interface NotificationConfig {
  readonly targets: readonly NotificationTarget[];
}

/** The ARN service each kind of configuration names. */
const SERVICE: Readonly<Record<TargetKind, string>> = { Queue: 'sqs', Topic: 'sns', CloudFunction: 'lambda' };

/** `arn:partition:service:region:account:resource`. */
const ARN = /^arn:[a-z0-9-]+:([a-z0-9-]+):([a-z0-9-]*):([A-Za-z0-9_.-]*):(.+)$/;

const MAX_FILTER_VALUE = 1024;
const MAX_TARGETS = 100;

function invalid(message: string): never {
  fail('InvalidArgument', message);
}

/** A filter prefix or suffix: at most 1024 bytes of UTF-8, as S3. */
export function validateFilterValue(value: string): void {
  if (Buffer.byteLength(value) > MAX_FILTER_VALUE) invalid('Size of filter rule value cannot exceed 1024 bytes in UTF-8 representation');
}

/** Event patterns of a listener or configuration; InvalidArgument for any S3 does not know. */
export function validateEventPatterns(events: readonly string[]): void {
  for (const e of events) if (!isObjectEventPattern(e)) invalid('A specified event is not supported for notifications.');
}

/**
 * Checks a configuration as S3 does: well-formed ARNs of the right service,
 * known events without duplicates per target, one prefix and one suffix
 * rule at most, and destinations that exist. `destinationExists` answers
 * for the destinations Signet can deliver to (none yet).
 */
export function validateNotificationConfig(
  config: NotificationConfig,
  options: { readonly region: string; readonly skipDestinationValidation: boolean; readonly destinationExists?: (arn: string) => boolean },
): void {
  if (config.targets.length > MAX_TARGETS) invalid('Too many notification configurations.');
  const ids = new Set<string>();
  for (const t of config.targets) {
    const m = ARN.exec(t.arn);
    if (!m || m[1] !== SERVICE[t.kind]) invalid('A specified destination ARN does not exist or is not well-formed. Verify the destination ARN.');
    if (m[2] !== '' && m[2] !== options.region) {
      invalid('A specified destination is in a different region than the bucket. You must use a destination that resides in the same region as the bucket.');
    }
    if (t.events.length === 0) invalid('A specified event is not supported for notifications.');
    validateEventPatterns(t.events);
    if (new Set(t.events).size !== t.events.length) invalid('Configurations overlap. Configurations on the same bucket cannot share a common event type.');
    if (t.prefix !== undefined) validateFilterValue(t.prefix);
    if (t.suffix !== undefined) validateFilterValue(t.suffix);
    if (t.id !== undefined) {
      if (ids.has(t.id)) invalid('Configurations with the same ID are not allowed.');
      ids.add(t.id);
    }
    if (!options.skipDestinationValidation && !(options.destinationExists?.(t.arn) ?? false)) {
      invalid('A specified destination ARN does not exist or is not well-formed. Verify the destination ARN.');
    }
  }
}

/** The stored document, read back defensively (stored under older rules it may not fit). */
function storedConfig(doc: unknown): NotificationConfig {
  if (typeof doc !== 'object' || doc === null || !Array.isArray((doc as { targets?: unknown }).targets)) return { targets: [] };
  return doc as NotificationConfig;
}

export interface NotificationsOptions {
  readonly meta: MetaStore;
  readonly buckets: Buckets;
  readonly events: EventBus;
  readonly region: string;
}

export class Notifications {
  readonly #o: NotificationsOptions;

  constructor(options: NotificationsOptions) {
    this.#o = options;
  }

  /** The bucket's configuration; an empty one when none was put (as S3). */
  async config(who: Principal, bucket: string): Promise<NotificationConfig> {
    return storedConfig((await this.#o.buckets.require(who, bucket)).config[NOTIFICATION]);
  }

  /** Validates and replaces the configuration; an empty one removes it. Nothing changes on error. */
  async putConfig(who: Principal, bucket: string, config: NotificationConfig, options: { readonly skipDestinationValidation?: boolean } = {}): Promise<void> {
    await this.#o.buckets.require(who, bucket);
    validateNotificationConfig(config, { region: this.#o.region, skipDestinationValidation: options.skipDestinationValidation === true });
    await this.#o.meta.updateBucket(bucket, { config: { [NOTIFICATION]: config.targets.length === 0 ? null : config } });
  }

  /**
   * Subscribes to the bucket's events (after the caller was checked against
   * the bucket). The listener receives events committed from now on; call
   * the returned function to stop.
   */
  async listen(who: Principal, filter: EventFilter, listener: EventListener): Promise<() => void> {
    await this.#o.buckets.require(who, filter.bucket);
    validateEventPatterns(filter.events);
    validateFilterValue(filter.prefix);
    validateFilterValue(filter.suffix);
    return this.#o.events.subscribe(filter, listener);
  }
}
