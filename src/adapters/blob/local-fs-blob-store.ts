/**
 * @module
 * Blobs as files: `<root>/ab/cd/<sha256>` (two levels of fan-out keep folders
 * small), temporaries in `<root>/tmp/` so a commit is a same-filesystem
 * rename. Blob names are validated as 64 lowercase hex before any path is
 * built, so nothing from outside ever becomes a path.
 *
 * Durability: commit = fsync file, rename, fsync folder. Deletion renames to
 * a trash name first so it can lose no race with a commit of the same name
 * (see {@link LocalFsBlobStore.delete}).
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, lstat, mkdir, open, opendir, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { BlobInfo, BlobStore, BlobWriter } from '../../ports/blob-store.ts';
import { fail, SignetError } from '../../core/errors.ts';

const HASH = /^[0-9a-f]{64}$/;
/** Reads and writes move this much per syscall: big enough for disk throughput. */
const IO_CHUNK = 1 << 20;
/** Trash names keep the blob name so a crashed delete can be undone by the sweep. */
const TRASH_PREFIX = 'trash-';

export function isBlobName(name: string): boolean {
  return HASH.test(name);
}

function checkName(sha256: string): void {
  if (!HASH.test(sha256)) fail('InvalidArgument', 'Invalid blob name (expected 64 lowercase hex digits)');
}

