/**
 * @module
 * Encryption at rest: the format of encrypted bytes, key wrapping, and
 * streaming encryption and decryption in fixed-size chunks, so that a range
 * read decrypts only the chunks it covers. No HTTP, no metadata: `sse.ts`
 * decides what to encrypt with which key.
 *
 * Encrypted bytes are an *envelope*, stored as a blob file or as the inline
 * bytes of a small object:
 *
 * ```
 * header, 76 bytes:
 *   0  "SGE1"
 *   4  wrap: 1 = the data key is wrapped by the master key (SSE-S3),
 *            2 = by a customer key (SSE-C)
 *   5  log2 of the chunk size (16: 64 KiB)
 *   6  two zero bytes
 *   8  key id (8 bytes): which master key wrapped the data key (zeros for customer keys)
 *  16  nonce (12) | wrapped data key (32) | tag (16): AES-256-GCM of the data
 *      key under the wrapping key, authenticating header bytes 0..15
 * then, per chunk of plaintext (every chunk full but the last; none when empty):
 *   AES-256-GCM ciphertext under the data key, then its 16-byte tag;
 *   nonce = 4 zero bytes + the chunk index (unsigned 64-bit big-endian)
 * ```
 *
 * The data key is random per envelope, so a (key, nonce) pair is never used
 * twice, and two envelopes of the same plaintext share no bytes: blobs named
 * by the SHA-256 of their envelope never deduplicate across objects, and
 * nothing about the plaintext leaks through a name. Chunk nonces carry the
 * index, so chunks cannot be reordered; a chunk is released only after its
 * tag verified. Where a chunk starts is computed from the plaintext offset
 * alone; the plaintext length of a blob from its stored size
 * ({@link plainSize}).
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual, type CipherGCM } from 'node:crypto';
import { Readable } from 'node:stream';
import type { BlobStore } from '../ports/blob-store.ts';
import { SignetError } from './errors.ts';
import type { Extent } from './types.ts';
import { slicesOf } from './extent-reader.ts';

const MAGIC = Buffer.from('SGE1', 'latin1');
export const HEADER_BYTES = 76;
export const TAG_BYTES = 16;
export const KEY_BYTES = 32;
const KEY_ID_BYTES = 8;
const NONCE_BYTES = 12;
/** Authenticated part of the header (magic, wrap, chunk size, key id). */
const HEADER_AAD_BYTES = 16;
export const CHUNK_LOG2 = 16;
export const CHUNK_BYTES = 2 ** CHUNK_LOG2;
const CIPHER = 'aes-256-gcm';

/** A key that wraps data keys: the operator's master key, or a key a client sent with its request. */
export interface WrappingKey {
  readonly kind: 'master' | 'customer';
  /** Named in envelope headers: the master key's id; zeros for a customer key (never named, so never linkable). */
  readonly keyId: Buffer;
  /** The AES-256 key that wraps; derived from the key material, never the material itself. */
  readonly key: Buffer;
}

/** What an envelope header says about its wrapping key. */
export interface EnvelopeHeader {
  readonly kind: 'master' | 'customer';
  readonly keyId: Buffer;
  readonly chunkBytes: number;
}

/** The wrapping key for an envelope header; throws (a SignetError) when it is not at hand. */
export type KeyLookup = (header: EnvelopeHeader) => WrappingKey;

function subkey(material: Buffer, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', material, Buffer.alloc(0), `signet ${label}`, KEY_BYTES));
}

/**
 * The operator's master key (SSE-S3). Its id (in envelope headers and the
 * metadata store) and check value are HMACs of constants under it, so they
 * name and verify the key without revealing it.
 */
export class MasterKey {
  /** 16 hex digits. */
  readonly id: string;
  /** 64 hex digits, kept in the metadata store to recognise the key at start. */
  readonly check: string;
  readonly wrapping: WrappingKey;
  /** The AES-256 key that seals access-key secrets in the metadata store (`secret-seal.ts`). */
  readonly secretsKey: Buffer;

  constructor(material: Buffer) {
    if (material.length !== KEY_BYTES) throw new Error(`a master key has ${KEY_BYTES} bytes, not ${material.length}`);
    const idBytes = createHmac('sha256', material).update('signet master key id').digest().subarray(0, KEY_ID_BYTES);
    this.id = idBytes.toString('hex');
    this.check = createHmac('sha256', material).update('signet master key check').digest('hex');
    this.wrapping = { kind: 'master', keyId: idBytes, key: subkey(material, 'master key wrap') };
    this.secretsKey = subkey(material, 'access-key secrets');
  }

