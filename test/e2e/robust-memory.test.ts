/**
 * Acceptance: memory stays flat whatever the object size. Signet runs as a
 * child process; a 1 GiB multipart upload (lib-storage, from a generated
 * stream: the test never holds the object either) and a 1 GiB GET (streamed,
 * hashed, discarded) must keep the server's resident memory (VmRSS, sampled
 * every 50 ms from /proc) under 200 MiB.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { ChildSignetHome, type ChildSignet } from '../support/robust-child.ts';
import { describeEachMeta, ROOT } from '../support/test-signet.ts';

const MIB = 1024 * 1024;
const SIZE = 1024 * MIB;
const RSS_LIMIT = 200 * MIB;

/** `size` bytes, 1 MiB blocks of random data each stamped with its index (no two blocks alike), made on demand. */
function generated(size: number): { stream: Readable; digest: () => string } {
  const base = randomBytes(MIB);
  const hash = createHash('sha256');
  let sent = 0;
  let block = 0;
  const stream = new Readable({
    highWaterMark: 4 * MIB,
    read() {
      if (sent >= size) {
        this.push(null);
        return;
      }
      const n = Math.min(MIB, size - sent);
      const chunk = Buffer.from(base.subarray(0, n));
      chunk.writeBigUInt64BE(BigInt(block++), 0);
      hash.update(chunk);
      sent += n;
      this.push(chunk);
    },
  });
  return { stream, digest: () => hash.digest('hex') };
}

/** Samples the resident memory of a process every 50 ms, keeping the peak. */
function sampleRss(server: ChildSignet): { stop(): number; peak(): number } {
  let peak = server.rss() ?? 0;
  const timer = setInterval(() => {
    const rss = server.rss();
    if (rss !== null && rss > peak) peak = rss;
  }, 50);
  return {
    peak: () => peak,
    stop: () => {
      clearInterval(timer);
      const rss = server.rss();
      if (rss !== null && rss > peak) peak = rss;
      return peak;
    },
  };
}

const mib = (n: number) => `${(n / MIB).toFixed(1)} MiB`;

describeEachMeta('robust: memory stays bounded for 1 GiB objects', (kind) => {
  let home: ChildSignetHome;
  let server: ChildSignet | undefined;
  let s3: S3Client;

  before(async () => {
    home = await ChildSignetHome.create(kind);
    server = await home.start();
    s3 = new S3Client({ endpoint: home.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: ROOT.user, secretAccessKey: ROOT.password } });
    await s3.send(new CreateBucketCommand({ Bucket: 'memory' }));
  });
  after(async () => {
    s3?.destroy();
    await server?.stop();
    await home?.dispose();
  });

  it('a 1 GiB multipart upload then a 1 GiB GET keep VmRSS under 200 MiB', { timeout: 600_000 }, async (tc) => {
    const idle = server!.rss()!;
    const sampler = sampleRss(server!);
    try {
      const source = generated(SIZE);
      const upload = new Upload({ client: s3, params: { Bucket: 'memory', Key: 'one-gib.bin', Body: source.stream }, partSize: 16 * MIB, queueSize: 4 });
      await upload.done();
      const uploadPeak = sampler.peak();
      const sent = source.digest();

      const head = await s3.send(new HeadObjectCommand({ Bucket: 'memory', Key: 'one-gib.bin' }));
      assert.equal(head.ContentLength, SIZE);

      const got = await s3.send(new GetObjectCommand({ Bucket: 'memory', Key: 'one-gib.bin' }));
      const hash = createHash('sha256');
      let received = 0;
      for await (const chunk of got.Body as Readable) {
        hash.update(chunk as Buffer);
        received += (chunk as Buffer).length;
      }
      const peak = sampler.stop();
      tc.diagnostic(`VmRSS idle ${mib(idle)}, peak during upload ${mib(uploadPeak)}, overall peak ${mib(peak)}`);
      assert.equal(received, SIZE);
      assert.equal(hash.digest('hex'), sent, 'the GET returns the uploaded bytes');
      assert.ok(peak < RSS_LIMIT, `peak VmRSS ${mib(peak)} must stay under ${mib(RSS_LIMIT)} (idle ${mib(idle)})`);
    } finally {
      sampler.stop();
    }
  });
});
