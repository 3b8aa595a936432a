/**
 * @module
 * Starting and stopping the servers under test: each one a child process on
 * its own loopback port with its own temp data dir, output to a log file
 * (piping it to the bench would cost the server and the client CPU).
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ServerSpec {
  /** Short name used in flags and tables: signet, plain, hashing... */
  readonly name: string;
  /** argv; {listen}, {host}, {port} and {data} are substituted. */
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export interface RunningServer {
  readonly spec: ServerSpec;
  readonly pid: number;
  readonly host: string;
  readonly port: number;
  readonly dataDir: string;
  readonly logPath: string;
  /** Last lines of the server's output, for error reports. */
  tail(lines?: number): string;
  stop(): Promise<void>;
}

export const HOST = '127.0.0.1';

/** A port the kernel says is free right now (small race with other users of the machine). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, HOST, () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: HOST, port, path: '/health', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

async function waitHealthy(child: ChildProcess, port: number, timeoutMs: number, tail: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before answering /health:\n${tail()}`);
    }
    if (await healthy(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no 200 from GET /health within ${timeoutMs / 1000}s:\n${tail()}`);
}

function tailOf(path: string, lines: number): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  // No pid: the spawn itself failed, there is nothing to stop.
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

export interface StartOptions {
  readonly cwd: string;
  readonly keepData: boolean;
  readonly startTimeoutMs: number;
  /** Serve this existing folder (prepared by the caller) instead of a new temp one. */
  readonly dataDir?: string;
}

export async function startServer(spec: ServerSpec, opts: StartOptions): Promise<RunningServer> {
  const port = await freePort();
  const dataDir = opts.dataDir ?? (await mkdtemp(join(tmpdir(), `signet-bench-${spec.name}-`)));
  const logPath = `${dataDir}.log`;
  const vars: Record<string, string> = { listen: `${HOST}:${port}`, host: HOST, port: String(port), data: dataDir };
  const argv = spec.command.map((a) => a.replace(/\{(listen|host|port|data)\}/g, (_, v: string) => vars[v] ?? ''));
  const log = openSync(logPath, 'a');
  const child = spawn(argv[0] as string, argv.slice(1), { cwd: opts.cwd, env: { ...process.env, ...spec.env }, stdio: ['ignore', log, log] });
  closeSync(log);
  const tail = (lines = 20): string => tailOf(logPath, lines);
  const cleanup = async (): Promise<void> => {
    await stopChild(child);
    if (!opts.keepData) await Promise.all([rm(dataDir, { recursive: true, force: true }), rm(logPath, { force: true })]);
  };
  try {
    await new Promise<void>((resolve, reject) => child.once('spawn', resolve).once('error', reject));
    await waitHealthy(child, port, opts.startTimeoutMs, tail);
  } catch (err) {
    await cleanup();
    throw err;
  }
  return { spec, pid: child.pid as number, host: HOST, port, dataDir, logPath, tail, stop: cleanup };
}
