/**
 * @module
 * What every workload gets and gives back. A workload runs against one
 * server at a time; `ServerState` remembers what earlier workloads left on
 * that server so, say, get4k reuses put4k's objects instead of writing more.
 */
import type { Sizes, WorkloadName } from '../bench-config.ts';
import type { Done, Sample } from '../measure.ts';
import { flushDisk, measure } from '../measure.ts';
import type { RunningServer } from '../server-process.ts';
import type { S3Client } from '../sigv4-client.ts';
import { S3Error } from '../sigv4-client.ts';

export interface ServerState {
  readonly buckets: Set<string>;
  /** put4k keys 0..smallKeys-1 of round smallRound exist. */
  smallKeys: number;
  smallRound: number;
  /** 64 MiB objects 0..bigObjects-1 of round bigRound exist. */
  bigObjects: number;
  bigRound: number;
  /** Listing keys 0..listKeys-1 exist. */
  listKeys: number;
}

export function newServerState(): ServerState {
  return { buckets: new Set(), smallKeys: 0, smallRound: 0, bigObjects: 0, bigRound: 0, listKeys: 0 };
}

export interface WorkloadContext {
  readonly server: RunningServer;
  readonly sizes: Sizes;
  readonly sync: boolean;
  readonly state: ServerState;
  /** 0-based round (--rounds); writes go to fresh keys each round so no round measures overwrites. */
  readonly round: number;
  /** A client with `concurrency` sockets; the workload closes it. */
  client(concurrency: number): S3Client;
  /** Progress line on stderr. */
  progress(message: string): void;
}

export interface Measured {
  /** The headline figure, in the workload's unit. */
  readonly figure: number;
  /** Work done, in the workload's CPU unit (ops, MiB, keys), for per-unit costs. */
  readonly units: number;
  readonly sample: Sample;
  readonly notes: readonly string[];
}

export interface Workload {
  readonly name: Exclude<WorkloadName, 'sweep'>;
  readonly title: (sizes: Sizes) => string;
  readonly unit: 'ops/s' | 'MiB/s' | 'keys/s';
  readonly cpuUnit: 'op' | 'MiB' | 'key';
  readonly showLatency: boolean;
  /** How request payloads are signed, for the output. */
  readonly payload: string;
  readonly run: (ctx: WorkloadContext) => Promise<Measured>;
}

export const SMALL_PAYLOAD = 'x-amz-content-sha256 = SHA-256 of the body';
export const STREAMED_PAYLOAD = 'x-amz-content-sha256 = UNSIGNED-PAYLOAD (streamed)';

/** Creates the bucket once per server; "already yours" counts as done. */
export async function ensureBucket(ctx: WorkloadContext, client: S3Client, bucket: string): Promise<void> {
  if (ctx.state.buckets.has(bucket)) return;
  try {
    await client.call({ method: 'PUT', bucket });
  } catch (err) {
    if (!(err instanceof S3Error && err.code === 'BucketAlreadyOwnedByYou')) throw err;
  }
  ctx.state.buckets.add(bucket);
}

/** Flushes dirty pages (unless disabled), then measures `body`. */
export async function timed(ctx: WorkloadContext, body: (latencies: number[]) => Promise<Done>): Promise<Sample> {
  if (ctx.sync) await flushDisk(ctx.server.dataDir);
  return measure(ctx.server, body);
}

/** Runs `fn` with a fresh client and always closes it. */
export async function withClient<T>(ctx: WorkloadContext, concurrency: number, fn: (client: S3Client) => Promise<T>): Promise<T> {
  const client = ctx.client(concurrency);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

export function check(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}
