/**
 * @module
 * The `signet` command line: `serve` and the admin commands. The only module
 * that reads `process.env` and the command-line flags.
 */
import { Command, Option } from 'commander';
import { openMetaStore, startSignet } from './app.ts';
import { loadConfig, type Config, type ConfigFlags } from './config.ts';
import { LocalFsBlobStore } from './adapters/blob/local-fs-blob-store.ts';
import { collectGarbage } from './core/gc.ts';
import { Identity } from './core/identity.ts';
import { isSignetError } from './core/errors.ts';
import { createLogger } from './log.ts';
import { join } from 'node:path';

const program = new Command('signet')
  .description('Signet: a self-hosted artifact store and model registry that speaks S3')
  .showHelpAfterError();

function storeOptions(cmd: Command): Command {
  return cmd
    .option('--data <dir>', 'data folder (env SIGNET_DATA)', undefined)
    .option('--meta <store>', 'metadata store: sqlite, sqlite:<file> or postgres://... (env SIGNET_META_URL)');
}

function config(flags: ConfigFlags): Config {
  return loadConfig(flags, process.env);
}

storeOptions(program.command('serve'))
  .description('start the server (S3 API, admin API, /health and /ready)')
  .option('--listen <host:port>', 'address to listen on (env SIGNET_LISTEN)', undefined)
  .option('--domain <domain...>', 'domains for virtual-host-style requests, bucket.<domain> (env SIGNET_DOMAIN, comma-separated)')
  .option('--region <region>', 'the region this server reports (env SIGNET_REGION)')
  .option('--public-url <url>', 'scheme://host:port clients reach this server at, for URLs in registry answers (env SIGNET_PUBLIC_URL; default: each request\'s Host)')
  .addOption(new Option('--log-level <level>', 'log level (env SIGNET_LOG_LEVEL)').choices(['debug', 'info', 'warn', 'error']))
  .addHelpText('after', '\nRoot credentials: SIGNET_ROOT_USER and SIGNET_ROOT_PASSWORD (or SIGNET_ROOT_PASSWORD_FILE);\nwithout them, credentials are generated on first start, kept in <data>/root-credentials.json and printed once.')
  .action(async (flags: ConfigFlags) => {
    const cfg = config(flags);
    const log = createLogger(cfg.logLevel);
    const signet = await startSignet(cfg, log, {
      onGeneratedRoot: (creds, file) => {
        process.stdout.write(`\nRoot credentials were generated (kept in ${file}, mode 0600):\n  access key: ${creds.accessKeyId}\n  secret key: ${creds.secretKey}\n\n`);
      },
    });
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        log.info('shutting down', { signal });
        void signet.close().then(() => process.exit(0));
      });
    }
  });

/** Runs an admin action directly against the metadata store (works with the server up or down). */
async function withIdentity<T>(flags: ConfigFlags, action: (identity: Identity) => Promise<T>): Promise<T> {
  const meta = await openMetaStore(config(flags));
  try {
    await meta.migrate();
    return await action(new Identity(meta));
  } finally {
    await meta.close();
  }
}

const admin = program.command('admin').description('manage users and access keys (directly in the metadata store)');
const user = admin.command('user').description('users');
storeOptions(user.command('add <name>').description('add a user')).action(async (name: string, flags: ConfigFlags) => {
  const u = await withIdentity(flags, (id) => id.addUser(name));
  console.log(`user ${u.name} added (id ${u.id})`);
});
storeOptions(user.command('rm <name>').description('remove a user and its keys')).action(async (name: string, flags: ConfigFlags) => {
  await withIdentity(flags, (id) => id.removeUser(name));
  console.log(`user ${name} removed`);
});
storeOptions(user.command('ls').description('list users')).action(async (flags: ConfigFlags) => {
  for (const u of await withIdentity(flags, (id) => id.listUsers())) console.log(`${u.name}\t${u.id}${u.isRoot ? '\troot' : ''}`);
});

const key = admin.command('key').description('access keys');
storeOptions(key.command('add <user>').description('add an access key to a user and print its secret once'))
  .option('--access-key <id>', 'the access key id (default: generated)')
  .option('--secret-key <secret>', 'the secret (default: generated)')
  .action(async (userName: string, flags: ConfigFlags & { accessKey?: string; secretKey?: string }) => {
    const k = await withIdentity(flags, (id) => id.addKey(userName, { accessKeyId: flags.accessKey, secretKey: flags.secretKey }));
    console.log(`access key: ${k.accessKeyId}\nsecret key: ${k.secretKey}`);
  });
storeOptions(key.command('rm <accessKeyId>').description('remove an access key')).action(async (accessKeyId: string, flags: ConfigFlags) => {
  await withIdentity(flags, (id) => id.removeKey(accessKeyId));
  console.log(`access key ${accessKeyId} removed`);
});
storeOptions(key.command('ls <user>').description("list a user's access keys")).action(async (userName: string, flags: ConfigFlags) => {
  for (const k of await withIdentity(flags, (id) => id.listKeys(userName))) console.log(`${k.accessKeyId}\t${k.createdAt.toISOString()}`);
});

storeOptions(program.command('gc'))
  .description('remove blobs no object or upload references, older than the grace period (SIGNET_GC_GRACE_MS)')
  .action(async (flags: ConfigFlags) => {
    const cfg = config(flags);
    const meta = await openMetaStore(cfg);
    try {
      await meta.migrate();
      const report = await collectGarbage(meta, new LocalFsBlobStore(join(cfg.dataDir, 'blobs')), new Date(), cfg.gc.graceMs);
      console.log(JSON.stringify(report));
    } finally {
      await meta.close();
    }
  });

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`signet: ${isSignetError(e) || e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
