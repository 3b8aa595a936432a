/**
 * @module
 * put4k and get4k: many small signed requests at high concurrency, the case
 * where per-request overhead (auth, metadata, file or row creation) shows.
 */
import { runPool } from '../measure.ts';
import { KiB, matches, smallBody, smallSeed } from '../payload.ts';
import type { S3Client } from '../sigv4-client.ts';
import { collect, drain } from '../sigv4-client.ts';
import { SMALL_PAYLOAD, check, ensureBucket, timed, withClient } from './workload.ts';
import type { Measured, Workload, WorkloadContext } from './workload.ts';

export const SMALL_BUCKET = 'bench-small';

const smallKey = (round: number, i: number): string => `small/r${round}/${String(i).padStart(7, '0')}`;
/** Spreads bodies over the pool so consecutive objects differ. */
const seedOf = (i: number): number => i * 4099;

export async function putSmall(client: S3Client, bucket: string, key: string, seed: number, size: number): Promise<void> {
  await client.call({ method: 'PUT', bucket, key, body: smallBody(seed, size) });
}

async function getSmall(client: S3Client, bucket: string, key: string, size: number): Promise<number> {
  const { value } = await client.send({ method: 'GET', bucket, key }, drain);
  check(value === size, `GET ${key}: ${value} bytes, expected ${size}`);
  return value;
}

/** Untimed: one GET compared byte for byte, so a server returning wrong bytes cannot look fast. */
async function verifySmall(client: S3Client, bucket: string, key: string, seed: number, size: number): Promise<void> {
  const { value } = await client.send({ method: 'GET', bucket, key }, collect);
  check(value.length === size && matches(smallSeed(seed, size), 0, value), `GET ${key}: content differs from what was PUT`);
}

function result(ops: number, sample: Measured['sample'], notes: string[] = []): Measured {
  return { figure: ops / sample.seconds, units: ops, sample, notes };
}

async function runPut(ctx: WorkloadContext): Promise<Measured> {
  const s = ctx.sizes;
  return withClient(ctx, s.smallConcurrency, async (client) => {
    await ensureBucket(ctx, client, SMALL_BUCKET);
    const put = (prefix: string) => (i: number) => putSmall(client, SMALL_BUCKET, `${prefix}${smallKey(ctx.round, i)}`, seedOf(i), s.smallSize);
    await runPool({ count: s.warmupOps, concurrency: s.smallConcurrency }, put('warm/'));
    const sample = await timed(ctx, (latencies) =>
      runPool({ count: s.smallOps, concurrency: s.smallConcurrency, seconds: s.smallSeconds, latencies }, put('')),
    );
    // Every claimed op finished, so keys 0..ops-1 exist.
    ctx.state.smallKeys = sample.ops;
    ctx.state.smallRound = ctx.round;
    return result(sample.ops, sample);
  });
}

async function runGet(ctx: WorkloadContext): Promise<Measured> {
  const s = ctx.sizes;
  return withClient(ctx, s.smallConcurrency, async (client) => {
    const notes: string[] = [];
    if (ctx.state.smallKeys === 0) {
      await ensureBucket(ctx, client, SMALL_BUCKET);
      const count = Math.min(s.smallOps, 2000);
      ctx.progress(`writing ${count} objects to read (untimed)`);
      await runPool({ count, concurrency: s.smallConcurrency }, (i) => putSmall(client, SMALL_BUCKET, smallKey(ctx.round, i), seedOf(i), s.smallSize));
      ctx.state.smallKeys = count;
      ctx.state.smallRound = ctx.round;
      notes.push(`read ${count} objects written untimed (put4k not run)`);
    }
    const { smallKeys: keys, smallRound: round } = ctx.state;
    await verifySmall(client, SMALL_BUCKET, smallKey(round, 0), seedOf(0), s.smallSize);
    const get = (i: number): Promise<number> => getSmall(client, SMALL_BUCKET, smallKey(round, i % keys), s.smallSize);
    await runPool({ count: s.warmupOps, concurrency: s.smallConcurrency }, get);
    const sample = await timed(ctx, (latencies) =>
      runPool({ count: s.smallOps, concurrency: s.smallConcurrency, seconds: s.smallSeconds, latencies }, get),
    );
    return result(sample.ops, sample, notes);
  });
}

const title = (verb: string) => (s: WorkloadContext['sizes']) =>
  `${verb} ${s.smallSize / KiB} KiB objects — ${s.smallConcurrency} concurrent, up to ${s.smallOps.toLocaleString('en-US')} ops or ${s.smallSeconds} s`;

export const put4k: Workload = {
  name: 'put4k',
  title: title('PUT'),
  unit: 'ops/s',
  cpuUnit: 'op',
  showLatency: true,
  payload: SMALL_PAYLOAD,
  run: runPut,
};

export const get4k: Workload = {
  name: 'get4k',
  title: title('GET'),
  unit: 'ops/s',
  cpuUnit: 'op',
  showLatency: true,
  payload: 'GET: empty body, SHA-256 of empty string',
  run: runGet,
};
