/**
 * @module
 * Pinning: what makes a registered version immutable. Every file of a
 * version is its own object in the system bucket, written once under a
 * fresh key (`files/<timeOrderedId>/<path>`) and never changed. Pinning
 * copies no bytes: the new object points at the source version's inline data
 * or blob extents, as CopyObject does, so a later overwrite or delete of the
 * source leaves the pinned object (and the blobs it references) untouched.
 *
 * Releasing deletes system objects no registry file uses any more; the blob
 * garbage collector then frees bytes nothing else references, so bytes
 * another version or a user's object still uses stay.
 */
import { createHash } from 'node:crypto';
import type { BlobStore } from '../../ports/blob-store.ts';
import type { MetaStore } from '../../ports/meta-store.ts';
import type { Buckets } from '../buckets.ts';
import { fail, isSignetError } from '../errors.ts';
import { readExtents } from '../extent-reader.ts';
import { readPlain, withEncryption, type Sse } from '../sse.ts';
import { timeOrderedId } from '../ids.ts';
import { blankVersion, type Extent, type ObjectVersion, type Principal, type StoredEncryption } from '../types.ts';
import type { FileSource } from './registry-api.ts';
import { validateFilePath } from './registry-names.ts';
import type { RegisteredFile, RegistryPrincipal } from './registry-types.ts';
import { formatS3Uri, sourceUriOf } from './s3-uri.ts';
import type { SystemAccount } from './system-account.ts';

/** The most files one version (or hub content version) may hold. */
export const MAX_VERSION_FILES = 10_000;
const LIST_PAGE = 1000;
/** Pins and checks in flight at once: enough to hide round trips, few enough to share the store. */
export const PARALLEL = 8;
const MAX_KEY_BYTES = 1024;
const HEX_SHA256 = /^[0-9a-f]{64}$/;
const EMPTY_SHA256 = createHash('sha256').digest('hex');
const EMPTY_MD5 = createHash('md5').digest('hex');

export interface PinningDeps {
  readonly meta: MetaStore;
  readonly blobs: BlobStore;
  readonly buckets: Buckets;
  readonly system: SystemAccount;
  readonly clock: () => Date;
  /** Opens SSE-S3 sources for hashing; absent: such sources cannot be hashed. */
  readonly sse?: Sse;
}

/** One source object to pin and the LocalPath it gets. `explicit`: the caller named this version id. */
interface Wanted {
  readonly path: string;
  readonly bucket: string;
  readonly key: string;
  readonly versionId: string | null;
  readonly explicit: boolean;
}

/** The S3 principal a registry caller acts as when it reads buckets. */
export function corePrincipal(who: RegistryPrincipal): Principal {
  return { userId: who.userId, userName: who.userName, isRoot: who.isRoot, accessKeyId: who.tokenId ?? '' };
}

