/**
 * SigV4 header and presigned-query verification against requests signed by
 * @smithy/signature-v4 (the AWS SDK v3 signer), configured as the S3 client
 * does it: no double path encoding, x-amz-content-sha256 applied.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { authenticate } from '../../src/faces/s3/auth/auth-gate.ts';
import type { AuthOptions } from '../../src/faces/s3/auth/auth-gate.ts';
import { verifySigV4Header, verifySigV4Query } from '../../src/faces/s3/auth/sigv4.ts';
import { AKID, PRINCIPAL, SECRET, lookup, rejectsWith, toAuthRequest, withHeaders } from './helpers.ts';

const NOW = new Date('2026-03-10T12:00:00Z');
const opts: AuthOptions = { lookup, now: NOW, services: ['s3'] };

function signer(secretAccessKey = SECRET, region = 'us-east-1', service = 's3'): SignatureV4 {
  return new SignatureV4({
    credentials: { accessKeyId: AKID, secretAccessKey },
    region,
    service,
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: true,
  });
}

interface Spec {
  method?: string;
  path?: string;
  query?: Record<string, string | string[] | null>;
  headers?: Record<string, string>;
  body?: string;
}

function httpRequest(s: Spec) {
  return {
    method: s.method ?? 'GET',
    protocol: 'http:',
    hostname: 'localhost',
    port: 9000,
    path: s.path ?? '/bucket/some%20key/x%2By.txt',
    query: s.query ?? { 'list-type': '2', prefix: 'a b/ü' },
    headers: { host: 'localhost:9000', ...(s.headers ?? {}) },
    body: s.body,
  };
}

async function signed(s: Spec = {}, at = NOW, sig = signer()) {
  const r = await sig.sign(httpRequest(s), { signingDate: at });
  return toAuthRequest(r);
}

/**
 * Presigned as S3 presigners do: the payload is UNSIGNED-PAYLOAD. The hash
 * stays out of the URL (boto3, the CLI) unless the spec puts it in a header,
 * which the signer then hoists into the query (SDK v3's presigner).
 */
async function presigned(s: Spec = {}, expiresIn = 900, at = NOW, sig = signer()) {
  const hoist = s.headers?.['x-amz-content-sha256'] !== undefined;
  const req = httpRequest({ ...s, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...(s.headers ?? {}) } });
  const keep = hoist ? {} : { unsignableHeaders: new Set(['x-amz-content-sha256']), unhoistableHeaders: new Set(['x-amz-content-sha256']) };
  const r = await sig.presign(req, { signingDate: at, expiresIn, ...keep });
  return withHeaders(toAuthRequest(r), { 'x-amz-content-sha256': undefined });
}

