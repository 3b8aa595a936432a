/**
 * @module
 * Small helpers the minio-js suites share: reading streams, comparing large
 * bodies, collecting minio's listing streams and reading error codes.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type * as Minio from 'minio';

export const MiB = 1024 * 1024;

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks);
}

/** Compares bytes by length and digest (a deepEqual diff of megabytes would swamp the output). */
export function assertSameBytes(actual: Buffer, expected: Buffer, what = 'bytes'): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');
  assert.equal(digest(actual), digest(expected), `${what}: content differs`);
}

export async function collect<T>(stream: Minio.BucketStream<T>): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const items: T[] = [];
    stream.on('data', (item) => items.push(item));
    stream.on('error', reject);
    stream.on('end', () => resolve(items));
  });
}

/** The error code a failing minio-js call rejects with. */
export async function errorCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return String((e as { code?: unknown }).code ?? (e as Error).name);
  }
  assert.fail('expected the call to fail');
}
