/**
 * @module
 * The blob port: immutable byte strings named by their SHA-256 (hex).
 * Implementations: the local filesystem (`adapters/blob/local-fs-blob-store.ts`);
 * an external S3 bucket later. Proven by `test/contract/blob-store.test.ts`.
 *
 * A blob is written through a {@link BlobWriter}: bytes go to a temporary
 * place; `commit(sha256)` makes them durable under their name (for files:
 * fsync, rename, fsync the folder) before it resolves. The caller computes
 * the hash while it streams (it needs it anyway for the ETag and SigV4), so
 * the store never hashes a byte twice. Committing a name that exists is fine:
 * the content is the same by construction.
 */
import type { Readable } from 'node:stream';

export interface BlobWriter {
  /** Appends bytes; resolves when the store has taken them (backpressure). */
  write(chunk: Buffer): Promise<void>;
  /** Makes the written bytes durable as blob `sha256`. */
  commit(sha256: string): Promise<void>;
  /** Drops everything written. Safe to call after a failed write or twice. */
  abort(): Promise<void>;
}

export interface BlobInfo {
  readonly sha256: string;
  readonly size: number;
  /** Last write or commit of this name; the GC's grace period counts from it. */
  readonly modified: Date;
}

export interface BlobStore {
  /** Ready to serve (folder exists and is writable, bucket reachable...). */
  ping(): Promise<void>;
  createWriter(): Promise<BlobWriter>;
  /** Streams `length` bytes from `offset`. Fails if the blob is missing or shorter. */
  read(sha256: string, offset: number, length: number): Readable;
  stat(sha256: string): Promise<BlobInfo | null>;
  /** Every blob, in no particular order. */
  list(): AsyncIterable<BlobInfo>;
  /**
   * Deletes the blob unless it was (re)committed after `unlessModifiedSince`,
   * so a commit racing the collector wins. Returns whether it deleted.
   */
  delete(sha256: string, unlessModifiedSince: Date): Promise<boolean>;
  /** Removes temporary leftovers older than the given date (crashed writers). */
  sweepTemporary(olderThan: Date): Promise<number>;
}
