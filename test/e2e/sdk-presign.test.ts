/**
 * Presigned URLs (@aws-sdk/s3-request-presigner) and presigned POST forms
 * (@aws-sdk/s3-presigned-post), used with plain fetch as a browser or a
 * download tool would: round trips, tampering, expiry, policy conditions,
 * checksum-bound uploads and the success_action_* answers.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { it } from 'node:test';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost, type PresignedPostOptions } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { describeEachMeta, useTestSignet, type TestSignet } from '../support/test-signet.ts';
import { checksumB64, md5Hex, pattern, rejectsS3, xmlCode } from './sdk-helpers.ts';

const B = 'presign';

/** The XML error code and status of a failed fetch. */
async function errorOf(res: Response): Promise<{ status: number; code: string | undefined; body: string }> {
  const body = await res.text();
  return { status: res.status, code: xmlCode(body), body };
}

/** Replaces one query parameter of a URL, keeping the others as the SDK encoded them. */
function withParam(url: string, name: string, value: string): string {
  const u = new URL(url);
  const parts = u.search
    .slice(1)
    .split('&')
    .map((p) => (p.split('=')[0] === name ? `${name}=${encodeURIComponent(value)}` : p));
  return `${u.origin}${u.pathname}?${parts.join('&')}`;
}

function param(url: string, name: string): string {
  const v = new URL(url).searchParams.get(name);
  assert.ok(v !== null, `${name} in ${url}`);
  return v;
}

/** Flips one hex/decimal character, keeping the format valid. */
function flip(s: string, at = s.length - 1): string {
  const c = s[at]!;
  const next = c === '0' ? '1' : c === '9' ? '8' : /[a-f]/.test(c) ? (c === 'f' ? 'e' : 'f') : '0';
  return s.slice(0, at) + next + s.slice(at + 1);
}

