/**
 * Bucket CORS against a real Signet on each metadata engine: the
 * configuration through the AWS SDK v3 and through minio-js 8 (which has no
 * CORS call of its own, so its signed `makeRequestAsync` sends S3's
 * documents), real preflight requests (`OPTIONS` with Origin and
 * Access-Control-Request-*, unsigned, as browsers send them) and the
 * Access-Control-* headers on actual requests, successful or not.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, it } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketCorsCommand,
  GetBucketCorsCommand,
  GetObjectCommand,
  PutBucketCorsCommand,
  PutObjectCommand,
  type CORSRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type * as Minio from 'minio';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { errorCode, readAll } from '../support/minio-helpers.ts';
import { rejectsS3 } from './sdk-helpers.ts';

const B = 'web-uploads';
const APP = 'https://app.example.com';

const rules: CORSRule[] = [
  {
    ID: 'app',
    AllowedOrigins: [APP, 'http://*.example.org'],
    AllowedMethods: ['GET', 'PUT', 'POST'],
    AllowedHeaders: ['content-type', 'x-amz-*'],
    ExposeHeaders: ['ETag', 'x-amz-request-id'],
    MaxAgeSeconds: 3000,
  },
  { AllowedOrigins: ['*'], AllowedMethods: ['HEAD'] },
];

interface Raw {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

describeEachMeta('bucket CORS', (kind) => {
  let t: TestSignet;
  let s3: S3Client;
  let minio: Minio.Client;

  /** A raw HTTP request (node:http sends Origin and the Access-Control-Request-* headers exactly as given). */
  const raw = (method: string, path: string, headers: Record<string, string>): Promise<Raw> =>
    new Promise((resolve, reject) => {
      const url = new URL(path, t.url);
      const req = httpRequest({ host: url.hostname, port: url.port, method, path: `${url.pathname}${url.search}`, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
      });
      req.on('error', reject);
      req.end();
    });

  const preflight = (path: string, origin: string | null, method: string | null, requestHeaders?: string) =>
    raw('OPTIONS', path, {
      ...(origin !== null ? { origin } : {}),
      ...(method !== null ? { 'access-control-request-method': method } : {}),
      ...(requestHeaders !== undefined ? { 'access-control-request-headers': requestHeaders } : {}),
    });

  const code = (r: Raw) => /<Code>([^<]*)<\/Code>/.exec(r.text)?.[1];

  before(async () => {
    t = await startTestSignet(kind);
    s3 = t.s3();
    minio = t.minio();
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await s3.send(new CreateBucketCommand({ Bucket: 'no-cors' }));
    await s3.send(new CreateBucketCommand({ Bucket: 'minio-cors' }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'hello.txt', Body: 'hello browser' }));
  });
  after(async () => {
    s3?.destroy();
    await t?.close();
  });

  describe('configuration', () => {
    it('SDK: none → NoSuchCORSConfiguration; put, get back rule for rule, delete', async () => {
      await rejectsS3(s3.send(new GetBucketCorsCommand({ Bucket: B })), 'NoSuchCORSConfiguration', 404);
      await s3.send(new PutBucketCorsCommand({ Bucket: B, CORSConfiguration: { CORSRules: rules } }));
      const got = await s3.send(new GetBucketCorsCommand({ Bucket: B }));
      assert.deepEqual(got.CORSRules, rules);
      await s3.send(new DeleteBucketCorsCommand({ Bucket: B }));
      await rejectsS3(s3.send(new GetBucketCorsCommand({ Bucket: B })), 'NoSuchCORSConfiguration', 404);
      await s3.send(new PutBucketCorsCommand({ Bucket: B, CORSConfiguration: { CORSRules: rules } }));
    });

    it('SDK: invalid rules are refused and the configuration stays', async () => {
      const put = (CORSRules: CORSRule[]) => s3.send(new PutBucketCorsCommand({ Bucket: B, CORSConfiguration: { CORSRules } }));
      await rejectsS3(put([{ AllowedOrigins: ['*'], AllowedMethods: ['PATCH'] }]), 'InvalidRequest', 400);
      await rejectsS3(put([{ AllowedOrigins: ['https://*.*.example.com'], AllowedMethods: ['GET'] }]), 'InvalidRequest', 400);
      await rejectsS3(put(Array.from({ length: 101 }, () => ({ AllowedOrigins: ['*'], AllowedMethods: ['GET'] }))), 'InvalidRequest', 400);
      assert.deepEqual((await s3.send(new GetBucketCorsCommand({ Bucket: B }))).CORSRules, rules);
      // Another user cannot touch it.
      await t.signet.identity.addUser('erin');
      const k = await t.signet.identity.addKey('erin');
      const erin = t.s3({ accessKeyId: k.accessKeyId, secretAccessKey: k.secretKey });
      await rejectsS3(erin.send(new GetBucketCorsCommand({ Bucket: B })), 'AccessDenied', 403);
      await rejectsS3(erin.send(new DeleteBucketCorsCommand({ Bucket: B })), 'AccessDenied', 403);
      erin.destroy();
    });

    it("minio-js (signed requests through its makeRequestAsync): put, get and delete S3's CORS document", async () => {
      const xml =
        '<CORSConfiguration><CORSRule><AllowedOrigin>http://localhost:3000</AllowedOrigin><AllowedMethod>GET</AllowedMethod>' +
        '<AllowedMethod>PUT</AllowedMethod><AllowedHeader>*</AllowedHeader><MaxAgeSeconds>60</MaxAgeSeconds></CORSRule></CORSConfiguration>';
      const md5 = createHash('md5').update(xml).digest('base64');
      await minio.makeRequestAsyncOmit({ method: 'PUT', bucketName: 'minio-cors', query: 'cors', headers: { 'Content-MD5': md5 } }, xml);
      const res = await minio.makeRequestAsync({ method: 'GET', bucketName: 'minio-cors', query: 'cors' });
      const body = (await readAll(res)).toString();
      assert.match(body, /<AllowedOrigin>http:\/\/localhost:3000<\/AllowedOrigin>/);
      assert.match(body, /<AllowedMethod>GET<\/AllowedMethod><AllowedMethod>PUT<\/AllowedMethod>/);
      assert.match(body, /<MaxAgeSeconds>60<\/MaxAgeSeconds>/);
      assert.deepEqual((await s3.send(new GetBucketCorsCommand({ Bucket: 'minio-cors' }))).CORSRules, [
        { AllowedOrigins: ['http://localhost:3000'], AllowedMethods: ['GET', 'PUT'], AllowedHeaders: ['*'], MaxAgeSeconds: 60 },
      ]);
      const bad = '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>TRACE</AllowedMethod></CORSRule></CORSConfiguration>';
      assert.equal(await errorCode(minio.makeRequestAsyncOmit({ method: 'PUT', bucketName: 'minio-cors', query: 'cors' }, bad)), 'InvalidRequest');
      await minio.makeRequestAsyncOmit({ method: 'DELETE', bucketName: 'minio-cors', query: 'cors' }, '', [204]);
      assert.equal(await errorCode(minio.makeRequestAsync({ method: 'GET', bucketName: 'minio-cors', query: 'cors' })), 'NoSuchCORSConfiguration');
    });
  });

  describe('preflight (OPTIONS, unsigned)', () => {
    it('an allowed origin, method and headers get 200 with the Access-Control-* answer', async () => {
      const r = await preflight(`/${B}/uploads/file.bin`, APP, 'PUT', 'Content-Type, X-Amz-Meta-Owner');
      assert.equal(r.status, 200, r.text);
      assert.equal(r.headers['access-control-allow-origin'], APP);
      assert.equal(r.headers['access-control-allow-methods'], 'GET, PUT, POST');
      assert.equal(r.headers['access-control-allow-headers'], 'content-type, x-amz-meta-owner');
      assert.equal(r.headers['access-control-max-age'], '3000');
      assert.equal(r.headers['access-control-expose-headers'], 'ETag, x-amz-request-id');
      assert.equal(r.headers['access-control-allow-credentials'], 'true');
      assert.match(String(r.headers.vary), /Origin/);
      // A presigned URL's preflight carries its query (signature included) and no credentials: nothing is verified.
      const presigned = await preflight(`/${B}/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=x&X-Amz-Signature=not-checked`, APP, 'PUT', 'content-type');
      assert.equal(presigned.status, 200, presigned.text);
      // On the bucket itself (a POST upload's URL) and from a wildcard origin.
      const post = await preflight(`/${B}`, 'http://tenant.example.org', 'POST');
      assert.equal(post.status, 200);
      assert.equal(post.headers['access-control-allow-origin'], 'http://tenant.example.org');
      // The catch-all rule answers * (and no credentials) for HEAD from anywhere.
      const head = await preflight(`/${B}/hello.txt`, 'https://anyone.example.net', 'HEAD');
      assert.equal(head.status, 200);
      assert.equal(head.headers['access-control-allow-origin'], '*');
      assert.equal(head.headers['access-control-allow-credentials'], undefined);
    });

    it('another origin, a disallowed method or header → 403 CORSResponse', async () => {
      for (const [origin, method, headers] of [
        ['https://evil.example.net', 'PUT', undefined],
        [APP, 'DELETE', undefined],
        [APP, 'PUT', 'authorization'],
        ['https://app.example.com.evil.net', 'GET', undefined],
      ] as const) {
        const r = await preflight(`/${B}/hello.txt`, origin, method, headers);
        assert.equal(r.status, 403, `${origin} ${method} ${headers}`);
        assert.equal(code(r), 'CORSResponse');
        assert.match(r.text, /This CORS request is not allowed/);
        assert.equal(r.headers['access-control-allow-origin'], undefined);
      }
    });

    it('a bucket without CORS (or none at all) → 403 "CORS is not enabled"; missing headers → 400', async () => {
      for (const bucket of ['no-cors', 'no-such-bucket']) {
        const r = await preflight(`/${bucket}/x`, APP, 'GET');
        assert.equal(r.status, 403);
        assert.equal(code(r), 'CORSResponse');
        assert.match(r.text, /CORS is not enabled for this bucket/);
      }
      assert.equal((await preflight(`/${B}/x`, null, 'GET')).status, 400);
      assert.equal((await preflight(`/${B}/x`, APP, null)).status, 400);
    });
  });

  describe('actual requests with Origin', () => {
    it('a matching origin gets Access-Control-Allow-Origin and Expose-Headers, on success and on error', async () => {
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: B, Key: 'hello.txt' }));
      const ok = await raw('GET', url, { origin: APP });
      assert.equal(ok.status, 200);
      assert.equal(ok.text, 'hello browser');
      assert.equal(ok.headers['access-control-allow-origin'], APP);
      assert.equal(ok.headers['access-control-expose-headers'], 'ETag, x-amz-request-id');
      assert.match(String(ok.headers.vary), /Origin/);

      const missing = await raw('GET', await getSignedUrl(s3, new GetObjectCommand({ Bucket: B, Key: 'missing.txt' })), { origin: APP });
      assert.equal(missing.status, 404);
      assert.equal(missing.headers['access-control-allow-origin'], APP, 'errors carry the CORS answer too, so the page can read them');
      const denied = await raw('GET', `/${B}/hello.txt`, { origin: APP });
      assert.equal(denied.status, 403);
      assert.equal(denied.headers['access-control-allow-origin'], APP);
    });

    it('an origin or method no rule allows gets no Access-Control-* headers', async () => {
      const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: B, Key: 'hello.txt' }));
      const other = await raw('GET', url, { origin: 'https://evil.example.net' });
      assert.equal(other.status, 200);
      assert.equal(other.headers['access-control-allow-origin'], undefined);
      const noCors = await raw('GET', `/no-cors/x`, { origin: APP });
      assert.equal(noCors.headers['access-control-allow-origin'], undefined);
      const plain = await raw('GET', url, {});
      assert.equal(plain.headers['access-control-allow-origin'], undefined);
    });
  });
});