/** UTF-8 byte order, as every listing of the registry. */
export function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export class Pinning {
  readonly #meta: MetaStore;
  readonly #blobs: BlobStore;
  readonly #buckets: Buckets;
  readonly #system: SystemAccount;
  readonly #clock: () => Date;
  readonly #sse: Sse | undefined;

  constructor(deps: PinningDeps) {
    this.#meta = deps.meta;
    this.#blobs = deps.blobs;
    this.#buckets = deps.buckets;
    this.#system = deps.system;
    this.#clock = deps.clock;
    this.#sse = deps.sse;
  }

  /**
   * Reads the source now, with the caller's rights, and pins every file.
   * All or nothing: on any failure the objects already pinned are released.
   */
  async pinSource(who: RegistryPrincipal, source: FileSource): Promise<{ files: RegisteredFile[]; sourceUri: string | null }> {
    const wanted = await this.#wanted(corePrincipal(who), source);
    checkPaths(wanted.map((w) => w.path));
    const folder = `files/${timeOrderedId(this.#clock())}/`;
    const pinned: string[] = [];
    try {
      const files = await mapLimit(wanted, PARALLEL, async (w) => {
        const file = await this.#pinOne(w, folder);
        pinned.push(file.objectKey);
        return file;
      });
      return { files: files.sort((a, b) => byteOrder(a.path, b.path)), sourceUri: sourceUriOf(source) };
    } catch (e) {
      await this.release(pinned).catch(() => undefined);
      throw e;
    }
  }

  /** Deletes the system objects no registry file uses any more. */
  async release(objectKeys: readonly string[]): Promise<void> {
    await mapLimit([...new Set(objectKeys)], PARALLEL, async (key) => {
      if (!(await this.#meta.registry.isObjectKeyUsed(key))) await this.#deleteObject(key);
    });
  }

  /** A new system object with this content, if the store holds it: from a registered file, else from a bare blob. */
  async findContent(sha256Hex: string, size: number): Promise<string | null> {
    const sha256 = sha256Hex.toLowerCase();
    if (!HEX_SHA256.test(sha256)) fail('InvalidArgument', 'invalid sha256: expected 64 hex digits');
    if (!Number.isSafeInteger(size) || size < 0) fail('InvalidArgument', 'invalid size: expected a non-negative integer');
    const objectKey = `files/${timeOrderedId(this.#clock())}/${sha256}`;
    if (size === 0) return sha256 === EMPTY_SHA256 ? this.#putEmpty(objectKey) : null;
    const file = await this.#meta.registry.findFileBySha256(sha256);
    if (file !== null && file.size === size && (await this.#copyStored(file.objectKey, objectKey, sha256, size))) return objectKey;
    return (await this.#pinBlob(sha256, size, objectKey)) ? objectKey : null;
  }

  /** Whether the system object exists with exactly this size and SHA-256. */
  async verifyObject(objectKey: string, sha256Hex: string, size: number): Promise<boolean> {
    const version = await this.#meta.getVersion(this.#system.bucket, objectKey, null);
    if (version === null || version.isDeleteMarker || version.size !== size) return false;
    const actual = version.sha256 ?? (await this.#hash(version));
    return actual === sha256Hex.toLowerCase();
  }

  // ------------------------------------------------------------ reading the source

  async #wanted(who: Principal, source: FileSource): Promise<Wanted[]> {
    switch (source.kind) {
      case 'none':
        return [];
      case 's3-object': {
        await this.#buckets.require(who, source.bucket);
        const path = validateFilePath(source.path ?? source.key.slice(source.key.lastIndexOf('/') + 1));
        return [{ path, bucket: source.bucket, key: source.key, versionId: source.versionId ?? null, explicit: source.versionId !== undefined }];
      }
      case 'files':
        return this.#wantedFiles(who, source.files);
      case 's3-prefix':
        return this.#wantedPrefix(who, source.bucket, source.prefix);
    }
    return fail('InvalidArgument', 'unknown file source');
  }

  async #wantedFiles(who: Principal, files: Extract<FileSource, { kind: 'files' }>['files']): Promise<Wanted[]> {
    if (!Array.isArray(files)) fail('InvalidArgument', 'files must be a list');
    if (files.length > MAX_VERSION_FILES) tooMany();
    const allowed = new Set<string>();
    const out: Wanted[] = [];
    for (const f of files) {
      if (!allowed.has(f.bucket)) await this.#buckets.require(who, f.bucket);
      allowed.add(f.bucket);
      out.push({ path: validateFilePath(f.path), bucket: f.bucket, key: f.key, versionId: f.versionId ?? null, explicit: f.versionId !== undefined });
    }
    return out;
  }

  /** The current objects under the prefix, each at the version listed now; folder markers (`dir/`, empty) are skipped. */
  async #wantedPrefix(who: Principal, bucket: string, prefix: string): Promise<Wanted[]> {
    await this.#buckets.require(who, bucket);
    const out: Wanted[] = [];
    for (let after: string | null = null; ; ) {
      const page = await this.#meta.listObjects(bucket, { prefix, after, limit: LIST_PAGE });
      for (const o of page) {
        if (o.key.endsWith('/') && o.size === 0) continue;
        if (out.length >= MAX_VERSION_FILES) tooMany();
        out.push({ path: pathUnder(bucket, prefix, o.key), bucket, key: o.key, versionId: o.versionId, explicit: false });
      }
      if (page.length < LIST_PAGE) break;
      after = page[page.length - 1]!.key;
    }
    if (out.length === 0) fail('InvalidArgument', `no objects under ${formatS3Uri(bucket, prefix)}`);
    return out;
  }

  /** The version to pin: NoSuchKey (NoSuchVersion when named) if it is gone or a delete marker. */
  async #resolve(w: Wanted): Promise<ObjectVersion> {
    const version = await this.#meta.getVersion(w.bucket, w.key, w.versionId);
    if (version === null || version.isDeleteMarker) {
      if (w.explicit) fail('NoSuchVersion', `no version ${w.versionId} of ${formatS3Uri(w.bucket, w.key)}`, { Key: w.key, VersionId: w.versionId ?? '' });
      fail('NoSuchKey', `no object ${formatS3Uri(w.bucket, w.key)}`, { Key: w.key });
    }
    return version;
  }

  // ------------------------------------------------------------ writing pins

  async #pinOne(w: Wanted, folder: string): Promise<RegisteredFile> {
    const source = await this.#resolve(w);
    // The registry never holds a customer's key: it could neither hash nor serve the file.
    if (source.headers.encryption?.mode === 'SSE-C') fail('InvalidArgument', `${formatS3Uri(w.bucket, w.key)} is encrypted with a customer-provided key (SSE-C) and cannot be registered`);
    // Multipart objects carry no whole-object SHA-256: read it once, now.
    const sha256 = source.sha256 ?? (await this.#hash(source));
    const objectKey = systemKey(folder, w.path);
    await this.#copy(source, objectKey, sha256);
    return { path: w.path, size: source.size, sha256, objectKey };
  }

  /**
   * Writes a system object sharing the source's data. `requireVersions`
   * makes the write fail if the source version is deleted before it
   * commits, so the collector never sees its blobs unreferenced in between.
   * An unversioned key's version id ('null') survives an overwrite, though,
   * so the source row is read again after the commit: the same row (same
   * seq, never reused) means it stood throughout and the blobs were never
   * unreferenced; otherwise the pin is undone.
   */
  async #copy(source: ObjectVersion, objectKey: string, sha256: string): Promise<void> {
    await this.#putSystem(objectKey, { size: source.size, etag: source.etag, contentType: source.headers.contentType, encryption: source.headers.encryption, sha256, inline: source.inline, extents: source.extents }, [
      { bucket: source.bucket, key: source.key, versionId: source.versionId },
    ]);
    if (source.extents.length === 0) return;
    const now = await this.#meta.getVersion(source.bucket, source.key, source.versionId);
    if (now?.seq === source.seq) return;
    await this.#deleteObject(objectKey);
    fail('Conflict', `${formatS3Uri(source.bucket, source.key)} changed while it was being registered; try again`);
  }

  async #putSystem(
    objectKey: string,
    data: { size: number; etag: string; contentType?: string; encryption?: StoredEncryption; sha256: string; inline: Buffer | null; extents: readonly Extent[] },
    requireVersions: readonly { bucket: string; key: string; versionId: string }[] = [],
  ): Promise<void> {
    const now = this.#clock();
    await this.#meta.putVersion(
      {
        ...blankVersion({ bucket: this.#system.bucket, key: objectKey, versionId: 'null', lastModified: now, ownerId: this.#system.principal.userId }),
        size: data.size,
        etag: data.etag,
        // Only the type: a stored Content-Encoding would make clients decode the bytes the hash names.
        // The encryption too: the pin shares the source's encrypted bytes.
        headers: withEncryption(data.contentType === undefined ? {} : { contentType: data.contentType }, data.encryption),
        checksum: { algorithm: 'SHA256', value: Buffer.from(data.sha256, 'hex').toString('base64'), type: 'FULL_OBJECT' },
        sha256: data.sha256,
        inline: data.inline,
        extents: data.extents,
      },
      { versioning: 'Unversioned', ifNoneMatch: '*', requireVersions },
    );
  }

  async #deleteObject(objectKey: string): Promise<void> {
    const now = this.#clock();
    await this.#meta.deleteObject(this.#system.bucket, objectKey, {
      versioning: 'Unversioned',
      markerVersionId: timeOrderedId(now),
      now,
      ownerId: this.#system.principal.userId,
    });
  }

  // ------------------------------------------------------------ content already held

  async #putEmpty(objectKey: string): Promise<string> {
    await this.#putSystem(objectKey, { size: 0, etag: EMPTY_MD5, sha256: EMPTY_SHA256, inline: Buffer.alloc(0), extents: [] });
    return objectKey;
  }

  /** Pins a copy of a registered file's object; false if it is gone or not what it claims. */
  async #copyStored(from: string, objectKey: string, sha256: string, size: number): Promise<boolean> {
    const version = await this.#meta.getVersion(this.#system.bucket, from, null);
    if (version === null || version.isDeleteMarker || version.size !== size) return false;
    // Encrypted content is never matched by its plaintext digest: that would tell whoever declares a digest that someone stored those bytes.
    if (version.headers.encryption !== undefined) return false;
    if ((version.sha256 ?? (await this.#hash(version))) !== sha256) return false;
    try {
      await this.#copy(version, objectKey, sha256);
      return true;
    } catch (e) {
      if (isSignetError(e) && (e.code === 'NoSuchKey' || e.code === 'Conflict')) return false; // released meanwhile
      throw e;
    }
  }

  /**
   * Pins a bare blob (bytes some object or an old upload left) as a new
   * object with one extent. The collector deletes a blob only when no
   * version references it AND it is older than the grace period, and the
   * blob store refuses the delete if the blob was (re)committed after the
   * cutoff. A reference check cannot protect us (the collector may have
   * checked before our object commits and delete after), so the blob is
   * re-committed first, exactly as an upload commits a new one: its fresh
   * commit time protects it until our metadata commits, under the same
   * assumption every upload makes (the commit follows within the grace
   * period). Re-writing reads the bytes once and proves their hash too.
   */
  async #pinBlob(sha256: string, size: number, objectKey: string): Promise<boolean> {
    const info = await this.#blobs.stat(sha256);
    if (info === null || info.size !== size) return false;
    const md5 = await this.#recommit(sha256, size);
    if (md5 === null) return false;
    await this.#putSystem(objectKey, { size, etag: md5, sha256, inline: null, extents: [{ blob: sha256, offset: 0, length: size }] });
    return true;
  }

  /** Writes the blob's bytes again under its name; its MD5, or null if it vanished or does not hash to its name. */
  async #recommit(sha256: string, size: number): Promise<string | null> {
    const writer = await this.#blobs.createWriter();
    const sha = createHash('sha256');
    const md5 = createHash('md5');
    try {
      for await (const chunk of this.#blobs.read(sha256, 0, size) as AsyncIterable<Buffer>) {
        sha.update(chunk);
        md5.update(chunk);
        await writer.write(chunk);
      }
    } catch (e) {
      await writer.abort();
      if ((await this.#blobs.stat(sha256)) === null) return null; // collected while we read: the caller uploads instead
      throw e;
    }
    if (sha.digest('hex') !== sha256) {
      await writer.abort();
      return null;
    }
    await writer.commit(sha256);
    return md5.digest('hex');
  }

  async #hash(version: ObjectVersion): Promise<string> {
    const hash = createHash('sha256');
    if (version.headers.encryption !== undefined) {
      const protection = this.#sse?.forStored(version.headers.encryption, undefined) ?? fail('InvalidArgument', 'encrypted objects cannot be registered here');
      const data = readPlain(this.#blobs, version, 0, version.size - 1, protection);
      if (Buffer.isBuffer(data)) return hash.update(data).digest('hex');
      for await (const chunk of data as AsyncIterable<Buffer>) hash.update(chunk);
      return hash.digest('hex');
    }
    if (version.inline !== null) return hash.update(version.inline).digest('hex');
    for await (const chunk of readExtents(this.#blobs, version, 0, version.size - 1) as AsyncIterable<Buffer>) hash.update(chunk);
    return hash.digest('hex');
  }
}

/**
 * The LocalPath of a listed key: the key without the prefix. A prefix that
 * does not end at a `/` (SageMaker's S3Prefix `models/llama`) leaves a
 * leading `/`, dropped; a key equal to the prefix keeps its last segment.
 */
function pathUnder(bucket: string, prefix: string, key: string): string {
  let rest = key.slice(prefix.length);
  if (rest === '') rest = key.slice(key.lastIndexOf('/') + 1);
  else if (rest.startsWith('/') && !prefix.endsWith('/')) rest = rest.slice(1);
  try {
    return validateFilePath(rest);
  } catch (e) {
    if (!isSignetError(e)) throw e;
    return fail('InvalidArgument', `${formatS3Uri(bucket, key)} cannot be registered: ${e.message}`);
  }
}

/** Unique paths, and no path that is also a folder of another (`a` and `a/b` cannot both be written to disk). */
export function checkPaths(paths: readonly string[]): void {
  const all = new Set<string>();
  for (const p of paths) {
    if (all.has(p)) fail('InvalidArgument', `file path "${p}" is given twice`);
    all.add(p);
  }
  for (const p of paths) {
    for (let i = p.indexOf('/'); i >= 0; i = p.indexOf('/', i + 1)) {
      if (all.has(p.slice(0, i))) fail('InvalidArgument', `"${p.slice(0, i)}" is both a file and a folder of "${p}"`);
    }
  }
}

/** `<folder><path>`, or `<folder><sha256(path)>` when that would exceed S3's key limit (the path lives in the file row). */
function systemKey(folder: string, path: string): string {
  const key = folder + path;
  return Buffer.byteLength(key, 'utf8') <= MAX_KEY_BYTES ? key : folder + createHash('sha256').update(path).digest('hex');
}

function tooMany(): never {
  return fail('ResourceLimitExceeded', `a version holds at most ${MAX_VERSION_FILES} files`);
}

/**
 * Maps with at most `limit` calls in flight, keeping order. On a failure no
 * new call starts, and it rejects once the calls in flight have settled (so
 * the caller's cleanup sees everything that was done).
 */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  const errors: unknown[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (errors.length === 0 && next < items.length) {
      const i = next++;
      try {
        out[i] = await fn(items[i]!);
      } catch (e) {
        errors.push(e);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (errors.length > 0) throw errors[0];
  return out;
}
