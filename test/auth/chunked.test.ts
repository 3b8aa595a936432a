/**
 * aws-chunked decoding: the AWS documentation's signed streaming example as
 * a known-answer test (through the whole gate), signed trailers, unsigned
 * trailers built by hand, and the ways a body can be broken.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { crc32 } from '@aws-crypto/crc32';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { BodyExpectations } from '../../src/core/body.ts';
import { isSignetError } from '../../src/core/errors.ts';
import type { ErrorCode } from '../../src/core/errors.ts';
import { authenticate, decodeBody } from '../../src/faces/s3/auth/auth-gate.ts';
import { decodeAwsChunked, stripAwsChunked } from '../../src/faces/s3/auth/chunked.ts';
import type { ChunkSigningContext } from '../../src/faces/s3/auth/payload-mode.ts';
import { AKID, SECRET, collect, lookup, toAuthRequest } from './helpers.ts';

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Reads a stream to its end or error. */
async function drain(stream: Readable): Promise<{ data: Buffer; error?: unknown }> {
  const parts: Buffer[] = [];
  try {
    for await (const c of stream) parts.push(c as Buffer);
    return { data: Buffer.concat(parts) };
  } catch (error) {
    return { data: Buffer.concat(parts), error };
  }
}

async function failsWith(stream: Readable, code: ErrorCode): Promise<void> {
  const { error } = await drain(stream);
  assert.ok(isSignetError(error), `expected a SignetError, got ${String(error)}`);
  assert.equal(error.code, code, error.message);
}

// The example of https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
const EXAMPLE = {
  req: {
    method: 'PUT',
    rawPath: '/examplebucket/chunkObject.txt',
    rawQuery: '',
    headers: {
      host: 's3.amazonaws.com',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '66560',
      'content-length': '66824',
    },
  },
  now: new Date('2013-05-24T00:05:00Z'),
  chunks: [
    ['10000', 'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648', 65536],
    ['400', '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497', 1024],
    ['0', 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9', 0],
  ] as const,
};

function exampleBody(chunks: ReadonlyArray<readonly [string, string, number]> = EXAMPLE.chunks): Buffer {
  return Buffer.concat(
    chunks.map(([hex, sig, n]) => Buffer.concat([Buffer.from(`${hex};chunk-signature=${sig}\r\n`), Buffer.alloc(n, 'a'), Buffer.from('\r\n')])),
  );
}

async function exampleAuth() {
  return authenticate(EXAMPLE.req, { lookup, now: EXAMPLE.now, services: ['s3'] });
}

describe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD (AWS known answer)', () => {
  it('verifies the seed signature and every chunk of the documented example', async () => {
    const auth = await exampleAuth();
    assert.equal(auth.payload.kind, 'streaming-signed');
    const raw = exampleBody();
    assert.equal(raw.length, 66824);
    const body = decodeBody(Readable.from([raw]), auth.payload, EXAMPLE.req.headers);
    assert.equal(body.length, 66560);
    const out = await collect(body.stream);
    assert.equal(out.length, 66560);
    assert.ok(out.every((b) => b === 0x61));
  });

  it('decodes the same bytes cut into jagged pieces', async () => {
    const auth = await exampleAuth();
    const raw = exampleBody();
    const pieces: Buffer[] = [];
    for (let at = 0, n = 1; at < raw.length; at += n, n = (n % 97) + 1) pieces.push(raw.subarray(at, at + n));
    const out = await collect(decodeBody(Readable.from(pieces), auth.payload, EXAMPLE.req.headers).stream);
    assert.equal(out.length, 66560);
  });

  it('refuses a bad chunk signature', async () => {
    const auth = await exampleAuth();
    const chunks = EXAMPLE.chunks.map((c, i) => (i === 1 ? ([c[0], c[1].replace('0055', '0056'), c[2]] as const) : c));
    await failsWith(decodeBody(Readable.from([exampleBody(chunks)]), auth.payload, EXAMPLE.req.headers).stream, 'SignatureDoesNotMatch');
  });

  it('refuses chunks reordered or a tampered byte', async () => {
    const auth = await exampleAuth();
    const raw = Buffer.from(exampleBody());
    raw[1000] = 0x62;
    await failsWith(decodeBody(Readable.from([raw]), auth.payload, EXAMPLE.req.headers).stream, 'SignatureDoesNotMatch');
  });

  it('refuses a truncated body', async () => {
    const auth = await exampleAuth();
    const raw = exampleBody();
    for (const cut of [10, 100, 65700, raw.length - 3]) {
      await failsWith(decodeBody(Readable.from([raw.subarray(0, cut)]), auth.payload, EXAMPLE.req.headers).stream, 'IncompleteBody');
    }
  });

  it('streams: the first chunk comes out before the body has arrived', async () => {
    const auth = await exampleAuth();
    const raw = exampleBody();
    const source = new PassThrough();
    const decoded = decodeBody(source, auth.payload, EXAMPLE.req.headers).stream;
    source.write(raw.subarray(0, 70_000));
    const first = await new Promise<Buffer>((resolve) => decoded.once('data', resolve));
    assert.ok(first.length > 0);
    source.end(raw.subarray(70_000));
    const rest = await collect(decoded);
    assert.equal(first.length + rest.length, 66560);
  });

  it('bounds the chunk header line', async () => {
    const auth = await exampleAuth();
    await failsWith(decodeBody(Readable.from([Buffer.alloc(5000, '1')]), auth.payload, EXAMPLE.req.headers).stream, 'InvalidRequest');
  });
});

