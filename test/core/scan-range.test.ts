/**
 * ScanRange: the records that start within [start, end], checked against a
 * direct computation on the whole object, for every split of the object
 * into chunks of 1 to 7 bytes and every range over it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSignetError } from '../../src/core/errors.ts';
import { readOffset, recordsStartingIn, resolveScanRange } from '../../src/core/select/scan-range.ts';

/** Records (with their delimiters) whose first byte is in [start, end], by splitting the whole object. */
function expected(data: Buffer, start: number, end: number, delimiter: Buffer): Buffer {
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; ) {
    const found = data.indexOf(delimiter, at);
    const next = found === -1 ? data.length : found + delimiter.length;
    if (at >= start && at <= end) out.push(data.subarray(at, next));
    at = next;
  }
  return Buffer.concat(out);
}

async function actual(data: Buffer, start: number, end: number, delimiter: Buffer, chunk: number): Promise<Buffer> {
  const from = readOffset(start, delimiter);
  const pieces: Buffer[] = [];
  for (let i = from; i < data.length; i += chunk) pieces.push(data.subarray(i, i + chunk));
  const out: Buffer[] = [];
  for await (const part of recordsStartingIn(pieces, from, start, end, delimiter)) out.push(Buffer.from(part));
  return Buffer.concat(out);
}

describe('ScanRange', () => {
  for (const [name, text, delimiter] of [
    ['LF', 'id,name\n1,ann\n22,bo\n\n333,cy\n4,dee', '\n'],
    ['CRLF', 'a\r\nbb\r\n\r\nccc\r\nd\r\n', '\r\n'],
    ['custom, ending on a delimiter', 'x|yy|z||w|', '|'],
  ] as const) {
    it(`processes exactly the records starting within the range (${name}), whatever the chunking`, async () => {
      const data = Buffer.from(text);
      const d = Buffer.from(delimiter);
      for (let start = 0; start <= data.length; start++) {
        for (let end = start; end <= data.length + 1; end++) {
          const want = expected(data, start, end, d);
          for (let chunk = 1; chunk <= 7; chunk++) {
            assert.deepEqual((await actual(data, start, end, d, chunk)).toString(), want.toString(), `start ${start}, end ${end}, chunks of ${chunk}`);
          }
        }
      }
    });
  }

  it('ranges split an object into parts that together hold every record once', async () => {
    const data = Buffer.from(Array.from({ length: 200 }, (_, i) => `${i},${'x'.repeat(i % 13)}\n`).join(''));
    const d = Buffer.from('\n');
    for (const size of [1, 10, 97, 1000, data.length]) {
      const parts: Buffer[] = [];
      for (let start = 0; start < data.length; start += size) parts.push(await actual(data, start, Math.min(start + size - 1, data.length - 1), d, 64));
      assert.ok(Buffer.concat(parts).equals(data), `parts of ${size} bytes`);
    }
  });

  it('resolves Start alone, End alone (the last bytes), both, and refuses an empty or inverted range', () => {
    assert.deepEqual(resolveScanRange({ start: 10 }, 100), { start: 10, end: 99 });
    assert.deepEqual(resolveScanRange({ end: 30 }, 100), { start: 70, end: 99 });
    assert.deepEqual(resolveScanRange({ end: 300 }, 100), { start: 0, end: 99 });
    assert.deepEqual(resolveScanRange({ start: 5, end: 500 }, 100), { start: 5, end: 99 });
    assert.equal(resolveScanRange({ start: 100 }, 100), null);
    assert.equal(resolveScanRange({ end: 0 }, 100), null);
    assert.equal(resolveScanRange({ start: 0 }, 0), null);
    for (const bad of [{}, { start: 9, end: 3 }]) {
      assert.throws(() => resolveScanRange(bad, 100), (e) => isSignetError(e) && e.code === 'InvalidScanRange');
    }
  });
});
