/**
 * Browser POST uploads: forms signed by @aws-sdk/s3-presigned-post (SigV4)
 * or by hand (SigV2), parsed as a stream and checked against their policy.
 */
import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { isSignetError } from '../../src/core/errors.ts';
import type { ErrorCode } from '../../src/core/errors.ts';
import { parsePostUpload } from '../../src/faces/s3/auth/post-policy.ts';
import { AKID, PRINCIPAL, SECRET, collect, lookup, rejectsWith } from './helpers.ts';

const client = new S3Client({ region: 'us-east-1', endpoint: 'http://localhost:9000', forcePathStyle: true, credentials: { accessKeyId: AKID, secretAccessKey: SECRET } });

type Part = readonly [string, string] | { readonly file: Buffer; readonly filename: string; readonly type?: string; readonly name?: string };

const BOUNDARY = '----signet-test-boundary';
const CONTENT_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

function multipart(parts: readonly Part[]): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    if (Array.isArray(p)) {
      const [name, value] = p as readonly [string, string];
      out.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`));
    } else {
      const f = p as Exclude<Part, readonly [string, string]>;
      out.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${f.name ?? 'file'}"; filename="${f.filename}"\r\nContent-Type: ${f.type ?? 'application/octet-stream'}\r\n\r\n`), f.file, Buffer.from('\r\n'));
    }
  }
  out.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(out);
}

async function presignedFields(opts: { key?: string; conditions?: unknown[]; fields?: Record<string, string>; expires?: number } = {}) {
  const post = await createPresignedPost(client, {
    Bucket: 'photos',
    Key: opts.key ?? 'uploads/${filename}',
    Conditions: (opts.conditions ?? [['content-length-range', 1, 1000]]) as never,
    Fields: opts.fields ?? {},
    Expires: opts.expires ?? 600,
  });
  return Object.entries(post.fields) as Array<[string, string]>;
}

const upload = (parts: readonly Part[], now = new Date(), bucket = 'photos') => parsePostUpload(Readable.from([multipart(parts)]), CONTENT_TYPE, lookup, now, bucket);

async function streamFails(stream: Readable, code: ErrorCode): Promise<void> {
  await assert.rejects(collect(stream), (e: unknown) => isSignetError(e) && e.code === code);
}

const FILE = { file: Buffer.from('hello, post'), filename: 'hello.txt', type: 'text/plain' };

