/**
 * Acceptance: crash safety under a real SIGKILL. Signet runs as a child
 * process; many PUTs (inline-sized and multi-MiB, new keys and overwrites)
 * run at once, some held open mid-body; the process is killed once a share
 * of them has been acknowledged, then restarted on the same data folder (and
 * the same PostgreSQL schema). Every acknowledged write must be there with
 * its exact bytes; every object that exists must be exactly one body that was
 * sent for its key (an in-flight request may or may not have committed, but
 * never partially). Multipart uploads interrupted by the kill can be listed,
 * continued and aborted after the restart, and a CompleteMultipartUpload cut
 * by the kill is all-or-nothing.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { ChildSignetHome, type ChildSignet } from '../support/robust-child.ts';
import { encodeKey, RawS3, sha256Hex, type RawResponse } from '../support/robust-raw.ts';
import { describeEachMeta, ROOT } from '../support/test-signet.ts';

const MIB = 1024 * 1024;
const BUCKET = 'crash';
const CREDS = { accessKeyId: ROOT.user, secretAccessKey: ROOT.password };

interface Outcome {
  readonly status?: number;
  readonly etag?: string;
  readonly error?: string;
}

interface StreamOptions {
  /** Stop writing after this many bytes and hold the connection open (until the server dies). */
  readonly stallAfter?: number;
  /** Called once the whole body (or the part before the stall) is handed to the socket. */
  readonly onWritten?: () => void;
  readonly query?: string;
  readonly method?: string;
}