  /** Whether `check` is this key's check value (constant time). */
  matches(check: string): boolean {
    const a = Buffer.from(this.check, 'hex');
    const b = Buffer.from(check, 'hex');
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/** The wrapping key for a customer key (SSE-C): derived, so the key itself touches no stored byte. */
export function customerWrappingKey(customerKey: Buffer): WrappingKey {
  return { kind: 'customer', keyId: Buffer.alloc(KEY_ID_BYTES), key: subkey(customerKey, 'sse-c wrap') };
}

/** A key derived from a customer key for another purpose (its check value, ETags). */
export function customerSubkey(customerKey: Buffer, purpose: 'check' | 'etag'): Buffer {
  return subkey(customerKey, `sse-c ${purpose}`);
}

// ------------------------------------------------------------------ sizes

/** Stored size of an envelope holding `plain` bytes. */
export function storedSize(plain: number, chunkBytes = CHUNK_BYTES): number {
  return HEADER_BYTES + plain + TAG_BYTES * Math.ceil(plain / chunkBytes);
}

/** Plaintext size of an envelope of `stored` bytes; InternalError when no envelope has that size. */
export function plainSize(stored: number, chunkBytes = CHUNK_BYTES): number {
  const body = stored - HEADER_BYTES;
  const frame = chunkBytes + TAG_BYTES;
  const full = Math.floor(body / frame);
  const rest = body - full * frame;
  if (body < 0 || (rest !== 0 && rest <= TAG_BYTES)) throw new SignetError('InternalError', `No encrypted envelope has ${stored} bytes`);
  return full * chunkBytes + (rest === 0 ? 0 : rest - TAG_BYTES);
}

// ------------------------------------------------------------------ header

function chunkNonce(index: number): Buffer {
  const nonce = Buffer.alloc(NONCE_BYTES);
  nonce.writeUInt32BE(Math.floor(index / 2 ** 32), 4);
  nonce.writeUInt32BE(index >>> 0, 8);
  return nonce;
}

function sealHeader(wrapping: WrappingKey, dataKey: Buffer): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header[4] = wrapping.kind === 'master' ? 1 : 2;
  header[5] = CHUNK_LOG2;
  wrapping.keyId.copy(header, 8);
  const nonce = randomBytes(NONCE_BYTES);
  nonce.copy(header, 16);
  const cipher = createCipheriv(CIPHER, wrapping.key, nonce);
  cipher.setAAD(header.subarray(0, HEADER_AAD_BYTES));
  cipher.update(dataKey).copy(header, 28);
  cipher.final();
  cipher.getAuthTag().copy(header, 60);
  return header;
}

export function parseHeader(header: Buffer): EnvelopeHeader {
  const log2 = header[5] ?? 0;
  if (header.length < HEADER_BYTES || !header.subarray(0, 4).equals(MAGIC) || (header[4] !== 1 && header[4] !== 2) || log2 < 10 || log2 > 24) {
    throw new SignetError('InternalError', 'Stored bytes are not an encrypted envelope Signet can read');
  }
  return { kind: header[4] === 1 ? 'master' : 'customer', keyId: Buffer.from(header.subarray(8, 16)), chunkBytes: 2 ** log2 };
}

/** The data key of an envelope. InternalError when the wrapping key does not open it (wrong key, damaged header). */
function openHeader(header: Buffer, lookup: KeyLookup): { dataKey: Buffer; chunkBytes: number } {
  const parsed = parseHeader(header);
  const wrapping = lookup(parsed);
  const decipher = createDecipheriv(CIPHER, wrapping.key, header.subarray(16, 28));
  decipher.setAAD(header.subarray(0, HEADER_AAD_BYTES));
  decipher.setAuthTag(header.subarray(60, 76));
  try {
    const dataKey = Buffer.concat([decipher.update(header.subarray(28, 60)), decipher.final()]);
    return { dataKey, chunkBytes: parsed.chunkBytes };
  } catch {
    throw new SignetError('InternalError', 'The key does not open the encrypted data (wrong key or damaged data)');
  }
}

// ------------------------------------------------------------------ encrypting

/**
 * Encrypts a stream into an envelope as it comes, with no plaintext held
 * back: GCM encrypts piece by piece, each chunk's tag follows its last byte.
 * `push` and `end` return the stored bytes to append (the header first).
 */
export class EnvelopeWriter {
  readonly #dataKey = randomBytes(KEY_BYTES);
  #header: Buffer | null;
  #cipher: CipherGCM | null = null;
  #index = 0;
  #inChunk = 0;