describe('POST policy uploads (SigV4, @aws-sdk/s3-presigned-post)', () => {
  it('accepts a signed form and streams the file', async () => {
    const fields = await presignedFields({ fields: { 'Content-Type': 'text/plain', 'x-amz-meta-owner': 'me' }, conditions: [['content-length-range', 1, 1000], ['starts-with', '$success_action_status', '']] });
    const u = await upload([...fields, ['success_action_status', '201'], FILE]);
    assert.deepEqual(u.principal, PRINCIPAL);
    assert.equal(u.key, 'uploads/hello.txt');
    assert.equal(u.filename, 'hello.txt');
    assert.equal(u.fileContentType, 'text/plain');
    assert.equal(u.fields['content-type'], 'text/plain');
    assert.equal(u.fields['x-amz-meta-owner'], 'me');
    assert.equal(u.successActionStatus, 201);
    assert.equal(u.successActionRedirect, null);
    assert.deepEqual(u.contentLengthRange, { min: 1, max: 1000 });
    assert.equal((await collect(u.body.stream)).toString(), 'hello, post');
  });

  it('enforces content-length-range while streaming', async () => {
    const fields = await presignedFields({ conditions: [['content-length-range', 5, 10]] });
    const big = await upload([...fields, { ...FILE, file: Buffer.alloc(11) }]);
    await streamFails(big.body.stream, 'EntityTooLarge');
    const small = await upload([...fields, { ...FILE, file: Buffer.alloc(4) }]);
    await streamFails(small.body.stream, 'EntityTooSmall');
    const fine = await upload([...fields, { ...FILE, file: Buffer.alloc(10) }]);
    assert.equal((await collect(fine.body.stream)).length, 10);
  });

  it('binds x-amz-checksum-sha256 with eq and hands it to ingest', async () => {
    const sha = createHash('sha256').update(FILE.file).digest('base64');
    const fields = await presignedFields({ fields: { 'x-amz-checksum-sha256': sha } });
    const u = await upload([...fields, FILE]);
    assert.deepEqual(u.body.expect.checksum, { algorithm: 'SHA256', value: sha });
    assert.equal(u.body.expect.algorithm, 'SHA256');
    const other = createHash('sha256').update('other').digest('base64');
    const swapped = fields.map(([k, v]): [string, string] => [k, k === 'x-amz-checksum-sha256' ? other : v]);
    await rejectsWith(upload([...swapped, FILE]), 'AccessDenied', /Policy Condition failed/);
  });

  it('refuses a field the policy does not cover, except x-ignore-* ones', async () => {
    const fields = await presignedFields();
    await rejectsWith(upload([...fields, ['x-amz-meta-sneaky', '1'], FILE]), 'AccessDenied', /Extra input fields: x-amz-meta-sneaky/);
    const u = await upload([...fields, ['x-ignore-note', 'whatever'], FILE]);
    await collect(u.body.stream);
  });

  it('ignores fields after the file, as S3 does', async () => {
    const fields = await presignedFields();
    const u = await upload([...fields, FILE, ['x-amz-meta-late', 'x'], ['key', 'elsewhere']]);
    assert.equal(u.key, 'uploads/hello.txt');
    assert.equal((await collect(u.body.stream)).toString(), 'hello, post');
  });

  it('refuses a key outside the starts-with prefix, a tampered policy and a wrong secret', async () => {
    const fields = await presignedFields({ key: 'uploads/fixed.txt' });
    const withKey = (k: string) => fields.map(([n, v]): [string, string] => [n, n === 'key' ? k : v]);
    await rejectsWith(upload([...withKey('elsewhere/x'), FILE]), 'AccessDenied', /Policy Condition failed/);
    const policy = fields.find(([n]) => n === 'Policy')?.[1] ?? '';
    const doc = JSON.parse(Buffer.from(policy, 'base64').toString()) as { conditions: unknown[] };
    doc.conditions.push(['content-length-range', 0, 10 ** 12]);
    const forged = fields.map(([n, v]): [string, string] => [n, n === 'Policy' ? Buffer.from(JSON.stringify(doc)).toString('base64') : v]);
    await rejectsWith(upload([...forged, FILE]), 'SignatureDoesNotMatch');
    const badSig = fields.map(([n, v]): [string, string] => [n, n === 'X-Amz-Signature' ? '0'.repeat(64) : v]);
    await rejectsWith(upload([...badSig, FILE]), 'SignatureDoesNotMatch');
  });

  it('refuses an expired policy, another bucket and an unknown key id', async () => {
    const fields = await presignedFields({ expires: 60 });
    await rejectsWith(upload([...fields, FILE], new Date(Date.now() + 120_000)), 'AccessDenied', /Policy expired/);
    await rejectsWith(upload([...fields, FILE], new Date(), 'other-bucket'), 'AccessDenied', /Policy Condition failed/);
    const unknown = fields.map(([n, v]): [string, string] => [n, n === 'X-Amz-Credential' ? v.replace(AKID, 'AKIDNOPE') : v]);
    await rejectsWith(upload([...unknown, FILE]), 'InvalidAccessKeyId');
  });

  it('refuses forms without key, file, or signature, and bodies that are not forms', async () => {
    const fields = await presignedFields();
    await rejectsWith(upload([...fields.filter(([n]) => n !== 'key'), FILE]), 'InvalidArgument', /key/);
    await rejectsWith(upload(fields), 'InvalidArgument', /exactly one file/);
    await rejectsWith(upload([['key', 'k'], FILE]), 'AccessDenied', /Anonymous/);
    await rejectsWith(parsePostUpload(Readable.from([Buffer.from('x')]), 'application/json', lookup, new Date(), 'photos'), 'MalformedPOSTRequest');
    await rejectsWith(parsePostUpload(Readable.from([Buffer.from('--nope')]), CONTENT_TYPE, lookup, new Date(), 'photos'), 'MalformedPOSTRequest');
  });

  it('bounds the fields before the file', async () => {
    const fields = await presignedFields();
    await rejectsWith(upload([...fields, ['x-ignore-pad', 'p'.repeat(21 * 1024)], FILE]), 'MaxPostPreDataLengthExceeded');
  });

  it('hands over the file before the body has arrived (no buffering)', async () => {
    const fields = await presignedFields({ conditions: [['content-length-range', 1, 10_000_000]] });
    const whole = multipart([...fields, { ...FILE, file: Buffer.alloc(5_000_000, 'z') }]);
    const source = new PassThrough();
    const pending = parsePostUpload(source, CONTENT_TYPE, lookup, new Date(), 'photos');
    source.write(whole.subarray(0, 100_000));
    const u = await pending;
    source.end(whole.subarray(100_000));
    assert.equal((await collect(u.body.stream)).length, 5_000_000);
  });

  it('returns a valid success_action_redirect, and ignores an invalid one', async () => {
    const fields = await presignedFields({ conditions: [['starts-with', '$success_action_redirect', '']] });
    const ok = await upload([...fields, ['success_action_redirect', 'https://app.example/done?x=1'], FILE]);
    assert.equal(ok.successActionRedirect, 'https://app.example/done?x=1');
    assert.equal(ok.successActionStatus, 204);
    const bad = await upload([...fields, ['success_action_redirect', 'not a url'], FILE]);
    assert.equal(bad.successActionRedirect, null);
  });
});

describe('POST policy uploads (SigV2)', () => {
  const policyDoc = (expiration: string) =>
    Buffer.from(JSON.stringify({ expiration, conditions: [{ bucket: 'photos' }, ['starts-with', '$key', 'v2/'], { acl: 'private' }, ['content-length-range', 0, 100]] })).toString('base64');

  it('accepts a form signed with HMAC-SHA1', async () => {
    const policy = policyDoc(new Date(Date.now() + 60_000).toISOString());
    const signature = createHmac('sha1', SECRET).update(policy).digest('base64');
    const u = await upload([['key', 'v2/${filename}'], ['acl', 'private'], ['AWSAccessKeyId', AKID], ['policy', policy], ['signature', signature], FILE]);
    assert.equal(u.key, 'v2/hello.txt');
    assert.equal(u.accessKeyId, AKID);
    await collect(u.body.stream);
    await rejectsWith(upload([['key', 'v2/x'], ['acl', 'public-read'], ['AWSAccessKeyId', AKID], ['policy', policy], ['signature', signature], FILE]), 'AccessDenied');
    await rejectsWith(upload([['key', 'v2/x'], ['acl', 'private'], ['AWSAccessKeyId', AKID], ['policy', policy], ['signature', 'AAAA'], FILE]), 'SignatureDoesNotMatch');
  });
});
