import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  checksumOf,
  combineCrc,
  compositeChecksum,
  createHasher,
  digestOf,
  DIGEST_LENGTH,
  fullObjectChecksum,
  multipartEtag,
  type CrcAlgorithm,
  type DigestAlgorithm,
} from '../../src/core/checksums.ts';

const CHECK = Buffer.from('123456789');
const CRCS: CrcAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME'];
const ALL: DigestAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256', 'MD5'];

/** Bit-at-a-time reference CRC, independent of the table code. */
function referenceCrc(alg: CrcAlgorithm, data: Uint8Array): Buffer {
  const [width, poly] = ({ CRC32: [32, 0xedb88320n], CRC32C: [32, 0x82f63b78n], CRC64NVME: [64, 0x9a6c9329ac4bc9b5n] } as const)[alg];
  const mask = (1n << BigInt(width)) - 1n;
  let crc = mask;
  for (const byte of data) {
    crc ^= BigInt(byte);
    for (let i = 0; i < 8; i++) crc = crc & 1n ? (crc >> 1n) ^ poly : crc >> 1n;
  }
  return Buffer.from((crc ^ mask).toString(16).padStart(width / 4, '0'), 'hex');
}

describe('checksums', () => {
  it('known answers for "123456789"', () => {
    assert.equal(digestOf('CRC32', CHECK).toString('hex'), 'cbf43926');
    assert.equal(digestOf('CRC32C', CHECK).toString('hex'), 'e3069283');
    assert.equal(digestOf('CRC64NVME', CHECK).toString('hex'), 'ae8b14860a799888');
    assert.equal(digestOf('SHA1', CHECK).toString('hex'), 'f7c3bc1d808e04732adf679965ccc34ca7ae3441');
    assert.equal(digestOf('MD5', CHECK).toString('hex'), '25f9e794323b453885f5181f1b624d0b');
    // S3 puts the big-endian bytes in base64.
    assert.equal(checksumOf('CRC32', CHECK), 'y/Q5Jg==');
  });

  it('digests of empty input', () => {
    for (const alg of CRCS) assert.deepEqual(digestOf(alg, Buffer.alloc(0)), referenceCrc(alg, Buffer.alloc(0)));
    assert.equal(digestOf('CRC32', Buffer.alloc(0)).toString('hex'), '00000000');
  });

  it('digest sizes', () => {
    for (const alg of ALL) assert.equal(digestOf(alg, CHECK).length, DIGEST_LENGTH[alg]);
  });

  it('CRCs match a bit-at-a-time reference at every alignment and length', () => {
    const data = randomBytes(300);
    for (const alg of CRCS) {
      for (let start = 0; start < 8; start++) {
        for (const len of [0, 1, 3, 7, 8, 15, 16, 17, 31, 64, 100, 255]) {
          const slice = data.subarray(start, start + len);
          assert.deepEqual(digestOf(alg, slice), referenceCrc(alg, slice), `${alg} start ${start} len ${len}`);
        }
      }
    }
  });

  it('streaming in odd pieces equals one shot', () => {
    const data = randomBytes(100_003);
    for (const alg of ALL) {
      const h = createHasher(alg);
      let o = 0;
      for (const n of [1, 2, 3, 5, 8, 13, 4096, 7, 65536]) {
        h.update(data.subarray(o, o + n));
        o += n;
      }
      h.update(data.subarray(o));
      const expected = alg === 'SHA1' || alg === 'SHA256' || alg === 'MD5'
        ? createHash(alg.toLowerCase()).update(data).digest()
        : referenceCrc(alg, data);
      assert.deepEqual(h.digest(), expected, alg);
    }
  });

  it('combine equals the CRC of the concatenation', () => {
    for (const alg of CRCS) {
      for (const [la, lb] of [[0, 0], [0, 10], [10, 0], [1, 1], [1000, 4097], [65536, 12345]] as const) {
        const a = randomBytes(la);
        const b = randomBytes(lb);
        const combined = combineCrc(alg, digestOf(alg, a), digestOf(alg, b), lb);
        assert.deepEqual(combined, digestOf(alg, Buffer.concat([a, b])), `${alg} ${la}+${lb}`);
      }
    }
  });

  it('FULL_OBJECT checksum of parts equals the checksum of the whole', () => {
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(5 * 1024 * 1024 + 1), randomBytes(17)];
    const whole = Buffer.concat(parts);
    for (const alg of CRCS) {
      const value = fullObjectChecksum(alg, parts.map((p) => ({ checksum: checksumOf(alg, p), size: p.length })));
      assert.equal(value, checksumOf(alg, whole), alg);
    }
    assert.equal(fullObjectChecksum('CRC32', []), checksumOf('CRC32', Buffer.alloc(0)));
  });

  it('COMPOSITE checksum hashes the raw part digests', () => {
    const parts = [Buffer.from('part one'), Buffer.from('part two')];
    for (const alg of ['CRC32', 'CRC32C', 'SHA1', 'SHA256'] as const) {
      const raw = Buffer.concat(parts.map((p) => digestOf(alg, p)));
      assert.equal(compositeChecksum(alg, parts.map((p) => checksumOf(alg, p))), `${checksumOf(alg, raw)}-2`);
    }
  });

  it('multipart ETag is md5 of the part md5s, -N', () => {
    const parts = [Buffer.from('a'.repeat(100)), Buffer.from('b')];
    const md5s = parts.map((p) => createHash('md5').update(p).digest('hex'));
    const expected = createHash('md5').update(Buffer.concat(md5s.map((m) => Buffer.from(m, 'hex')))).digest('hex');
    assert.equal(multipartEtag(md5s), `${expected}-2`);
    assert.match(multipartEtag(md5s), /^[0-9a-f]{32}-2$/);
  });
});
