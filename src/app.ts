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
import { Identity, type RootCredentials } from './core/identity.ts';
import { Multipart } from './core/multipart.ts';
import { Objects } from './core/objects.ts';
import { createAdminFace } from './faces/admin/admin-face.ts';
import { createS3Face } from './faces/s3/s3-face.ts';
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
  runGc(): Promise<GcReport>;
  close(): Promise<void>;
}

export async function openMetaStore(config: Config): Promise<MetaStore> {
  if (config.meta.kind === 'postgres') return openPostgresMetaStore(config.meta.url, { schema: config.meta.schema });
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  return openSqliteMetaStore(config.meta.file, { synchronous: config.meta.synchronous });
}

export interface StartOptions {
  readonly clock?: () => Date;
  /** Called once with root credentials that were generated on this start (to print them). */
  readonly onGeneratedRoot?: (creds: RootCredentials, file: string) => void;
}

export async function startSignet(config: Config, log: Logger, options: StartOptions = {}): Promise<Signet> {
  const clock = options.clock ?? (() => new Date());
  // Owner-only: the metadata store holds access-key secrets (HMAC needs them in clear).
  await mkdir(config.dataDir, { recursive: true, mode: 0o700 });
  const meta = await openMetaStore(config);
  await meta.migrate();
  const blobs = new LocalFsBlobStore(join(config.dataDir, 'blobs'));
  await blobs.ping();
  const identity = new Identity(meta, clock);
  const root = await resolveRootCredentials(config, options.onGeneratedRoot);
  await identity.ensureRoot(root);

  const buckets = new Buckets(meta, config.region, clock);
  const ctx = { meta, blobs, buckets, clock, inlineThreshold: config.inlineThreshold };
  const objects = new Objects(ctx);
  const multipart = new Multipart(ctx, objects);
  const s3 = createS3Face({ services: { meta, buckets, objects, multipart, region: config.region }, identity, domains: config.domains, clock, log });
  const admin = createAdminFace({ identity, clock, log });
  const gc = startGarbageCollector(meta, blobs, { ...config.gc, clock, log });

  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 }, createHttpHandler({ s3, admin, meta, blobs, log }));
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
    runGc: () => gc.runNow(),
    close: async () => {
      gc.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await meta.close();
    },
  };
}
