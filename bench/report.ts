/**
 * @module
 * Text output: one table per workload (rows = servers) and the summary of
 * Signet's performance targets, each marked met or not met.
 */
import type { ServerName, Sizes, WorkloadName } from './bench-config.ts';
import { quantile } from './measure.ts';
import { MiB } from './payload.ts';
import type { Measured, Workload } from './workloads/workload.ts';

/** A workload's outcome on one server: figures, or why there are none. */
export type Outcome = Measured | { readonly error: string };
export type Results = Map<WorkloadName, Map<ServerName, Outcome>>;

export const SERVER_LABELS: Record<ServerName, string> = { signet: 'signet', plain: 'baseline-plain', hashing: 'baseline-hashing' };

export function isMeasured(o: Outcome | undefined): o is Measured {
  return o !== undefined && !('error' in o);
}

/** Three significant-ish digits, thousands separated. */
export function num(n: number): string {
  if (!Number.isFinite(n)) return '-';
  const digits = Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 10 ? 1 : 2;
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Columns padded to width; the first left-aligned, the rest right-aligned. */
export function formatTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join('  ').trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Share of the machine taken by other processes above which a row is flagged. */
export const NOISY = 0.1;

export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

function ratio(value: number, base: Outcome | undefined): string {
  return isMeasured(base) && base.figure > 0 ? `${(value / base.figure).toFixed(2)}x` : '-';
}

export function workloadTable(w: Workload, sizes: Sizes, outcomes: Map<ServerName, Outcome>): string {
  const head = ['server', w.unit, 'vs plain', 'vs hashing', `srv CPU µs/${w.cpuUnit}`, `client CPU µs/${w.cpuUnit}`];
  if (w.showLatency) head.push('p50 ms', 'p99 ms');
  head.push('peak RSS MiB', 'seconds', 'other CPU');
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const [name, o] of outcomes) {
    if (!isMeasured(o)) {
      rows.push([SERVER_LABELS[name], 'error']);
      notes.push(`${SERVER_LABELS[name]}: ${o.error.split('\n')[0]}`);
      continue;
    }
    const s = o.sample;
    const row = [SERVER_LABELS[name], num(o.figure), ratio(o.figure, outcomes.get('plain')), ratio(o.figure, outcomes.get('hashing'))];
    row.push(num(s.serverCpuUs / o.units), num(s.clientCpuUs / o.units));
    if (w.showLatency) row.push(num(quantile(s.latencies, 0.5)), num(quantile(s.latencies, 0.99)));
    row.push(num(s.peakRss / MiB), s.seconds.toFixed(2), percent(s.otherCpu));
    rows.push(row);
    if (s.otherCpu > NOISY) notes.push(`${SERVER_LABELS[name]}: other processes took ${percent(s.otherCpu)} of the machine — figures unreliable`);
    for (const note of o.notes) notes.push(`${SERVER_LABELS[name]}: ${note}`);
  }
  const lines = [`## ${w.name}: ${w.title(sizes)}`, `   (${w.payload})`, formatTable(head, rows)];
  if (notes.length > 0) lines.push(...notes.map((n) => `   * ${n}`));
  return lines.join('\n');
}

interface Target {
  readonly label: string;
  readonly workload: WorkloadName;
  /** The measured quantity for a server's outcome. */
  readonly value: (o: Measured) => number;
  /** Compared against this baseline's value times `factor`, or against `factor` itself when absent. */
  readonly vs?: ServerName;
  readonly factor: number;
  readonly atMost?: boolean;
  readonly show: (v: number) => string;
}

const figure = (o: Measured): number => o.figure;
const cpuPerUnit = (o: Measured): number => o.sample.serverCpuUs / o.units;
const asRatio = (v: number): string => `${v.toFixed(2)}x`;

export const TARGETS: readonly Target[] = [
  { label: '64 MiB GET >= 0.8x plain', workload: 'get64m', value: figure, vs: 'plain', factor: 0.8, show: asRatio },
  { label: '64 MiB PUT >= 0.8x hashing', workload: 'put64m', value: figure, vs: 'hashing', factor: 0.8, show: asRatio },
  { label: '4 KiB PUT >= 1.0x plain', workload: 'put4k', value: figure, vs: 'plain', factor: 1.0, show: asRatio },
  { label: '4 KiB GET >= 0.6x plain', workload: 'get4k', value: figure, vs: 'plain', factor: 0.6, show: asRatio },
  { label: 'listing >= 50,000 keys/s', workload: 'list', value: figure, factor: 50_000, show: (v) => `${num(v)} keys/s` },
  { label: 'CPU per 4 KiB GET <= 2x plain', workload: 'get4k', value: cpuPerUnit, vs: 'plain', factor: 2, atMost: true, show: asRatio },
];

export interface TargetVerdict {
  readonly label: string;
  readonly value: string;
  readonly status: 'met' | 'NOT MET' | 'n/a';
}

export function judge(t: Target, results: Results, subject: ServerName): TargetVerdict {
  const na = (why: string): TargetVerdict => ({ label: t.label, value: why, status: 'n/a' });
  const outcomes = results.get(t.workload);
  const mine = outcomes?.get(subject);
  if (!isMeasured(mine)) return na(mine ? `${subject} failed` : `${t.workload} not run on ${subject}`);
  let v = t.value(mine);
  if (t.vs) {
    const base = outcomes?.get(t.vs);
    if (!isMeasured(base)) return na(`${t.workload} not measured on ${SERVER_LABELS[t.vs]}`);
    v /= t.value(base);
  }
  const met = t.atMost ? v <= t.factor : v >= t.factor;
  return { label: t.label, value: t.show(v), status: met ? 'met' : 'NOT MET' };
}

export function targetSummary(results: Results, subject: ServerName): { text: string; verdicts: TargetVerdict[] } {
  const verdicts = TARGETS.map((t) => judge(t, results, subject));
  const table = formatTable(
    ['target', 'measured', 'status'],
    verdicts.map((v) => [v.label, v.value, v.status]),
  );
  return { text: `## Targets for ${SERVER_LABELS[subject]}\n${table}`, verdicts };
}
