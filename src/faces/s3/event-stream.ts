/**
 * @module
 * The AWS event stream encoding (`application/vnd.amazon.eventstream`), as
 * SelectObjectContent answers with it. One message:
 *
 * ```
 * total length (4) | headers length (4) | prelude CRC32 (4) | headers | payload | message CRC32 (4)
 * header: name length (1) | name | type (1, 7 = string) | value length (2) | value
 * ```
 *
 * all integers big-endian; the prelude CRC covers the first 8 bytes, the
 * message CRC everything before it.
 */
import { createHasher, digestOf } from '../../core/checksums.ts';
import type { SelectStats } from '../../core/select/select.ts';

const STRING = 7;

function crc32(data: Uint8Array): number {
  return digestOf('CRC32', data).readUInt32BE(0);
}

/**
 * One message as three pieces: prelude and headers, the payload itself (not
 * copied: records go out as they were written), the message CRC.
 */
export function encodeMessageParts(headers: readonly (readonly [string, string])[], payload: Uint8Array): [Buffer, Uint8Array, Buffer] {
  const head = encodeMessage(headers, new Uint8Array(0)).subarray(0, -4);
  const total = head.length + payload.length + 4;
  head.writeUInt32BE(total, 0);
  head.writeUInt32BE(crc32(head.subarray(0, 8)), 8);
  const hasher = createHasher('CRC32');
  hasher.update(head);
  hasher.update(payload);
  return [head, payload, hasher.digest()];
}

/** One message with string headers (in the given order) and a payload. */
export function encodeMessage(headers: readonly (readonly [string, string])[], payload: Uint8Array = new Uint8Array(0)): Buffer {
  const encoded = headers.map(([name, value]) => {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    const h = Buffer.allocUnsafe(1 + n.length + 1 + 2 + v.length);
    h.writeUInt8(n.length, 0);
    n.copy(h, 1);
    h.writeUInt8(STRING, 1 + n.length);
    h.writeUInt16BE(v.length, 2 + n.length);
    v.copy(h, 4 + n.length);
    return h;
  });
  const headersLength = encoded.reduce((sum, h) => sum + h.length, 0);
  const total = 12 + headersLength + payload.length + 4;
  const message = Buffer.allocUnsafe(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(headersLength, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  let at = 12;
  for (const h of encoded) {
    h.copy(message, at);
    at += h.length;
  }
  message.set(payload, at);
  at += payload.length;
  message.writeUInt32BE(crc32(message.subarray(0, at)), at);
  return message;
}

function event(type: string, contentType: string | null, payload?: Uint8Array): Buffer {
  const headers: [string, string][] = [[':event-type', type]];
  if (contentType !== null) headers.push([':content-type', contentType]);
  headers.push([':message-type', 'event']);
  return encodeMessage(headers, payload);
}

function statsXml(root: 'Stats' | 'Progress', s: SelectStats): Buffer {
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?><${root}><BytesScanned>${s.bytesScanned}</BytesScanned><BytesProcessed>${s.bytesProcessed}</BytesProcessed><BytesReturned>${s.bytesReturned}</BytesReturned></${root}>`,
    'utf8',
  );
}

/** A Records event, in pieces (see {@link encodeMessageParts}). */
export const recordsEvent = (payload: Uint8Array): Uint8Array[] =>
  encodeMessageParts(
    [
      [':event-type', 'Records'],
      [':content-type', 'application/octet-stream'],
      [':message-type', 'event'],
    ],
    payload,
  );
export const statsEvent = (stats: SelectStats): Buffer => event('Stats', 'text/xml', statsXml('Stats', stats));
export const progressEvent = (stats: SelectStats): Buffer => event('Progress', 'text/xml', statsXml('Progress', stats));
export const continuationEvent = (): Buffer => event('Cont', null);
export const endEvent = (): Buffer => event('End', null);

/** An error after the answer began: S3 ends the stream with an error message. */
export function errorMessage(code: string, message: string): Buffer {
  return encodeMessage([
    [':error-code', code],
    [':error-message', message],
    [':message-type', 'error'],
  ]);
}
