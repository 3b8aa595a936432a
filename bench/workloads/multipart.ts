/**
 * @module
 * mpu1g: one big multipart upload (create, parts in parallel, complete), all
 * timed, with the server's peak RSS — a server that buffers parts shows here.
 */
import { performance } from 'node:perf_hooks';
import { runPool } from '../measure.ts';
import { MiB, writeBody } from '../payload.ts';
import type { S3Client } from '../sigv4-client.ts';
import { STREAMED_PAYLOAD, check, ensureBucket, timed, withClient } from './workload.ts';
import type { Measured, Workload, WorkloadContext } from './workload.ts';

const MPU_BUCKET = 'bench-mpu';

function xmlText(xml: string, tag: string): string | undefined {
  return new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
}

async function create(client: S3Client, key: string): Promise<string> {
  const { value } = await client.call({ method: 'POST', bucket: MPU_BUCKET, key, query: { uploads: '' } });
  const id = xmlText(value.toString('utf8'), 'UploadId');
  check(id !== undefined, `CreateMultipartUpload: no UploadId in ${value.toString('utf8').slice(0, 200)}`);
  return id as string;
}

async function uploadPart(client: S3Client, key: string, uploadId: string, part: number, size: number): Promise<string> {
  const reply = await client.call({
    method: 'PUT',
    bucket: MPU_BUCKET,
    key,
    query: { partNumber: String(part), uploadId },
    stream: { length: size, write: (out) => writeBody(out, part * 7_777_777, size) },
  });
  const etag = reply.headers.etag;
  check(typeof etag === 'string', `UploadPart ${part}: no ETag`);
  return etag as string;
}

async function complete(client: S3Client, key: string, uploadId: string, etags: readonly string[]): Promise<void> {
  const parts = etags.map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag.replace(/"/g, '&quot;')}</ETag></Part>`);
  const body = Buffer.from(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${parts.join('')}</CompleteMultipartUpload>`);
  const { value } = await client.call({ method: 'POST', bucket: MPU_BUCKET, key, query: { uploadId }, body });
  // S3 may answer 200 and still fail, with an <Error> body.
  const xml = value.toString('utf8');
  check(xml.includes('CompleteMultipartUploadResult') && !xml.includes('<Error>'), `CompleteMultipartUpload: ${xml.slice(0, 300)}`);
}

async function run(ctx: WorkloadContext): Promise<Measured> {
  const s = ctx.sizes;
  const parts = Math.ceil(s.mpuSize / s.partSize);
  const partSize = (n: number): number => Math.min(s.partSize, s.mpuSize - (n - 1) * s.partSize);
  const key = `multipart/r${ctx.round}`;
  return withClient(ctx, s.mpuConcurrency, async (client) => {
    await ensureBucket(ctx, client, MPU_BUCKET);
    let completeSeconds = 0;
    const sample = await timed(ctx, async () => {
      const uploadId = await create(client, key);
      const etags: string[] = new Array<string>(parts);
      const done = await runPool({ count: parts, concurrency: s.mpuConcurrency }, async (i) => {
        etags[i] = await uploadPart(client, key, uploadId, i + 1, partSize(i + 1));
        return partSize(i + 1);
      });
      const t0 = performance.now();
      await complete(client, key, uploadId, etags);
      completeSeconds = (performance.now() - t0) / 1000;
      return { ops: parts + 2, bytes: done.bytes };
    });
    const head = await client.call({ method: 'HEAD', bucket: MPU_BUCKET, key });
    check(Number(head.headers['content-length']) === s.mpuSize, `HEAD after complete: size ${head.headers['content-length']}, expected ${s.mpuSize}`);
    const mib = sample.bytes / MiB;
    return { figure: mib / sample.seconds, units: mib, sample, notes: [`complete took ${completeSeconds.toFixed(2)} s`] };
  });
}

export const mpu1g: Workload = {
  name: 'mpu1g',
  title: (s) =>
    `Multipart upload of ${s.mpuSize / MiB} MiB — ${s.partSize / MiB} MiB parts, ${s.mpuConcurrency} concurrent, create+parts+complete timed`,
  unit: 'MiB/s',
  cpuUnit: 'MiB',
  showLatency: false,
  payload: STREAMED_PAYLOAD,
  run,
};