  constructor(wrapping: WrappingKey) {
    this.#header = sealHeader(wrapping, this.#dataKey);
  }

  push(plain: Buffer): Buffer[] {
    const out = this.#takeHeader();
    for (let at = 0; at < plain.length; ) {
      this.#cipher ??= createCipheriv(CIPHER, this.#dataKey, chunkNonce(this.#index));
      const take = Math.min(CHUNK_BYTES - this.#inChunk, plain.length - at);
      out.push(this.#cipher.update(at === 0 && take === plain.length ? plain : plain.subarray(at, at + take)));
      this.#inChunk += take;
      at += take;
      if (this.#inChunk === CHUNK_BYTES) out.push(this.#closeChunk());
    }
    return out;
  }

  end(): Buffer[] {
    const out = this.#takeHeader();
    if (this.#cipher) out.push(this.#closeChunk());
    return out;
  }

  #takeHeader(): Buffer[] {
    const header = this.#header;
    if (header === null) return [];
    this.#header = null;
    return [header];
  }

  #closeChunk(): Buffer {
    const cipher = this.#cipher!;
    const rest = cipher.final(); // GCM: nothing left
    this.#cipher = null;
    this.#inChunk = 0;
    this.#index++;
    return rest.length === 0 ? cipher.getAuthTag() : Buffer.concat([rest, cipher.getAuthTag()]);
  }
}

/** The envelope of a buffer, in one piece (small objects, tests). */
export function encryptBuffer(wrapping: WrappingKey, plain: Buffer): Buffer {
  const writer = new EnvelopeWriter(wrapping);
  return Buffer.concat([...writer.push(plain), ...writer.end()]);
}

// ------------------------------------------------------------------ decrypting

function decryptChunk(dataKey: Buffer, index: number, frame: Buffer): Buffer {
  const decipher = createDecipheriv(CIPHER, dataKey, chunkNonce(index));
  decipher.setAuthTag(frame.subarray(frame.length - TAG_BYTES));
  const plain = decipher.update(frame.subarray(0, frame.length - TAG_BYTES));
  try {
    decipher.final();
  } catch {
    throw new SignetError('InternalError', `Encrypted data failed its integrity check (chunk ${index})`);
  }
  return plain;
}

/** Which stored bytes hold plaintext `[from, to)` of an envelope with `total` plaintext bytes. */
function chunkSpan(from: number, to: number, total: number, chunkBytes: number): { first: number; storedFrom: number; storedTo: number } {
  const frame = chunkBytes + TAG_BYTES;
  const first = Math.floor(from / chunkBytes);
  const last = Math.floor((to - 1) / chunkBytes);
  const lastPlain = Math.min(chunkBytes, total - last * chunkBytes);
  return { first, storedFrom: HEADER_BYTES + first * frame, storedTo: HEADER_BYTES + last * frame + lastPlain + TAG_BYTES };
}

/**
 * Plaintext `[from, to)` from stored bytes that start at chunk `first`:
 * each chunk is collected whole, verified, then cut to the window.
 */
async function* openChunks(
  stored: AsyncIterable<Buffer>,
  dataKey: Buffer,
  chunkBytes: number,
  total: number,
  first: number,
  from: number,
  to: number,
): AsyncGenerator<Buffer> {
  const pending: Buffer[] = [];
  let have = 0;
  let index = first;
  const frameOf = (i: number) => Math.min(chunkBytes, total - i * chunkBytes) + TAG_BYTES;
  let need = frameOf(index);
  for await (const piece of stored) {
    pending.push(piece);
    have += piece.length;
    while (have >= need) {
      const frame = take(pending, need);
      have -= need;
      const start = index * chunkBytes;
      const plain = decryptChunk(dataKey, index, frame);
      const lo = Math.max(from - start, 0);
      const hi = Math.min(to - start, plain.length);
      yield lo === 0 && hi === plain.length ? plain : plain.subarray(lo, hi);
      index++;
      if (index * chunkBytes >= to) return;
      need = frameOf(index);
    }
  }
  throw new SignetError('InternalError', 'Encrypted data ended early');
}

/** Removes the first `n` bytes of `list` (which holds at least that many) and returns them. */
function take(list: Buffer[], n: number): Buffer {
  const head = list[0]!;
  if (head.length === n) return list.shift()!;
  if (head.length > n) {
    list[0] = head.subarray(n);
    return head.subarray(0, n);
  }
  const out = Buffer.allocUnsafe(n);
  let at = 0;
  while (at < n) {
    const b = list[0]!;
    const k = Math.min(b.length, n - at);
    b.copy(out, at, 0, k);
    at += k;
    if (k === b.length) list.shift();
    else list[0] = b.subarray(k);
  }
  return out;
}

/** Plaintext bytes `[from, to)` of an envelope held in memory (inline data). */
export function decryptBuffer(envelope: Buffer, lookup: KeyLookup, from: number, to: number): Buffer {
  const { dataKey, chunkBytes } = openHeader(envelope, lookup);
  const total = plainSize(envelope.length, chunkBytes);
  if (from < 0 || to > total || from > to) throw new SignetError('InternalError', `Cannot read bytes ${from}-${to - 1} of ${total}`);
  if (from === to) return Buffer.alloc(0);
  const span = chunkSpan(from, to, total, chunkBytes);
  const frame = chunkBytes + TAG_BYTES;
  const out: Buffer[] = [];
  for (let at = span.storedFrom, index = span.first; at < span.storedTo; at += frame, index++) {
    const plain = decryptChunk(dataKey, index, envelope.subarray(at, Math.min(at + frame, span.storedTo)));
    const start = index * chunkBytes;
    out.push(plain.subarray(Math.max(from - start, 0), Math.min(to - start, plain.length)));
  }
  return out.length === 1 ? out[0]! : Buffer.concat(out);
}

/** Plaintext size of inline envelope bytes. */
export function inlinePlainSize(envelope: Buffer): number {
  return plainSize(envelope.length, parseHeader(envelope).chunkBytes);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** Plaintext `[offset, offset + length)` of an encrypted blob: its header, then only the chunks the range touches. */
async function* decryptBlobSlice(blobs: BlobStore, blob: string, offset: number, length: number, lookup: KeyLookup): AsyncGenerator<Buffer> {
  if (length === 0) return;
  const [info, header] = await Promise.all([blobs.stat(blob), readAll(blobs.read(blob, 0, HEADER_BYTES))]);
  if (info === null) throw new SignetError('InternalError', `Blob ${blob} is missing`);
  const { dataKey, chunkBytes } = openHeader(header, lookup);
  const total = plainSize(info.size, chunkBytes);
  if (offset + length > total) throw new SignetError('InternalError', `Blob ${blob} holds ${total} plaintext bytes, ${offset + length} needed`);
  const span = chunkSpan(offset, offset + length, total, chunkBytes);
  const stored = blobs.read(blob, span.storedFrom, span.storedTo - span.storedFrom);
  try {
    yield* openChunks(stored as AsyncIterable<Buffer>, dataKey, chunkBytes, total, span.first, offset, offset + length);
  } finally {
    stored.destroy();
  }
}

/** Extents in plaintext terms over encrypted blobs, or envelope bytes held inline. */
export interface EncryptedSource {
  readonly inline: Buffer | null;
  readonly extents: readonly Extent[];
}

/**
 * Plaintext bytes `start..endInclusive` of encrypted data (`endInclusive =
 * start - 1` reads nothing): from the inline envelope at once, or streamed
 * from the blobs, one slice after the other.
 */
export function readEncrypted(blobs: BlobStore, source: EncryptedSource, start: number, endInclusive: number, lookup: KeyLookup): Readable | Buffer {
  if (source.inline) return decryptBuffer(source.inline, lookup, start, endInclusive + 1);
  const slices = slicesOf(source.extents, start, endInclusive + 1);
  return Readable.from(
    (async function* () {
      for (const s of slices) yield* decryptBlobSlice(blobs, s.blob, s.offset, s.length, lookup);
    })(),
    { objectMode: false },
  );
}

