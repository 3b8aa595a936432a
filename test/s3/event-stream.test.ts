/**
 * The AWS event stream encoding of SelectObjectContent, read back by an
 * independent decoder (prelude, both CRC32s via node:zlib, string headers),
 * and the router's new entries: notification configuration, MinIO's listen
 * extension and `?select`.
 */
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { describe, it } from 'node:test';
import { isSignetError } from '../../src/core/errors.ts';
import { OPERATION_ACTIONS } from '../../src/faces/s3/access.ts';
import { continuationEvent, encodeMessage, endEvent, errorMessage, progressEvent, recordsEvent, statsEvent } from '../../src/faces/s3/event-stream.ts';
import { resolveAddress, routeS3, type S3Operation } from '../../src/faces/s3/router.ts';

const crc32 = (zlib as unknown as { crc32: (b: Uint8Array) => number }).crc32;

interface Message {
  headers: Record<string, string>;
  payload: Buffer;
}

function decode(stream: Buffer): Message[] {
  const out: Message[] = [];
  let at = 0;
  while (at < stream.length) {
    const total = stream.readUInt32BE(at);
    const headersLength = stream.readUInt32BE(at + 4);
    assert.equal(stream.readUInt32BE(at + 8), crc32(stream.subarray(at, at + 8)), 'prelude CRC');
    assert.equal(stream.readUInt32BE(at + total - 4), crc32(stream.subarray(at, at + total - 4)), 'message CRC');
    const headers: Record<string, string> = {};
    let h = at + 12;
    while (h < at + 12 + headersLength) {
      const nameLength = stream.readUInt8(h);
      const name = stream.subarray(h + 1, h + 1 + nameLength).toString();
      assert.equal(stream.readUInt8(h + 1 + nameLength), 7, 'string header');
      const valueLength = stream.readUInt16BE(h + 2 + nameLength);
      headers[name] = stream.subarray(h + 4 + nameLength, h + 4 + nameLength + valueLength).toString();
      h += 4 + nameLength + valueLength;
    }
    out.push({ headers, payload: stream.subarray(at + 12 + headersLength, at + total - 4) });
    at += total;
  }
  return out;
}

describe('event stream encoding', () => {
  it('Records (in pieces), Progress, Stats, Cont, End decode with valid CRCs', () => {
    const stats = { bytesScanned: 100, bytesProcessed: 200, bytesReturned: 30 };
    const stream = Buffer.concat([...recordsEvent(Buffer.from('a,b\n1,2\n')), progressEvent(stats), statsEvent(stats), continuationEvent(), endEvent()]);
    const messages = decode(stream);
    assert.deepEqual(
      messages.map((m) => [m.headers[':message-type'], m.headers[':event-type'], m.headers[':content-type']]),
      [
        ['event', 'Records', 'application/octet-stream'],
        ['event', 'Progress', 'text/xml'],
        ['event', 'Stats', 'text/xml'],
        ['event', 'Cont', undefined],
        ['event', 'End', undefined],
      ],
    );
    assert.equal(messages[0]!.payload.toString(), 'a,b\n1,2\n');
    assert.match(messages[2]!.payload.toString(), /<Stats><BytesScanned>100<\/BytesScanned><BytesProcessed>200<\/BytesProcessed><BytesReturned>30<\/BytesReturned><\/Stats>/);
    assert.match(messages[1]!.payload.toString(), /^<\?xml[^>]*><Progress>/);
    assert.equal(messages[4]!.payload.length, 0);
  });

  it('an error message carries the code and message', () => {
    const [m] = decode(errorMessage('CastFailed', 'nope'));
    assert.deepEqual(m!.headers, { ':error-code': 'CastFailed', ':error-message': 'nope', ':message-type': 'error' });
  });

  it('the same bytes as one buffer or in pieces', () => {
    const payload = Buffer.from('x'.repeat(1000));
    assert.deepEqual(
      Buffer.concat(recordsEvent(payload)),
      encodeMessage(
        [
          [':event-type', 'Records'],
          [':content-type', 'application/octet-stream'],
          [':message-type', 'event'],
        ],
        payload,
      ),
    );
  });
});

function route(line: string, headers: Record<string, string> = {}): S3Operation {
  const [method = '', target = ''] = line.split(' ');
  const q = target.indexOf('?');
  const address = resolveAddress('127.0.0.1:9000', q < 0 ? target : target.slice(0, q), []);
  return routeS3(method, address, new URLSearchParams(q < 0 ? '' : target.slice(q + 1)), headers);
}

describe('router: notifications, listen, select', () => {
  const table: [string, S3Operation][] = [
    ['GET /b?notification', { name: 'GetBucketNotificationConfiguration', bucket: 'b' }],
    ['PUT /b?notification', { name: 'PutBucketNotificationConfiguration', bucket: 'b' }],
    ['GET /b?events=s3%3AObjectCreated%3A*&prefix=p', { name: 'ListenBucketNotification', bucket: 'b' }],
    ['GET /b?events', { name: 'ListenBucketNotification', bucket: 'b' }],
    ['POST /b/data/x.csv?select&select-type=2', { name: 'SelectObjectContent', bucket: 'b', key: 'data/x.csv' }],
    ['GET /b?list-type=2', { name: 'ListObjectsV2', bucket: 'b' }],
  ];
  for (const [line, expected] of table) it(line, () => assert.deepEqual(route(line), expected));

  it('other methods are MethodNotAllowed', () => {
    for (const line of ['DELETE /b?notification', 'POST /b?notification', 'PUT /b?events', 'GET /b/k?select']) {
      assert.throws(() => route(line), (e: unknown) => isSignetError(e) && e.code === 'MethodNotAllowed', line);
    }
  });

  it('IAM actions', () => {
    assert.deepEqual(OPERATION_ACTIONS.GetBucketNotificationConfiguration, ['s3:GetBucketNotification']);
    assert.deepEqual(OPERATION_ACTIONS.PutBucketNotificationConfiguration, ['s3:PutBucketNotification']);
    assert.deepEqual(OPERATION_ACTIONS.ListenBucketNotification, ['s3:ListenBucketNotification']);
    assert.equal(OPERATION_ACTIONS.SelectObjectContent?.[0], 's3:GetObject');
  });
});
