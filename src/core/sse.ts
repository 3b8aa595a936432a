/**
 * @module
 * Server-side encryption, decided: what a request asks for (SSE-S3 with
 * `x-amz-server-side-encryption: AES256`, SSE-C with a customer key, or the
 * bucket's default encryption), which keys that means, and the checks S3
 * makes (an SSE-C object is read only with its key). The bytes themselves
 * are handled by `encryption.ts`; `objects.ts` and `multipart.ts` call here
 * only when encryption is involved, so unencrypted objects keep their path.
 *
 * The master key: the operator supplies it (`SIGNET_MASTER_KEY`). Its id and
 * check value are recorded in the metadata store with the first SSE-S3 write;
 * from then on Signet refuses to start without it or with another key, so it
 * never serves garbage. SSE-C keys are never stored: an object keeps a
 * random salt and an HMAC of it under a key derived from the customer key,
 * and every read must present a key that reproduces it.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobStore } from '../ports/blob-store.ts';
import type { MetaStore } from '../ports/meta-store.ts';
import type { Buckets } from './buckets.ts';
import {
  customerSubkey,
  customerWrappingKey,
  EnvelopeWriter,
  readEncrypted,
  storedSize,
  type KeyLookup,
  type MasterKey,
  type WrappingKey,
} from './encryption.ts';
import { fail, SignetError } from './errors.ts';
import { readExtents } from './extent-reader.ts';
import { ingest, type ByteSink, type IngestResult, type StoreTransform } from './ingest.ts';
import type { Bucket, Extent, ObjectVersion, Principal, StoredEncryption, StoredHeaders } from './types.ts';

/** Bucket config kind holding the default encryption (`Bucket.config`). */
export const ENCRYPTION_CONFIG = 'encryption';

/** A bucket's default encryption (PutBucketEncryption): SSE-S3 is the one algorithm. */
export interface BucketEncryption {
  readonly algorithm: 'AES256';
  readonly bucketKeyEnabled: boolean;
}

/** A customer key (SSE-C), as sent: 32 bytes, with the MD5 the client gave (base64). */
export interface CustomerKey {
  readonly key: Buffer;
  readonly md5: string;
}

/** What a write asks for: SSE-S3, or SSE-C with the key. */
export type SseRequest = { readonly kind: 'SSE-S3' } | { readonly kind: 'SSE-C'; readonly customer: CustomerKey };

/**
 * The encryption of one object or upload, with the keys at hand: what
 * writes store and reads open.
 */
export interface Protection {
  /** Kept in the object's headers (`StoredHeaders.encryption`). */
  readonly stored: StoredEncryption;
  /** Wraps the data key of every new envelope. */
  readonly wrapping: WrappingKey;
  /** For ingest: stores envelopes under `wrapping`. */
  readonly sink: StoreTransform;
  /** Finds the key that opens an envelope. */
  readonly lookup: KeyLookup;
  /** SSE-C: the customer key (copies compare it). */
  readonly customerKey: Buffer | null;
  /** The ETag for content with this MD5 (hex): the MD5 itself, or for SSE-C a value keyed by the customer key, as S3 gives (its ETag is no MD5 of the data). */
  etag(md5: string): string;
  /** The SHA-256 (hex) kept with the version: none for SSE-C, whose metadata must not fingerprint the plaintext. */
  sha256(hex: string): string | null;
}

const KEY_BYTES = 32;
const SSEC = 'x-amz-server-side-encryption-customer-';

/**
 * Validates SSE-C request values (from headers with the prefix the caller
 * names in messages): all three, AES256, a 32-byte key and its MD5.
 * undefined when none is given.
 */
export function parseCustomerKey(algorithm: string | undefined, key: string | undefined, md5: string | undefined, prefix = SSEC): CustomerKey | undefined {
  if (algorithm === undefined && key === undefined && md5 === undefined) return undefined;
  if (algorithm === undefined) fail('InvalidArgument', 'Requests specifying Server Side Encryption with Customer provided keys must provide a valid encryption algorithm.', { ArgumentName: `${prefix}algorithm` });
  if (algorithm !== 'AES256') fail('InvalidArgument', 'The encryption algorithm specified is not supported; use AES256.', { ArgumentName: `${prefix}algorithm`, ArgumentValue: algorithm });
  if (key === undefined) fail('InvalidArgument', 'Requests specifying Server Side Encryption with Customer provided keys must provide an appropriate secret key.', { ArgumentName: `${prefix}key` });
  const raw = Buffer.from(key, 'base64');
  if (raw.length !== KEY_BYTES || raw.toString('base64') !== key.trim()) {
    fail('InvalidArgument', 'The secret key was invalid for the specified algorithm.', { ArgumentName: `${prefix}key` });
  }
  if (md5 === undefined) fail('InvalidArgument', 'Requests specifying Server Side Encryption with Customer provided keys must provide the client calculated MD5 of the secret key.', { ArgumentName: `${prefix}key-MD5` });
  if (createHash('md5').update(raw).digest('base64') !== md5.trim()) {
    fail('InvalidArgument', 'The calculated MD5 hash of the key did not match the hash that was provided.', { ArgumentName: `${prefix}key-MD5` });
  }
  return { key: raw, md5: md5.trim() };
}