function isNotFound(e: unknown): boolean {
  return (e as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

function tempName(prefix = ''): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

export class LocalFsBlobStore implements BlobStore {
  readonly root: string;
  readonly tmp: string;
  private tmpReady: Promise<unknown> | null = null;
  /** Fan-out folders known to exist, to skip a mkdir per commit. */
  private readonly knownDirs = new Set<string>();

  constructor(root: string) {
    this.root = root;
    this.tmp = join(root, 'tmp');
  }

  /** The final path of a blob; `sha256` must be valid. */
  pathOf(sha256: string): string {
    checkName(sha256);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async ping(): Promise<void> {
    await this.ensureTmp();
    await access(this.tmp, constants.W_OK);
  }

  async createWriter(): Promise<BlobWriter> {
    await this.ensureTmp();
    const path = join(this.tmp, tempName());
    const handle = await open(path, 'wx');
    return new LocalFsBlobWriter(this, handle, path);
  }

  read(sha256: string, offset: number, length: number): Readable {
    const path = this.pathOf(sha256);
    if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
      fail('InvalidArgument', `Invalid blob range ${offset}+${length}`);
    }
    return new BlobReadStream(path, sha256, offset, length);
  }

  async stat(sha256: string): Promise<BlobInfo | null> {
    const path = this.pathOf(sha256);
    try {
      const s = await stat(path);
      return { sha256, size: s.size, modified: s.mtime };
    } catch (e) {
      if (isNotFound(e)) return null;
      throw e;
    }
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const a of await readdirOrEmpty(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(a)) continue; // skips tmp/
      for (const b of await readdirOrEmpty(join(this.root, a))) {
        if (!/^[0-9a-f]{2}$/.test(b)) continue;
        const dir = await opendir(join(this.root, a, b)).catch((e: unknown) => (isNotFound(e) ? null : Promise.reject(e)));
        if (!dir) continue;
        for await (const entry of dir) {
          if (!entry.isFile() || !HASH.test(entry.name) || !entry.name.startsWith(a + b)) continue;
          const info = await this.stat(entry.name);
          if (info) yield info;
        }
      }
    }
  }

  /**
   * Renames the blob to a trash name, then decides on the trash file: a
   * commit that renamed its file into place before our rename left a fresh
   * mtime, so we put it back; a commit after our rename recreated the name,
   * so unlinking the trash loses nothing. Either way the commit wins. The
   * name is briefly absent in the first case; only blobs the GC believes
   * unreferenced are ever deleted.
   */
  async delete(sha256: string, unlessModifiedSince: Date): Promise<boolean> {
    const path = this.pathOf(sha256);
    await this.ensureTmp();
    const trash = join(this.tmp, tempName(`${TRASH_PREFIX}${sha256}-`));
    try {
      await rename(path, trash);
      const s = await stat(trash);
      if (s.mtimeMs >= unlessModifiedSince.getTime()) {
        await rename(trash, path);
        return false;
      }
      await unlink(trash);
      return true;
    } catch (e) {
      // Gone before we came, or a concurrent sweep restored our trash.
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  /**
   * Removes writer temporaries whose last change (ctime) is older than the
   * date. Trash left by a crashed delete is put back instead (the GC will
   * decide again): the crash may have come before a "keep" decision.
   */
  async sweepTemporary(olderThan: Date): Promise<number> {
    let removed = 0;
    for (const name of await readdirOrEmpty(this.tmp)) {
      const path = join(this.tmp, name);
      try {
        // ctime, not mtime: a rename into trash changes ctime but keeps the blob's old mtime.
        const s = await lstat(path);
        if (s.ctimeMs >= olderThan.getTime()) continue;
        const hash = name.startsWith(TRASH_PREFIX) ? name.slice(TRASH_PREFIX.length, TRASH_PREFIX.length + 64) : null;
        if (hash !== null && HASH.test(hash) && !(await this.stat(hash))) {
          await this.placeFinal(path, hash);
        } else {
          await unlink(path);
        }
        removed++;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    return removed;
  }

  /** Renames a file to blob `sha256`, creating fan-out folders, and fsyncs the folder. (Internal: used by the writer and the sweep.) */
  async placeFinal(from: string, sha256: string): Promise<void> {
    const path = this.pathOf(sha256);
    const dir = join(this.root, sha256.slice(0, 2), sha256.slice(2, 4));
    if (!this.knownDirs.has(dir)) await this.makeFanOut(sha256);
    try {
      await rename(from, path);
    } catch (e) {
      if (!isNotFound(e) || !this.knownDirs.delete(dir)) throw e;
      await this.makeFanOut(sha256); // the folder vanished since we cached it
      await rename(from, path);
    }
    await fsyncDir(dir);
  }

  /** Creates `ab/cd/`; new folder entries are made durable too, or a crash could lose the blob in them. */
  private async makeFanOut(sha256: string): Promise<void> {
    const outer = join(this.root, sha256.slice(0, 2));
    const dir = join(outer, sha256.slice(2, 4));
    if (await mkdir(dir, { recursive: true })) {
      await fsyncDir(outer);
      await fsyncDir(this.root);
    }
    this.knownDirs.add(dir);
  }

  private ensureTmp(): Promise<unknown> {
    this.tmpReady ??= mkdir(this.tmp, { recursive: true }).catch((e: unknown) => {
      this.tmpReady = null;
      throw e;
    });
    return this.tmpReady;
  }
}

async function readdirOrEmpty(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (e) {
    if (isNotFound(e)) return [];
    throw e;
  }
}

async function fsyncDir(dir: string): Promise<void> {
  const h = await open(dir, 'r');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/**
 * Queues chunks and hands them to the OS in batches (one writev each), one
 * batch in flight at a time. `write` resolves at once while less than
 * IO_CHUNK is queued, so hashing the next chunks overlaps the disk write of
 * the previous ones; past that it waits for the queue to drain.
 * (A WriteStream over a FileHandle holds a reference that keeps
 * `handle.close()` waiting unless the stream closes the handle itself, which
 * would come before our fsync.)
 */
class LocalFsBlobWriter implements BlobWriter {
  private queue: Buffer[] = [];
  private queued = 0;
  private flushing: Promise<void> | null = null;
  private inFlight: Promise<{ bytesWritten: number }> | null = null;
  private error: unknown = null;
  private state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(
    private readonly store: LocalFsBlobStore,
    private readonly handle: FileHandle,
    private readonly path: string,
  ) {}

  async write(chunk: Buffer): Promise<void> {
    this.check();
    if (chunk.length === 0) return;
    this.queue.push(chunk);
    this.queued += chunk.length;
    this.flushing ??= this.flush();
    // Wait for the batch in flight only: the loop then takes our queue at once.
    if (this.queued >= IO_CHUNK) {
      await this.inFlight;
      this.check();
    }
  }

  async commit(sha256: string): Promise<void> {
    this.check();
    this.store.pathOf(sha256); // validates before any effect
    this.state = 'committed';
    try {
      await this.flushing;
      if (this.error) throw this.error;
      // Fresh mtime: the GC's grace period counts from the commit, not the last write.
      const now = new Date();
      await this.handle.utimes(now, now);
      await this.handle.sync();
      await this.handle.close();
      await this.store.placeFinal(this.path, sha256);
    } catch (e) {
      await this.discard();
      throw e;
    }
  }

  async abort(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    await this.discard();
  }

  /** Writes queued batches until the queue is empty; an error is kept for the next call. */
  private async flush(): Promise<void> {
    try {
      while (this.queue.length > 0 && !this.error) {
        const batch = this.queue;
        const bytes = this.queued;
        this.queue = [];
        this.queued = 0;
        // libuv loops over partial writes and IOV_MAX; a short count here is a real failure.
        this.inFlight = this.handle.writev(batch);
        const { bytesWritten } = await this.inFlight;
        if (bytesWritten !== bytes) throw new Error(`Short write: ${bytesWritten} of ${bytes} bytes`);
      }
    } catch (e) {
      this.error ??= e;
    } finally {
      this.flushing = null;
      this.inFlight = null;
    }
  }

  private check(): void {
    if (this.state !== 'open') throw new SignetError('InternalError', `Blob writer already ${this.state}`);
    if (this.error) throw this.error;
  }

  private async discard(): Promise<void> {
    this.queue = [];
    await this.flushing;
    await this.handle.close().catch(() => undefined);
    await unlink(this.path).catch((e: unknown) => (isNotFound(e) ? undefined : Promise.reject(e)));
  }
}

/**
 * A range of one blob. Unlike `fs.createReadStream` it checks the blob is
 * long enough up front and fails on a short read instead of ending early.
 */
class BlobReadStream extends Readable {
  private handle: FileHandle | null = null;
  private position: number;
  private remaining: number;

  constructor(
    private readonly path: string,
    private readonly sha256: string,
    offset: number,
    length: number,
  ) {
    super({ highWaterMark: IO_CHUNK });
    this.position = offset;
    this.remaining = length;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.open().then(() => callback(), callback);
  }

  private async open(): Promise<void> {
    try {
      this.handle = await open(this.path, 'r');
    } catch (e) {
      if (isNotFound(e)) throw new SignetError('InternalError', `Blob ${this.sha256} is missing`);
      throw e;
    }
    const { size } = await this.handle.stat();
    if (size < this.position + this.remaining) {
      throw new SignetError('InternalError', `Blob ${this.sha256} has ${size} bytes, ${this.position + this.remaining} needed`);
    }
  }

  override _read(): void {
    if (this.remaining === 0) {
      this.push(null);
      return;
    }
    const n = Math.min(IO_CHUNK, this.remaining);
    this.handle!.read(Buffer.allocUnsafe(n), 0, n, this.position).then(({ bytesRead, buffer }) => {
      if (bytesRead === 0) {
        this.destroy(new SignetError('InternalError', `Blob ${this.sha256} ended early`));
        return;
      }
      this.position += bytesRead;
      this.remaining -= bytesRead;
      this.push(bytesRead === n ? buffer : buffer.subarray(0, bytesRead));
    }, (e: Error) => this.destroy(e));
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const h = this.handle;
    this.handle = null;
    if (!h) return callback(error);
    h.close().then(() => callback(error), () => callback(error));
  }
}

/** Sum of blob sizes in a store (and how many): tests use it to prove dedup. */
export async function storedBytes(store: BlobStore): Promise<{ count: number; bytes: number }> {
  let count = 0;
  let bytes = 0;
  for await (const info of store.list()) {
    count++;
    bytes += info.size;
  }
  return { count, bytes };
}
