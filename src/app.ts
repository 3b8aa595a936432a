/**
 * @module
 * The composition root: opens the ports the configuration names, builds the
 * core services and the faces, and starts the HTTP server. The only place
 * that picks concrete adapters.
 */
import { createServer, type Server } from 'node:http';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.ts';
import type { Logger } from './log.ts';
import { LocalFsBlobStore } from './adapters/blob/local-fs-blob-store.ts';
import { openSqliteMetaStore } from './adapters/meta/sqlite-meta-store.ts';
import { openPostgresMetaStore } from './adapters/meta/postgres-meta-store.ts';
import { Buckets } from './core/buckets.ts';
import { startGarbageCollector, type GcReport } from './core/gc.ts';
import { startLifecycleWorker, type LifecycleReport } from './core/lifecycle-worker.ts';
import { Identity, type RootCredentials } from './core/identity.ts';
import { Multipart } from './core/multipart.ts';
import { Objects } from './core/objects.ts';
import { MasterKey } from './core/encryption.ts';
import { SecretSeal } from './core/secret-seal.ts';
import { Sse } from './core/sse.ts';
import { Versioning } from './core/versioning.ts';
import { LocalEventBus, type EventBus } from './core/events.ts';
import { Notifications } from './core/notifications.ts';
import { createAdminFace } from './faces/admin/admin-face.ts';
import { createS3Face } from './faces/s3/s3-face.ts';
import { createRegistry } from './core/registry/registry.ts';
import type { Registry } from './core/registry/registry-api.ts';
import { createDvcFace } from './faces/dvc/dvc-face.ts';
import { createRestFace } from './faces/rest/rest-face.ts';
import { createSageMakerFace } from './faces/sagemaker/sagemaker-face.ts';
import { createHttpHandler } from './http/http-handler.ts';
import type { BlobStore } from './ports/blob-store.ts';
import type { MetaStore } from './ports/meta-store.ts';
import { resolveRootCredentials } from './root-credentials.ts';

export interface Signet {
  readonly server: Server;
  /** Base URL, e.g. http://127.0.0.1:9000 */
  readonly url: string;
  readonly root: RootCredentials;
  readonly meta: MetaStore;
  readonly blobs: BlobStore;
  readonly identity: Identity;
  readonly registry: Registry;
  /** Object events of this process (ListenBucketNotification subscribes here). */
  readonly events: EventBus;
  runGc(): Promise<GcReport>;
  /** Runs a lifecycle pass now at the app's clock (a pass of its own: two calls race as two nodes would). */
  runLifecycle(): Promise<LifecycleReport>;
  /** Removes the files of expired upload sessions now (the sweeper also runs every GC interval). */
  sweepSessions(): Promise<number>;
  close(): Promise<void>;
}

function masterKeyOf(config: Config): MasterKey | null {
  return config.masterKey === null ? null : new MasterKey(config.masterKey);
}

/** The configured metadata store; access-key secrets are sealed at rest when a master key is configured. */
export async function openMetaStore(config: Config, master = masterKeyOf(config)): Promise<MetaStore> {
  const secrets = master === null ? undefined : new SecretSeal(master);
  if (config.meta.kind === 'postgres') return openPostgresMetaStore(config.meta.url, { schema: config.meta.schema, secrets });
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  return openSqliteMetaStore(config.meta.file, { synchronous: config.meta.synchronous, secrets });
}

export interface StartOptions {
  readonly clock?: () => Date;
  /** Called once with root credentials that were generated on this start (to print them). */
  readonly onGeneratedRoot?: (creds: RootCredentials, file: string) => void;
}

/**
 * Migrates the store and opens what every face shares. Throws (the server
 * does not start) when sealed secrets or SSE-S3 data need a master key that
 * is missing or another one.
 */
async function openServices(meta: MetaStore, master: MasterKey | null, config: Config, clock: () => Date, options: StartOptions) {
  await meta.migrate();
  const blobs = new LocalFsBlobStore(join(config.dataDir, 'blobs'));
  await blobs.ping();
  const identity = new Identity(meta, clock);
  const root = await resolveRootCredentials(config, options.onGeneratedRoot);
  await identity.ensureRoot(root);
  const buckets = new Buckets(meta, config.region, clock);
  const sse = await Sse.open(meta, buckets, master);
  return { blobs, identity, root, buckets, sse };
}

export async function startSignet(config: Config, log: Logger, options: StartOptions = {}): Promise<Signet> {
  const clock = options.clock ?? (() => new Date());
  // Owner-only: the metadata store holds access-key secrets (HMAC needs them; sealed only under a master key).
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const master = masterKeyOf(config);
  const meta = await openMetaStore(config, master);
  const { blobs, identity, root, buckets, sse } = await openServices(meta, master, config, clock, options).catch(async (e: unknown) => {
    await meta.close();
    throw e;
  });
  const events = new LocalEventBus((err) => log.error('event listener failed', { err }));
  const ctx = { meta, blobs, buckets, clock, inlineThreshold: config.inlineThreshold, sse, events };
  const objects = new Objects(ctx);
  const multipart = new Multipart(ctx, objects);
  const versioning = new Versioning(ctx, objects);
  const s3 = createS3Face({ services: { meta, buckets, objects, multipart, versioning, sse, notifications: new Notifications({ meta, buckets, events, region: config.region }), region: config.region }, identity, domains: config.domains, clock, log });
  const admin = createAdminFace({ identity, clock, log });
  const registry = await createRegistry({ meta, blobs, buckets, identity, clock, region: config.region, sse });
  const faceOptions = { registry, identity, clock, log, publicUrl: config.publicUrl };
  const faces = { s3, admin, rest: createRestFace(faceOptions), dvc: createDvcFace(faceOptions), sagemaker: createSageMakerFace(faceOptions) };
  const gc = startGarbageCollector(meta, blobs, { ...config.gc, clock, log });
  const lifecycle = startLifecycleWorker(meta, { intervalMs: config.lifecycle.intervalMs, clock, log });
  const sweeper = startSessionSweeper(registry, config.gc.intervalMs, clock, log);

  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, createHttpHandler({ faces, meta, blobs, log }));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.listen.port, config.listen.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  log.info('listening', { url, data: config.dataDir, meta: config.meta.kind });

  return {
    server,
    url,
    root,
    meta,
    blobs,
    identity,
    registry,
    events,
    runGc: () => gc.runNow(),
    runLifecycle: () => lifecycle.runNow(),
    sweepSessions: () => registry.grants.sweepSessions(clock()),
    close: async () => {
      gc.stop();
      lifecycle.stop();
      clearInterval(sweeper);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await meta.close();
    },
  };
}

/** Removes expired upload sessions' files every `intervalMs` (0: never; tests call sweepSessions). */
function startSessionSweeper(registry: Registry, intervalMs: number, clock: () => Date, log: Logger): NodeJS.Timeout | undefined {
  if (intervalMs <= 0) return undefined;
  const timer = setInterval(() => {
    registry.grants.sweepSessions(clock()).then(
      (removed) => removed > 0 && log.info('upload sessions swept', { removed }),
      (err: unknown) => log.error('upload session sweep failed', { err }),
    );
  }, intervalMs);
  timer.unref();
  return timer;
}
