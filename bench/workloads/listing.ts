/**
 * @module
 * list: full paginated ListObjectsV2 (1,000 keys a page) over a bucket of
 * many small objects. Filling the bucket is untimed; its rate is a note.
 */
import { performance } from 'node:perf_hooks';
import { runPool } from '../measure.ts';
import type { S3Client } from '../sigv4-client.ts';
import { putSmall } from './small-objects.ts';
import { SMALL_PAYLOAD, check, ensureBucket, timed, withClient } from './workload.ts';
import type { Measured, Workload, WorkloadContext } from './workload.ts';

const LIST_BUCKET = 'bench-list';
const listKey = (i: number): string => `k/${String(i).padStart(7, '0')}`;

function unescapeXml(s: string): string {
  return s.replace(/&(lt|gt|amp|quot|apos|#\d+);/g, (_, e: string) =>
    e === 'lt' ? '<' : e === 'gt' ? '>' : e === 'amp' ? '&' : e === 'quot' ? '"' : e === 'apos' ? "'" : String.fromCharCode(Number(e.slice(1))),
  );
}

function countOf(xml: string, needle: string): number {
  let n = 0;
  for (let i = xml.indexOf(needle); i >= 0; i = xml.indexOf(needle, i + needle.length)) n++;
  return n;
}

/** One whole listing; returns the number of keys seen and checks their order across pages. */
async function listAll(client: S3Client): Promise<number> {
  let token: string | undefined;
  let keys = 0;
  let previousLast = '';
  do {
    const query: Record<string, string> = { 'list-type': '2', 'max-keys': '1000' };
    if (token !== undefined) query['continuation-token'] = token;
    const xml = (await client.call({ method: 'GET', bucket: LIST_BUCKET, query })).value.toString('utf8');
    const n = countOf(xml, '<Key>');
    const first = /<Key>([^<]*)<\/Key>/.exec(xml)?.[1] ?? '';
    check(n === 0 || unescapeXml(first) > previousLast, `listing out of order at "${first}"`);
    if (n > 0) previousLast = unescapeXml(xml.slice(xml.lastIndexOf('<Key>') + 5, xml.lastIndexOf('</Key>')));
    keys += n;
    const truncated = xml.includes('<IsTruncated>true</IsTruncated>');
    const next = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml)?.[1];
    check(!truncated || (next !== undefined && n > 0), 'truncated page without NextContinuationToken or keys');
    token = truncated ? unescapeXml(next as string) : undefined;
  } while (token !== undefined);
  return keys;
}

/** Untimed: writes the missing keys; a slow server stops at the time cap and lists what it has. */
async function fill(ctx: WorkloadContext, client: S3Client): Promise<string> {
  const s = ctx.sizes;
  const from = ctx.state.listKeys;
  if (from >= s.listKeys) return `${from} keys already there`;
  ctx.progress(`writing ${(s.listKeys - from).toLocaleString('en-US')} keys (untimed)`);
  const t0 = performance.now();
  const done = await runPool({ count: s.listKeys - from, concurrency: s.fillConcurrency, seconds: s.fillSeconds }, (i) =>
    putSmall(client, LIST_BUCKET, listKey(from + i), from + i, s.fillSize),
  );
  ctx.state.listKeys = from + done.ops;
  const seconds = (performance.now() - t0) / 1000;
  const capped = ctx.state.listKeys < s.listKeys ? ` — stopped at the ${s.fillSeconds} s cap` : '';
  return `fill: ${done.ops.toLocaleString('en-US')} PUTs of ${s.fillSize} B in ${seconds.toFixed(1)} s (${Math.round(done.ops / seconds)} ops/s, ${s.fillConcurrency} concurrent)${capped}`;
}

async function run(ctx: WorkloadContext): Promise<Measured> {
  const s = ctx.sizes;
  return withClient(ctx, s.fillConcurrency, async (client) => {
    await ensureBucket(ctx, client, LIST_BUCKET);
    const fillNote = await fill(ctx, client);
    const expected = ctx.state.listKeys;
    const sample = await timed(ctx, async () => {
      const t0 = performance.now();
      let keys = 0;
      let passes = 0;
      while (passes < s.listPasses && (passes === 0 || performance.now() - t0 < s.listSeconds * 1000)) {
        const n = await listAll(client);
        check(n === expected, `listing returned ${n} keys, expected ${expected}`);
        keys += n;
        passes++;
      }
      return { ops: passes, bytes: keys };
    });
    const keys = sample.bytes;
    return { figure: keys / sample.seconds, units: keys, sample, notes: [fillNote, `${sample.ops} full listing pass(es) of ${expected.toLocaleString('en-US')} keys`] };
  });
}

export const list: Workload = {
  name: 'list',
  title: (s) => `ListObjectsV2 over ${s.listKeys.toLocaleString('en-US')} keys — full paginated listing, 1,000 keys a page, up to ${s.listPasses} pass(es)`,
  unit: 'keys/s',
  cpuUnit: 'key',
  showLatency: false,
  payload: `fill PUTs: ${SMALL_PAYLOAD}`,
  run,
};
