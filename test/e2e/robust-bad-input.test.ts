/**
 * Acceptance: hostile and broken requests, sent raw (signed with the AWS
 * SDK's signer, written with node:http so every byte is ours). Each refusal
 * is checked three ways: the HTTP status, the S3 `<Code>`, and that nothing
 * changed (a new key stays absent, an existing key keeps its bytes).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join, relative, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { storedBytes } from '../../src/adapters/blob/local-fs-blob-store.ts';
import { crc32 } from '@aws-crypto/crc32';
import { awsChunkedBody, awsChunkedLength, encodeKey, md5Base64, RawS3, sendRaw, sha256Hex, type RawResponse } from '../support/robust-raw.ts';
import { describeEachMeta, ROOT, startTestSignet, type TestSignet } from '../support/test-signet.ts';

const BUCKET = 'bad-input';
const MIB = 1024 * 1024;
const CREDS = { accessKeyId: ROOT.user, secretAccessKey: ROOT.password };

function crc32Base64(data: Buffer): string {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(crc32(data) >>> 0);
  return b.toString('base64');
}

function expectError(res: RawResponse, status: number, code: string): void {
  assert.equal(res.status, status, `status (code ${res.code}): ${res.text.slice(0, 600)}`);
  assert.equal(res.code, code, `S3 <Code>: ${res.text.slice(0, 600)}`);
  assert.match(String(res.headers['content-type']), /xml/, 'an S3 error is an XML document');
}

function targetOf(t: TestSignet): { hostname: string; port: number } {
  const u = new URL(t.url);
  return { hostname: u.hostname, port: Number(u.port) };
}

/** Polls (bounded) until `check` holds; returns its last value. */
async function eventually<T>(what: string, probe: () => Promise<T>, ok: (v: T) => boolean, tries = 100): Promise<T> {
  let last = await probe();
  for (let i = 0; i < tries && !ok(last); i++) {
    await new Promise((r) => setTimeout(r, 50));
    last = await probe();
  }
  assert.ok(ok(last), `${what}: ${JSON.stringify(last)}`);
  return last;
}

/** Every file under `dir`, relative to it. */
async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)).map((x) => join(e.name, x)));
    else out.push(e.name);
  }
  return out;
}

