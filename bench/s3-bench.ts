/**
 * @module
 * Signet's S3 benchmark: the same signed workloads against Signet and two
 * reference servers (bench/baseline-server.ts, plain and hashing), each a
 * child process on loopback with its own temp data dir, then one table per
 * workload and the target summary. Linux only (server costs come from /proc).
 *
 *   npm run bench                          # everything, ~5-10 min on 2 cores
 *   npm run bench -- --quick               # smoke run, about a minute
 *   npm run bench -- --only put4k,get4k --servers signet,plain
 *   npm run bench -- --only sweep          # inline threshold sweep only
 *   npm run bench -- --help
 */
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { USAGE, parseBenchArgs } from './bench-config.ts';
import type { BenchConfig, ServerName } from './bench-config.ts';
import { quantile } from './measure.ts';
import type { Sample } from './measure.ts';
import { MiB } from './payload.ts';
import { SERVER_LABELS, isMeasured, targetSummary, workloadTable } from './report.ts';
import type { Outcome, Results, TargetVerdict } from './report.ts';
import { startServer } from './server-process.ts';
import type { RunningServer, ServerSpec } from './server-process.ts';
import { S3Client } from './sigv4-client.ts';
import { sweepServer, sweepTable } from './workloads/inline-sweep.ts';
import type { SweepSeries, SweepTarget } from './workloads/inline-sweep.ts';
import { get64m, put64m } from './workloads/large-objects.ts';
import { list } from './workloads/listing.ts';
import { mpu1g } from './workloads/multipart.ts';
import { get4k, put4k } from './workloads/small-objects.ts';
import { newServerState } from './workloads/workload.ts';
import type { ServerState, Workload, WorkloadContext } from './workloads/workload.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'signetbench', secretAccessKey: randomBytes(20).toString('hex') };
const WORKLOADS: readonly Workload[] = [put4k, get4k, put64m, get64m, mpu1g, list];
const START_TIMEOUT_MS = 60_000;

/** Every server started and not yet stopped, so Ctrl-C can clean up. */
const live = new Set<RunningServer>();
/** Set by Ctrl-C: start nothing new while the servers go down. */
let aborting = false;

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function specFor(name: ServerName, cfg: BenchConfig, extraEnv: Record<string, string> = {}): ServerSpec {
  if (name === 'signet') {
    // A bare "node" runs as this very Node binary.
    const command = cfg.signetCmd.map((a, i) => (i === 0 && a === 'node' ? process.execPath : a));
    const env = { SIGNET_ROOT_USER: CREDENTIALS.accessKeyId, SIGNET_ROOT_PASSWORD: CREDENTIALS.secretAccessKey, ...cfg.signetEnv, ...extraEnv };
    return { name, command, env };
  }
  const command = [process.execPath, '--import', 'tsx', 'bench/baseline-server.ts', '--mode', name, '--listen', '{listen}', '--data', '{data}'];
  if (cfg.baselineFsync) command.push('--fsync');
  return { name, command, env: {} };
}

async function start(spec: ServerSpec, cfg: BenchConfig): Promise<RunningServer> {
  const server = await startServer(spec, { cwd: REPO, keepData: cfg.keepData, startTimeoutMs: START_TIMEOUT_MS });
  live.add(server);
  progress(`${spec.name} up on ${server.host}:${server.port} (pid ${server.pid}, data ${server.dataDir})`);
  return server;
}

async function stop(server: RunningServer): Promise<void> {
  live.delete(server);
  await server.stop();
}

function contextFor(server: RunningServer, cfg: BenchConfig, state: ServerState, label: string, round = 0): WorkloadContext {
  return {
    server,
    sizes: cfg.sizes,
    sync: cfg.sync,
    state,
    round,
    client: (concurrency) => new S3Client({ host: server.host, port: server.port, region: REGION, concurrency, ...CREDENTIALS }),
    progress: (message) => progress(`${label}: ${message}`),
  };
}

