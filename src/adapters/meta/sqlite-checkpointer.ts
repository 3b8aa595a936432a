/**
 * @module
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs
 * inside the commit that crosses 1,000 WAL pages, on the writer connection:
 * with better-sqlite3 that is the event loop, blocked for milliseconds (the
 * copy into the database file and its two fsyncs) every few hundred small
 * writes. Here the writer's automatic checkpoint is turned off and a worker
 * thread with its own connection runs PASSIVE checkpoints instead: they copy
 * committed frames without taking the write lock, so writers never wait for them.
 *
 * A PASSIVE checkpoint alone never lets the WAL start over while writes keep
 * coming: SQLite rewinds the WAL only when a writer finds every frame
 * already copied, and the worker never catches up with a writer that commits
 * every few milliseconds. The WAL then grows by hundreds of MiB a minute, and
 * every read gets slower with it (a page lookup searches the WAL index of the
 * whole file; measured: 2.5 µs for a point read next to a small WAL, over 30
 * µs next to a 250 MiB one). So once the WAL holds {@link RESET_FRAMES}
 * frames, the worker asks for a pause: the writer finishes its open batch,
 * holds the next one (`GroupCommit.between`) while the worker copies what is
 * left and then commits a no-op itself (it sets `user_version` to its value),
 * which rewinds the WAL. That commit fsyncs the new WAL header; made by the
 * writer it would block the event loop for the fsync (measured: about 5% of
 * the event loop's time at 4,000 small PUT/s). The pause costs a few
 * milliseconds of write latency per reset, never a blocked event loop.
 *
 * Durability does not change: a commit is durable once its WAL frames are
 * (see `walFsync`); a checkpoint only copies durable frames into the
 * database file. If the worker stops, the writer's automatic checkpoint is
 * turned back on, so the WAL never grows without bound.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/** SQLite's default: the writer checkpoints itself past this many WAL pages. */
const AUTO_CHECKPOINT_PAGES = 1000;
/** How often the worker checkpoints; about what SQLite's own would do at a few thousand small writes/s. */
const INTERVAL_MS = 100;
/** WAL frames past which the worker asks for a reset: one WAL-index segment holds 4,096. */
const RESET_FRAMES = 4096;

/**
 * The worker, as CommonJS source: no file to resolve, under tsx and in the
 * build alike. Messages in: 'reset' (the writer is paused: copy everything,
 * answer 'copied') and 'close'. Out: 'reset-wanted'.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 10000');
db.pragma('synchronous = NORMAL');
let asked = false;
const checkpoint = () => {
  try {
    return db.pragma('wal_checkpoint(PASSIVE)')[0];
  } catch {
    // Busy or I/O trouble: the next tick tries again.
    return undefined;
  }
};
const timer = setInterval(() => {
  const result = checkpoint();
  if (!asked && result !== undefined && result.log >= workerData.resetFrames) {
    asked = true;
    parentPort.postMessage('reset-wanted');
  }
}, workerData.intervalMs);
// The first commit after a complete checkpoint starts the WAL over and fsyncs
// its new header; made here, that fsync blocks this thread, not the event loop.
const restart = () => {
  try {
    db.exec('begin immediate');
    db.pragma('user_version = ' + db.pragma('user_version', { simple: true }));
    db.exec('commit');
  } catch {
    if (db.inTransaction) db.exec('rollback');
  }
};
parentPort.on('message', (message) => {
  if (message === 'reset') {
    const result = checkpoint();
    if (result !== undefined && result.busy === 0 && result.log === result.checkpointed) restart();
    asked = false;
    parentPort.postMessage('copied');
    return;
  }
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stops the worker and closes its connection. */
  close(): Promise<void>;
}

/** Runs a task while no write transaction is open, holding the next one until it is done. */
export type BetweenWrites = (task: () => Promise<void>) => Promise<void>;

/**
 * Starts checkpointing `file` from a worker thread and turns off the
 * automatic checkpoint of `writer` (the connection that commits to it);
 * `between` pauses the writes for a WAL reset.
 */
export function startCheckpointer(file: string, writer: BetterSqlite3.Database, between: BetweenWrites): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const workerData = { file, driver, intervalMs: INTERVAL_MS, resetFrames: RESET_FRAMES };
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData });
  worker.unref();
  let closing = false;
  let copied: (() => void) | null = null;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const fallBack = () => {
    copied?.();
    if (!closing && writer.open) writer.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  };
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  worker.on('message', (message) => {
    if (message === 'copied') copied?.();
    else if (message === 'reset-wanted' && !closing) void between(() => reset()).catch(() => {});
  });
  const reset = () =>
    new Promise<void>((resolve) => {
      copied = () => {
        copied = null;
        resolve();
      };
      worker.postMessage('reset');
    });
  writer.pragma('wal_autocheckpoint = 0');
  return {
    close: async () => {
      closing = true;
      // Referenced again, so the process waits for the worker's connection to close.
      worker.ref();
      worker.postMessage('close');
      await exited;
    },
  };
}
