/**
 * @module
 * The registry benchmark (Signet as a child process, SQLite, on loopback):
 *
 * 1. Download grants: a hub content version of 1,000 files, its presigned
 *    URLs fetched page by page with `CreateHubContentPresignedUrls` (100 per
 *    page) for a fixed time; URLs minted per second and server CPU per URL.
 *    Baseline in the same run: the AWS SDK's own presigner
 *    (`@aws-sdk/s3-request-presigner`) minting the same number of URLs
 *    in-process, with no HTTP, lookup or audit.
 * 2. ListModelPackages over 100,000 versioned packages (1,000 groups of 100)
 *    seeded straight into the store, with several filters: latency through
 *    the SageMaker API (SDK client, SigV4, JSON) beside the same query on the
 *    store in-process (no HTTP).
 *
 *   npm run build && npm run bench:registry
 *   npm run bench:registry -- --packages 20000 --seconds 5     # quicker
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { GetObjectCommand, S3Client as SdkS3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SageMakerClient, CreateHubCommand, ImportHubContentCommand, ListModelPackagesCommand, paginateCreateHubContentPresignedUrls } from '@aws-sdk/client-sagemaker';
import type { ListModelPackagesCommandInput } from '@aws-sdk/client-sagemaker';
import { openSqliteMetaStore } from '../src/adapters/meta/sqlite-meta-store.ts';
import type { PackageFilter } from '../src/ports/registry-store.ts';
import { measure, quantile, runPool } from './measure.ts';
import { formatTable, num } from './report.ts';
import { startServer } from './server-process.ts';
import type { RunningServer } from './server-process.ts';
import { drain, S3Client } from './sigv4-client.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const REGION = 'us-east-1';
const CREDENTIALS = { accessKeyId: 'signetbench', secretAccessKey: randomBytes(20).toString('hex') };
/** The SageMaker face keeps its model package groups in this namespace. */
const SAGEMAKER_NAMESPACE = 'sagemaker';
const GROUP_SIZE = 100;

const { values: flags } = parseArgs({
  options: {
    files: { type: 'string', default: '1000' },
    packages: { type: 'string', default: '100000' },
    seconds: { type: 'string', default: '10' },
    repeats: { type: 'string', default: '100' },
    help: { type: 'boolean', default: false },
  },
});
if (flags.help) {
  process.stdout.write('npm run bench:registry -- [--files 1000] [--packages 100000] [--seconds 10] [--repeats 100]\n');
  process.exit(0);
}
const FILES = Number(flags.files);
const PACKAGES = Math.ceil(Number(flags.packages) / GROUP_SIZE) * GROUP_SIZE;
const SECONDS = Number(flags.seconds);
const REPEATS = Number(flags.repeats);

function progress(message: string): void {
  process.stderr.write(`[bench:registry] ${message}\n`);
}

async function start(dataDir: string): Promise<RunningServer> {
  const env = { SIGNET_ROOT_USER: CREDENTIALS.accessKeyId, SIGNET_ROOT_PASSWORD: CREDENTIALS.secretAccessKey, SIGNET_LOG_LEVEL: 'warn', SIGNET_GC_INTERVAL_MS: '0' };
  const spec = { name: 'signet', command: [process.execPath, 'bin/signet.js', 'serve', '--listen', '{listen}', '--data', '{data}'], env };
  return startServer(spec, { cwd: REPO, keepData: true, startTimeoutMs: 60_000, dataDir });
}

function sagemaker(server: RunningServer): SageMakerClient {
  return new SageMakerClient({ endpoint: `http://${server.host}:${server.port}`, region: REGION, credentials: CREDENTIALS });
}

// ---------------------------------------------------------------- grants

async function seedHubContent(server: RunningServer): Promise<void> {
  const s3 = new S3Client({ host: server.host, port: server.port, region: REGION, concurrency: 16, ...CREDENTIALS });
  await s3.send({ method: 'PUT', bucket: 'bench-models' }, drain);
  const body = randomBytes(1024);
  await runPool({ concurrency: 16, count: FILES }, async (i) => {
    await s3.send({ method: 'PUT', bucket: 'bench-models', key: `llm/shard-${String(i).padStart(5, '0')}.bin`, body }, drain);
  });
  const sm = sagemaker(server);
  await sm.send(new CreateHubCommand({ HubName: 'bench', HubDescription: 'registry bench' }));
  const document = JSON.stringify({ HostingArtifactUri: 's3://bench-models/llm/' });
  await sm.send(new ImportHubContentCommand({ HubName: 'bench', HubContentType: 'Model', HubContentName: 'llm', DocumentSchemaVersion: '2.0.0', HubContentDocument: document }));
}