function header(cfg: BenchConfig): string {
  const cpus = os.cpus();
  return [
    `# Signet S3 bench (${cfg.quick ? 'quick' : 'full'}) — ${new Date().toISOString()}`,
    `node ${process.version}, ${cpus.length} x ${cpus[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB RAM, Linux ${os.release()}, data under ${os.tmpdir()}`,
    `servers: ${cfg.servers.map((s) => SERVER_LABELS[s]).join(', ')}; client and servers share the machine; all on 127.0.0.1` +
      (cfg.rounds > 1 ? `; best of ${cfg.rounds} interleaved rounds` : ''),
    `signet: ${cfg.signetCmd.join(' ')}${Object.keys(cfg.signetEnv).length ? ` (env ${JSON.stringify(cfg.signetEnv)})` : ''}`,
    `baselines: no auth, no metadata, temp file + rename${cfg.baselineFsync ? ', fsync of file and folder' : ', no fsync'}; hashing adds MD5 + SHA-256 per PUT`,
    `auth: SigV4 (host, x-amz-date, x-amz-content-sha256 signed); payload hash = SHA-256 for whole bodies, UNSIGNED-PAYLOAD for streamed ones`,
    `timed phases start after ${cfg.sync ? 'a sync of the data filesystem' : 'no sync (--no-sync)'}; srv CPU = utime+stime of the server process tree`,
    `other CPU = share of all cores busy outside the server and the bench during a phase (other processes, writeback, unattributed softirq)`,
    loadLine(),
  ].join('\n');
}

/** The load average, with a warning when the machine is not quiet enough to measure. */
function loadLine(): string {
  const [load] = os.loadavg();
  const cores = os.availableParallelism();
  const busy = (load ?? 0) > cores * 0.25;
  return `load average (1 min) at start: ${(load ?? 0).toFixed(2)} on ${cores} cores${busy ? ' — WARNING: the machine is busy; figures will be noisy' : ''}`;
}

/** The servers under test; a server that failed to start keeps its error, shown in every table. */
type Servers = Map<ServerName, RunningServer | Error>;

async function runOnce(w: Workload, cfg: BenchConfig, name: ServerName, server: RunningServer | Error, state: ServerState, round: number): Promise<Outcome> {
  if (server instanceof Error) return { error: `did not start: ${server.message}` };
  if (aborting) return { error: 'aborted' };
  const label = `${w.name} on ${SERVER_LABELS[name]}${cfg.rounds > 1 ? ` (round ${round + 1}/${cfg.rounds})` : ''}`;
  progress(`${label}...`);
  try {
    const measured = await w.run(contextFor(server, cfg, state, label, round));
    progress(`${label}: ${Math.round(measured.figure).toLocaleString('en-US')} ${w.unit}`);
    return measured;
  } catch (err) {
    progress(`${label} FAILED: ${errorText(err)}\n${server.tail(10)}`);
    return { error: errorText(err) };
  }
}

/** The round with the best figure: background load only ever slows a round down. */
function best(runs: readonly Outcome[], unit: string): Outcome {
  const measured = runs.filter(isMeasured);
  if (measured.length === 0) return runs[0] ?? { error: 'not run' };
  const top = measured.reduce((a, b) => (b.figure > a.figure ? b : a));
  if (runs.length === 1) return top;
  const all = runs.map((r) => (isMeasured(r) ? Math.round(r.figure).toLocaleString('en-US') : 'error')).join(', ');
  return { ...top, notes: [...top.notes, `best of ${runs.length} rounds (${unit}): ${all}`] };
}

async function runWorkload(w: Workload, cfg: BenchConfig, servers: Servers, states: Map<ServerName, ServerState>): Promise<Map<ServerName, Outcome>> {
  const runs = new Map<ServerName, Outcome[]>([...servers.keys()].map((name) => [name, []]));
  // Servers take turns round by round, so a burst of outside load hits them alike.
  for (let round = 0; round < cfg.rounds; round++) {
    for (const [name, server] of servers) {
      runs.get(name)?.push(await runOnce(w, cfg, name, server, states.get(name) ?? newServerState(), round));
    }
  }
  return new Map([...runs].map(([name, list]) => [name, best(list, w.unit)]));
}

async function startAll(names: readonly ServerName[], cfg: BenchConfig): Promise<Servers> {
  const servers: Servers = new Map();
  // One at a time: on 2 cores parallel tsx start-ups only slow each other down.
  for (const name of names) {
    try {
      servers.set(name, await start(specFor(name, cfg), cfg));
    } catch (err) {
      servers.set(name, err instanceof Error ? err : new Error(String(err)));
      progress(`${name} did not start: ${errorText(err)}`);
    }
  }
  return servers;
}

