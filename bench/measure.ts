/**
 * @module
 * Running a timed phase: a pool of concurrent operations bounded by a count
 * and a time cap, wrapped in server CPU, client CPU and peak RSS readings.
 */
import { execFile } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { availableParallelism } from 'node:os';
import { RssSampler, cpuMicros, machineBusyMicros, processTree } from './proc-stats.ts';
import type { RunningServer } from './server-process.ts';

export interface Done {
  readonly ops: number;
  readonly bytes: number;
}

export interface Sample extends Done {
  readonly seconds: number;
  readonly serverCpuUs: number;
  readonly clientCpuUs: number;
  readonly peakRss: number;
  /** Share (0..1) of the machine's CPU taken by anything but this server and the bench during the phase. */
  readonly otherCpu: number;
  /** Per-operation latencies in ms, when the phase recorded them. */
  readonly latencies: readonly number[];
}

export interface PoolOptions {
  readonly count: number;
  readonly concurrency: number;
  /** Stop claiming new operations after this long. */
  readonly seconds?: number;
  /** Filled with each operation's latency in ms. */
  readonly latencies?: number[];
}

/**
 * Runs `op(0..count-1)` with `concurrency` workers until the count or the
 * time cap is reached. `op` resolves with the bytes it moved. The first
 * failure stops the pool and is rethrown once the workers are idle.
 */
export async function runPool(opts: PoolOptions, op: (i: number) => Promise<number | void>): Promise<Done> {
  const deadline = opts.seconds === undefined ? Infinity : performance.now() + opts.seconds * 1000;
  let next = 0;
  let ops = 0;
  let bytes = 0;
  let failure: unknown = null;
  const worker = async (): Promise<void> => {
    while (failure === null && next < opts.count && performance.now() < deadline) {
      const i = next++;
      const t0 = performance.now();
      try {
        bytes += (await op(i)) ?? 0;
      } catch (err) {
        failure ??= err;
        return;
      }
      opts.latencies?.push(performance.now() - t0);
      ops++;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency, opts.count)) }, worker));
  if (failure !== null) throw failure;
  return { ops, bytes };
}

/** Times `body` and reads what it cost the server (whole process tree) and this process. */
export async function measure(server: RunningServer, body: (latencies: number[]) => Promise<Done>): Promise<Sample> {
  const pids = processTree(server.pid);
  const rss = new RssSampler(pids);
  const latencies: number[] = [];
  rss.start();
  const cpu0 = cpuMicros(pids);
  const busy0 = machineBusyMicros();
  const client0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    const done = await body(latencies);
    const seconds = (performance.now() - t0) / 1000;
    const client = process.cpuUsage(client0);
    const clientCpuUs = client.user + client.system;
    const serverCpuUs = cpuMicros(pids) - cpu0;
    const other = machineBusyMicros() - busy0 - serverCpuUs - clientCpuUs;
    const otherCpu = Math.max(0, other / (seconds * 1e6 * availableParallelism()));
    return { ...done, seconds, serverCpuUs, clientCpuUs, otherCpu, peakRss: rss.stop(), latencies };
  } finally {
    rss.stop();
  }
}

const execFileP = promisify(execFile);

/** Writes back dirty pages of the filesystem holding `dir` (untimed housekeeping between phases). */
export async function flushDisk(dir: string): Promise<void> {
  await execFileP('sync', ['-f', dir]);
}

/** The q-quantile (0..1) of unsorted values; NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}
