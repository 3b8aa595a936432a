/**
 * Acceptance: URLs and forms presigned by minio-js 8 (default client
 * settings) used with plain `fetch` against a real Signet, on each metadata
 * engine: presignedGetObject (default expiry, response-* overrides),
 * presignedPutObject, presignedUrl for several methods, and browser POST
 * uploads with presignedPostPolicy.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import type * as Minio from 'minio';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { errorCode, readAll } from '../support/minio-helpers.ts';

/** The <Code> of an S3 XML error body. */
function xmlCode(body: string): string | undefined {
  return /<Code>([^<]*)<\/Code>/.exec(body)?.[1];
}

/** A multipart/form-data body from minio-js's formData plus the file (last, as S3 wants). */
function form(fields: Record<string, string>, file: Buffer | string, type = 'application/octet-stream'): FormData {
  const fd = new FormData();
  for (const [name, value] of Object.entries(fields)) fd.append(name, value);
  fd.append('file', new Blob([file], { type }), 'upload.bin');
  return fd;
}

describeEachMeta('minio-js: presigned URLs and POST policies', (kind) => {
  let t: TestSignet;
  let mc: Minio.Client;
  before(async () => {
    t = await startTestSignet(kind);
    mc = t.minio();
    await mc.makeBucket('presign');
  });
  after(async () => {
    await t?.close();
  });

  it('presignedGetObject with the default expiry (7 days) is fetched with plain fetch', async () => {
    const data = randomBytes(70 * 1024);
    await mc.putObject('presign', 'dir/get me.bin', data, data.length, { 'Content-Type': 'application/x-thing', 'X-Amz-Meta-Owner': 'ml' });
    const url = await mc.presignedGetObject('presign', 'dir/get me.bin');
    const u = new URL(url);
    assert.equal(u.searchParams.get('X-Amz-Expires'), String(7 * 24 * 3600));
    assert.equal(u.searchParams.get('X-Amz-Algorithm'), 'AWS4-HMAC-SHA256');
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/x-thing');
    assert.equal(res.headers.get('x-amz-meta-owner'), 'ml');
    assert.equal(res.headers.get('content-length'), String(data.length));
    assert.deepEqual(Buffer.from(await res.arrayBuffer()), data);

    // A range header is not signed in a presigned URL and still applies.
    const part = await fetch(url, { headers: { range: 'bytes=5-9' } });
    assert.equal(part.status, 206);
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), data.subarray(5, 10));
  });

  it('presignedGetObject with response-* overrides changes the answer headers', async () => {
    await mc.putObject('presign', 'report.csv', 'a,b\n1,2\n', undefined, { 'Content-Type': 'application/octet-stream' });
    const url = await mc.presignedGetObject('presign', 'report.csv', 600, {
      'response-content-type': 'text/csv; charset=utf-8',
      'response-content-disposition': 'attachment; filename="report 2024.csv"',
      'response-cache-control': 'no-store',
      'response-content-language': 'en-GB',
      'response-expires': 'Thu, 01 Dec 2044 16:00:00 GMT',
    });
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/csv; charset=utf-8');
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="report 2024.csv"');
    assert.equal(res.headers.get('cache-control'), 'no-store');
    assert.equal(res.headers.get('content-language'), 'en-GB');
    assert.equal(res.headers.get('expires'), 'Thu, 01 Dec 2044 16:00:00 GMT');
    assert.equal(await res.text(), 'a,b\n1,2\n');
    // The stored object is unchanged.
    assert.equal((await mc.statObject('presign', 'report.csv')).metaData['content-type'], 'application/octet-stream');
  });

  it('a presigned URL refuses a changed query, a changed method and a missing key', async () => {
    await mc.putObject('presign', 'guarded', 'secret');
    const url = await mc.presignedGetObject('presign', 'guarded', 600, { 'response-content-type': 'text/plain' });
    const tampered = new URL(url);
    tampered.searchParams.set('response-content-type', 'text/html');
    const r1 = await fetch(tampered);
    assert.equal(r1.status, 403);
    assert.equal(xmlCode(await r1.text()), 'SignatureDoesNotMatch');

    const r2 = await fetch(url, { method: 'PUT', body: 'overwrite' });
    assert.equal(r2.status, 403);
    assert.equal(xmlCode(await r2.text()), 'SignatureDoesNotMatch');
    assert.equal((await readAll(await mc.getObject('presign', 'guarded'))).toString(), 'secret');

    const missing = await fetch(await mc.presignedGetObject('presign', 'not-there'));
    assert.equal(missing.status, 404);
    assert.equal(xmlCode(await missing.text()), 'NoSuchKey');
  });

  it('a presigned URL signed in the past has expired', async () => {
    await mc.putObject('presign', 'old', 'old');
    const signedAt = new Date(Date.now() - 2 * 3600 * 1000);
    const url = await mc.presignedGetObject('presign', 'old', 60, {}, signedAt);
    const res = await fetch(url);
    assert.equal(res.status, 403);
    const body = await res.text();
    assert.equal(xmlCode(body), 'AccessDenied');
    assert.match(body, /expired/i);
  });

  it('presignedPutObject is used with fetch PUT; the object keeps the sent content-type', async () => {
    const url = await mc.presignedPutObject('presign', 'uploads/put.json', 3600);
    const body = JSON.stringify({ via: 'presigned put' });
    const res = await fetch(url, { method: 'PUT', body, headers: { 'content-type': 'application/json' } });
    assert.equal(res.status, 200);
    const etag = res.headers.get('etag');
    assert.match(etag ?? '', /^"[0-9a-f]{32}"$/);
    const stat = await mc.statObject('presign', 'uploads/put.json');
    assert.equal(stat.size, Buffer.byteLength(body));
    assert.equal(`"${stat.etag}"`, etag);
    assert.equal(stat.metaData['content-type'], 'application/json');
    assert.equal((await readAll(await mc.getObject('presign', 'uploads/put.json'))).toString(), body);

    // The same URL overwrites; a binary body round-trips.
    const bin = randomBytes(200 * 1024);
    const res2 = await fetch(url, { method: 'PUT', body: bin });
    assert.equal(res2.status, 200);
    assert.deepEqual(await readAll(await mc.getObject('presign', 'uploads/put.json')), bin);
  });

  it('presignedUrl for GET, PUT, HEAD, DELETE and a bucket listing', async () => {
    const put = await mc.presignedUrl('PUT', 'presign', 'generic/obj.txt', 900);
    assert.equal((await fetch(put, { method: 'PUT', body: 'generic body', headers: { 'content-type': 'text/plain' } })).status, 200);

    const get = await mc.presignedUrl('GET', 'presign', 'generic/obj.txt', 900, { 'response-content-disposition': 'inline' });
    const got = await fetch(get);
    assert.equal(got.status, 200);
    assert.equal(got.headers.get('content-disposition'), 'inline');
    assert.equal(await got.text(), 'generic body');

    const head = await mc.presignedUrl('HEAD', 'presign', 'generic/obj.txt', 900);
    const headed = await fetch(head, { method: 'HEAD' });
    assert.equal(headed.status, 200);
    assert.equal(headed.headers.get('content-length'), String('generic body'.length));
    assert.equal(headed.headers.get('content-type'), 'text/plain');

    const list = await mc.presignedUrl('GET', 'presign', '', 900, { 'list-type': '2', prefix: 'generic/' });
    const listed = await fetch(list);
    assert.equal(listed.status, 200);
    const xml = await listed.text();
    assert.match(xml, /<Key>generic\/obj\.txt<\/Key>/);
    assert.match(xml, /<KeyCount>1<\/KeyCount>/);

    const del = await mc.presignedUrl('DELETE', 'presign', 'generic/obj.txt', 900);
    assert.equal((await fetch(del, { method: 'DELETE' })).status, 204);
    assert.equal(await errorCode(mc.statObject('presign', 'generic/obj.txt')), 'NotFound');
  });

  it('presignedPostPolicy: a form within the policy is stored with its content type and metadata', async () => {
    const policy = mc.newPostPolicy();
    policy.setBucket('presign');
    policy.setKey('posted/ok.txt');
    policy.setContentLengthRange(1, 1024);
    policy.setContentType('text/plain');
    policy.setUserMetaData({ source: 'browser' });
    const expires = new Date();
    expires.setUTCDate(expires.getUTCDate() + 1);
    policy.setExpires(expires);
    const { postURL, formData } = await mc.presignedPostPolicy(policy);
    assert.equal(new URL(postURL).pathname, '/presign');

    const res = await fetch(postURL, { method: 'POST', body: form(formData, 'posted through a form', 'text/plain') });
    assert.equal(res.status, 204, await res.clone().text());
    assert.match(res.headers.get('etag') ?? '', /^"[0-9a-f]{32}"$/);
    const stat = await mc.statObject('presign', 'posted/ok.txt');
    assert.equal(stat.size, 'posted through a form'.length);
    assert.equal(stat.metaData['content-type'], 'text/plain');
    assert.equal(stat.metaData.source, 'browser');
    assert.equal((await readAll(await mc.getObject('presign', 'posted/ok.txt'))).toString(), 'posted through a form');
  });

  it('presignedPostPolicy: a file over the content-length-range is refused and nothing is stored', async () => {
    const policy = mc.newPostPolicy();
    policy.setBucket('presign');
    policy.setKey('posted/too-big.bin');
    policy.setContentLengthRange(1, 1024);
    policy.setContentType('application/octet-stream');
    const { postURL, formData } = await mc.presignedPostPolicy(policy);

    const res = await fetch(postURL, { method: 'POST', body: form(formData, randomBytes(1025)) });
    assert.equal(res.status, 400);
    assert.equal(xmlCode(await res.text()), 'EntityTooLarge');
    assert.equal(await errorCode(mc.statObject('presign', 'posted/too-big.bin')), 'NotFound');

    // Under the minimum (empty file) is refused too.
    const empty = await fetch(postURL, { method: 'POST', body: form(formData, Buffer.alloc(0)) });
    assert.equal(empty.status, 400);
    assert.equal(xmlCode(await empty.text()), 'EntityTooSmall');
    assert.equal(await errorCode(mc.statObject('presign', 'posted/too-big.bin')), 'NotFound');

    // Exactly the maximum is accepted.
    const max = randomBytes(1024);
    const ok = await fetch(postURL, { method: 'POST', body: form(formData, max) });
    assert.equal(ok.status, 204);
    assert.deepEqual(await readAll(await mc.getObject('presign', 'posted/too-big.bin')), max);
  });

  it('presignedPostPolicy: fields that break the policy are refused with AccessDenied', async () => {
    const policy = mc.newPostPolicy();
    policy.setBucket('presign');
    policy.setKeyStartsWith('user-uploads/');
    policy.setContentTypeStartsWith('image/');
    policy.setContentLengthRange(0, 10_000);
    const { postURL, formData } = await mc.presignedPostPolicy(policy);

    const good = await fetch(postURL, { method: 'POST', body: form({ ...formData, key: 'user-uploads/cat.png', 'Content-Type': 'image/png' }, 'PNG…') });
    assert.equal(good.status, 204, await good.clone().text());
    assert.equal((await mc.statObject('presign', 'user-uploads/cat.png')).metaData['content-type'], 'image/png');

    const wrongKey = await fetch(postURL, { method: 'POST', body: form({ ...formData, key: 'elsewhere/cat.png', 'Content-Type': 'image/png' }, 'PNG') });
    assert.equal(wrongKey.status, 403);
    assert.equal(xmlCode(await wrongKey.text()), 'AccessDenied');
    const wrongType = await fetch(postURL, { method: 'POST', body: form({ ...formData, key: 'user-uploads/x.html', 'Content-Type': 'text/html' }, '<p>') });
    assert.equal(wrongType.status, 403);
    assert.equal(xmlCode(await wrongType.text()), 'AccessDenied');
    const badSig = await fetch(postURL, {
      method: 'POST',
      body: form({ ...formData, key: 'user-uploads/y.png', 'Content-Type': 'image/png', 'x-amz-signature': '0'.repeat(64) }, 'PNG'),
    });
    assert.equal(badSig.status, 403);
    assert.equal(xmlCode(await badSig.text()), 'SignatureDoesNotMatch');
    assert.equal(await errorCode(mc.statObject('presign', 'elsewhere/cat.png')), 'NotFound');
    assert.equal(await errorCode(mc.statObject('presign', 'user-uploads/x.html')), 'NotFound');
    assert.equal(await errorCode(mc.statObject('presign', 'user-uploads/y.png')), 'NotFound');
  });
});