async function mintManifests(server: RunningServer): Promise<{ urls: number; seconds: number; cpuUsPerUrl: number; manifestMs: number[] }> {
  const sm = sagemaker(server);
  const manifestMs: number[] = [];
  let urls = 0;
  const sample = await measure(server, async () => {
    const until = performance.now() + SECONDS * 1000;
    while (performance.now() < until) {
      const t0 = performance.now();
      const pages = paginateCreateHubContentPresignedUrls({ client: sm, pageSize: 100 }, { HubName: 'bench', HubContentType: 'Model', HubContentName: 'llm' });
      let n = 0;
      for await (const page of pages) n += page.AuthorizedUrlConfigs?.length ?? 0;
      if (n !== FILES) throw new Error(`manifest has ${n} URLs, expected ${FILES}`);
      urls += n;
      manifestMs.push(performance.now() - t0);
    }
    return { ops: urls, bytes: 0 };
  });
  return { urls, seconds: sample.seconds, cpuUsPerUrl: sample.serverCpuUs / urls, manifestMs };
}

/** The baseline: the AWS SDK presigner, in-process, the same number of URLs per manifest. */
async function sdkPresign(server: RunningServer): Promise<{ urls: number; seconds: number }> {
  const client = new SdkS3Client({ endpoint: `http://${server.host}:${server.port}`, region: REGION, forcePathStyle: true, credentials: CREDENTIALS });
  let urls = 0;
  const t0 = performance.now();
  const until = t0 + SECONDS * 1000;
  while (performance.now() < until) {
    for (let i = 0; i < FILES; i++) {
      await getSignedUrl(client, new GetObjectCommand({ Bucket: 'bench-models', Key: `llm/shard-${String(i).padStart(5, '0')}.bin` }), { expiresIn: 900 });
    }
    urls += FILES;
  }
  return { urls, seconds: (performance.now() - t0) / 1000 };
}

// ---------------------------------------------------------------- ListModelPackages

/** 1,000 groups of 100 versions, a second apart, a third Approved; written straight into the store. */
async function seedPackages(dataDir: string): Promise<void> {
  const meta = await openSqliteMetaStore(join(dataDir, 'meta.sqlite'), { synchronous: 'normal' });
  try {
    await meta.migrate();
    const base = Date.UTC(2026, 0, 1);
    const groups = PACKAGES / GROUP_SIZE;
    for (let g = 0; g < groups; g++) {
      const name = `group-${String(g).padStart(4, '0')}`;
      const model = await meta.registry.createModel({
        id: randomBytes(12).toString('hex'),
        namespace: SAGEMAKER_NAMESPACE,
        name,
        description: '',
        unversioned: false,
        gate: null,
        createdAt: new Date(base),
        createdBy: 'bench',
      });
      for (let v = 0; v < GROUP_SIZE; v++) {
        const at = new Date(base + (v * groups + g) * 1000);
        await meta.registry.createVersion(
          {
            modelId: model.id,
            label: null,
            description: `version ${v + 1} of ${name}`,
            metadata: {},
            approval: (g + v) % 3 === 0 ? 'Approved' : 'PendingManualApproval',
            status: 'Completed',
            createdAt: at,
            createdBy: 'bench',
            updatedAt: at,
            sourceUri: null,
            document: null,
          },
          [],
        );
      }
      if (g % 100 === 99) progress(`seeded ${((g + 1) * GROUP_SIZE).toLocaleString('en-US')} packages`);
    }
  } finally {
    await meta.close();
  }
}

interface ListCase {
  readonly name: string;
  readonly input: ListModelPackagesCommandInput;
  readonly filter: Omit<PackageFilter, 'after'>;
}