function signedContext(seedSignature: string, amzDate: string, scope: string, region: string): ChunkSigningContext {
  const kDate = createHmac('sha256', `AWS4${SECRET}`).update(amzDate.slice(0, 8)).digest();
  const key = [region, 's3', 'aws4_request'].reduce((k, part) => createHmac('sha256', k).update(part).digest(), kDate);
  return { seedSignature, amzDate, scope, signingKey: key };
}

/** Builds a signed-trailer body the way the AWS docs describe, independently of the decoder. */
function signedTrailerBody(ctx: ChunkSigningContext, data: Buffer[], trailers: string[]): Buffer {
  const hmac = (s: string) => createHmac('sha256', ctx.signingKey).update(s).digest('hex');
  const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');
  let prev = ctx.seedSignature;
  const parts: Buffer[] = [];
  for (const d of [...data, Buffer.alloc(0)]) {
    prev = hmac(`AWS4-HMAC-SHA256-PAYLOAD\n${ctx.amzDate}\n${ctx.scope}\n${prev}\n${EMPTY}\n${sha(d)}`);
    parts.push(Buffer.from(`${d.length.toString(16)};chunk-signature=${prev}\r\n`), d);
    if (d.length > 0) parts.push(Buffer.from('\r\n'));
  }
  const canonical = trailers.map((t) => `${t}\n`).join('');
  const trailerSig = hmac(`AWS4-HMAC-SHA256-TRAILER\n${ctx.amzDate}\n${ctx.scope}\n${prev}\n${sha(canonical)}`);
  parts.push(Buffer.from(`${trailers.map((t) => `${t}\r\n`).join('')}x-amz-trailer-signature:${trailerSig}\r\n\r\n`));
  return Buffer.concat(parts);
}

function crc32Base64(data: Buffer): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(data));
  return b.toString('base64');
}

describe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', () => {
  const now = new Date('2026-04-01T10:00:00Z');
  const data = [Buffer.alloc(8192, 'x'), Buffer.from('tail')];
  const whole = Buffer.concat(data);

  async function setup() {
    const signer = new SignatureV4({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, region: 'eu-central-1', service: 's3', sha256: Sha256, uriEscapePath: false });
    const headers = {
      host: 'localhost:9000',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(whole.length),
      'x-amz-trailer': 'x-amz-checksum-crc32',
    };
    const signed = await signer.sign({ method: 'PUT', protocol: 'http:', hostname: 'localhost', port: 9000, path: '/b/k', query: {}, headers }, { signingDate: now });
    const req = toAuthRequest(signed);
    const auth = await authenticate(req, { lookup, now, services: ['s3'] });
    assert.equal(auth.payload.kind, 'streaming-signed');
    const sig = /Signature=([0-9a-f]{64})/.exec(String(req.headers.authorization))?.[1] ?? '';
    const ctx = signedContext(sig, String(req.headers['x-amz-date']), `${String(req.headers['x-amz-date']).slice(0, 8)}/eu-central-1/s3/aws4_request`, 'eu-central-1');
    return { req, auth, ctx };
  }

  it('verifies chunks and the trailer signature, and hands over the checksum', async () => {
    const { req, auth, ctx } = await setup();
    const raw = signedTrailerBody(ctx, data, [`x-amz-checksum-crc32:${crc32Base64(whole)}`]);
    const body = decodeBody(Readable.from([raw]), auth.payload, req.headers);
    assert.deepEqual(await collect(body.stream), whole);
    assert.deepEqual(body.expect.checksum, { algorithm: 'CRC32', value: crc32Base64(whole) });
  });

  it('refuses a trailer whose value was changed after signing', async () => {
    const { req, auth, ctx } = await setup();
    const raw = signedTrailerBody(ctx, data, [`x-amz-checksum-crc32:${crc32Base64(whole)}`]).toString('latin1').replace(crc32Base64(whole), 'AAAAAA==');
    await failsWith(decodeBody(Readable.from([Buffer.from(raw, 'latin1')]), auth.payload, req.headers).stream, 'SignatureDoesNotMatch');
  });

  it('refuses a body without its trailer signature', async () => {
    const { req, auth, ctx } = await setup();
    const raw = signedTrailerBody(ctx, data, [`x-amz-checksum-crc32:${crc32Base64(whole)}`]).toString('latin1').replace(/x-amz-trailer-signature:[0-9a-f]+\r\n/, '');
    await failsWith(decodeBody(Readable.from([Buffer.from(raw, 'latin1')]), auth.payload, req.headers).stream, 'IncompleteBody');
  });
});