/** A signed PUT whose body is written in slices with backpressure, so large ones stay in flight a while. */
async function streamRequest(s3: RawS3, path: string, body: Buffer, opts: StreamOptions = {}): Promise<Outcome> {
  const method = opts.method ?? 'PUT';
  const signed = await s3.sign({ method, path, query: opts.query, payloadHash: sha256Hex(body), headers: { 'content-length': String(body.length) } });
  const fullPath = opts.query ? `${path}?${opts.query}` : path;
  return new Promise<Outcome>((resolve) => {
    let settled = false;
    const done = (o: Outcome) => {
      if (!settled) {
        settled = true;
        resolve(o);
      }
    };
    const req = httpRequest({ host: s3.target.hostname, port: s3.target.port, method, path: fullPath, headers: signed.headers, agent: false, setHost: false });
    req.on('error', (e) => done({ error: e.message }));
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const etag = typeof res.headers.etag === 'string' ? res.headers.etag : undefined;
      // The status line is the acknowledgement; the rest may be cut by the kill.
      done({ status, etag });
      res.on('error', () => {});
      res.resume();
    });
    const limit = opts.stallAfter ?? body.length;
    const slice = 256 * 1024;
    let at = 0;
    const pump = () => {
      while (at < limit) {
        const end = Math.min(limit, at + slice);
        const chunk = body.subarray(at, end);
        at = end;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      if (opts.stallAfter === undefined) req.end();
      opts.onWritten?.();
    };
    req.flushHeaders();
    pump();
  });
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function fileSha256(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** Every key in the bucket (ListObjectsV2, all pages, URL-encoded keys). */
async function listKeys(s3: RawS3, bucket: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  let token: string | undefined;
  for (;;) {
    const query = `list-type=2&encoding-type=url${token ? `&continuation-token=${encodeURIComponent(token)}` : ''}`;
    const res = await s3.get(`/${bucket}`, {}, query);
    assert.equal(res.status, 200, res.text);
    for (const m of res.text.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
      const key = decodeURIComponent(/<Key>([^<]*)<\/Key>/.exec(m[1]!)![1]!);
      out.set(key, Number(/<Size>(\d+)<\/Size>/.exec(m[1]!)![1]));
    }
    token = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(res.text)?.[1];
    if (!/<IsTruncated>true<\/IsTruncated>/.test(res.text)) return out;
  }
}

describeEachMeta('robust: SIGKILL in the middle of uploads', (kind) => {
  let home: ChildSignetHome;
  let server: ChildSignet | undefined;
  let s3: RawS3;

  before(async () => {
    home = await ChildSignetHome.create(kind);
    server = await home.start();
    s3 = new RawS3({ hostname: '127.0.0.1', port: home.port }, CREDS);
    const made = await s3.request({ method: 'PUT', path: `/${BUCKET}` });
    assert.equal(made.status, 200, made.text);
  });
  after(async () => {
    await server?.kill();
    await home?.dispose();
  });

  const pathOf = (key: string) => `/${BUCKET}/${encodeKey(key)}`;

  async function getObject(key: string): Promise<RawResponse> {
    return s3.get(pathOf(key));
  }

  it('keeps every acknowledged PUT byte-exact and never exposes a partial one', { timeout: 300_000 }, async (tc) => {
    /** Every body ever sent per key (sha256 → size): an object may only ever be one of them. */
    const candidates = new Map<string, Map<string, number>>();
    const remember = (key: string, body: Buffer) => {
      const m = candidates.get(key) ?? new Map<string, number>();
      m.set(sha256(body), body.length);
      candidates.set(key, m);
    };
    /** The body whose PUT was acknowledged last, per key. */
    const acked = new Map<string, string>();

    // Before the storm: objects that will be overwritten during it.
    const preKeys = Array.from({ length: 12 }, (_, i) => `pre/${i}`);
    for (const [i, key] of preKeys.entries()) {
      const body = randomBytes(i % 2 === 0 ? 1000 + i : 3 * MIB + i);
      remember(key, body);
      const res = await s3.put(pathOf(key), body);
      assert.equal(res.status, 200, res.text);
      acked.set(key, sha256(body));
    }

    type Job = { key: string; body: Buffer; stall?: boolean };
    const jobs: Job[] = [];
    for (let i = 0; i < 120; i++) jobs.push({ key: `small/${i}`, body: randomBytes(100 + ((i * 977) % (30 * 1024))) });
    for (let i = 0; i < 24; i++) jobs.push({ key: `big/${i}`, body: randomBytes(2 * MIB + i * 173 * 1024) });
    for (const [i, key] of preKeys.entries()) jobs.push({ key, body: randomBytes(i % 3 === 0 ? 2000 + i : 4 * MIB + i) });
    for (let i = 0; i < 4; i++) jobs.push({ key: `stalled/${i}`, body: randomBytes(4 * MIB), stall: true });
    // Interleave so small and large requests are in flight together.
    jobs.sort((a, b) => sha256(Buffer.from(a.key)).localeCompare(sha256(Buffer.from(b.key))));
    for (const j of jobs) remember(j.key, j.body);

    const completable = jobs.filter((j) => !j.stall).length;
    const killAt = Math.floor(completable * 0.4);
    let ackCount = 0;
    let killing: Promise<void> | null = null;
    const victim = server!;
    const results = await Promise.all(
      jobs.map(async (job) => {
        const outcome = await streamRequest(s3, pathOf(job.key), job.body, job.stall ? { stallAfter: job.body.length >> 1 } : {});
        if (outcome.status === 200) {
          acked.set(job.key, sha256(job.body));
          if (++ackCount >= killAt) killing ??= victim.kill();
        }
        return { job, outcome };
      }),
    );
    await killing;
    const inFlight = results.filter((r) => r.outcome.status === undefined).length;
    /** Bodies whose PUT was cut by the kill, per key: committed or not, both outcomes are allowed. */
    const cut = new Map(results.filter((r) => r.outcome.status === undefined).map((r) => [r.job.key, sha256(r.job.body)]));
    const refused = results.filter((r) => r.outcome.status !== undefined && r.outcome.status !== 200);
    assert.deepEqual(refused.map((r) => `${r.job.key}: ${r.outcome.status}`), [], 'no request was refused before the kill');
    assert.ok(ackCount >= killAt && inFlight >= 4, `acknowledged ${ackCount}, cut by the kill ${inFlight}`);
    const cutBig = results.filter((r) => r.outcome.status === undefined && r.job.body.length > MIB && !r.job.stall).length;
    tc.diagnostic(`${ackCount} of ${jobs.length} PUTs acknowledged before the kill, ${inFlight} cut (${cutBig} multi-MiB ones not held back)`);

    server = await home.start();

    const listed = await listKeys(s3, BUCKET);
    for (const [key, digest] of acked) {
      assert.ok(listed.has(key), `acknowledged ${key} is listed after the restart`);
      const got = await getObject(key);
      assert.equal(got.status, 200, `${key}: ${got.text.slice(0, 200)}`);
      const sent = candidates.get(key)!;
      // An overwrite cut by the kill may have committed before the answer was lost: then its body is right too.
      const allowed = new Set([digest, ...(cut.has(key) ? [cut.get(key)!] : [])]);
      assert.ok(allowed.has(sha256(got.body)), `${key}: the acknowledged bytes (got ${got.body.length} bytes, ${sent.has(sha256(got.body)) ? 'an older body' : 'bytes never sent'})`);
    }
    for (const [key, size] of listed) {
      const sent = candidates.get(key);
      assert.ok(sent, `${key} exists but was never sent`);
      const got = await getObject(key);
      assert.equal(got.status, 200);
      assert.equal(got.body.length, size, `${key}: GET length equals the listed size`);
      assert.ok(sent.has(sha256(got.body)), `${key}: exactly one of the bodies sent for it, never a partial one (${size} bytes)`);
    }
    for (let i = 0; i < 4; i++) assert.equal(listed.has(`stalled/${i}`), false, 'a body never finished is never stored');

    // Every blob on disk holds exactly the bytes its name says.
    const blobsRoot = join(home.dataDir, 'blobs');
    for (const a of (await readdir(blobsRoot)).filter((n) => /^[0-9a-f]{2}$/.test(n))) {
      for (const b of await readdir(join(blobsRoot, a))) {
        for (const name of await readdir(join(blobsRoot, a, b))) {
          assert.equal(await fileSha256(join(blobsRoot, a, b, name)), name, `blob ${name} holds its own content`);
        }
      }
    }

    // And the store works normally after the restart.
    const fresh = randomBytes(5 * MIB);
    assert.equal((await s3.put(pathOf('after/restart'), fresh)).status, 200);
    assert.equal(sha256((await getObject('after/restart')).body), sha256(fresh));
  });

  it('multipart uploads cut by the kill can be listed, continued and aborted; a cut Complete is all-or-nothing', { timeout: 300_000 }, async (tc) => {
    const q = (id: string) => `uploadId=${encodeURIComponent(id)}`;
    const create = async (key: string) => {
      const res = await s3.request({ method: 'POST', path: pathOf(key), query: 'uploads' });
      assert.equal(res.status, 200, res.text);
      return /<UploadId>([^<]+)<\/UploadId>/.exec(res.text)![1]!;
    };
    const putPart = async (key: string, id: string, n: number, body: Buffer) => {
      const res = await s3.request({ method: 'PUT', path: pathOf(key), query: `partNumber=${n}&${q(id)}`, body });
      assert.equal(res.status, 200, res.text);
      return String(res.headers.etag);
    };
    const completeXml = (parts: Array<[number, string]>) =>
      Buffer.from(`<CompleteMultipartUpload>${parts.map(([n, e]) => `<Part><PartNumber>${n}</PartNumber><ETag>${e}</ETag></Part>`).join('')}</CompleteMultipartUpload>`);
    const listUploads = async () => {
      const res = await s3.request({ method: 'GET', path: `/${BUCKET}`, query: 'uploads' });
      assert.equal(res.status, 200, res.text);
      return [...res.text.matchAll(/<Upload>[\s\S]*?<Key>([^<]*)<\/Key>[\s\S]*?<UploadId>([^<]*)<\/UploadId>/g)].map((m) => `${m[1]} ${m[2]}`);
    };
    const listParts = async (key: string, id: string) => {
      const res = await s3.request({ method: 'GET', path: pathOf(key), query: q(id) });
      assert.equal(res.status, 200, res.text);
      return [...res.text.matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map((m) => ({
        n: Number(/<PartNumber>(\d+)/.exec(m[1]!)![1]),
        etag: /<ETag>([^<]*)<\/ETag>/.exec(m[1]!)![1]!.replace(/&quot;/g, '"'),
        size: Number(/<Size>(\d+)/.exec(m[1]!)![1]),
      }));
    };

    const part1 = randomBytes(5 * MIB);
    const part2 = randomBytes(MIB + 17);
    const cont = await create('mpu/continue');
    const contEtag1 = await putPart('mpu/continue', cont, 1, part1);
    const abort = await create('mpu/abort');
    await putPart('mpu/abort', abort, 1, randomBytes(5 * MIB));
    const cut = await create('mpu/cut-complete');
    const cutParts: Array<[number, string]> = [
      [1, await putPart('mpu/cut-complete', cut, 1, part1)],
      [2, await putPart('mpu/cut-complete', cut, 2, part2)],
    ];

    // Part 2 of the first upload is half sent when the kill comes; the Complete
    // of the third is on the wire.
    const victim = server!;
    const stalled = streamRequest(s3, pathOf('mpu/continue'), randomBytes(3 * MIB), { query: `partNumber=2&${q(cont)}`, stallAfter: MIB });
    const complete = new Promise<Outcome>((resolve) => {
      void streamRequest(s3, pathOf('mpu/cut-complete'), completeXml(cutParts), {
        method: 'POST',
        query: q(cut),
        onWritten: () => void victim.kill(),
      }).then(resolve);
    });
    const [stalledOutcome, completeOutcome] = await Promise.all([stalled, complete]);
    await victim.exited;
    assert.equal(stalledOutcome.status, undefined, 'the half-sent part was never answered');

    server = await home.start();

    const uploads = await listUploads();
    assert.ok(uploads.includes(`mpu/continue ${cont}`), `listed after restart: ${uploads.join(', ')}`);
    assert.ok(uploads.includes(`mpu/abort ${abort}`));
    assert.deepEqual(await listParts('mpu/continue', cont), [{ n: 1, etag: contEtag1, size: part1.length }], 'only the acknowledged part');

    // Continue and complete.
    const contEtag2 = await putPart('mpu/continue', cont, 2, part2);
    const done = await s3.request({ method: 'POST', path: pathOf('mpu/continue'), query: q(cont), body: completeXml([[1, contEtag1], [2, contEtag2]]) });
    assert.equal(done.status, 200, done.text);
    assert.equal(sha256((await getObject('mpu/continue')).body), sha256(Buffer.concat([part1, part2])));

    // Abort.
    const aborted = await s3.request({ method: 'DELETE', path: pathOf('mpu/abort'), query: q(abort) });
    assert.equal(aborted.status, 204, aborted.text);
    const left = await listUploads();
    assert.ok(!left.some((u) => u.startsWith('mpu/abort ') || u.startsWith('mpu/continue ')), `gone: ${left.join(', ')}`);
    assert.equal((await getObject('mpu/abort')).status, 404);

    // The Complete cut by the kill: either it committed (object whole, upload gone) or not at all.
    const object = await getObject('mpu/cut-complete');
    const stillOpen = left.includes(`mpu/cut-complete ${cut}`);
    tc.diagnostic(`the Complete cut by the kill ${object.status === 200 ? 'had committed' : 'had not committed'} (answer: ${completeOutcome.status ?? completeOutcome.error})`);
    if (completeOutcome.status === 200) assert.equal(object.status, 200, 'an acknowledged Complete is durable');
    if (object.status === 200) {
      assert.equal(stillOpen, false, 'a completed upload is no longer listed');
      assert.equal(sha256(object.body), sha256(Buffer.concat([part1, part2])), 'the completed object is whole');
    } else {
      assert.equal(object.status, 404);
      assert.ok(stillOpen, 'an upload whose Complete did not commit is still open');
      assert.deepEqual((await listParts('mpu/cut-complete', cut)).map((p) => p.n), [1, 2]);
      const again = await s3.request({ method: 'POST', path: pathOf('mpu/cut-complete'), query: q(cut), body: completeXml(cutParts) });
      assert.equal(again.status, 200, again.text);
      assert.equal(sha256((await getObject('mpu/cut-complete')).body), sha256(Buffer.concat([part1, part2])));
    }
  });
});
