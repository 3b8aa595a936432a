/**
 * @module
 * Server-side cost from /proc (Linux only): CPU time (utime + stime, all
 * threads) and resident memory of a server process and its descendants, so
 * a server started through a wrapper is still measured whole.
 *
 * Peak RSS per workload: VmHWM is reset by writing 5 to clear_refs where the
 * kernel allows it (Linux >= 4.0, same user), and VmRSS is also sampled every
 * 50 ms; the report takes the larger, so a peak between samples still counts.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

let ticks: number | undefined;

/** Clock ticks per second for /proc times (usually 100). */
export function clockTicks(): number {
  if (ticks === undefined) {
    const out = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    ticks = Number.isFinite(out) && out > 0 ? out : 100;
  }
  return ticks;
}

/** Fields after "pid (comm)" — comm may contain spaces and parentheses. */
function statFields(pid: number): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // the process is gone
  }
}

/** `pid` and all its live descendants. Read once per workload: the tree does not change mid-run. */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const child = Number(name);
    if (!Number.isInteger(child)) continue;
    const ppid = Number(statFields(child)?.[1]);
    if (!Number.isInteger(ppid)) continue;
    const list = children.get(ppid);
    if (list) list.push(child);
    else children.set(ppid, [child]);
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i] as number) ?? []));
  return tree;
}

/** Total CPU time (user + system) of the processes, in µs, at clock-tick resolution. */
export function cpuMicros(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    const f = statFields(pid);
    // Fields 14 and 15 of stat; the slice starts at field 3.
    if (f) total += Number(f[11]) + Number(f[12]);
  }
  return (total * 1e6) / clockTicks();
}

/**
 * CPU time the whole machine spent busy (user, nice, system, irq, softirq,
 * steal), in µs summed over cores: compared with the server's and the
 * client's own time it shows how much other processes took during a phase.
 */
export function machineBusyMicros(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0] ?? '';
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  const ticks = [user, nice, system, irq, softirq, steal].reduce<number>((sum, t) => sum + (t ?? 0), 0);
  return (ticks * 1e6) / clockTicks();
}

/** A "VmXxx:  1234 kB" line of /proc/<pid>/status, in bytes; 0 when the process is gone. */
export function statusBytes(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resets VmHWM to the current RSS; false when the kernel refuses. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak RSS of a process tree while it runs one workload. */
export class RssSampler {
  #peak = 0;
  #timer: NodeJS.Timeout | undefined;
  #hwmValid = true;

  constructor(private readonly pids: readonly number[]) {}

  start(intervalMs = 50): void {
    for (const pid of this.pids) this.#hwmValid = resetPeak(pid) && this.#hwmValid;
    this.#sample();
    this.#timer = setInterval(() => this.#sample(), intervalMs);
    this.#timer.unref();
  }

  /** Stops sampling; the peak in bytes. */
  stop(): number {
    clearInterval(this.#timer);
    this.#sample();
    if (this.#hwmValid) {
      // Summing per-process peaks over-counts only when several processes peak at different times.
      const hwm = this.pids.reduce((sum, pid) => sum + statusBytes(pid, 'VmHWM'), 0);
      this.#peak = Math.max(this.#peak, hwm);
    }
    return this.#peak;
  }

  #sample(): void {
    const rss = this.pids.reduce((sum, pid) => sum + statusBytes(pid, 'VmRSS'), 0);
    if (rss > this.#peak) this.#peak = rss;
  }
}
