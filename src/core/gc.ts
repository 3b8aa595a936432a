/**
 * @module
 * Garbage collection of blobs no version or part references. A blob is only
 * a candidate once it is older than the grace period, and the store's delete
 * refuses a blob re-committed after the cutoff, so a write racing the
 * collector (an upload whose metadata is not committed yet) always wins.
 * Safe to run on several nodes at once: every step is idempotent.
 */
import type { Logger } from '../log.ts';
import type { BlobInfo, BlobStore } from '../ports/blob-store.ts';
import type { MetaStore } from '../ports/meta-store.ts';

export interface GcReport {
  readonly scanned: number;
  readonly deleted: number;
  readonly freedBytes: number;
  readonly temporaries: number;
}

const BATCH = 500;
/** Temporary files of a writer that crashed; no live writer is this old. */
const TEMP_GRACE_MS = 24 * 60 * 60 * 1000;

export async function collectGarbage(meta: MetaStore, blobs: BlobStore, now: Date, graceMs: number): Promise<GcReport> {
  const cutoff = new Date(now.getTime() - graceMs);
  let scanned = 0;
  let deleted = 0;
  let freedBytes = 0;
  let batch: BlobInfo[] = [];
  const flush = async (): Promise<void> => {
    const referenced = await meta.referencedBlobs(batch.map((b) => b.sha256));
    for (const b of batch) {
      if (!referenced.has(b.sha256) && (await blobs.delete(b.sha256, cutoff))) {
        deleted++;
        freedBytes += b.size;
      }
    }
    batch = [];
  };
  for await (const blob of blobs.list()) {
    scanned++;
    if (blob.modified >= cutoff) continue;
    batch.push(blob);
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  const temporaries = await blobs.sweepTemporary(new Date(now.getTime() - TEMP_GRACE_MS));
  return { scanned, deleted, freedBytes, temporaries };
}

/** Runs the collector every `intervalMs` until stopped; one run at a time. */
export function startGarbageCollector(
  meta: MetaStore,
  blobs: BlobStore,
  opts: { intervalMs: number; graceMs: number; clock: () => Date; log: Logger },
): { stop(): void; runNow(): Promise<GcReport> } {
  let running: Promise<GcReport> | null = null;
  const runNow = (): Promise<GcReport> => {
    running ??= collectGarbage(meta, blobs, opts.clock(), opts.graceMs)
      .then((report) => {
        if (report.deleted > 0 || report.temporaries > 0) opts.log.info('gc', { ...report });
        return report;
      })
      .finally(() => {
        running = null;
      });
    return running;
  };
  const timer = opts.intervalMs > 0 ? setInterval(() => void runNow().catch((e: unknown) => opts.log.error('gc failed', { err: e })), opts.intervalMs) : null;
  timer?.unref();
  return { stop: () => timer && clearInterval(timer), runNow };
}