/**
 * What a write asks for, from `x-amz-server-side-encryption` and an SSE-C
 * key. AWS KMS is not served (Signet has no KMS): NotImplemented rather than
 * a silent downgrade to keys the client did not choose.
 */
export function parseSseRequest(algorithm: string | undefined, customer: CustomerKey | undefined, kmsKeyId?: string): SseRequest | undefined {
  if (algorithm === undefined) {
    if (kmsKeyId !== undefined) fail('InvalidArgument', 'Specifying a KMS key id requires x-amz-server-side-encryption: aws:kms', { ArgumentName: 'x-amz-server-side-encryption-aws-kms-key-id' });
    return customer === undefined ? undefined : { kind: 'SSE-C', customer };
  }
  if (customer !== undefined) {
    fail('InvalidArgument', 'Server Side Encryption with Customer provided key is incompatible with the encryption method specified', { ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: algorithm });
  }
  if (algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse') fail('NotImplemented', 'Signet has no KMS: use AES256 (SSE-S3) or customer-provided keys (SSE-C)');
  if (algorithm !== 'AES256') fail('InvalidArgument', 'The encryption method specified is not supported', { ArgumentName: 'x-amz-server-side-encryption', ArgumentValue: algorithm });
  if (kmsKeyId !== undefined) fail('InvalidArgument', 'A KMS key id applies to aws:kms only', { ArgumentName: 'x-amz-server-side-encryption-aws-kms-key-id' });
  return { kind: 'SSE-S3' };
}

/** The headers with this encryption recorded (or none), the rest unchanged. */
export function withEncryption(headers: StoredHeaders, stored: StoredEncryption | undefined): StoredHeaders {
  if (stored === undefined) {
    if (headers.encryption === undefined) return headers;
    const rest = { ...headers };
    delete (rest as { encryption?: StoredEncryption }).encryption;
    return rest;
  }
  return { ...headers, encryption: stored };
}

/** Whether data under `a` may be referenced as it is by an object under `b` (no re-encryption needed). */
export function sameProtection(a: Protection | null, b: Protection | null): boolean {
  if (a === null || b === null) return a === b;
  if (a.stored.mode !== b.stored.mode) return false;
  if (a.stored.mode === 'SSE-S3') return true;
  return a.customerKey !== null && b.customerKey !== null && timingSafeEqual(a.customerKey, b.customerKey);
}

/**
 * Encrypts what ingest stores: envelopes instead of bytes, named by the
 * SHA-256 of the envelope (so never shared with another object), inline
 * while the body is within the threshold.
 */
export function encryptingSink(wrapping: WrappingKey): StoreTransform {
  return (open, inlineThreshold) => new EncryptingSink(open(inlineThreshold < 0 ? inlineThreshold : storedSize(inlineThreshold)), wrapping);
}

class EncryptingSink implements ByteSink {
  readonly #inner: ByteSink;
  readonly #writer: EnvelopeWriter;
  readonly #hash = createHash('sha256');
  #stored = 0;

  constructor(inner: ByteSink, wrapping: WrappingKey) {
    this.#inner = inner;
    this.#writer = new EnvelopeWriter(wrapping);
  }

  write(chunk: Buffer): Promise<void> | undefined {
    return this.#forward(this.#writer.push(chunk));
  }

  async finish(_sha256: string, size: number): Promise<{ inline: Buffer | null; extents: Extent[] }> {
    await this.#forward(this.#writer.end());
    const stored = await this.#inner.finish(this.#hash.digest('hex'), this.#stored);
    // The extent covers the envelope; its length counts plaintext, as every extent does.
    return { inline: stored.inline, extents: stored.extents.map((e) => ({ blob: e.blob, offset: 0, length: size })) };
  }

  abort(): Promise<void> {
    return this.#inner.abort();
  }

  /** Writes one after the other: the sink may only be written again once a pending write resolved. */
  #forward(parts: readonly Buffer[]): Promise<void> | undefined {
    let pending: Promise<void> | undefined;
    for (const part of parts) {
      if (part.length === 0) continue;
      this.#hash.update(part);
      this.#stored += part.length;
      pending = pending ? pending.then(() => this.#inner.write(part)) : this.#inner.write(part);
    }
    return pending;
  }
}

/**
 * Plaintext bytes `start..endInclusive` of a version's data, decrypting
 * when it is encrypted (`protection` opens it). A Buffer for inline data.
 */
export function readPlain(blobs: BlobStore, version: ObjectVersion, start: number, endInclusive: number, protection: Protection | null): Readable | Buffer {
  if (protection !== null) return readEncrypted(blobs, version, start, endInclusive, protection.lookup);
  return version.inline ? version.inline.subarray(start, endInclusive + 1) : readExtents(blobs, version, start, endInclusive);
}

/**
 * Stores bytes `start..endInclusive` of a version again under another
 * protection (a copy between SSE-S3, SSE-C keys and plaintext): read once,
 * decrypted, re-encrypted with a new data key. Streams, never buffers.
 */
export async function reencode(
  blobs: BlobStore,
  source: ObjectVersion,
  from: Protection | null,
  range: { readonly start: number; readonly end: number },
  to: Protection | null,
  inlineThreshold: number,
): Promise<IngestResult> {
  const length = range.end - range.start + 1;
  const data = readPlain(blobs, source, range.start, range.end, from);
  const stream = Buffer.isBuffer(data) ? Readable.from([data], { objectMode: false }) : data;
  try {
    return await ingest({ stream, length, expect: {} }, blobs, {
      inlineThreshold,
      maxSize: Number.MAX_SAFE_INTEGER,
      encrypt: to?.sink,
    });
  } finally {
    stream.destroy();
  }
}

/**
 * The encryption service: the master key (if the operator gave one), the
 * buckets' default encryption, and the protection of each write and read.
 */
export class Sse {
  readonly #meta: MetaStore;
  readonly #buckets: Buckets;
  readonly #master: MasterKey | null;
  /** The master key's registration in the metadata store, once per process. */
  #registered: Promise<void> | null = null;

  private constructor(meta: MetaStore, buckets: Buckets, master: MasterKey | null, registered: boolean) {
    this.#meta = meta;
    this.#buckets = buckets;
    this.#master = master;
    if (registered) this.#registered = Promise.resolve();
  }

  /**
   * Checks the configured master key against the metadata store. Throws (an
   * Error for the operator, the server does not start) when SSE-S3 data
   * exists and no key is configured, or when the key is not the one it was
   * written with.
   */
  static async open(meta: MetaStore, buckets: Buckets, master: MasterKey | null): Promise<Sse> {
    const recorded = await meta.listMasterKeys();
    if (master === null) {
      if (recorded.length > 0) {
        throw new Error(
          `SSE-S3 encrypted data exists (master key id ${recorded.map((k) => k.keyId).join(', ')}) but no master key is configured: set SIGNET_MASTER_KEY or SIGNET_MASTER_KEY_FILE to that key`,
        );
      }
      return new Sse(meta, buckets, null, false);
    }
    const mine = recorded.some((k) => k.keyId === master.id && master.matches(k.check));
    if (recorded.length > 0 && !mine) {
      throw new Error(
        `SIGNET_MASTER_KEY (key id ${master.id}) is not the master key the stored data was encrypted with (key id ${recorded.map((k) => k.keyId).join(', ')}); refusing to start`,
      );
    }
    return new Sse(meta, buckets, master, mine);
  }

  /** The id of the configured master key, or null. */
  get masterKeyId(): string | null {
    return this.#master?.id ?? null;
  }

  // ---------------------------------------------------------------- bucket default

  /** ServerSideEncryptionConfigurationNotFoundError when the bucket has none. */
  async bucketDefault(who: Principal, bucket: string): Promise<BucketEncryption> {
    const config = storedBucketEncryption((await this.#buckets.require(who, bucket)).config[ENCRYPTION_CONFIG]);
    if (config === null) {
      fail('ServerSideEncryptionConfigurationNotFoundError', 'The server side encryption configuration was not found', { BucketName: bucket });
    }
    return config;
  }

  /** Needs the master key: NotImplemented on a server the operator gave none. */
  async putBucketDefault(who: Principal, bucket: string, config: BucketEncryption): Promise<void> {
    await this.#buckets.require(who, bucket);
    this.#requireMaster();
    await this.#meta.updateBucket(bucket, { config: { [ENCRYPTION_CONFIG]: { algorithm: config.algorithm, bucketKeyEnabled: config.bucketKeyEnabled } } });
  }

  async deleteBucketDefault(who: Principal, bucket: string): Promise<void> {
    await this.#buckets.require(who, bucket);
    await this.#meta.updateBucket(bucket, { config: { [ENCRYPTION_CONFIG]: null } });
  }

  // ---------------------------------------------------------------- writes and reads

  /** Whether a new object in this bucket, with this request, is encrypted at all: cheap, so unencrypted writes skip the rest. */
  static involved(bucket: Bucket, request: SseRequest | undefined): boolean {
    return request !== undefined || bucket.config[ENCRYPTION_CONFIG] !== undefined;
  }

  /** The protection of a new object or upload: SSE-C if a key is given, else SSE-S3 if asked or the bucket's default; null for none. */
  async forWrite(bucket: Bucket, request: SseRequest | undefined): Promise<Protection | null> {
    if (request?.kind === 'SSE-C') {
      const salt = randomBytes(16);
      return this.#customer(request.customer.key, { mode: 'SSE-C', salt: salt.toString('base64'), check: keyCheck(request.customer.key, salt) });
    }
    if (request === undefined && storedBucketEncryption(bucket.config[ENCRYPTION_CONFIG]) === null) return null;
    this.#requireMaster();
    await this.#register();
    return this.#sseS3();
  }

  /**
   * The protection of stored data (an object to read, an upload to add a
   * part to), checking the customer key as S3 does: an SSE-C object needs
   * its key (InvalidRequest without, AccessDenied with another); a key for
   * anything else is InvalidRequest.
   */
  forStored(stored: StoredEncryption | undefined, customer: CustomerKey | undefined): Protection | null {
    if (stored?.mode !== 'SSE-C') {
      if (customer !== undefined) fail('InvalidRequest', 'The encryption parameters are not applicable to this object.');
      if (stored === undefined) return null;
      if (this.#master === null) fail('InternalError', 'This object is encrypted with the master key (SSE-S3) and this server has no master key configured');
      return this.#sseS3();
    }
    if (customer === undefined) {
      fail('InvalidRequest', 'The object was stored using a form of Server Side Encryption. The correct parameters must be provided to retrieve the object.');
    }
    const expected = Buffer.from(stored.check, 'base64');
    const actual = Buffer.from(keyCheck(customer.key, Buffer.from(stored.salt, 'base64')), 'base64');
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) fail('AccessDenied', 'Access Denied: the customer-provided key does not match the key the object was stored with');
    return this.#customer(customer.key, stored);
  }

  #requireMaster(): void {
    if (this.#master === null) {
      fail('NotImplemented', 'Server-side encryption with the master key (SSE-S3) needs SIGNET_MASTER_KEY, which this server was not given');
    }
  }

  #sseS3(): Protection {
    const master = this.#master!;
    return {
      stored: SSE_S3,
      wrapping: master.wrapping,
      sink: encryptingSink(master.wrapping),
      lookup: (h) => {
        if (h.kind !== 'master' || !h.keyId.equals(master.wrapping.keyId)) {
          throw new SignetError('InternalError', `Encrypted data names master key ${h.keyId.toString('hex')}, not the configured one (${master.id})`);
        }
        return master.wrapping;
      },
      customerKey: null,
      etag: (md5) => md5,
      sha256: (hex) => hex,
    };
  }

  #customer(key: Buffer, stored: StoredEncryption): Protection {
    const wrapping = customerWrappingKey(key);
    const etagKey = customerSubkey(key, 'etag');
    return {
      stored,
      wrapping,
      sink: encryptingSink(wrapping),
      lookup: (h) => {
        if (h.kind !== 'customer') throw new SignetError('InternalError', 'Encrypted data is not wrapped by a customer key');
        return wrapping;
      },
      customerKey: key,
      etag: (md5) => createHmac('sha256', etagKey).update(md5).digest('hex').slice(0, 32),
      sha256: () => null,
    };
  }

  /** Records the master key in the metadata store before the first SSE-S3 byte is written under it. */
  #register(): Promise<void> {
    const master = this.#master!;
    this.#registered ??= this.#meta.registerMasterKey({ keyId: master.id, check: master.check, createdAt: new Date() }).then(
      (recorded) => {
        if (!recorded.some((k) => k.keyId === master.id && master.matches(k.check))) {
          throw new SignetError('InternalError', `Another master key (${recorded.map((k) => k.keyId).join(', ')}) is recorded for this store; this server's key (${master.id}) must not write under it`);
        }
      },
      (e: unknown) => {
        this.#registered = null; // a failed round trip is tried again by the next write
        throw e;
      },
    );
    return this.#registered;
  }
}

const SSE_S3: StoredEncryption = { mode: 'SSE-S3' };

/** base64 HMAC-SHA256 of the salt under the customer key's check subkey. */
function keyCheck(key: Buffer, salt: Buffer): string {
  return createHmac('sha256', customerSubkey(key, 'check')).update(salt).digest('base64');
}

/** A bucket's stored default encryption, or null. */
export function storedBucketEncryption(doc: unknown): BucketEncryption | null {
  if (typeof doc !== 'object' || doc === null) return null;
  const d = doc as { algorithm?: unknown; bucketKeyEnabled?: unknown };
  return d.algorithm === 'AES256' ? { algorithm: 'AES256', bucketKeyEnabled: d.bucketKeyEnabled === true } : null;
}
