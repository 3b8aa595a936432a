/**
 * Acceptance: a page in headless Chromium (Debian's `chromium`, driven by
 * playwright-core), served from another origin (another port of 127.0.0.1),
 * uploads to Signet from the page with fetch: a presigned POST form
 * (`createPresignedPost`) and a presigned PUT (which makes the browser send
 * a real preflight first). With the bucket's CORS rules allowing the page's
 * origin both succeed and the test reads the objects back with the SDK;
 * without CORS the browser blocks them and the page sees a TypeError.
 *
 * Chromium comes from `.ci/install-smoke-tools.sh`. When /usr/bin/chromium is
 * missing the suite fails under CI (CI=true) and is skipped, with the
 * reason, elsewhere.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, it } from 'node:test';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutBucketCorsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { chromium, type Browser, type Page } from 'playwright-core';
import { describeEachMeta, ROOT, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { rejectsHead } from './sdk-helpers.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const CHROMIUM_PROBLEM = existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium, or bash .ci/install-smoke-tools.sh)`;

const WITH_CORS = 'browser-uploads';
const WITHOUT_CORS = 'no-cors-uploads';

/** What the page's fetch gave: the answer, or the error the browser raised. */
type Outcome = { readonly ok: true; readonly status: number; readonly etag: string | null } | { readonly ok: false; readonly error: string };

/** A tiny web app on its own origin: one empty page the test drives. */
async function startPageServer(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    res.writeHead(req.url === '/' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><html><head><title>uploader</title></head><body><p>uploader</p></body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** In the page: a multipart/form-data POST of the presigned fields and a file. */
function postFromPage(page: Page, url: string, fields: Record<string, string>, content: string): Promise<Outcome> {
  return page.evaluate(
    async ({ url, fields, content }) => {
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.append(name, value);
      form.append('file', new Blob([content], { type: 'text/plain' }), 'weights.txt');
      try {
        const res = await fetch(url, { method: 'POST', body: form });
        return { ok: true as const, status: res.status, etag: res.headers.get('etag') };
      } catch (e) {
        return { ok: false as const, error: `${(e as Error).name}: ${(e as Error).message}` };
      }
    },
    { url, fields, content },
  );
}

/** In the page: a PUT with a Content-Type the browser must ask about first (a preflight). */
function putFromPage(page: Page, url: string, content: string): Promise<Outcome> {
  return page.evaluate(
    async ({ url, content }) => {
      try {
        const res = await fetch(url, { method: 'PUT', body: content, headers: { 'content-type': 'application/octet-stream' } });
        return { ok: true as const, status: res.status, etag: res.headers.get('etag') };
      } catch (e) {
        return { ok: false as const, error: `${(e as Error).name}: ${(e as Error).message}` };
      }
    },
    { url, content },
  );
}

describeEachMeta('browser upload from another origin (headless Chromium, presigned POST and PUT)', (kind) => {
  if (CHROMIUM_PROBLEM !== null) {
    if (process.env.CI === 'true') {
      it('needs Chromium', () => {
        throw new Error(`${CHROMIUM_PROBLEM} (CI requires it)`);
      });
    } else {
      it(`skipped: ${CHROMIUM_PROBLEM}`, { skip: CHROMIUM_PROBLEM }, () => {});
    }
    return;
  }

  let t: TestSignet;
  let s3: S3Client;
  /** Presigns PUTs without a checksum of a body it has not seen (the SDK's default puts the CRC32 of nothing in the URL). */
  let presigner: S3Client;
  let browser: Browser;
  let page: Page;
  let web: { server: Server; origin: string };

  const presignedPost = (bucket: string, key: string) =>
    createPresignedPost(s3, {
      Bucket: bucket,
      Key: key,
      Conditions: [['content-length-range', 1, 1024 * 1024], ['starts-with', '$Content-Type', 'text/']],
      Fields: { 'Content-Type': 'text/plain' },
      Expires: 600,
    });

  before(async () => {
    t = await startTestSignet(kind);
    s3 = t.s3();
    presigner = new S3Client({
      endpoint: t.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: ROOT.user, secretAccessKey: ROOT.password },
      requestChecksumCalculation: 'WHEN_REQUIRED',
    });
    web = await startPageServer();
    await s3.send(new CreateBucketCommand({ Bucket: WITH_CORS }));
    await s3.send(new CreateBucketCommand({ Bucket: WITHOUT_CORS }));
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: WITH_CORS,
        CORSConfiguration: { CORSRules: [{ AllowedOrigins: [web.origin], AllowedMethods: ['POST', 'PUT', 'GET'], AllowedHeaders: ['*'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 60 }] },
      }),
    );
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    await page.goto(`${web.origin}/`);
    assert.notEqual(new URL(web.origin).port, new URL(t.url).port, 'the page and Signet are different origins');
  });
  after(async () => {
    await browser?.close();
    await new Promise((resolve) => web?.server.close(resolve));
    s3?.destroy();
    presigner?.destroy();
    await t?.close();
  });

  it('with CORS: the page uploads with a presigned POST, reads the ETag, and the SDK reads the object back', async () => {
    const { url, fields } = await presignedPost(WITH_CORS, 'from-browser/weights.txt');
    const content = `uploaded by Chromium at ${new Date().toISOString()}`;
    const outcome = await postFromPage(page, url, fields, content);
    assert.deepEqual({ ...outcome, etag: null }, { ok: true, status: 204, etag: null }, JSON.stringify(outcome));
    assert.ok(outcome.ok && outcome.etag, 'the exposed ETag is readable by the page');
    const got = await s3.send(new GetObjectCommand({ Bucket: WITH_CORS, Key: 'from-browser/weights.txt' }));
    assert.equal(await got.Body?.transformToString(), content);
    assert.equal(got.ContentType, 'text/plain');
    assert.equal(got.ETag, outcome.etag);
  });

  it('with CORS: a presigned PUT passes the browser preflight and stores the bytes', async () => {
    const url = await getSignedUrl(presigner, new PutObjectCommand({ Bucket: WITH_CORS, Key: 'from-browser/put.bin' }), { expiresIn: 600 });
    const outcome = await putFromPage(page, url, 'put through a preflight');
    assert.ok(outcome.ok && outcome.status === 200, JSON.stringify(outcome));
    assert.match(outcome.etag ?? '', /^"[0-9a-f]{32}"$/, 'the exposed ETag is readable by the page');
    const got = await s3.send(new GetObjectCommand({ Bucket: WITH_CORS, Key: 'from-browser/put.bin' }));
    assert.equal(await got.Body?.transformToString(), 'put through a preflight');
  });

  it('without CORS: the browser blocks both and the page sees a TypeError; the preflighted PUT never reaches Signet', async () => {
    const { url, fields } = await presignedPost(WITHOUT_CORS, 'from-browser/weights.txt');
    const post = await postFromPage(page, url, fields, 'blocked');
    assert.equal(post.ok, false, JSON.stringify(post));
    assert.match(!post.ok ? post.error : '', /^TypeError/);

    const putUrl = await getSignedUrl(presigner, new PutObjectCommand({ Bucket: WITHOUT_CORS, Key: 'from-browser/put.bin' }), { expiresIn: 600 });
    const put = await putFromPage(page, putUrl, 'blocked');
    assert.equal(put.ok, false, JSON.stringify(put));
    assert.match(!put.ok ? put.error : '', /^TypeError/);
    await rejectsHead(s3.send(new HeadObjectCommand({ Bucket: WITHOUT_CORS, Key: 'from-browser/put.bin' })), 404);
  });
});
