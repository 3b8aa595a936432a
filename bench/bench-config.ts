/**
 * @module
 * Command-line flags and the sizes of every workload, full or --quick.
 */
import { parseArgs } from 'node:util';
import { MiB } from './payload.ts';

export const WORKLOADS = ['put4k', 'get4k', 'put64m', 'get64m', 'mpu1g', 'list', 'sweep'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];
export const DEFAULT_WORKLOADS: readonly WorkloadName[] = ['put4k', 'get4k', 'put64m', 'get64m', 'mpu1g', 'list'];

export const SERVER_NAMES = ['signet', 'plain', 'hashing'] as const;
export type ServerName = (typeof SERVER_NAMES)[number];

export const DEFAULT_SIGNET_CMD = 'node bin/signet.js serve --listen {listen} --data {data}';

export interface Sizes {
  /** put4k/get4k: ops cap, time cap, concurrency, body size, untimed warm-up ops. */
  readonly smallOps: number;
  readonly smallSeconds: number;
  readonly smallConcurrency: number;
  readonly smallSize: number;
  readonly warmupOps: number;
  /** put64m/get64m: object size, objects written, GETs done, time cap of the GETs, concurrency. */
  readonly bigSize: number;
  readonly bigCount: number;
  readonly bigGets: number;
  readonly bigSeconds: number;
  readonly bigConcurrency: number;
  /** mpu1g: object size, part size, concurrency. */
  readonly mpuSize: number;
  readonly partSize: number;
  readonly mpuConcurrency: number;
  /** list: keys, fill concurrency, fill body size, fill time cap, listing passes and their time cap. */
  readonly listKeys: number;
  readonly fillConcurrency: number;
  readonly fillSize: number;
  readonly fillSeconds: number;
  readonly listPasses: number;
  readonly listSeconds: number;
  /** sweep: object sizes, ops and time cap per point. */
  readonly sweepSizes: readonly number[];
  readonly sweepOps: number;
  readonly sweepSeconds: number;
}

const FULL: Sizes = {
  smallOps: 20_000,
  smallSeconds: 10,
  smallConcurrency: 16,
  smallSize: 4096,
  warmupOps: 500,
  bigSize: 64 * MiB,
  bigCount: 8,
  bigGets: 24,
  bigSeconds: 15,
  bigConcurrency: 4,
  mpuSize: 1024 * MiB,
  partSize: 16 * MiB,
  mpuConcurrency: 4,
  listKeys: 100_000,
  fillConcurrency: 32,
  fillSize: 64,
  fillSeconds: 90,
  listPasses: 3,
  listSeconds: 10,
  sweepSizes: [4096, 16384, 65536, 131072, 262144],
  sweepOps: 4000,
  sweepSeconds: 4,
};

const QUICK: Sizes = {
  ...FULL,
  smallOps: 2000,
  smallSeconds: 2,
  warmupOps: 100,
  bigCount: 2,
  bigGets: 4,
  bigSeconds: 5,
  bigConcurrency: 2,
  mpuSize: 128 * MiB,
  mpuConcurrency: 2,
  listKeys: 5000,
  fillSeconds: 30,
  listPasses: 1,
  listSeconds: 3,
  sweepSizes: [4096, 65536, 262144],
  sweepOps: 500,
  sweepSeconds: 1,
};

export interface BenchConfig {
  readonly quick: boolean;
  readonly workloads: readonly WorkloadName[];
  readonly servers: readonly ServerName[];
  /** The server the targets are about (signet unless testing the harness). */
  readonly subject: ServerName;
  /** Runs of each workload per server, interleaved across servers; the best is reported. */
  readonly rounds: number;
  readonly signetCmd: readonly string[];
  readonly signetEnv: Readonly<Record<string, string>>;
  readonly baselineFsync: boolean;
  readonly keepData: boolean;
  /** Flush dirty pages (untimed) before each timed phase, so one server's writes do not slow the next. */
  readonly sync: boolean;
  readonly jsonPath: string | undefined;
  readonly sizes: Sizes;
}

