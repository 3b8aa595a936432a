/**
 * @module
 * Starts a real Signet (in this process, on a free loopback port, over real
 * HTTP) on each metadata engine, and hands out real clients for it. PostgreSQL
 * runs in a fresh schema dropped afterwards. When PostgreSQL is unreachable
 * the suite for it fails under CI (CI=true) and is skipped, with the reason,
 * elsewhere.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { checkPostgres, dropSchema, PG_URL } from './meta-stores.ts';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import * as Minio from 'minio';
import { startSignet, type Signet } from '../../src/app.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { silentLogger } from '../../src/log.ts';

export type MetaKind = 'sqlite' | 'postgres';
export const META_KINDS: readonly MetaKind[] = ['sqlite', 'postgres'];

export { PG_URL };
export const ROOT = { user: 'signet-root', password: 'signet-root-secret' } as const;

/** null when PostgreSQL answers; the reason otherwise. */
export const postgresProblem = checkPostgres;

export interface TestSignet {
  readonly signet: Signet;
  readonly url: string;
  readonly dataDir: string;
  readonly config: Config;
  s3(overrides?: { accessKeyId: string; secretAccessKey: string }): S3Client;
  minio(overrides?: { accessKey: string; secretKey: string }): Minio.Client;
  close(): Promise<void>;
}

export interface StartTestOptions {
  readonly env?: Record<string, string>;
  readonly flags?: { domain?: string[] };
  readonly clock?: () => Date;
}

export async function startTestSignet(kind: MetaKind, opts: StartTestOptions = {}): Promise<TestSignet> {
  const dataDir = await mkdtemp(join(tmpdir(), 'signet-test-'));
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const meta = kind === 'sqlite' ? 'sqlite' : `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`;
  const config = loadConfig(
    { listen: '127.0.0.1:0', data: dataDir, meta, domain: opts.flags?.domain },
    { SIGNET_ROOT_USER: ROOT.user, SIGNET_ROOT_PASSWORD: ROOT.password, SIGNET_GC_INTERVAL_MS: '0', SIGNET_LIFECYCLE_INTERVAL_MS: '0', ...opts.env },
  );
  const signet = await startSignet(config, silentLogger, { clock: opts.clock });
  const port = new URL(signet.url).port;
  return {
    signet,
    url: signet.url,
    dataDir,
    config,
    s3: (creds) =>
      new S3Client({
        endpoint: signet.url,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: creds ?? { accessKeyId: ROOT.user, secretAccessKey: ROOT.password },
      }),
    minio: (creds) =>
      new Minio.Client({
        endPoint: '127.0.0.1',
        port: Number(port),
        useSSL: false,
        accessKey: creds?.accessKey ?? ROOT.user,
        secretKey: creds?.secretKey ?? ROOT.password,
        region: 'us-east-1',
      }),
    close: async () => {
      await signet.close();
      if (kind === 'postgres') await dropSchema(schema);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** Checked once, at load, so suites can be declared synchronously (several per file). */
const PG_PROBLEM = await postgresProblem();

/**
 * Declares `suite` once per metadata engine. The PostgreSQL run fails under
 * CI and is skipped elsewhere when the server is unreachable.
 */
export function describeEachMeta(name: string, suite: (kind: MetaKind) => void): void {
  for (const kind of META_KINDS) {
    describe(`${name} [${kind}]`, () => {
      if (kind === 'postgres' && PG_PROBLEM !== null) {
        if (process.env.CI === 'true') {
          it('needs PostgreSQL', () => {
            throw new Error(`${PG_PROBLEM} (CI requires it)`);
          });
        } else {
          it(`skipped: ${PG_PROBLEM}`, { skip: PG_PROBLEM }, () => {});
        }
        return;
      }
      suite(kind);
    });
  }
}

/** What {@link useTestSignet} starts for a suite. */
export interface SuiteSignet {
  readonly t: TestSignet;
  readonly s3: S3Client;
}

/**
 * Starts a Signet for the enclosing suite (before/after hooks) with a root
 * SDK client and `buckets` created, and hands them to `assign`; stops it all
 * after the suite.
 */
export function useTestSignet(kind: MetaKind, opts: StartTestOptions & { readonly buckets?: readonly string[] }, assign: (started: SuiteSignet) => void): void {
  let started: SuiteSignet | undefined;
  before(async () => {
    const t = await startTestSignet(kind, opts);
    const s3 = t.s3();
    started = { t, s3 };
    for (const bucket of opts.buckets ?? []) await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    assign(started);
  });
  after(async () => {
    started?.s3.destroy();
    await started?.t.close();
  });
}