function listCases(): ListCase[] {
  const mid = new Date(Date.UTC(2026, 0, 1) + (PACKAGES / 2) * 1000);
  const later = new Date(mid.getTime() + 3600 * 1000);
  const common = { namespace: SAGEMAKER_NAMESPACE, type: 'VERSIONED' as const, limit: 100 };
  return [
    {
      name: 'group = group-0500',
      input: { ModelPackageGroupName: 'group-0500', ModelPackageType: 'Versioned', MaxResults: 100 },
      filter: { ...common, modelName: 'group-0500', sortBy: 'CreationTime', order: 'Ascending' },
    },
    {
      name: 'NameContains p-05, newest first',
      input: { NameContains: 'p-05', ModelPackageType: 'Versioned', SortBy: 'CreationTime', SortOrder: 'Descending', MaxResults: 100 },
      filter: { ...common, nameContains: 'p-05', sortBy: 'CreationTime', order: 'Descending' },
    },
    {
      name: 'one hour window, Approved, by name',
      input: { CreationTimeAfter: mid, CreationTimeBefore: later, ModelApprovalStatus: 'Approved', ModelPackageType: 'Versioned', SortBy: 'Name', MaxResults: 100 },
      filter: { ...common, createdAfter: mid, createdBefore: later, approval: 'Approved', sortBy: 'Name', order: 'Ascending' },
    },
  ];
}

async function timeApi(server: RunningServer, c: ListCase): Promise<{ ms: number[]; rows: number }> {
  const sm = sagemaker(server);
  const ms: number[] = [];
  let rows = 0;
  for (let i = 0; i < REPEATS; i++) {
    const t0 = performance.now();
    const out = await sm.send(new ListModelPackagesCommand(c.input));
    ms.push(performance.now() - t0);
    rows = out.ModelPackageSummaryList?.length ?? 0;
  }
  return { ms, rows };
}

async function timeStore(dataDir: string, c: ListCase): Promise<{ ms: number[]; rows: number }> {
  const meta = await openSqliteMetaStore(join(dataDir, 'meta.sqlite'), { synchronous: 'normal' });
  try {
    const ms: number[] = [];
    let rows = 0;
    for (let i = 0; i < REPEATS; i++) {
      const t0 = performance.now();
      rows = (await meta.registry.listPackages({ ...c.filter, after: null })).length;
      ms.push(performance.now() - t0);
    }
    return { ms, rows };
  } finally {
    await meta.close();
  }
}

function ms(values: readonly number[], q: number): string {
  return quantile(values, q).toFixed(2);
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'signet-bench-registry-'));
  let server: RunningServer | null = null;
  try {
    progress(`seeding ${PACKAGES.toLocaleString('en-US')} model packages`);
    await seedPackages(dataDir);
    server = await start(dataDir);
    progress(`seeding a hub content of ${FILES} files`);
    await seedHubContent(server);

    progress(`minting manifests for ${SECONDS} s`);
    const minted = await mintManifests(server);
    progress('baseline: SDK presigner in-process');
    const sdk = await sdkPresign(server);

    const rows: string[][] = [];
    for (const c of listCases()) {
      progress(`ListModelPackages: ${c.name}`);
      const api = await timeApi(server, c);
      rows.push([c.name, String(api.rows), ms(api.ms, 0.5), ms(api.ms, 0.95), '', '']);
      const last = rows[rows.length - 1]!;
      await server.stop();
      server = null;
      const store = await timeStore(dataDir, c);
      if (store.rows !== api.rows) throw new Error(`${c.name}: store returned ${store.rows} rows, API ${api.rows}`);
      last[4] = ms(store.ms, 0.5);
      last[5] = ms(store.ms, 0.95);
      server = await start(dataDir);
    }

    const out = [
      `# Signet registry bench — ${new Date().toISOString()}, node ${process.version}`,
      '',
      `## Download grants: one hub content version of ${FILES} files, CreateHubContentPresignedUrls pages of 100, ${SECONDS} s`,
      formatTable(
        ['minter', 'URLs/s', 'server CPU µs/URL', `manifest of ${FILES} p50 ms`, 'p95 ms'],
        [
          ['signet (SageMaker API, SigV4, audit)', num(minted.urls / minted.seconds), num(minted.cpuUsPerUrl), ms(minted.manifestMs, 0.5), ms(minted.manifestMs, 0.95)],
          ['baseline: SDK presigner in-process', num(sdk.urls / sdk.seconds), '-', '-', '-'],
        ],
      ),
      '',
      `## ListModelPackages over ${PACKAGES.toLocaleString('en-US')} versioned packages, MaxResults 100, ${REPEATS} calls each`,
      formatTable(['filter', 'rows', 'API p50 ms', 'API p95 ms', 'store p50 ms', 'store p95 ms'], rows),
    ];
    process.stdout.write(out.join('\n') + '\n');
  } finally {
    if (server) await server.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(`${dataDir}.log`, { force: true });
  }
}

await main();