export const USAGE = `Usage: npm run bench -- [options]
  --quick                 short smoke run (small counts, 128 MiB multipart, 5,000 keys)
  --only a,b              workloads: ${WORKLOADS.join(', ')} (default: all but sweep)
  --inline-sweep          also run the sweep: Signet PUT/GET ops/s at 4-256 KiB, inline on vs off
  --servers a,b           servers: ${SERVER_NAMES.join(', ')} (default: all)
  --subject NAME          server the target summary is about (default: signet)
  --rounds N              run each workload N times per server, servers interleaved,
                          and report the best round (for noisy machines; multiplies run time)
  --signet-cmd "CMD"      Signet argv; {listen} {host} {port} {data} are substituted
                          (default: "${DEFAULT_SIGNET_CMD}")
  --signet-env K=V        extra env for Signet (repeatable), e.g. SIGNET_INLINE_THRESHOLD=65536
  --baseline-fsync        baselines fsync each written file and its folder (durable like Signet)
  --small-ops N --small-seconds S --big-count N --mpu-mib N --list-keys N   override sizes
  --no-sync               do not flush dirty pages before timed phases
  --keep-data             keep the servers' temp data dirs and logs
  --json FILE             also write the results as JSON`;

function list<T extends string>(value: string, allowed: readonly T[], what: string): T[] {
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`unknown ${what} "${item}" (known: ${allowed.join(', ')})`);
  return items as T[];
}

function positive(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number`);
  return n;
}

function envPairs(pairs: readonly string[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`--signet-env wants K=V, got "${pair}"`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** The parsed config, or null when --help was asked. */
export function parseBenchArgs(argv: readonly string[]): BenchConfig | null {
  const { values: v } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      'inline-sweep': { type: 'boolean', default: false },
      servers: { type: 'string', default: SERVER_NAMES.join(',') },
      subject: { type: 'string', default: 'signet' },
      rounds: { type: 'string', default: '1' },
      'signet-cmd': { type: 'string', default: DEFAULT_SIGNET_CMD },
      'signet-env': { type: 'string', multiple: true, default: [] },
      'baseline-fsync': { type: 'boolean', default: false },
      'small-ops': { type: 'string' },
      'small-seconds': { type: 'string' },
      'big-count': { type: 'string' },
      'mpu-mib': { type: 'string' },
      'list-keys': { type: 'string' },
      'no-sync': { type: 'boolean', default: false },
      'keep-data': { type: 'boolean', default: false },
      json: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (v.help) return null;
  const workloads = v.only ? list(v.only, WORKLOADS, 'workload') : [...DEFAULT_WORKLOADS];
  if (v['inline-sweep'] && !workloads.includes('sweep')) workloads.push('sweep');
  const base = v.quick ? QUICK : FULL;
  const mpuMib = positive(v['mpu-mib'], 'mpu-mib');
  const sizes: Sizes = {
    ...base,
    smallOps: positive(v['small-ops'], 'small-ops') ?? base.smallOps,
    smallSeconds: positive(v['small-seconds'], 'small-seconds') ?? base.smallSeconds,
    bigCount: positive(v['big-count'], 'big-count') ?? base.bigCount,
    mpuSize: mpuMib !== undefined ? Math.ceil(mpuMib) * MiB : base.mpuSize,
    listKeys: positive(v['list-keys'], 'list-keys') ?? base.listKeys,
  };
  return {
    quick: v.quick,
    workloads,
    servers: list(v.servers, SERVER_NAMES, 'server'),
    subject: list(v.subject, SERVER_NAMES, 'subject')[0] ?? 'signet',
    rounds: Math.ceil(positive(v.rounds, 'rounds') ?? 1),
    signetCmd: v['signet-cmd'].split(/\s+/).filter(Boolean),
    signetEnv: envPairs(v['signet-env']),
    baselineFsync: v['baseline-fsync'],
    keepData: v['keep-data'],
    sync: !v['no-sync'],
    jsonPath: v.json,
    sizes,
  };
}
