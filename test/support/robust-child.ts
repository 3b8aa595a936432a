/**
 * @module
 * Signet as a real child process (`node bin/signet.js serve`: the compiled build when present), for
 * tests that must kill it (SIGKILL) or measure its memory. The data folder
 * and, for PostgreSQL, the schema outlive a process so a test can restart
 * Signet on the same state; `dispose()` removes both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropSchema } from './meta-stores.ts';
import { PG_URL, ROOT, type MetaKind } from './test-signet.ts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

export interface ChildSignetOptions {
  readonly env?: Record<string, string>;
}

/** State that survives restarts: one data folder, one PostgreSQL schema, one port. */
export class ChildSignetHome {
  private constructor(
    readonly kind: MetaKind,
    readonly dataDir: string,
    readonly schema: string,
    readonly port: number,
  ) {}

  static async create(kind: MetaKind): Promise<ChildSignetHome> {
    const dataDir = await mkdtemp(join(tmpdir(), 'signet-robust-'));
    return new ChildSignetHome(kind, dataDir, `r_${randomBytes(6).toString('hex')}`, await freePort());
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get metaArg(): string {
    return this.kind === 'sqlite' ? 'sqlite' : `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${this.schema}`;
  }

  /** Starts a server on this home and waits for GET /health. */
  async start(opts: ChildSignetOptions = {}): Promise<ChildSignet> {
    const child = spawn(
      process.execPath,
      ['bin/signet.js', 'serve', '--listen', `127.0.0.1:${this.port}`, '--data', this.dataDir, '--meta', this.metaArg, '--log-level', 'error'],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, SIGNET_ROOT_USER: ROOT.user, SIGNET_ROOT_PASSWORD: ROOT.password, SIGNET_GC_INTERVAL_MS: '0', ...opts.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const s = new ChildSignet(child, this.url);
    await s.waitHealthy();
    return s;
  }

  async dispose(): Promise<void> {
    if (this.kind === 'postgres') await dropSchema(this.schema);
    await rm(this.dataDir, { recursive: true, force: true });
  }
}

export class ChildSignet {
  private output = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(
    readonly child: ChildProcess,
    readonly url: string,
  ) {
    const keep = (c: Buffer) => {
      this.output = (this.output + c.toString('utf8')).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** What the process wrote (last 20 kB), for assertion messages. */
  get log(): string {
    return this.output;
  }

  async waitHealthy(): Promise<void> {
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    for (let i = 0; i < 600; i++) {
      if (exited) throw new Error(`signet exited before it was healthy:\n${this.output}`);
      try {
        const r = await fetch(`${this.url}/health`);
        if (r.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`signet did not become healthy:\n${this.output}`);
  }

  /** SIGKILL: no shutdown code runs. Resolves once the process is gone. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Graceful stop (SIGTERM), then SIGKILL if it does not go. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(t);
  }

  /** Resident set size of the server process, bytes (Linux /proc). */
  rss(): number | null {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      return m ? Number(m[1]) * 1024 : null;
    } catch {
      return null;
    }
  }
}
