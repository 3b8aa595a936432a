/**
 * @module
 * put64m and get64m: a few big streamed objects at low concurrency, the case
 * where bytes per second (copies, hashing, read sizes) is what counts.
 */
import { runPool } from '../measure.ts';
import { MiB, POOL_SIZE, matches, writeBody } from '../payload.ts';
import type { S3Client, StreamedBody } from '../sigv4-client.ts';
import { drain } from '../sigv4-client.ts';
import { STREAMED_PAYLOAD, check, ensureBucket, timed, withClient } from './workload.ts';
import type { Measured, Workload, WorkloadContext } from './workload.ts';

const BIG_BUCKET = 'bench-big';

const bigKey = (round: number, i: number): string => `big/r${round}/${String(i).padStart(4, '0')}`;
const seedOf = (i: number): number => (i * 1_000_003) % POOL_SIZE;

async function putBig(client: S3Client, key: string, i: number, size: number): Promise<number> {
  const stream: StreamedBody = { length: size, write: (out) => writeBody(out, seedOf(i), size) };
  await client.call({ method: 'PUT', bucket: BIG_BUCKET, key, stream });
  return size;
}

async function getBig(client: S3Client, key: string, size: number): Promise<number> {
  const { value } = await client.send({ method: 'GET', bucket: BIG_BUCKET, key }, drain);
  check(value === size, `GET ${key}: ${value} bytes, expected ${size}`);
  return value;
}

/** Untimed: object 0 compared byte for byte while it streams in. */
async function verifyBig(client: S3Client, key: string, size: number): Promise<void> {
  const seed = seedOf(0);
  const { value: ok } = await client.send({ method: 'GET', bucket: BIG_BUCKET, key }, async (res) => {
    let pos = 0;
    let same = true;
    for await (const chunk of res) {
      same &&= matches(seed, pos, chunk as Buffer);
      pos += (chunk as Buffer).length;
    }
    return same && pos === size;
  });
  check(ok, `GET ${key}: content differs from what was PUT`);
}

function result(bytes: number, sample: Measured['sample'], notes: string[] = []): Measured {
  const mib = bytes / MiB;
  return { figure: mib / sample.seconds, units: mib, sample, notes };
}

async function writeAll(ctx: WorkloadContext, client: S3Client): Promise<Measured['sample']> {
  const s = ctx.sizes;
  await ensureBucket(ctx, client, BIG_BUCKET);
  // Untimed warm-up object, so JIT and first-use costs stay out of the figure.
  await putBig(client, 'warm/big', 0, s.bigSize);
  const sample = await timed(ctx, () => runPool({ count: s.bigCount, concurrency: s.bigConcurrency }, (i) => putBig(client, bigKey(ctx.round, i), i, s.bigSize)));
  ctx.state.bigObjects = s.bigCount;
  ctx.state.bigRound = ctx.round;
  return sample;
}

async function runPut(ctx: WorkloadContext): Promise<Measured> {
  return withClient(ctx, ctx.sizes.bigConcurrency, async (client) => {
    const sample = await writeAll(ctx, client);
    return result(sample.bytes, sample);
  });
}

async function runGet(ctx: WorkloadContext): Promise<Measured> {
  const s = ctx.sizes;
  return withClient(ctx, s.bigConcurrency, async (client) => {
    const notes: string[] = [];
    if (ctx.state.bigObjects === 0) {
      ctx.progress(`writing ${s.bigCount} objects to read (untimed)`);
      await writeAll(ctx, client);
      notes.push('objects written untimed (put64m not run)');
    }
    const { bigObjects: objects, bigRound: round } = ctx.state;
    await verifyBig(client, bigKey(round, 0), s.bigSize);
    const sample = await timed(ctx, () =>
      runPool({ count: s.bigGets, concurrency: s.bigConcurrency, seconds: s.bigSeconds }, (i) => getBig(client, bigKey(round, i % objects), s.bigSize)),
    );
    return result(sample.bytes, sample, notes);
  });
}

export const put64m: Workload = {
  name: 'put64m',
  title: (s) => `PUT ${s.bigSize / MiB} MiB objects — ${s.bigCount} objects, ${s.bigConcurrency} concurrent`,
  unit: 'MiB/s',
  cpuUnit: 'MiB',
  showLatency: false,
  payload: STREAMED_PAYLOAD,
  run: runPut,
};

export const get64m: Workload = {
  name: 'get64m',
  title: (s) => `GET ${s.bigSize / MiB} MiB objects — ${s.bigGets} GETs over ${s.bigCount} objects (cap ${s.bigSeconds} s), ${s.bigConcurrency} concurrent`,
  unit: 'MiB/s',
  cpuUnit: 'MiB',
  showLatency: false,
  payload: 'GET: empty body, SHA-256 of empty string',
  run: runGet,
};
