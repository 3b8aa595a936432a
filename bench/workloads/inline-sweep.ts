/**
 * @module
 * The inline sweep, for choosing SIGNET_INLINE_THRESHOLD: PUT then GET ops/s
 * of objects from 4 KiB to 256 KiB on Signet with inlining off and on (one
 * fresh server each), with baseline-plain alongside when it runs. Bodies
 * come from a few fixed buffers whose SHA-256 is computed before timing, so
 * client hashing does not flatten the curve at the big sizes.
 */
import { runPool } from '../measure.ts';
import type { Sample } from '../measure.ts';
import { KiB, smallBody } from '../payload.ts';
import type { RunningServer } from '../server-process.ts';
import type { S3Client } from '../sigv4-client.ts';
import { drain, sha256Hex } from '../sigv4-client.ts';
import { check, ensureBucket, timed, withClient } from './workload.ts';
import type { WorkloadContext } from './workload.ts';
import { NOISY, formatTable, num, percent } from '../report.ts';

const SWEEP_BUCKET = 'bench-sweep';
const DISTINCT_BODIES = 64;

export interface SweepPoint {
  readonly size: number;
  readonly put: Sample;
  readonly get: Sample;
}

export interface SweepSeries {
  readonly label: string;
  readonly points: readonly SweepPoint[];
  readonly error?: string;
}

/** A server to sweep: borrowed (already running) or started for the sweep and stopped after. */
export interface SweepTarget {
  readonly label: string;
  readonly acquire: () => Promise<{ readonly server: RunningServer; readonly release: () => Promise<void> }>;
}

function bodiesOf(size: number): { body: Buffer; sha: string }[] {
  return Array.from({ length: DISTINCT_BODIES }, (_, i) => {
    const body = smallBody(i * 104_729, size);
    return { body, sha: sha256Hex(body) };
  });
}

async function sweepSize(ctx: WorkloadContext, client: S3Client, size: number): Promise<SweepPoint> {
  const s = ctx.sizes;
  const bodies = bodiesOf(size);
  const key = (i: number): string => `sweep/${size}/${String(i).padStart(7, '0')}`;
  const put = (prefix: string) => async (i: number) => {
    const b = bodies[i % DISTINCT_BODIES] as { body: Buffer; sha: string };
    await client.call({ method: 'PUT', bucket: SWEEP_BUCKET, key: prefix + key(i), body: b.body, bodySha256: b.sha });
  };
  const pool = { concurrency: s.smallConcurrency, seconds: s.sweepSeconds };
  await runPool({ count: Math.min(100, s.warmupOps), concurrency: s.smallConcurrency }, put('warm/'));
  const putSample = await timed(ctx, (latencies) => runPool({ ...pool, count: s.sweepOps, latencies }, put('')));
  const written = putSample.ops;
  const getSample = await timed(ctx, (latencies) =>
    runPool({ ...pool, count: s.sweepOps, latencies }, async (i) => {
      const { value } = await client.send({ method: 'GET', bucket: SWEEP_BUCKET, key: key(i % written) }, drain);
      check(value === size, `GET ${key(i % written)}: ${value} bytes, expected ${size}`);
      return value;
    }),
  );
  return { size, put: putSample, get: getSample };
}

/** All sizes on one server. */
export async function sweepServer(ctx: WorkloadContext): Promise<SweepPoint[]> {
  return withClient(ctx, ctx.sizes.smallConcurrency, async (client) => {
    await ensureBucket(ctx, client, SWEEP_BUCKET);
    const points: SweepPoint[] = [];
    for (const size of ctx.sizes.sweepSizes) {
      ctx.progress(`${size / KiB} KiB`);
      points.push(await sweepSize(ctx, client, size));
    }
    return points;
  });
}

const rate = (s: Sample): number => s.ops / s.seconds;

export function sweepTable(series: readonly SweepSeries[], sizes: readonly number[]): string {
  const ok = series.filter((x) => !x.error);
  const head = ['size', ...ok.map((x) => `${x.label} PUT/s`), ...ok.map((x) => `${x.label} GET/s`), ...ok.map((x) => `${x.label} PUT µs CPU`)];
  const rows = sizes.map((size, i) => {
    const at = (x: SweepSeries): SweepPoint | undefined => x.points[i];
    return [
      `${size / KiB} KiB`,
      ...ok.map((x) => num(at(x) ? rate((at(x) as SweepPoint).put) : NaN)),
      ...ok.map((x) => num(at(x) ? rate((at(x) as SweepPoint).get) : NaN)),
      ...ok.map((x) => {
        const p = at(x);
        return num(p ? p.put.serverCpuUs / p.put.ops : NaN);
      }),
    ];
  });
  const notes = series.filter((x) => x.error).map((x) => `   * ${x.label}: ${(x.error ?? '').split('\n')[0]}`);
  for (const x of ok) {
    const worst = Math.max(...x.points.map((p) => Math.max(p.put.otherCpu, p.get.otherCpu)));
    if (worst > NOISY) notes.push(`   * ${x.label}: other processes took up to ${percent(worst)} of the machine — figures unreliable`);
  }
  return [formatTable(head, rows), ...notes].join('\n');
}
