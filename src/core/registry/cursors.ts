/**
 * @module
 * Opaque pagination cursors. A cursor is its value sealed with an HMAC under
 * a server key and bound to the listing it came from, so a client can neither
 * edit one nor replay it against another resource (a forged NextToken is a
 * validation error, as on AWS). Every node shares the key, so any node
 * continues a listing another one started.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { fail } from '../errors.ts';

const MAX_CURSOR = 4096;

export class Cursors {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    this.#key = key;
  }

  /** `listing` names what is listed, with every parameter that shapes it (e.g. `packages|sort=Name|group=g`). */
  seal(listing: string, value: unknown): string {
    const body = Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
    return `${body}.${this.#mac(listing, body)}`;
  }

  /** The value sealed for this listing; null for no cursor; InvalidArgument for anything else. */
  open<T>(listing: string, cursor: string | null | undefined): T | null {
    if (cursor === undefined || cursor === null || cursor === '') return null;
    const bad = (): never => fail('InvalidArgument', 'invalid pagination token');
    if (cursor.length > MAX_CURSOR) bad();
    const dot = cursor.indexOf('.');
    if (dot <= 0) bad();
    const body = cursor.slice(0, dot);
    const given = Buffer.from(cursor.slice(dot + 1), 'base64url');
    const expected = Buffer.from(this.#mac(listing, body), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) bad();
    try {
      return JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as T;
    } catch {
      return bad();
    }
  }

  #mac(listing: string, body: string): string {
    return createHmac('sha256', this.#key).update(listing).update('\n').update(body).digest('base64url');
  }
}
