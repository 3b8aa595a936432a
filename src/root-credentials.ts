/**
 * @module
 * Root credentials: from the configuration when given; otherwise generated
 * on first start and kept in `<data>/root-credentials.json`, readable by the
 * server's user only (mode 0600), and reported to the caller once.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Config } from './config.ts';
import { newAccessKeyId, newSecretKey } from './core/ids.ts';
import type { RootCredentials } from './core/identity.ts';

export const ROOT_CREDENTIALS_FILE = 'root-credentials.json';

export async function resolveRootCredentials(
  config: Config,
  onGenerated?: (creds: RootCredentials, file: string) => void,
): Promise<RootCredentials> {
  if (config.root) return { accessKeyId: config.root.user, secretKey: config.root.password };
  const file = join(config.dataDir, ROOT_CREDENTIALS_FILE);
  const existing = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (existing !== null) {
    const parsed = JSON.parse(existing) as Partial<RootCredentials>;
    if (typeof parsed.accessKeyId !== 'string' || typeof parsed.secretKey !== 'string') {
      throw new Error(`${file} is damaged: set SIGNET_ROOT_USER and SIGNET_ROOT_PASSWORD or remove it`);
    }
    return { accessKeyId: parsed.accessKeyId, secretKey: parsed.secretKey };
  }
  const creds = { accessKeyId: newAccessKeyId(), secretKey: newSecretKey() };
  // 'wx': never overwrite credentials another process has just written.
  await writeFile(file, JSON.stringify(creds, null, 2) + '\n', { mode: 0o600, flag: 'wx' });
  onGenerated?.(creds, file);
  return creds;
}
