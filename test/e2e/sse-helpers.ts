/**
 * Helpers for the encryption-at-rest tests (test/e2e/sse-*.test.ts): bodies
 * carrying a plaintext marker, a scan of everything Signet stored on disk
 * for it, and a Signet that can be restarted on the same data with another
 * environment (another master key, or none).
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { startSignet, type Signet } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';
import { dropSchema, PG_URL, type MetaStoreLocation } from '../support/meta-stores.ts';
import { ROOT, type MetaKind } from '../support/test-signet.ts';
import { pattern } from './sdk-helpers.ts';

export const MASTER_KEY = randomBytes(32).toString('base64');
export const OTHER_MASTER_KEY = randomBytes(32).toString('hex');
export const MASTER_ENV = { SIGNET_MASTER_KEY: MASTER_KEY } as const;

/** Pseudo-random bytes with `marker` written every 16 KiB (and at both ends), so any stored plaintext slice shows it. */
export function markedBody(size: number, marker: string, seed = 1): Buffer {
  const body = pattern(size, seed);
  const m = Buffer.from(marker);
  if (size < m.length) return body;
  for (let at = 0; at + m.length <= size; at += 16 * 1024) m.copy(body, at);
  m.copy(body, size - m.length);
  return body;
}

/** Every file under `dir`, recursively. */
async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await filesUnder(path)));
    else if (e.isFile()) out.push(path);
  }
  return out;
}

/** The files under the data folder (blobs, and the SQLite database with its WAL) that contain `marker`. */
export async function filesContaining(dataDir: string, marker: string): Promise<string[]> {
  const m = Buffer.from(marker);
  const hits: string[] = [];
  for (const file of await filesUnder(dataDir)) {
    if ((await readFile(file)).includes(m)) hits.push(file);
  }
  return hits;
}

/** The blob files (not temporaries) under the data folder. */
export async function blobFiles(dataDir: string): Promise<string[]> {
  return (await filesUnder(join(dataDir, 'blobs'))).filter((f) => !f.includes(`${join('blobs', 'tmp')}`));
}

/** Asserts what is stored for an object (inline row bytes or its blobs) holds no `marker`, and that it is encrypted. */
export async function assertStoredEncrypted(signet: Signet, bucket: string, key: string, marker: string): Promise<void> {
  const v = await signet.meta.getVersion(bucket, key, null);
  assert.ok(v, `${key} exists`);
  assert.ok(v.headers.encryption, `${key} is recorded as encrypted`);
  const m = Buffer.from(marker);
  if (v.inline) assert.ok(!v.inline.includes(m), `${key}: inline bytes hold plaintext`);
  const blobs = signet.blobs as { pathOf?: (h: string) => string };
  for (const e of v.extents) {
    const file = await readFile(blobs.pathOf!(e.blob));
    assert.ok(!file.includes(m), `${key}: blob ${e.blob} holds plaintext`);
  }
}

/**
 * A Signet on one data folder (and PostgreSQL schema) that can be stopped
 * and started again with another environment; `cleanup` removes the data.
 */
export class RestartableSignet {
  readonly dataDir: Promise<string> = mkdtemp(join(tmpdir(), 'signet-sse-'));
  readonly #schema = `t_${randomBytes(6).toString('hex')}`;
  readonly #kind: MetaKind;
  signet: Signet | null = null;

  constructor(kind: MetaKind) {
    this.#kind = kind;
  }

  /** Starts on the shared data; rejects when Signet refuses to start. */
  async start(env: Record<string, string>): Promise<Signet> {
    const meta = this.#kind === 'sqlite' ? 'sqlite' : `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${this.#schema}`;
    const config = loadConfig(
      { listen: '127.0.0.1:0', data: await this.dataDir, meta },
      { SIGNET_ROOT_USER: ROOT.user, SIGNET_ROOT_PASSWORD: ROOT.password, SIGNET_GC_INTERVAL_MS: '0', ...env },
    );
    this.signet = await startSignet(config, silentLogger);
    return this.signet;
  }

  async stop(): Promise<void> {
    await this.signet?.close();
    this.signet = null;
  }

  s3(credentials: { accessKeyId: string; secretAccessKey: string } = { accessKeyId: ROOT.user, secretAccessKey: ROOT.password }): S3Client {
    assert.ok(this.signet, 'started');
    return new S3Client({ endpoint: this.signet.url, region: 'us-east-1', forcePathStyle: true, credentials });
  }

  /** Where the metadata lives, to read it around Signet. */
  async location(): Promise<MetaStoreLocation> {
    return this.#kind === 'sqlite'
      ? { engine: 'sqlite', file: join(await this.dataDir, 'meta.sqlite') }
      : { engine: 'postgres', url: PG_URL, schema: this.#schema };
  }

  async cleanup(): Promise<void> {
    await this.stop();
    if (this.#kind === 'postgres') await dropSchema(this.#schema);
    await rm(await this.dataDir, { recursive: true, force: true });
  }
}

/** A random SSE-C key, base64 (what the SDK's SSECustomerKey takes). */
export function customerKey(): string {
  return randomBytes(32).toString('base64');
}