describeEachMeta('robust: bad input is refused and changes nothing', (kind) => {
  let t: TestSignet;
  let s3: RawS3;
  let n = 0;
  const fresh = (prefix: string) => `${prefix}-${++n}`;
  const path = (key: string) => `/${BUCKET}/${encodeKey(key)}`;

  before(async () => {
    t = await startTestSignet(kind);
    s3 = new RawS3(targetOf(t), CREDS);
    const made = await s3.request({ method: 'PUT', path: `/${BUCKET}` });
    assert.equal(made.status, 200, made.text);
  });
  after(async () => {
    await t?.close();
  });

  async function assertAbsent(key: string): Promise<void> {
    const res = await s3.get(path(key));
    expectError(res, 404, 'NoSuchKey');
  }

  async function assertContent(key: string, body: Buffer): Promise<void> {
    const res = await s3.get(path(key));
    assert.equal(res.status, 200, res.text.slice(0, 300));
    assert.equal(res.body.length, body.length, 'length of the stored object');
    assert.ok(res.body.equals(body), 'stored bytes are the previous version, byte-exact');
  }

  async function putOk(key: string, body: Buffer): Promise<void> {
    const res = await s3.put(path(key), body);
    assert.equal(res.status, 200, res.text);
  }

  /**
   * Sends `attempt` at a new key and at a key that already holds an object:
   * both are refused with `status`/`code`; the new key stays absent and the
   * existing one keeps its bytes.
   */
  async function refusedWrite(status: number, code: string, attempt: (key: string) => Promise<RawResponse>, sizes: number[] = [1000, 300 * 1024]): Promise<void> {
    for (const size of sizes) {
      const newKey = fresh(`refused-new-${size}`);
      expectError(await attempt(newKey), status, code);
      await assertAbsent(newKey);

      const oldKey = fresh(`refused-old-${size}`);
      const previous = randomBytes(size);
      await putOk(oldKey, previous);
      expectError(await attempt(oldKey), status, code);
      await assertContent(oldKey, previous);
    }
  }

  describe('authentication', () => {
    it('a tampered signature → 403 SignatureDoesNotMatch', async () => {
      await refusedWrite(403, 'SignatureDoesNotMatch', async (key) => {
        const body = randomBytes(2048);
        const signed = await s3.sign({ method: 'PUT', path: path(key), body, headers: { 'content-length': String(body.length) } });
        const auth = signed.headers.authorization!;
        const last = auth.at(-1) === '0' ? '1' : '0';
        return s3.request({ method: 'PUT', path: path(key), body, after: { authorization: auth.slice(0, -1) + last } });
      });
    });

    it('a signed header changed after signing → 403 SignatureDoesNotMatch', async () => {
      await refusedWrite(403, 'SignatureDoesNotMatch', (key) =>
        s3.request({ method: 'PUT', path: path(key), body: Buffer.from('x'), headers: { 'x-amz-meta-color': 'blue' }, after: { 'x-amz-meta-color': 'red' } }),
      );
    });

    it('the wrong secret → 403 SignatureDoesNotMatch', async () => {
      await refusedWrite(403, 'SignatureDoesNotMatch', (key) =>
        s3.request({ method: 'PUT', path: path(key), body: Buffer.from('payload'), credentials: { accessKeyId: ROOT.user, secretAccessKey: 'not-the-secret-at-all' } }),
      );
    });

    it('an unknown access key → 403 InvalidAccessKeyId', async () => {
      await refusedWrite(403, 'InvalidAccessKeyId', (key) =>
        s3.request({ method: 'PUT', path: path(key), body: Buffer.from('payload'), credentials: { accessKeyId: 'AKIANOSUCHKEY000000', secretAccessKey: ROOT.password } }),
      );
      expectError(await s3.request({ method: 'GET', path: `/${BUCKET}`, credentials: { accessKeyId: 'AKIANOSUCHKEY000000', secretAccessKey: 'x' } }), 403, 'InvalidAccessKeyId');
    });

    for (const minutes of [20, -20]) {
      it(`a client clock ${minutes > 0 ? 'ahead' : 'behind'} by 20 minutes → 403 RequestTimeTooSkewed`, async () => {
        const date = new Date(Date.now() + minutes * 60_000);
        await refusedWrite(403, 'RequestTimeTooSkewed', (key) => s3.request({ method: 'PUT', path: path(key), body: Buffer.from('payload'), date }));
        expectError(await s3.request({ method: 'GET', path: `/${BUCKET}`, date }), 403, 'RequestTimeTooSkewed');
      });
    }

    it('no authentication at all → 403 AccessDenied', async () => {
      await refusedWrite(403, 'AccessDenied', (key) => s3.request({ method: 'PUT', path: path(key), body: Buffer.from('anonymous'), unsigned: true }));
      // Not even the SigV4 headers: a plain anonymous HTTP request.
      const bare = await new Promise<RawResponse>((res, rej) => {
        const req = httpRequest({ host: '127.0.0.1', port: targetOf(t).port, method: 'GET', path: `/${BUCKET}?list-type=2`, agent: false }, (r) => {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => {
            const text = Buffer.concat(chunks).toString();
            res({ status: r.statusCode ?? 0, headers: r.headers, body: Buffer.concat(chunks), text, code: /<Code>([^<]*)<\/Code>/.exec(text)?.[1] });
          });
        });
        req.on('error', rej);
        req.end();
      });
      expectError(bare, 403, 'AccessDenied');
    });
  });

  describe('body integrity', () => {
    it('a Content-MD5 that does not match → 400 BadDigest', async () => {
      await refusedWrite(400, 'BadDigest', (key) => {
        const body = randomBytes(5000);
        return s3.put(path(key), body, { 'content-md5': md5Base64('something else') });
      });
    });

    it('a malformed Content-MD5 → 400 InvalidDigest', async () => {
      for (const bad of ['not base64 at all!', Buffer.from('short').toString('base64'), '']) {
        await refusedWrite(400, 'InvalidDigest', (key) => s3.put(path(key), Buffer.from('payload'), { 'content-md5': bad }), [1000]);
      }
    });

    it('a wrong x-amz-checksum-crc32 → 400 BadDigest', async () => {
      await refusedWrite(400, 'BadDigest', (key) => {
        const body = randomBytes(7000);
        return s3.put(path(key), body, { 'x-amz-checksum-crc32': crc32Base64(Buffer.concat([body, Buffer.from('!')])) });
      });
    });

    it('an x-amz-content-sha256 that does not match the body → 400 XAmzContentSHA256Mismatch', async () => {
      await refusedWrite(400, 'XAmzContentSHA256Mismatch', (key) => {
        const body = randomBytes(9000);
        return s3.request({ method: 'PUT', path: path(key), body, payloadHash: sha256Hex(Buffer.concat([body, Buffer.from('x')])) });
      });
    });

    it('a correctly signed aws-chunked body is stored (control)', async () => {
      const key = fresh('chunked-ok');
      const data = randomBytes(100 * 1024);
      const headers = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(data.length) };
      const signed = await s3.sign({ method: 'PUT', path: path(key), payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers: { ...headers, 'content-length': String(awsChunkedLength(data.length, 16 * 1024)) } });
      const wire = awsChunkedBody(signed, data, 16 * 1024);
      const res = await sendSigned(signed.headers, 'PUT', path(key), wire);
      assert.equal(res.status, 200, res.text);
      await assertContent(key, data);
    });

    for (const which of ['first', 'middle', 'final'] as const) {
      it(`an aws-chunked body with a bad ${which} chunk signature → 403 SignatureDoesNotMatch`, async () => {
        await refusedWrite(403, 'SignatureDoesNotMatch', async (key) => {
          const data = randomBytes(100 * 1024);
          const chunkSize = 16 * 1024;
          const chunks = Math.ceil(data.length / chunkSize) + 1;
          const bad = which === 'first' ? 0 : which === 'middle' ? 3 : chunks - 1;
          const headers = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(data.length) };
          const length = awsChunkedLength(data.length, chunkSize);
          const signed = await s3.sign({ method: 'PUT', path: path(key), payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers: { ...headers, 'content-length': String(length) } });
          const wire = awsChunkedBody(signed, data, chunkSize, (i, sig) => (i === bad ? sig.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')) : sig));
          return sendSigned(signed.headers, 'PUT', path(key), wire);
        });
      });
    }

    function sendSigned(headers: Record<string, string>, method: string, p: string, wire: Buffer): Promise<RawResponse> {
      return sendRaw(targetOf(t), method, p, headers, wire);
    }
  });

  describe('a body cut off mid-upload', () => {
    type Framing = 'content-length' | 'aws-chunked' | 'http-chunked';
    type Ending = 'reset' | 'half-close';

    async function tmpEntries(): Promise<string[]> {
      return readdir(join(t.dataDir, 'blobs', 'tmp')).catch(() => []);
    }

    /**
     * Announces all of `body` (Content-Length, x-amz-decoded-content-length,
     * or HTTP chunked with no length), writes half of the wire bytes, waits
     * until the server is streaming into a temporary file when the body is
     * blob-sized, then resets the connection or half-closes it.
     */
    async function cutOff(key: string, body: Buffer, framing: Framing, ending: Ending): Promise<void> {
      const chunkSize = 64 * 1024;
      let wire = body;
      let signedHeaders: Record<string, string>;
      if (framing === 'content-length') {
        signedHeaders = (await s3.sign({ method: 'PUT', path: path(key), body, headers: { 'content-length': String(body.length) } })).headers;
      } else if (framing === 'aws-chunked') {
        const headers = { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(body.length), 'content-length': String(awsChunkedLength(body.length, chunkSize)) };
        const signed = await s3.sign({ method: 'PUT', path: path(key), payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', headers });
        wire = awsChunkedBody(signed, body, chunkSize);
        signedHeaders = signed.headers;
      } else {
        signedHeaders = { ...(await s3.sign({ method: 'PUT', path: path(key), payloadHash: 'UNSIGNED-PAYLOAD' })).headers, 'transfer-encoding': 'chunked' };
      }
      const toBlob = body.length > t.config.inlineThreshold;
      await new Promise<void>((res, rej) => {
        const req = httpRequest({ host: '127.0.0.1', port: targetOf(t).port, method: 'PUT', path: path(key), headers: signedHeaders, agent: false, setHost: false });
        let settled = false;
        const done = (e?: Error) => {
          if (settled) return;
          settled = true;
          if (e) rej(e);
          else res();
        };
        req.on('error', () => done());
        req.on('close', () => done());
        req.on('response', (r) => {
          r.resume();
          // Only an error may come back: the body was never complete.
          if ((r.statusCode ?? 0) < 400) done(new Error(`a cut-off upload was answered ${r.statusCode}`));
        });
        req.flushHeaders();
        req.write(wire.subarray(0, wire.length >> 1), () => {
          const end = () => (ending === 'reset' ? req.destroy() : req.socket?.end());
          if (!toBlob) return end();
          eventually('the server streams the body into a temporary file', tmpEntries, (names) => names.length > 0).then(end, (e: Error) => {
            req.destroy();
            done(e);
          });
        });
      });
    }

    for (const framing of ['content-length', 'aws-chunked', 'http-chunked'] as const) {
      for (const ending of ['reset', 'half-close'] as const) {
        for (const size of [20 * 1024, 6 * MIB]) {
          it(`(${framing}, ${ending}, ${size} bytes): no object, the previous version byte-exact, no temporary file`, async () => {
            const start = await storedBytes(t.signet.blobs);
            const newKey = fresh('cut-new');
            await cutOff(newKey, randomBytes(size), framing, ending);
            await eventually('temporary files of the cut upload are removed', tmpEntries, (names) => names.length === 0);

            const oldKey = fresh('cut-old');
            const previous = randomBytes(size);
            await putOk(oldKey, previous);
            const withPrevious = await storedBytes(t.signet.blobs);
            assert.equal(withPrevious.count - start.count, size > t.config.inlineThreshold ? 1 : 0, 'only the previous version made a blob');
            await cutOff(oldKey, randomBytes(size), framing, ending);
            await eventually('temporary files of the cut upload are removed', tmpEntries, (names) => names.length === 0);

            await assertAbsent(newKey);
            await assertContent(oldKey, previous);
            assert.deepEqual(await storedBytes(t.signet.blobs), withPrevious, 'no blob was committed for a cut-off body');
            const list = await s3.get(`/${BUCKET}`, {}, 'list-type=2&prefix=cut-');
            assert.equal(list.status, 200, 'still serving');
          });
        }
      }
    }
  });

  describe('XML request bodies', () => {
    async function createUpload(key: string): Promise<string> {
      const res = await s3.request({ method: 'POST', path: path(key), query: 'uploads' });
      assert.equal(res.status, 200, res.text);
      return /<UploadId>([^<]+)<\/UploadId>/.exec(res.text)![1]!;
    }

    async function uploadPart(key: string, uploadId: string, partNumber: number, body: Buffer): Promise<RawResponse> {
      return s3.request({ method: 'PUT', path: path(key), query: `partNumber=${partNumber}&uploadId=${encodeURIComponent(uploadId)}`, body });
    }

    async function complete(key: string, uploadId: string, xml: Buffer | string, headers: Record<string, string> = {}): Promise<RawResponse> {
      return s3.request({ method: 'POST', path: path(key), query: `uploadId=${encodeURIComponent(uploadId)}`, body: Buffer.from(xml), headers });
    }

    async function deleteObjects(xml: Buffer | string): Promise<RawResponse> {
      const body = Buffer.from(xml);
      return s3.request({ method: 'POST', path: `/${BUCKET}`, query: 'delete', body, headers: { 'content-md5': md5Base64(body) } });
    }

    async function assertUploadOpen(key: string, uploadId: string, parts: number): Promise<void> {
      const res = await s3.request({ method: 'GET', path: path(key), query: `uploadId=${encodeURIComponent(uploadId)}` });
      assert.equal(res.status, 200, `the upload is still open: ${res.text}`);
      assert.equal((res.text.match(/<Part>/g) ?? []).length, parts);
    }

    const BOMB =
      '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n' +
      Array.from({ length: 9 }, (_, i) => ` <!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">\n`).join('') +
      ']>\n';

    const malformed = ['<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>', 'not xml at all', '<Complete', '<CompleteMultipartUpload><Part><PartNumber>x</PartNumber><ETag>"a"</ETag></Part></CompleteMultipartUpload>', '<Wrong/>'];

    it('malformed CompleteMultipartUpload XML → 400 MalformedXML; the upload stays open, no object', async () => {
      const key = fresh('mpu-malformed');
      const id = await createUpload(key);
      assert.equal((await uploadPart(key, id, 1, randomBytes(1000))).status, 200);
      for (const xml of malformed) expectError(await complete(key, id, xml), 400, 'MalformedXML');
      await assertUploadOpen(key, id, 1);
      await assertAbsent(key);
    });

    it('malformed DeleteObjects XML → 400 MalformedXML; the objects stay', async () => {
      const key = fresh('del-malformed');
      const body = randomBytes(100);
      await putOk(key, body);
      for (const xml of ['<Delete><Object><Key>' + key + '</Key></Object>', 'garbage', `<Delete><Object><Key>${key}</Key></Object><Object><Key>x</Key></Object></Wrong>`, '<Delete></Delete>']) {
        expectError(await deleteObjects(xml), 400, 'MalformedXML');
      }
      await assertContent(key, body);
    });

    it('an XML body over 2 MiB → 400 MaxMessageLengthExceeded; nothing changes', async () => {
      const key = fresh('mpu-huge');
      const id = await createUpload(key);
      assert.equal((await uploadPart(key, id, 1, randomBytes(1000))).status, 200);
      const padding = ' '.repeat(2 * MIB + 1);
      const xml = `<CompleteMultipartUpload>${padding}<Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>`;
      expectError(await complete(key, id, xml), 400, 'MaxMessageLengthExceeded');
      await assertUploadOpen(key, id, 1);
      await assertAbsent(key);

      const victim = fresh('del-huge');
      const body = randomBytes(100);
      await putOk(victim, body);
      expectError(await deleteObjects(`<Delete><Object><Key>${victim}</Key></Object>${padding}</Delete>`), 400, 'MaxMessageLengthExceeded');
      await assertContent(victim, body);

      // The same without any declared length (HTTP chunked): refused once 2 MiB are read, with an answer, not a reset.
      const chunked = async (p: string, query: string, doc: Buffer, headers: Record<string, string> = {}) => {
        const signed = await s3.sign({ method: 'POST', path: p, query, payloadHash: 'UNSIGNED-PAYLOAD', headers });
        return sendRaw(targetOf(t), 'POST', `${p}?${query}`, { ...signed.headers, 'transfer-encoding': 'chunked' }, doc);
      };
      const bigXml = Buffer.from(xml);
      expectError(await chunked(path(key), `uploadId=${encodeURIComponent(id)}`, bigXml), 400, 'MaxMessageLengthExceeded');
      const bigDelete = Buffer.from(`<Delete><Object><Key>${victim}</Key></Object>${padding}</Delete>`);
      expectError(await chunked(`/${BUCKET}`, 'delete', bigDelete, { 'content-md5': md5Base64(bigDelete) }), 400, 'MaxMessageLengthExceeded');
      await assertUploadOpen(key, id, 1);
      await assertAbsent(key);
      await assertContent(victim, body);
    });

    it('an entity bomb (billion laughs) → 400 MalformedXML at once, and the server stays responsive', { timeout: 20_000 }, async () => {
      const key = fresh('mpu-bomb');
      const id = await createUpload(key);
      const part = await uploadPart(key, id, 1, randomBytes(1000));
      const etag = String(part.headers.etag);
      const bombs = [
        `${BOMB}<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&lol9;</ETag></Part></CompleteMultipartUpload>`,
        `${BOMB.replace('DOCTYPE', 'doctype')}<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}&lol9;</ETag></Part></CompleteMultipartUpload>`,
        // External entity (XXE): must never be read.
        `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>&xxe;</ETag></Part></CompleteMultipartUpload>`,
      ];
      for (const xml of bombs) expectError(await complete(key, id, xml), 400, 'MalformedXML');
      // UTF-16 hides the DOCTYPE from a byte-level check; still no expansion.
      const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(bombs[0]!.replace('<?xml version="1.0"?>', '<?xml version="1.0" encoding="UTF-16"?>'), 'utf16le')]);
      const res16 = await complete(key, id, utf16);
      assert.equal(res16.status, 400, res16.text);
      assert.ok(res16.code === 'MalformedXML' || res16.code === 'InvalidPart', `code ${res16.code}`);

      const victim = fresh('del-bomb');
      const body = randomBytes(100);
      await putOk(victim, body);
      expectError(await deleteObjects(`${BOMB}<Delete><Object><Key>${victim}&lol9;</Key></Object></Delete>`), 400, 'MalformedXML');
      await assertContent(victim, body);
      await assertUploadOpen(key, id, 1);
      await assertAbsent(key);
      const head = await s3.request({ method: 'HEAD', path: `/${BUCKET}` });
      assert.equal(head.status, 200);
    });

    it('part numbers 0, 10001, -1 and "x" → 400 InvalidArgument; no part is stored', async () => {
      const key = fresh('mpu-partno');
      const id = await createUpload(key);
      for (const bad of ['0', '10001', '-1', 'x']) {
        const res = await s3.request({ method: 'PUT', path: path(key), query: `partNumber=${bad}&uploadId=${encodeURIComponent(id)}`, body: randomBytes(100) });
        expectError(res, 400, 'InvalidArgument');
      }
      await assertUploadOpen(key, id, 0);
      for (const good of [1, 10000]) assert.equal((await uploadPart(key, id, good, randomBytes(10))).status, 200);
      await assertUploadOpen(key, id, 2);
      // GetObject ?partNumber= has the same bounds.
      const object = fresh('get-partno');
      await putOk(object, randomBytes(100));
      for (const bad of ['0', '10001']) expectError(await s3.get(path(object), {}, `partNumber=${bad}`), 400, 'InvalidArgument');
    });
    it('a part whose body fails its digest is not stored, and an earlier upload of that part number stays', async () => {
      const key = fresh('mpu-digest');
      const id = await createUpload(key);
      const good = randomBytes(40 * 1024);
      const first = await uploadPart(key, id, 3, good);
      assert.equal(first.status, 200);
      const query = `partNumber=3&uploadId=${encodeURIComponent(id)}`;
      const other = randomBytes(40 * 1024);
      expectError(await s3.request({ method: 'PUT', path: path(key), query, body: other, headers: { 'content-md5': md5Base64('nope') } }), 400, 'BadDigest');
      expectError(await s3.request({ method: 'PUT', path: path(key), query, body: other, payloadHash: sha256Hex('nope') }), 400, 'XAmzContentSHA256Mismatch');
      expectError(await s3.request({ method: 'PUT', path: path(key), query: `partNumber=4&uploadId=${encodeURIComponent(id)}`, body: other, headers: { 'content-md5': md5Base64('nope') } }), 400, 'BadDigest');
      const parts = await s3.request({ method: 'GET', path: path(key), query: `uploadId=${encodeURIComponent(id)}` });
      assert.equal(parts.status, 200);
      assert.deepEqual([...parts.text.matchAll(/<ETag>([^<]*)<\/ETag>/g)].map((m) => m[1]!.replace(/&quot;/g, '"')), [String(first.headers.etag)]);
      const done = await complete(key, id, `<CompleteMultipartUpload><Part><PartNumber>3</PartNumber><ETag>${String(first.headers.etag)}</ETag></Part></CompleteMultipartUpload>`);
      assert.equal(done.status, 200, done.text);
      await assertContent(key, good);
    });
  });

  describe('names, keys and ranges', () => {
    it('invalid bucket names → 400 InvalidBucketName; no bucket is created', async () => {
      const names = ['UPPER', 'ab', 'a..b', '-leading', 'trailing-', 'under_score', '192.168.1.1', 'a'.repeat(64), 'xn--punycode', 'dot.-dash'];
      for (const name of names) {
        const res = await s3.request({ method: 'PUT', path: `/${encodeURIComponent(name)}` });
        expectError(res, 400, 'InvalidBucketName');
      }
      const list = await s3.get('/');
      assert.equal(list.status, 200);
      const listed = [...list.text.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1]);
      assert.deepEqual(listed, [BUCKET]);
    });

    it('keys with ../ and control characters are stored under that exact key, nothing outside the data folder', async () => {
      const marker = `signet-escape-${randomBytes(6).toString('hex')}`;
      const passwdBefore = createHash('sha256').update(readFileSync('/etc/passwd')).digest('hex');
      const keys = [
        '../../etc/passwd',
        `../../../../../../../../../../tmp/${marker}`,
        `../${marker}`,
        'a/../../b/./c',
        'ctl/\u0001\u0002\u001f\u007f-end',
        'tab\there',
        'new\nline\r\nkey',
        `..\\..\\${marker}`,
      ];
      const bodies = new Map<string, Buffer>();
      for (const [i, key] of keys.entries()) {
        const body = randomBytes(i % 2 === 0 ? 40 * 1024 : 100); // blob-backed and inline
        bodies.set(key, body);
        const res = await s3.put(path(key), body);
        assert.equal(res.status, 200, `PUT ${JSON.stringify(key)}: ${res.text}`);
      }
      for (const key of keys) await assertContent(key, bodies.get(key)!);

      const list = await s3.get(`/${BUCKET}`, {}, 'list-type=2&encoding-type=url&max-keys=1000');
      assert.equal(list.status, 200);
      const listed = new Set([...list.text.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => decodeURIComponent(m[1]!.replace(/\+/g, ' '))));
      for (const key of keys) assert.ok(listed.has(key), `listed: ${JSON.stringify(key)}`);

      assert.equal(createHash('sha256').update(readFileSync('/etc/passwd')).digest('hex'), passwdBefore, '/etc/passwd untouched');
      for (const base of [t.dataDir, join(t.dataDir, 'blobs'), join(t.dataDir, 'blobs', 'tmp'), '/tmp', resolve(t.dataDir, '..')]) {
        assert.equal(existsSync(join(base, marker)), false, `no ${marker} in ${base}`);
      }
      for (const key of keys) assert.equal(existsSync(resolve(t.dataDir, 'blobs', key)), false, `no file at the key's path: ${JSON.stringify(key)}`);
      // The data folder holds only the metadata store and content-addressed blobs.
      for (const file of await walk(t.dataDir)) {
        assert.match(file, /^(meta\.sqlite(-wal|-shm|-journal)?|blobs\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64})$/, `unexpected file in the data folder: ${relative(t.dataDir, join(t.dataDir, file))}`);
      }
    });

    it('a key over 1024 bytes → 400 KeyTooLongError; nothing stored', async () => {
      const long = 'k'.repeat(1025);
      expectError(await s3.put(path(long), Buffer.from('x')), 400, 'KeyTooLongError');
      const list = await s3.get(`/${BUCKET}`, {}, `list-type=2&prefix=${'k'.repeat(100)}`);
      assert.equal(list.status, 200);
      assert.doesNotMatch(list.text, /<Contents>/);
      assert.equal((await s3.put(path('k'.repeat(1024)), Buffer.from('x'))).status, 200, '1024 bytes is fine');
    });

    it('an unsatisfiable Range → 416 InvalidRange; the object is intact', async () => {
      const key = fresh('range');
      const body = randomBytes(10);
      await putOk(key, body);
      for (const range of ['bytes=100-200', 'bytes=10-', 'bytes=-0']) {
        const res = await s3.get(path(key), { range });
        expectError(res, 416, 'InvalidRange');
      }
      const ok = await s3.get(path(key), { range: 'bytes=2-4' });
      assert.equal(ok.status, 206);
      assert.ok(ok.body.equals(body.subarray(2, 5)));
      await assertContent(key, body);
    });

    it('an operation Signet does not serve (PUT ?website, GET ?logging) → 501 NotImplemented', async () => {
      const xml = Buffer.from('<WebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument></WebsiteConfiguration>');
      expectError(await s3.request({ method: 'PUT', path: `/${BUCKET}`, query: 'website', body: xml, headers: { 'content-md5': md5Base64(xml) } }), 501, 'NotImplemented');
      expectError(await s3.request({ method: 'GET', path: `/${BUCKET}`, query: 'logging' }), 501, 'NotImplemented');
      const head = await s3.request({ method: 'HEAD', path: `/${BUCKET}` });
      assert.equal(head.status, 200);
    });
  });

  describe('virtual-host-style addressing (a second Signet with --domain s3.test)', () => {
    let t: TestSignet;
    before(async () => {
      t = await startTestSignet(kind, { flags: { domain: ['s3.test'] } });
    });
    after(async () => {
      await t?.close();
    });

    it('Host: mybucket.s3.test:<port> creates and reads bucket mybucket', async () => {
      const { hostname, port } = targetOf(t);
      const vhost = new RawS3({ hostname, port, host: `mybucket.s3.test:${port}` }, CREDS);
      const pathStyle = new RawS3({ hostname, port }, CREDS);

      const made = await vhost.request({ method: 'PUT', path: '/' });
      assert.equal(made.status, 200, made.text);
      const body = randomBytes(50 * 1024);
      const put = await vhost.put('/dir/obj.bin', body);
      assert.equal(put.status, 200, put.text);

      const got = await vhost.get('/dir/obj.bin');
      assert.equal(got.status, 200);
      assert.ok(got.body.equals(body));
      const viaPath = await pathStyle.get('/mybucket/dir/obj.bin');
      assert.equal(viaPath.status, 200, 'the same object, path-style');
      assert.ok(viaPath.body.equals(body));

      const list = await vhost.get('/', {}, 'list-type=2');
      assert.equal(list.status, 200);
      assert.match(list.text, /<Key>dir\/obj\.bin<\/Key>/);
      const buckets = await pathStyle.get('/');
      assert.deepEqual([...buckets.text.matchAll(/<Name>([^<]*)<\/Name>/g)].map((m) => m[1]), ['mybucket']);

      // A request signed for another host than the one sent is refused.
      const signedElsewhere = await vhost.sign({ method: 'GET', path: '/dir/obj.bin' });
      const mismatch = await sendRaw({ hostname, port }, 'GET', '/dir/obj.bin', { ...signedElsewhere.headers, host: `other.s3.test:${port}` });
      expectError(mismatch, 403, 'SignatureDoesNotMatch');
    });
  });
});
