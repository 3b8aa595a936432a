/**
 * @module
 * fsync calls that share: at most one runs at a time, and every call made
 * while one runs waits for the next, which starts when the running one ends
 * and covers all of them. A call is answered only by a sync that began after
 * it, so whatever the caller wrote before calling is on disk when it settles.
 * Under load this turns one fsync per committed batch into one per disk
 * round trip, with fewer thread-pool wake-ups and device flushes.
 */
export function coalescedSync(sync: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  let next: Promise<void> | null = null;
  const start = (): Promise<void> => {
    const run = sync().finally(() => {
      if (running === run) running = null;
    });
    running = run;
    return run;
  };
  return () => {
    if (next !== null) return next;
    if (running === null) return start();
    const waitFor = running;
    next = waitFor
      .catch(() => {})
      .then(() => {
        next = null;
        return start();
      });
    return next;
  };
}
