/**
 * @module
 * Group commit for SQLite: write transactions requested in the same
 * event-loop turn (and those arriving while a batch runs) run together in
 * one database transaction, so one WAL fsync (synchronous=FULL) pays for the
 * whole batch instead of one per write.
 *
 * Each operation runs inside its own savepoint: when it throws (a
 * `SignetError` such as PreconditionFailed, or a constraint error), only its
 * savepoint is rolled back and only its caller sees the error. When the
 * batch itself fails (BEGIN or COMMIT fails, or an error ended the
 * transaction), nothing of it was committed, and every operation is run
 * again alone in its own transaction, so each caller gets its own real
 * outcome and nothing is lost silently.
 *
 * A committed batch is settled only once `afterCommit` (the WAL fsync) has
 * finished, but the next batch does not wait for that: its statements run
 * while the previous fsync is in flight, so the disk's latency is paid once
 * per batch without stalling the writes that arrive meanwhile. Each batch's
 * own fsync starts after its commit, so it covers every earlier batch too.
 *
 * `between` runs a task while no batch is open and holds the next batch
 * until it is done: the WAL reset (`sqlite-checkpointer.ts`) needs a moment
 * with no writer.
 */
import type { Db } from './meta-dialect.ts';

/** The transaction control statements group commit issues. */
export type ControlStatement =
  | 'begin immediate'
  | 'commit'
  | 'rollback'
  | 'savepoint op'
  | 'rollback to op'
  | 'release op';

/** Runs a control statement on the connection behind `db` (synchronously: they are per-op overhead). */
export type RunControl = (statement: ControlStatement) => void;

type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: unknown };

interface Job {
  readonly op: (trx: Db) => Promise<unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

/** Operations per transaction: bounds how long one batch keeps later writers waiting. */
const MAX_BATCH = 512;

export class GroupCommit {
  readonly #db: Db;
  readonly #control: RunControl;
  readonly #afterCommit: () => Promise<void>;
  #queue: Job[] = [];
  #between: (() => Promise<void>)[] = [];
  #draining: Promise<void> | null = null;
  /** Committed batches waiting for `afterCommit` before they are settled. */
  readonly #settling = new Set<Promise<void>>();
  #closed = false;

  /**
   * `db` must have a single connection that nothing else writes through;
   * `control` runs on it. `afterCommit` runs after each committed batch and
   * before any of its operations is settled (the WAL fsync, off the event loop).
   */
  constructor(db: Db, control: RunControl, afterCommit: () => Promise<void> = async () => {}) {
    this.#db = db;
    this.#control = control;
    this.#afterCommit = afterCommit;
  }

  /** Runs `op` in the next batch's transaction; settles with its own outcome. */
  run<T>(op: (trx: Db) => Promise<T>): Promise<T> {
    if (this.#closed) return Promise.reject(new Error('The metadata store is closed.'));
    return new Promise<T>((resolve, reject) => {
      this.#queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
      this.#startDraining();
    });
  }

  /**
   * Runs `task` after the open batch has committed and before the next one
   * begins; writes that arrive meanwhile wait and then commit together.
   * A failing task fails only this call.
   */
  between(task: () => Promise<void>): Promise<void> {
    // Closed: no batch will follow, so there is nothing to hold.
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#between.push(() => task().then(resolve, reject));
      this.#startDraining();
    });
  }

  #startDraining(): void {
    // setImmediate: everything queued in this turn, microtasks included, joins the batch.
    this.#draining ??= new Promise<void>((done) => setImmediate(done)).then(() => this.#drain());
  }

  /** Refuses new operations and waits for queued ones to settle. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#draining;
    await Promise.all(this.#settling);
  }

  async #drain(): Promise<void> {
    try {
      while (this.#queue.length > 0 || this.#between.length > 0) {
        for (const task of this.#between.splice(0)) await task();
        const batch = this.#queue.splice(0, MAX_BATCH);
        if (batch.length > 0) await this.#commit(batch);
      }
    } finally {
      this.#draining = null;
    }
  }

  /** Commits the batch and returns; its callers are settled once it is durable. */
  async #commit(batch: readonly Job[]): Promise<void> {
    let outcomes: Outcome[];
    try {
      outcomes = await this.#runBatch(batch);
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const job of batch) await this.#commit([job]);
      return;
    }
    // Committed: a failure now must not re-run the batch, only fail it (it may or may not last).
    const settling = this.#afterCommit().then(
      () => batch.forEach((job, i) => settle(job, outcomes[i])),
      (error: unknown) => batch.forEach((job) => job.reject(error)),
    );
    this.#settling.add(settling);
    void settling.finally(() => this.#settling.delete(settling));
  }

  /** One transaction for the batch; throws when the batch as a whole failed. */
  #runBatch(batch: readonly Job[]): Promise<Outcome[]> {
    // Holding Kysely's connection keeps every other user of `db` out until the batch ends.
    return this.#db.connection().execute(async (conn) => {
      // IMMEDIATE: take the write lock now, so no statement inside can hit SQLITE_BUSY.
      this.#control('begin immediate');
      try {
        const [only] = batch;
        if (batch.length === 1 && only !== undefined) {
          // Alone in its transaction: its failure rolls all of it back, with no savepoint to pay for.
          const outcome = await this.#runAlone(conn, only.op);
          if (outcome.ok) this.#control('commit');
          else this.#rollback();
          return [outcome];
        }
        const outcomes: Outcome[] = [];
        for (const job of batch) outcomes.push(await this.#runInSavepoint(conn, job.op));
        this.#control('commit');
        return outcomes;
      } catch (error) {
        this.#rollback();
        throw error;
      }
    });
  }

  #rollback(): void {
    try {
      this.#control('rollback');
    } catch {
      // SQLite may have rolled back already (it does on some I/O errors).
    }
  }

  /** The op's failure is its outcome; the caller then rolls the transaction back. */
  async #runAlone(conn: Db, op: (trx: Db) => Promise<unknown>): Promise<Outcome> {
    try {
      return { ok: true, value: await op(conn) };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** The op's own failure rolls back only its savepoint; failing to do that fails the batch. */
  async #runInSavepoint(conn: Db, op: (trx: Db) => Promise<unknown>): Promise<Outcome> {
    this.#control('savepoint op');
    let outcome: Outcome;
    try {
      outcome = { ok: true, value: await op(conn) };
    } catch (error) {
      this.#control('rollback to op');
      outcome = { ok: false, error };
    }
    this.#control('release op');
    return outcome;
  }
}

function settle(job: Job, outcome: Outcome | undefined): void {
  if (outcome?.ok === true) job.resolve(outcome.value);
  else job.reject(outcome?.error);
}
