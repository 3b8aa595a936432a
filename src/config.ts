/**
 * @module
 * The one typed configuration object, built and validated once at start from
 * command-line flags and the environment (flags win). Nothing below
 * `main.ts` reads `process.env`. Secrets may come from `X` or `X_FILE`.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface Config {
  readonly listen: { readonly host: string; readonly port: number };
  readonly dataDir: string;
  /** `sqlite` (file in dataDir) or a postgres:// URL. */
  readonly meta:
    | { readonly kind: 'sqlite'; readonly file: string; readonly synchronous: 'full' | 'normal' }
    /** `schema`: from the URL's `?schema=` parameter; tables live there (created if missing). */
    | { readonly kind: 'postgres'; readonly url: string; readonly schema?: string };
  /** Virtual-host-style requests: `bucket.<domain>`. Empty: path-style only. */
  readonly domains: readonly string[];
  readonly region: string;
  readonly root: { readonly user: string; readonly password: string } | null;
  readonly inlineThreshold: number;
  readonly gc: { readonly intervalMs: number; readonly graceMs: number };
  /** How often the lifecycle worker runs (0: never). */
  readonly lifecycle: { readonly intervalMs: number };
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** The URL clients reach Signet at, for URLs minted in registry answers; null: each request's Host. */
  readonly publicUrl: string | null;
  /** The master key (32 bytes) wrapping SSE-S3 data keys; null: SSE-S3 is not available. */
  readonly masterKey: Buffer | null;
}

export interface ConfigFlags {
  listen?: string;
  data?: string;
  meta?: string;
  domain?: string[];
  region?: string;
  logLevel?: string;
  publicUrl?: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Reads `NAME` or, failing that, the file named by `NAME_FILE`. */
export function secretFromEnv(env: Env, name: string): string | undefined {
  const direct = env[name];
  if (direct !== undefined && direct !== '') return direct;
  const file = env[`${name}_FILE`];
  return file ? readFileSync(file, 'utf8').trim() : undefined;
}

export function loadConfig(flags: ConfigFlags, env: Env): Config {
  const dataDir = resolve(flags.data ?? env.SIGNET_DATA ?? './data');
  const metaUrl = flags.meta ?? secretFromEnv(env, 'SIGNET_META_URL') ?? 'sqlite';
  return Object.freeze({
    listen: parseListen(flags.listen ?? env.SIGNET_LISTEN ?? '127.0.0.1:9000'),
    dataDir,
    meta: parseMeta(metaUrl, dataDir, parseSync(env.SIGNET_SQLITE_SYNC ?? 'full')),
    domains: parseDomains(flags.domain ?? (env.SIGNET_DOMAIN ? env.SIGNET_DOMAIN.split(',') : [])),
    region: flags.region ?? env.SIGNET_REGION ?? 'us-east-1',
    root: parseRoot(env),
    inlineThreshold: parseInt0(env.SIGNET_INLINE_THRESHOLD, 64 * 1024, 'SIGNET_INLINE_THRESHOLD', 1024 * 1024),
    publicUrl: parsePublicUrl(flags.publicUrl ?? env.SIGNET_PUBLIC_URL),
    masterKey: parseMasterKey(secretFromEnv(env, 'SIGNET_MASTER_KEY')),
    gc: {
      intervalMs: parseInt0(env.SIGNET_GC_INTERVAL_MS, 10 * 60_000, 'SIGNET_GC_INTERVAL_MS', 2 ** 31),
      graceMs: parseInt0(env.SIGNET_GC_GRACE_MS, 60 * 60_000, 'SIGNET_GC_GRACE_MS', 2 ** 40),
    },
    lifecycle: { intervalMs: parseInt0(env.SIGNET_LIFECYCLE_INTERVAL_MS, 60 * 60_000, 'SIGNET_LIFECYCLE_INTERVAL_MS', 2 ** 31) },
    logLevel: parseLogLevel(flags.logLevel ?? env.SIGNET_LOG_LEVEL ?? 'info'),
  });
}

function parseListen(value: string): Config['listen'] {
  const m = /^(\[[^\]]+\]|[^:]*):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[2]) : NaN;
  if (!m || port > 65535) throw new Error(`invalid listen address "${value}" (want host:port)`);
  return { host: m[1]!.replace(/^\[|\]$/g, '') || '0.0.0.0', port };
}

function parseSync(value: string): 'full' | 'normal' {
  if (value === 'full' || value === 'normal') return value;
  throw new Error(`SIGNET_SQLITE_SYNC must be full or normal, not "${value}"`);
}

function parseMeta(value: string, dataDir: string, synchronous: 'full' | 'normal'): Config['meta'] {
  if (value === 'sqlite') return { kind: 'sqlite', file: resolve(dataDir, 'meta.sqlite'), synchronous };
  if (value.startsWith('sqlite:')) return { kind: 'sqlite', file: resolve(value.slice('sqlite:'.length)), synchronous };
  if (/^postgres(ql)?:\/\//.test(value)) {
    const url = new URL(value);
    const schema = url.searchParams.get('schema') ?? undefined;
    url.searchParams.delete('schema');
    if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`invalid schema name "${schema}"`);
    return { kind: 'postgres', url: url.toString(), schema };
  }
  throw new Error(`invalid metadata store "${value}" (want sqlite, sqlite:<file> or postgres://...)`);
}

function parseDomains(values: readonly string[]): string[] {
  return values.map((d) => d.trim().toLowerCase().replace(/^\.+|\.+$/g, '')).filter((d) => d !== '');
}

function parseRoot(env: Env): Config['root'] {
  const user = env.SIGNET_ROOT_USER;
  const password = secretFromEnv(env, 'SIGNET_ROOT_PASSWORD');
  if (!user && !password) return null;
  if (!user || !password) throw new Error('set both SIGNET_ROOT_USER and SIGNET_ROOT_PASSWORD, or neither');
  if (user.length < 3 || password.length < 8) {
    throw new Error('SIGNET_ROOT_USER needs at least 3 characters and SIGNET_ROOT_PASSWORD at least 8');
  }
  return { user, password };
}

function parseInt0(value: string | undefined, fallback: number, name: string, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0 || n > max) throw new Error(`${name} must be an integer from 0 to ${max}`);
  return n;
}

function parseLogLevel(value: string): Config['logLevel'] {
  if (value === 'debug' || value === 'info' || value === 'warn' || value === 'error') return value;
  throw new Error(`invalid log level "${value}"`);
}

function parsePublicUrl(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`SIGNET_PUBLIC_URL: not a URL: ${value}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('SIGNET_PUBLIC_URL: must be http:// or https://');
  if (url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) throw new Error('SIGNET_PUBLIC_URL: scheme, host and port only');
  return url.origin;
}

/** 32 bytes, as 64 hex digits or base64 (`openssl rand -base64 32`). */
function parseMasterKey(value: string | undefined): Buffer | null {
  if (value === undefined || value === '') return null;
  const text = value.trim();
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  const key = Buffer.from(text, 'base64');
  if (key.length === 32 && /^[A-Za-z0-9+/]{43}=$/.test(text)) return key;
  throw new Error('SIGNET_MASTER_KEY must be 32 bytes, as 64 hex digits or base64 (openssl rand -base64 32)');
}
