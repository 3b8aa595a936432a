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

/** The worker, as CommonJS source: no file to resolve, under tsx and in the build alike. */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 10000');
db.pragma('synchronous = NORMAL');
const checkpoint = () => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch {
    // Busy or I/O trouble: the next tick tries again.
  }
};
const timer = setInterval(checkpoint, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

export interface Checkpointer {
  /** Stops the worker and closes its connection. */
  close(): Promise<void>;
}

/**
 * Starts checkpointing `file` from a worker thread and turns off the
 * automatic checkpoint of `writer` (the connection that commits to it).
 */
export function startCheckpointer(file: string, writer: BetterSqlite3.Database): Checkpointer {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { file, driver, intervalMs: INTERVAL_MS } });
  worker.unref();
  let closing = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const fallBack = () => {
    if (!closing && writer.open) writer.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  };
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
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