describeEachMeta('SDK v3: presigned URLs and POST policies', (kind) => {
  let t: TestSignet;
  let s3: S3Client;
  useTestSignet(kind, { buckets: [B] }, (started) => ({ t, s3 } = started));

  /** Posts a presigned form with fetch: its fields first, then the file. */
  async function postForm(post: { url: string; fields: Record<string, string> }, file: Buffer, override: Record<string, string> = {}): Promise<Response> {
    const form = new FormData();
    for (const [k, v] of Object.entries({ ...post.fields, ...override })) form.append(k, v);
    form.append('file', new Blob([file]), 'upload.bin');
    return fetch(post.url, { method: 'POST', body: form, redirect: 'manual' });
  }

  async function presignPost(opts: Omit<PresignedPostOptions, 'Bucket'>): Promise<{ url: string; fields: Record<string, string> }> {
    return createPresignedPost(s3, { Bucket: B, Expires: 600, ...opts });
  }

  async function absent(key: string): Promise<void> {
    await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: B, Key: key })), 'NotFound', 404);
  }

  it('getSignedUrl PutObject then GetObject with plain fetch: bytes equal', async () => {
    for (const [key, data] of [
      ['plain/file.bin', pattern(100 * 1024, 1)],
      ['awkward/ü ñ+%&=?#.txt', Buffer.from('awkward key via presigned URLs')],
    ] as const) {
      const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: B, Key: key, Body: data, ContentType: 'application/x-presigned' }), { expiresIn: 300 });
      const put = await fetch(putUrl, { method: 'PUT', body: data, headers: { 'content-type': 'application/x-presigned' } });
      assert.equal(put.status, 200, await put.clone().text());
      assert.equal(put.headers.get('etag'), `"${md5Hex(data)}"`);
      const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket: B, Key: key }), { expiresIn: 300 });
      const got = await fetch(getUrl);
      assert.equal(got.status, 200);
      assert.ok(Buffer.from(await got.arrayBuffer()).equals(data));
      assert.equal(got.headers.get('content-type'), 'application/x-presigned');
      // The same URL works again until it expires; HEAD is another method, hence another signature.
      const again = await fetch(getUrl);
      assert.ok(Buffer.from(await again.arrayBuffer()).equals(data));
    }
  });

  it('a presigned PUT that binds a checksum refuses other bytes (BadDigest) and stores nothing', async () => {
    const data = Buffer.from('bytes the URL was made for');
    const url = await getSignedUrl(s3, new PutObjectCommand({ Bucket: B, Key: 'bound/put.txt', Body: data }), { expiresIn: 300 });
    // The default SDK binds a CRC32 of the body in the query.
    assert.equal(param(url, 'x-amz-checksum-crc32'), await checksumB64('CRC32', data));
    const other = Buffer.from(data.toString().toUpperCase());
    const bad = await fetch(url, { method: 'PUT', body: other });
    const e = await errorOf(bad);
    assert.equal(e.status, 400, e.body);
    assert.equal(e.code, 'BadDigest');
    await absent('bound/put.txt');
    const good = await fetch(url, { method: 'PUT', body: data });
    assert.equal(good.status, 200, await good.clone().text());
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'bound/put.txt', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumCRC32, await checksumB64('CRC32', data));
  });

  it('presigned GET honours response-* overrides signed into the URL', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'override.txt', Body: 'override me', ContentType: 'text/plain' }));
    const url = await getSignedUrl(
      s3,
      new GetObjectCommand({ Bucket: B, Key: 'override.txt', ResponseContentDisposition: 'attachment; filename="x.txt"', ResponseContentType: 'application/octet-stream' }),
      { expiresIn: 60 },
    );
    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="x.txt"');
    assert.equal(res.headers.get('content-type'), 'application/octet-stream');
    assert.equal(await res.text(), 'override me');
  });

  it('a tampered URL is refused with 403 SignatureDoesNotMatch: key, signature, date, expiry, method', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'tamper/abc.txt', Body: 'guarded' }));
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'tamper/abd.txt', Body: 'other object' }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: B, Key: 'tamper/abc.txt' }), { expiresIn: 300 });
    const ok = await fetch(url);
    assert.equal(await ok.text(), 'guarded');

    const tampered = [
      url.replace('/tamper/abc.txt', '/tamper/abd.txt'),
      withParam(url, 'X-Amz-Signature', flip(param(url, 'X-Amz-Signature'))),
      withParam(url, 'X-Amz-Signature', flip(param(url, 'X-Amz-Signature'), 0)),
      // One second earlier: still live, but not what was signed.
      withParam(url, 'X-Amz-Date', flip(param(url, 'X-Amz-Date'), param(url, 'X-Amz-Date').length - 2)),
      withParam(url, 'X-Amz-Expires', '301'),
      `${url}&response-content-type=text%2Fhtml`,
    ];
    for (const bad of tampered) {
      const e = await errorOf(await fetch(bad));
      assert.equal(e.status, 403, `${bad}: ${e.body}`);
      assert.equal(e.code, 'SignatureDoesNotMatch', bad);
    }
    // A GET URL used to PUT.
    const put = await errorOf(await fetch(url, { method: 'PUT', body: 'overwrite' }));
    assert.equal(put.status, 403);
    assert.equal(put.code, 'SignatureDoesNotMatch');
    const still = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'tamper/abc.txt' }));
    assert.equal(await still.Body?.transformToString(), 'guarded');
    // Without its signature the URL is malformed.
    const noSig = new URL(url);
    noSig.searchParams.delete('X-Amz-Signature');
    const missing = await errorOf(await fetch(noSig));
    assert.equal(missing.status, 400);
    assert.equal(missing.code, 'AuthorizationQueryParametersError');
  });

  it('an expired URL is 403 AccessDenied "Request has expired"', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'expired.txt', Body: 'old' }));
    const signingDate = new Date(Date.now() - 3600_000);
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: B, Key: 'expired.txt' }), { expiresIn: 60, signingDate });
    const e = await errorOf(await fetch(url));
    assert.equal(e.status, 403);
    assert.equal(e.code, 'AccessDenied');
    assert.match(e.body, /Request has expired/);
    // A put URL expired the same way stores nothing.
    const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket: B, Key: 'expired-put.txt', Body: 'x' }), { expiresIn: 60, signingDate });
    const p = await errorOf(await fetch(putUrl, { method: 'PUT', body: 'x' }));
    assert.equal(p.status, 403);
    assert.equal(p.code, 'AccessDenied');
    await absent('expired-put.txt');
    // Still within its week: fine.
    const week = await getSignedUrl(s3, new GetObjectCommand({ Bucket: B, Key: 'expired.txt' }), { expiresIn: 604800, signingDate });
    assert.equal(await (await fetch(week)).text(), 'old');
  });

  it('X-Amz-Expires above 604800 (7 days) is AuthorizationQueryParametersError', async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'week.txt', Body: 'w' }));
    const url = await getSignedUrl(s3, new GetObjectCommand({ Bucket: B, Key: 'week.txt' }), { expiresIn: 604800 });
    assert.equal(await (await fetch(url)).text(), 'w');
    for (const value of ['604801', '9999999', '-1', 'abc']) {
      const e = await errorOf(await fetch(withParam(url, 'X-Amz-Expires', value)));
      assert.equal(e.status, 400, `X-Amz-Expires=${value}: ${e.body}`);
      assert.equal(e.code, 'AuthorizationQueryParametersError', `X-Amz-Expires=${value}`);
    }
  });

  it("a URL signed by another user's key reaches only that user's buckets; an unknown key is InvalidAccessKeyId", async () => {
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'private.txt', Body: 'root only' }));
    await t.signet.identity.addUser('carol');
    const key = await t.signet.identity.addKey('carol');
    const carol = t.s3({ accessKeyId: key.accessKeyId, secretAccessKey: key.secretKey });
    const stranger = t.s3({ accessKeyId: 'NOSUCHKEY0000', secretAccessKey: 'no-such-secret' });
    try {
      const denied = await errorOf(await fetch(await getSignedUrl(carol, new GetObjectCommand({ Bucket: B, Key: 'private.txt' }), { expiresIn: 60 })));
      assert.equal(denied.status, 403);
      assert.equal(denied.code, 'AccessDenied');
      const unknown = await errorOf(await fetch(await getSignedUrl(stranger, new GetObjectCommand({ Bucket: B, Key: 'private.txt' }), { expiresIn: 60 })));
      assert.equal(unknown.status, 403);
      assert.equal(unknown.code, 'InvalidAccessKeyId');
    } finally {
      carol.destroy();
      stranger.destroy();
    }
  });

  it('createPresignedPost with content-length-range, starts-with $key and eq: 204 and the object exists', async () => {
    const post = await presignPost({
      Key: 'uploads/form.txt',
      Conditions: [
        ['content-length-range', 10, 100],
        ['starts-with', '$key', 'uploads/'],
        ['eq', '$Content-Type', 'text/plain'],
      ],
      Fields: { 'Content-Type': 'text/plain', 'x-amz-meta-origin': 'form' },
    });
    const data = Buffer.from('posted through a form');
    const res = await postForm(post, data);
    assert.equal(res.status, 204, await res.clone().text());
    assert.equal(res.headers.get('etag'), `"${md5Hex(data)}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'uploads/form.txt' }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(data));
    assert.equal(got.ContentType, 'text/plain');
    assert.deepEqual(got.Metadata, { origin: 'form' });

    // ${filename} in the key is the file's name; starts-with lets the form pick the rest.
    const byName = await presignPost({ Key: 'uploads/${filename}', Conditions: [['starts-with', '$key', 'uploads/']] });
    const named = await postForm(byName, Buffer.from('by name'));
    assert.equal(named.status, 204, await named.clone().text());
    const h = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'uploads/upload.bin' }));
    assert.equal(h.ContentLength, 7);
  });

  it('a POST outside the policy is rejected and stores nothing: too big, too small, wrong key, wrong eq field, expired', async () => {
    const conditions: PresignedPostOptions['Conditions'] = [
      ['content-length-range', 10, 100],
      ['starts-with', '$key', 'uploads/'],
      ['eq', '$Content-Type', 'text/plain'],
    ];
    const post = await presignPost({ Key: 'uploads/limited.txt', Conditions: conditions, Fields: { 'Content-Type': 'text/plain' } });

    const big = await errorOf(await postForm(post, pattern(101, 1)));
    assert.equal(big.status, 400, big.body);
    assert.equal(big.code, 'EntityTooLarge');
    const huge = await errorOf(await postForm(post, pattern(3 * 1024 * 1024, 2)));
    assert.equal(huge.status, 400);
    assert.equal(huge.code, 'EntityTooLarge');
    const small = await errorOf(await postForm(post, Buffer.from('tiny')));
    assert.equal(small.status, 400);
    assert.equal(small.code, 'EntityTooSmall');
    await absent('uploads/limited.txt');

    const wrongKey = await errorOf(await postForm(post, Buffer.from('valid size body'), { key: 'elsewhere/limited.txt' }));
    assert.equal(wrongKey.status, 403);
    assert.equal(wrongKey.code, 'AccessDenied');
    await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: B, Key: 'elsewhere/limited.txt' })), 'NotFound', 404);

    const wrongType = await errorOf(await postForm(post, Buffer.from('valid size body'), { 'Content-Type': 'text/html' }));
    assert.equal(wrongType.status, 403);
    assert.equal(wrongType.code, 'AccessDenied');
    // A field the policy does not mention.
    const extra = await errorOf(await postForm(post, Buffer.from('valid size body'), { 'x-amz-meta-sneaky': 'yes' }));
    assert.equal(extra.status, 403);
    assert.equal(extra.code, 'AccessDenied');
    // A tampered policy no longer matches its signature.
    const forged = JSON.parse(Buffer.from(post.fields.Policy!, 'base64').toString()) as { conditions: unknown[] };
    forged.conditions[0] = ['content-length-range', 0, 10_000_000];
    const tampered = await errorOf(await postForm(post, pattern(200, 3), { Policy: Buffer.from(JSON.stringify(forged)).toString('base64') }));
    assert.equal(tampered.status, 403);
    assert.equal(tampered.code, 'SignatureDoesNotMatch');
    await absent('uploads/limited.txt');

    const expired = await presignPost({ Key: 'uploads/expired.txt', Expires: -60 });
    const exp = await errorOf(await postForm(expired, Buffer.from('too late')));
    assert.equal(exp.status, 403);
    assert.equal(exp.code, 'AccessDenied');
    await absent('uploads/expired.txt');
  });

  it('a policy binding x-amz-checksum-sha256 accepts the right bytes and refuses others, storing nothing', async () => {
    const data = pattern(5000, 9);
    const b64 = createHash('sha256').update(data).digest('base64');
    const post = await presignPost({
      Key: 'bound/model.bin',
      Fields: { 'x-amz-checksum-sha256': b64 },
      Conditions: [
        ['eq', '$x-amz-checksum-sha256', b64],
        ['content-length-range', 1, 10_000],
      ],
    });
    const wrong = Buffer.from(data);
    wrong[100] = wrong[100]! ^ 0xff;
    const bad = await errorOf(await postForm(post, wrong));
    assert.equal(bad.status, 400, bad.body);
    assert.equal(bad.code, 'BadDigest');
    await absent('bound/model.bin');
    // Another checksum value in the form breaks the policy.
    const otherValue = await errorOf(await postForm(post, wrong, { 'x-amz-checksum-sha256': createHash('sha256').update(wrong).digest('base64') }));
    assert.equal(otherValue.status, 403);
    assert.equal(otherValue.code, 'AccessDenied');
    await absent('bound/model.bin');

    const good = await postForm(post, data);
    assert.equal(good.status, 204, await good.clone().text());
    const head = await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'bound/model.bin', ChecksumMode: 'ENABLED' }));
    assert.equal(head.ChecksumSHA256, b64);
    assert.equal(head.ContentLength, data.length);
    const got = await s3.send(new GetObjectCommand({ Bucket: B, Key: 'bound/model.bin' }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(data));
  });

  it('success_action_status 201 answers an XML PostResponse; 200 an empty body', async () => {
    const post = await presignPost({ Key: 'status/201.txt', Fields: { success_action_status: '201' } });
    const data = Buffer.from('created');
    const res = await postForm(post, data);
    assert.equal(res.status, 201);
    const xml = await res.text();
    assert.match(xml, /<PostResponse[\s>]/);
    assert.match(xml, new RegExp(`<Bucket>${B}</Bucket>`));
    assert.match(xml, /<Key>status\/201\.txt<\/Key>/);
    assert.ok(xml.includes(`<ETag>"${md5Hex(data)}"</ETag>`) || xml.includes(`<ETag>&quot;${md5Hex(data)}&quot;</ETag>`), xml);
    assert.match(xml, /<Location>[^<]*status\/201\.txt<\/Location>/);

    const ok = await postForm(await presignPost({ Key: 'status/200.txt', Fields: { success_action_status: '200' } }), data);
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), '');
    await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'status/200.txt' }));
  });

  it('success_action_redirect answers 303 with a Location carrying bucket, key and etag', async () => {
    const post = await presignPost({ Key: 'redirect/file.txt', Fields: { success_action_redirect: 'https://app.example.com/done?x=1' } });
    const data = Buffer.from('redirected');
    const res = await postForm(post, data);
    assert.equal(res.status, 303);
    const location = new URL(res.headers.get('location')!);
    assert.equal(location.origin + location.pathname, 'https://app.example.com/done');
    assert.equal(location.searchParams.get('x'), '1');
    assert.equal(location.searchParams.get('bucket'), B);
    assert.equal(location.searchParams.get('key'), 'redirect/file.txt');
    assert.equal(location.searchParams.get('etag'), `"${md5Hex(data)}"`);
    await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'redirect/file.txt' }));
  });
});
