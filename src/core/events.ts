/**
 * @module
 * Object events: what changed in a bucket, published by the core after each
 * successful commit (`objects.ts`, `multipart.ts`) and delivered to whoever
 * listens (MinIO's ListenBucketNotification, later notification targets). A
 * failed request publishes nothing.
 *
 * {@link EventBus} is the seam: {@link LocalEventBus} delivers inside this
 * process only. Several nodes on one PostgreSQL would each run a bus that
 * also relays through `LISTEN`/`NOTIFY`; nothing outside this module needs to
 * change for that.
 */

/** S3's event names, without the `s3:` prefix. */
export const OBJECT_EVENT_NAMES = [
  'ObjectCreated:Put',
  'ObjectCreated:Post',
  'ObjectCreated:Copy',
  'ObjectCreated:CompleteMultipartUpload',
  'ObjectRemoved:Delete',
  'ObjectRemoved:DeleteMarkerCreated',
] as const;

export type ObjectEventName = (typeof OBJECT_EVENT_NAMES)[number];

export interface ObjectEvent {
  readonly name: ObjectEventName;
  readonly bucket: string;
  readonly key: string;
  /** Bytes of the version created; 0 for removals. */
  readonly size: number;
  /** Without quotes; empty for removals. */
  readonly etag: string;
  /** The version created or removed (`null` for unversioned buckets), or the delete marker created. */
  readonly versionId: string | null;
  /** Orders events of one key: a later change has a greater sequencer (hex, fixed width). */
  readonly sequencer: string;
  readonly principal: { readonly userId: string; readonly userName: string };
  readonly time: Date;
  readonly contentType?: string;
  readonly userMetadata?: Readonly<Record<string, string>>;
}

/** What a listener wants: one bucket, some event names (`s3:ObjectCreated:*` style patterns), a key prefix and suffix. */
export interface EventFilter {
  readonly bucket: string;
  /** Patterns as S3 writes them (`s3:ObjectCreated:*`, `s3:ObjectRemoved:Delete`); empty: every event. */
  readonly events: readonly string[];
  readonly prefix: string;
  readonly suffix: string;
}

export type EventListener = (event: ObjectEvent) => void;

export interface EventBus {
  /** Delivers to every matching listener; never throws (a failing listener is its own problem). */
  publish(event: ObjectEvent): void;
  /** Returns the unsubscribe function. */
  subscribe(filter: EventFilter, listener: EventListener): () => void;
  /** Listeners currently subscribed (for readiness checks and tests). */
  listenerCount(): number;
}

/** Whether `name` (`ObjectCreated:Put`) is matched by an S3 pattern (`s3:ObjectCreated:*`, `s3:*`). */
export function eventMatches(pattern: string, name: ObjectEventName): boolean {
  const p = pattern.startsWith('s3:') ? pattern.slice(3) : pattern;
  if (p === '*') return true;
  if (p.endsWith(':*')) return name.startsWith(p.slice(0, -1));
  return p === name;
}

/** True for the event patterns S3 (and MinIO) accept for object events. */
export function isObjectEventPattern(pattern: string): boolean {
  if (!pattern.startsWith('s3:')) return false;
  const p = pattern.slice(3);
  return p === 'ObjectCreated:*' || p === 'ObjectRemoved:*' || (OBJECT_EVENT_NAMES as readonly string[]).includes(p);
}

export function filterMatches(filter: EventFilter, event: ObjectEvent): boolean {
  return (
    filter.bucket === event.bucket &&
    event.key.startsWith(filter.prefix) &&
    event.key.endsWith(filter.suffix) &&
    (filter.events.length === 0 || filter.events.some((p) => eventMatches(p, event.name)))
  );
}

/** Delivers events to listeners of this process, synchronously, in publication order. */
export class LocalEventBus implements EventBus {
  readonly #listeners = new Map<number, { filter: EventFilter; listener: EventListener }>();
  #next = 0;
  readonly #onListenerError: (err: unknown) => void;

  constructor(onListenerError: (err: unknown) => void = () => {}) {
    this.#onListenerError = onListenerError;
  }

  publish(event: ObjectEvent): void {
    for (const { filter, listener } of this.#listeners.values()) {
      if (!filterMatches(filter, event)) continue;
      try {
        listener(event);
      } catch (err) {
        this.#onListenerError(err);
      }
    }
  }

  subscribe(filter: EventFilter, listener: EventListener): () => void {
    const id = this.#next++;
    this.#listeners.set(id, { filter, listener });
    return () => {
      this.#listeners.delete(id);
    };
  }

  listenerCount(): number {
    return this.#listeners.size;
  }
}

let lastSequence = 0n;

/**
 * A sequencer: milliseconds since the epoch and a counter, as 16 hex digits,
 * strictly increasing within this process (S3 compares sequencers of one key
 * as hex numbers).
 */
export function nextSequencer(now: Date): string {
  const candidate = BigInt(now.getTime()) << 16n;
  lastSequence = candidate > lastSequence ? candidate : lastSequence + 1n;
  return lastSequence.toString(16).toUpperCase().padStart(16, '0');
}

/** The event of a version just written. */
export function createdEvent(
  name: Extract<ObjectEventName, `ObjectCreated:${string}`>,
  who: { readonly userId: string; readonly userName: string },
  v: { readonly bucket: string; readonly key: string; readonly size: number; readonly etag: string; readonly versionId: string; readonly lastModified: Date; readonly headers?: { readonly contentType?: string }; readonly userMetadata?: Readonly<Record<string, string>> },
): ObjectEvent {
  return {
    name,
    bucket: v.bucket,
    key: v.key,
    size: v.size,
    etag: v.etag,
    versionId: v.versionId,
    sequencer: nextSequencer(v.lastModified),
    principal: { userId: who.userId, userName: who.userName },
    time: v.lastModified,
    contentType: v.headers?.contentType,
    userMetadata: v.userMetadata,
  };
}

/** The event of a deletion: a version removed, or a delete marker created. */
export function removedEvent(
  who: { readonly userId: string; readonly userName: string },
  bucket: string,
  key: string,
  result: { readonly versionId: string | null; readonly deleteMarker: boolean },
  byVersionId: boolean,
  now: Date,
): ObjectEvent {
  return {
    name: result.deleteMarker && !byVersionId ? 'ObjectRemoved:DeleteMarkerCreated' : 'ObjectRemoved:Delete',
    bucket,
    key,
    size: 0,
    etag: '',
    versionId: result.versionId,
    sequencer: nextSequencer(now),
    principal: { userId: who.userId, userName: who.userName },
    time: now,
  };
}