describe('STREAMING-UNSIGNED-PAYLOAD-TRAILER', () => {
  const headers = (extra: Record<string, string> = {}) => ({
    'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
    'content-encoding': 'aws-chunked',
    'x-amz-trailer': 'x-amz-checksum-crc32',
    'x-amz-decoded-content-length': '16',
    ...extra,
  });
  const data = Buffer.from('0123456789abcdef');
  const good = (trailer = `x-amz-checksum-crc32:${crc32Base64(data)}`) => Buffer.from(`a\r\n0123456789\r\n6\r\nabcdef\r\n0\r\n${trailer}\r\n\r\n`);
  const mode = { kind: 'streaming-unsigned-trailer' } as const;

  it('decodes and fills the checksum before the stream ends', async () => {
    const body = decodeBody(Readable.from([good()]), mode, headers());
    assert.equal(body.expect.algorithm, 'CRC32');
    let seenAtEnd: unknown;
    body.stream.on('end', () => (seenAtEnd = body.expect.checksum));
    assert.deepEqual(await collect(body.stream), data);
    assert.deepEqual(seenAtEnd, { algorithm: 'CRC32', value: crc32Base64(data) });
  });

  it('decodes the body fed one byte at a time', async () => {
    const raw = good();
    const pieces = Array.from({ length: raw.length }, (_, i) => raw.subarray(i, i + 1));
    const body = decodeBody(Readable.from(pieces), mode, headers());
    assert.deepEqual(await collect(body.stream), data);
    assert.equal(body.expect.checksum?.value, crc32Base64(data));
  });

  it('refuses a wrong decoded length, in both directions', async () => {
    await failsWith(decodeBody(Readable.from([good()]), mode, headers({ 'x-amz-decoded-content-length': '17' })).stream, 'IncompleteBody');
    await failsWith(decodeBody(Readable.from([good()]), mode, headers({ 'x-amz-decoded-content-length': '15' })).stream, 'IncompleteBody');
  });

  it('refuses unannounced, missing and malformed trailers', async () => {
    await failsWith(decodeBody(Readable.from([good('x-amz-checksum-sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAA=')]), mode, headers()).stream, 'InvalidRequest');
    await failsWith(decodeBody(Readable.from([Buffer.from('10\r\n0123456789abcdef\r\n0\r\n\r\n')]), mode, headers()).stream, 'IncompleteBody');
    await failsWith(decodeBody(Readable.from([good('x-amz-checksum-crc32:nope')]), mode, headers()).stream, 'InvalidArgument');
    const huge = Buffer.from(`10\r\n0123456789abcdef\r\n0\r\nx-amz-checksum-crc32:${'A'.repeat(20_000)}\r\n\r\n`);
    await failsWith(decodeBody(Readable.from([huge]), mode, headers()).stream, 'InvalidRequest');
  });

  it('refuses malformed framing and trailing garbage', async () => {
    await failsWith(decodeBody(Readable.from([Buffer.from('zz\r\n')]), mode, headers()).stream, 'InvalidRequest');
    await failsWith(decodeBody(Readable.from([Buffer.from('10\r\n0123456789abcdefXX0\r\n\r\n')]), mode, headers()).stream, 'InvalidRequest');
    await failsWith(decodeBody(Readable.from([Buffer.concat([good(), Buffer.from('junk')])]), mode, headers()).stream, 'InvalidRequest');
  });

  it('accepts a body without trailer when none is announced', async () => {
    const h = headers({ 'x-amz-trailer': '' });
    delete (h as Record<string, string>)['x-amz-trailer'];
    const out = await collect(decodeBody(Readable.from([Buffer.from('10\r\n0123456789abcdef\r\n0\r\n')]), mode, h).stream);
    assert.deepEqual(out, data);
  });

  it('works on the decoder directly, without a declared length', async () => {
    const expect: BodyExpectations = {};
    const stream = decodeAwsChunked(Readable.from([good()]), { signing: null, trailer: true, trailerNames: ['x-amz-checksum-crc32'], expect, decodedLength: null });
    assert.deepEqual(await collect(stream), data);
    assert.equal(expect.checksum?.algorithm, 'CRC32');
  });

  it('strips aws-chunked from Content-Encoding', () => {
    assert.equal(stripAwsChunked('aws-chunked'), undefined);
    assert.equal(stripAwsChunked('aws-chunked, gzip'), 'gzip');
    assert.equal(stripAwsChunked('gzip'), 'gzip');
  });
});