/** Signet with inlining off and on (each on a fresh server), plus baseline-plain when running. */
async function runSweep(cfg: BenchConfig, servers: Servers): Promise<SweepSeries[]> {
  const biggest = Math.max(...cfg.sizes.sweepSizes);
  const fresh = (label: string, threshold: number): SweepTarget => ({
    label,
    acquire: async () => {
      const server = await start(specFor('signet', cfg, { SIGNET_INLINE_THRESHOLD: String(threshold) }), cfg);
      return { server, release: () => stop(server) };
    },
  });
  const targets: SweepTarget[] = [fresh('inline-off', 0), fresh('inline-on', 2 * biggest)];
  const plain = servers.get('plain');
  if (plain && !(plain instanceof Error)) targets.push({ label: 'plain', acquire: async () => ({ server: plain, release: async () => {} }) });
  const series: SweepSeries[] = [];
  for (const t of targets) {
    if (aborting) break;
    try {
      const { server, release } = await t.acquire();
      try {
        series.push({ label: t.label, points: await sweepServer(contextFor(server, cfg, newServerState(), `sweep ${t.label}`)) });
      } finally {
        await release();
      }
    } catch (err) {
      series.push({ label: t.label, points: [], error: errorText(err) });
      progress(`sweep ${t.label} FAILED: ${errorText(err)}`);
    }
  }
  return series;
}

function outcomeJson(o: Outcome): unknown {
  if (!isMeasured(o)) return o;
  const { latencies, ...sample } = o.sample;
  const p50Ms = quantile(latencies, 0.5);
  const p99Ms = quantile(latencies, 0.99);
  return { figure: o.figure, units: o.units, notes: o.notes, ...sample, p50Ms, p99Ms, peakRssMiB: sample.peakRss / MiB };
}

function opsJson(sample: Sample): unknown {
  return outcomeJson({ figure: sample.ops / sample.seconds, units: sample.ops, sample, notes: [] });
}

async function writeJson(path: string, cfg: BenchConfig, results: Results, verdicts: TargetVerdict[], sweep: SweepSeries[]): Promise<void> {
  const out = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    config: cfg,
    results: Object.fromEntries([...results].map(([w, m]) => [w, Object.fromEntries([...m].map(([s, o]) => [s, outcomeJson(o)]))])),
    targets: verdicts,
    sweep: sweep.map((x) => ({ label: x.label, error: x.error, points: x.points.map((p) => ({ size: p.size, put: opsJson(p.put), get: opsJson(p.get) })) })),
  };
  await writeFile(path, `${JSON.stringify(out, null, 2)}\n`);
  progress(`results written to ${path}`);
}

async function run(cfg: BenchConfig): Promise<void> {
  console.log(`${header(cfg)}\n`);
  const mainWorkloads = WORKLOADS.filter((w) => cfg.workloads.includes(w.name));
  // A sweep-only run still wants baseline-plain as its reference column.
  const sweepOnlyPlain: ServerName[] = cfg.workloads.includes('sweep') && cfg.servers.includes('plain') ? ['plain'] : [];
  const servers = await startAll(mainWorkloads.length > 0 ? cfg.servers : sweepOnlyPlain, cfg);
  const states = new Map<ServerName, ServerState>(cfg.servers.map((s) => [s, newServerState()]));
  const results: Results = new Map();
  try {
    for (const w of mainWorkloads) {
      const outcomes = await runWorkload(w, cfg, servers, states);
      if (aborting) return;
      results.set(w.name, outcomes);
      console.log(`${workloadTable(w, cfg.sizes, outcomes)}\n`);
    }
    let sweep: SweepSeries[] = [];
    if (cfg.workloads.includes('sweep') && !aborting) {
      sweep = await runSweep(cfg, servers);
      const title = `## sweep: PUT and GET ops/s by size, Signet inline off/on (SIGNET_INLINE_THRESHOLD), ${cfg.sizes.smallConcurrency} concurrent`;
      console.log(`${title}\n${sweepTable(sweep, cfg.sizes.sweepSizes)}\n`);
    }
    const summary = targetSummary(results, cfg.subject);
    if (mainWorkloads.length > 0) console.log(summary.text);
    if (cfg.jsonPath) await writeJson(cfg.jsonPath, cfg, results, summary.verdicts, sweep);
  } finally {
    for (const server of servers.values()) if (!(server instanceof Error)) await stop(server);
  }
}

async function main(): Promise<void> {
  const cfg = parseBenchArgs(process.argv.slice(2));
  if (!cfg) return void console.log(USAGE);
  if (process.platform !== 'linux') throw new Error('the bench reads /proc: Linux only');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      aborting = true;
      progress(`${signal}: stopping servers`);
      void Promise.all([...live].map((s) => s.stop())).finally(() => process.exit(130));
    });
  }
  await run(cfg);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exitCode = 1;
});
