/**
 * @module
 * Pull-style reading of a byte stream for framing decoders: bounded
 * CRLF lines and exact runs of bytes, passed on without copying.
 * It never destroys its source: on failure the caller decides whether to
 * drain the request or close the connection (so an error can still be sent).
 */
import type { Readable } from 'node:stream';
import { fail } from '../../../core/errors.ts';

const EMPTY = Buffer.alloc(0);

function toBuffer(chunk: unknown): Buffer {
  if (Buffer.isBuffer(chunk)) return chunk;
  if (typeof chunk === 'string') return Buffer.from(chunk, 'utf8');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  return fail('InternalError', 'byte stream produced a non-binary chunk');
}

export class ByteReader {
  readonly #source: AsyncIterator<unknown>;
  #pending: Buffer = EMPTY;
  #ended = false;
  readonly #what: string;

  /** `what` names the framing in error messages ("aws-chunked"). */
  constructor(source: Readable | AsyncIterable<unknown>, what: string) {
    const r = source as Readable;
    // destroyOnReturn: false, so releasing the reader leaves the request usable.
    this.#source = typeof r.iterator === 'function' ? r.iterator({ destroyOnReturn: false }) : source[Symbol.asyncIterator]();
    this.#what = what;
  }

  async #fill(): Promise<boolean> {
    while (this.#pending.length === 0) {
      if (this.#ended) return false;
      const next = await this.#source.next();
      if (next.done) {
        this.#ended = true;
        return false;
      }
      this.#pending = toBuffer(next.value);
    }
    return true;
  }

  /**
   * The next line without its CRLF, at most `max` bytes long; null when the
   * input ends cleanly before the line starts. A bare LF is malformed.
   */
  async readLine(max: number): Promise<Buffer | null> {
    const parts: Buffer[] = [];
    let len = 0;
    for (;;) {
      if (!(await this.#fill())) {
        if (len === 0) return null;
        fail('IncompleteBody', `The ${this.#what} body ended in the middle of a line.`);
      }
      const nl = this.#pending.indexOf(0x0a);
      const take = nl === -1 ? this.#pending.length : nl + 1;
      if (len + take > max + 2) fail('InvalidRequest', `Malformed ${this.#what} body: line longer than ${max} bytes.`);
      parts.push(this.#pending.subarray(0, take));
      len += take;
      this.#pending = this.#pending.subarray(take);
      if (nl !== -1) break;
    }
    const line = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, len);
    if (len < 2 || line[len - 2] !== 0x0d) fail('InvalidRequest', `Malformed ${this.#what} body: line not ended by CRLF.`);
    return line.subarray(0, len - 2);
  }

  /** Exactly `n` bytes, as the pieces that arrive; IncompleteBody if the input ends first. */
  async *take(n: number): AsyncGenerator<Buffer> {
    let left = n;
    while (left > 0) {
      if (!(await this.#fill())) fail('IncompleteBody', `The ${this.#what} body ended before a chunk was complete.`);
      const piece = this.#pending.subarray(0, Math.min(left, this.#pending.length));
      this.#pending = this.#pending.subarray(piece.length);
      left -= piece.length;
      yield piece;
    }
  }

  /** Consumes a CRLF that must come next. */
  async expectCrlf(): Promise<void> {
    const got: number[] = [];
    for await (const piece of this.take(2)) got.push(...piece);
    if (got[0] !== 0x0d || got[1] !== 0x0a) fail('InvalidRequest', `Malformed ${this.#what} body: chunk data not followed by CRLF.`);
  }

  async atEnd(): Promise<boolean> {
    return !(await this.#fill());
  }

  /** Stops reading, leaving the source undestroyed. */
  async release(): Promise<void> {
    await this.#source.return?.();
  }
}