describe('SigV4 header auth', () => {
  it('accepts a signed GET and reports principal, region and payload', async () => {
    const req = await signed();
    const res = await authenticate(req, opts);
    assert.deepEqual(res.principal, PRINCIPAL);
    assert.equal(res.method, 'sigv4-header');
    assert.equal(res.region, 'us-east-1');
    assert.equal(res.service, 's3');
    assert.deepEqual(res.payload, { kind: 'sha256', hex: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });
  });

  it('accepts any region and reports it', async () => {
    const res = await authenticate(await signed({}, NOW, signer(SECRET, 'garage-1')), opts);
    assert.equal(res.region, 'garage-1');
  });

  it('gives the body digest as the sha256 payload mode', async () => {
    const req = await signed({ method: 'PUT', path: '/bucket/k', query: {}, body: 'hello' });
    const res = await authenticate(req, opts);
    assert.deepEqual(res.payload, { kind: 'sha256', hex: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824' });
  });

  it('maps UNSIGNED-PAYLOAD', async () => {
    const req = await signed({ method: 'PUT', query: {}, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    assert.deepEqual((await authenticate(req, opts)).payload, { kind: 'unsigned' });
  });

  it('normalises percent-encoding of path and query the way AWS does', async () => {
    const req = await signed({ path: '/bucket/caf%C3%A9/~tilde', query: { 'a~b': 'x y', empty: '' } });
    // Same request, spelled with lower-case hex and over-encoding: still the same canonical request.
    const respelled = { ...req, rawPath: '/bucket/caf%c3%a9/%7Etilde', rawQuery: req.rawQuery.replace('a~b', 'a%7Eb').replace('%20', '+') };
    await verifySigV4Header(respelled, opts);
  });

  it('refuses a tampered path, query, signed header or method', async () => {
    const req = await signed({ headers: { 'x-amz-meta-color': 'blue' } });
    await rejectsWith(authenticate({ ...req, rawPath: '/bucket/other' }, opts), 'SignatureDoesNotMatch');
    await rejectsWith(authenticate({ ...req, rawQuery: `${req.rawQuery}&max-keys=1` }, opts), 'SignatureDoesNotMatch');
    await rejectsWith(authenticate(withHeaders(req, { 'x-amz-meta-color': 'red' }), opts), 'SignatureDoesNotMatch');
    await rejectsWith(authenticate({ ...req, method: 'DELETE' }, opts), 'SignatureDoesNotMatch');
  });

  it('refuses an x-amz-* header that was not signed, x-amz-content-sha256 included', async () => {
    const req = withHeaders(await signed(), { 'x-amz-copy-source': '/other/key' });
    await rejectsWith(authenticate(req, opts), 'AccessDenied', /not signed/);
    const plain = new SignatureV4({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false });
    const late = withHeaders(await signed({}, NOW, plain), { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
    await rejectsWith(authenticate(late, opts), 'AccessDenied', /not signed/);
  });

  it('refuses a wrong secret and an unknown key', async () => {
    await rejectsWith(authenticate(await signed({}, NOW, signer('wrong-secret')), opts), 'SignatureDoesNotMatch');
    const unknown = await signed();
    const auth = String(unknown.headers.authorization).replace(AKID, 'AKIDUNKNOWN');
    await rejectsWith(authenticate(withHeaders(unknown, { authorization: auth }), opts), 'InvalidAccessKeyId');
  });

  it('allows 15 minutes of clock skew both ways, not more', async () => {
    await authenticate(await signed({}, new Date(NOW.getTime() - 14 * 60_000)), opts);
    await authenticate(await signed({}, new Date(NOW.getTime() + 14 * 60_000)), opts);
    await rejectsWith(authenticate(await signed({}, new Date(NOW.getTime() - 16 * 60_000)), opts), 'RequestTimeTooSkewed');
    await rejectsWith(authenticate(await signed({}, new Date(NOW.getTime() + 16 * 60_000)), opts), 'RequestTimeTooSkewed');
  });

  it('requires x-amz-content-sha256 for s3 and refuses unknown values', async () => {
    const plain = new SignatureV4({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: false });
    await rejectsWith(authenticate(await signed({}, NOW, plain), opts), 'InvalidRequest', /x-amz-content-sha256/);
    const odd = await signed({ headers: { 'x-amz-content-sha256': 'STREAMING-BOGUS' } });
    await rejectsWith(authenticate(odd, opts), 'InvalidArgument');
  });

  it('lets other services go without x-amz-content-sha256, binding the body hash the caller gives', async () => {
    const sm = new SignatureV4({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET }, region: 'us-east-1', service: 'sagemaker', sha256: Sha256, uriEscapePath: true, applyChecksum: false });
    const r = toAuthRequest(await sm.sign(httpRequest({ method: 'POST', path: '/endpoints/m/invocations', query: {}, body: '{"a":1}' }), { signingDate: NOW }));
    const smOpts = { ...opts, services: ['sagemaker'] };
    assert.equal(r.headers['x-amz-content-sha256'], undefined);
    const digest = createHash('sha256').update('{"a":1}').digest('hex');
    const res = await authenticate(r, { ...smOpts, bodySha256: digest });
    assert.equal(res.service, 'sagemaker');
    await rejectsWith(authenticate(r, smOpts), 'SignatureDoesNotMatch');
    await rejectsWith(authenticate(r, opts), 'AuthorizationHeaderMalformed', /incorrect service "sagemaker"/);
  });

  it('requires host among the signed headers', async () => {
    const req = await signed();
    const auth = String(req.headers.authorization).replace('SignedHeaders=host;', 'SignedHeaders=');
    await rejectsWith(authenticate(withHeaders(req, { authorization: auth }), opts), 'AccessDenied', /not signed/);
  });

  it('refuses malformed Authorization headers', async () => {
    const req = await signed();
    const bad = (authorization: string) => authenticate(withHeaders(req, { authorization }), opts);
    await rejectsWith(bad('AWS4-HMAC-SHA256 Credential=x'), 'AuthorizationHeaderMalformed');
    await rejectsWith(bad(`AWS4-HMAC-SHA256 Credential=${AKID}/20260310/us-east-1/s3, SignedHeaders=host, Signature=00`), 'AuthorizationHeaderMalformed', /mal-formed/);
    await rejectsWith(bad(`AWS4-HMAC-SHA256 Credential=${AKID}/20260310/us-east-1/s3/aws4_reque, SignedHeaders=host, Signature=00`), 'AuthorizationHeaderMalformed', /terminal/);
    await rejectsWith(bad(`AWS4-HMAC-SHA256 Credential=${AKID}/20260309/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=00`), 'AuthorizationHeaderMalformed', /credential date/);
  });

  it('needs a valid request date', async () => {
    const req = await signed();
    await rejectsWith(authenticate(withHeaders(req, { 'x-amz-date': 'yesterday' }), opts), 'AccessDenied', /Date/);
  });

  it('refuses session tokens (no temporary credentials here)', async () => {
    const sig = new SignatureV4({ credentials: { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: 'tok' }, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false, applyChecksum: true });
    await rejectsWith(authenticate(await signed({}, NOW, sig), opts), 'AccessDenied', /x-amz-security-token/);
  });
});

describe('SigV4 presigned URLs', () => {
  it('accepts a presigned GET with response overrides', async () => {
    const req = await presigned({ query: { 'response-content-disposition': 'attachment; filename="a b.txt"' } });
    const res = await authenticate(req, opts);
    assert.equal(res.method, 'sigv4-query');
    assert.deepEqual(res.principal, PRINCIPAL);
  });

  it('binds X-Amz-Content-Sha256 when the signer put it in the query', async () => {
    const req = await presigned({ method: 'PUT', query: {}, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    assert.match(req.rawQuery, /X-Amz-Content-Sha256=UNSIGNED-PAYLOAD/i);
    assert.deepEqual((await authenticate(req, opts)).payload, { kind: 'unsigned' });
  });

  it('refuses a tampered query or path', async () => {
    const req = await presigned();
    await rejectsWith(authenticate({ ...req, rawQuery: req.rawQuery.replace('list-type=2', 'list-type=1') }, opts), 'SignatureDoesNotMatch');
    await rejectsWith(authenticate({ ...req, rawPath: '/bucket/another' }, opts), 'SignatureDoesNotMatch');
    await rejectsWith(authenticate({ ...req, rawQuery: req.rawQuery.replace('X-Amz-Expires=900', 'X-Amz-Expires=901') }, opts), 'SignatureDoesNotMatch');
  });

  it('expires after X-Amz-Expires, not before', async () => {
    const req = await presigned({}, 60);
    await verifySigV4Query(req, { ...opts, now: new Date(NOW.getTime() + 60_000) });
    await rejectsWith(verifySigV4Query(req, { ...opts, now: new Date(NOW.getTime() + 61_000) }), 'AccessDenied', /Request has expired/);
  });

  it('keeps X-Amz-Expires within 1..604800', async () => {
    const week = await presigned({}, 604800);
    const tooLong = { ...week, rawQuery: week.rawQuery.replace('X-Amz-Expires=604800', 'X-Amz-Expires=604801') };
    await rejectsWith(authenticate(tooLong, opts), 'AuthorizationQueryParametersError', /604800/);
    await authenticate(week, { ...opts, now: new Date(NOW.getTime() + 604800_000) });
    const zero = await presigned({}, 1);
    await rejectsWith(authenticate({ ...zero, rawQuery: zero.rawQuery.replace('X-Amz-Expires=1', 'X-Amz-Expires=0') }, opts), 'AuthorizationQueryParametersError');
  });

  it('refuses a URL dated more than 15 minutes ahead (it could outlive 7 days)', async () => {
    await authenticate(await presigned({}, 900, new Date(NOW.getTime() + 10 * 60_000)), opts);
    await rejectsWith(authenticate(await presigned({}, 604800, new Date(NOW.getTime() + 20 * 60_000)), opts), 'RequestTimeTooSkewed');
  });

  it('refuses a wrong secret, an unknown key and missing parameters', async () => {
    await rejectsWith(authenticate(await presigned({}, 900, NOW, signer('nope')), opts), 'SignatureDoesNotMatch');
    const req = await presigned();
    await rejectsWith(authenticate({ ...req, rawQuery: req.rawQuery.replace(AKID, 'AKIDNOPE') }, opts), 'InvalidAccessKeyId');
    await rejectsWith(authenticate({ ...req, rawQuery: req.rawQuery.replace(/&?X-Amz-Date=[^&]*/, '') }, opts), 'AuthorizationQueryParametersError');
    await rejectsWith(authenticate({ ...req, rawQuery: req.rawQuery.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512') }, opts), 'AuthorizationQueryParametersError');
  });

  it('refuses unsigned x-amz-* headers on a presigned request', async () => {
    const req = await presigned({ method: 'PUT', query: {} });
    await rejectsWith(authenticate(withHeaders(req, { 'x-amz-acl': 'public-read' }), opts), 'AccessDenied', /not signed/);
  });
});
