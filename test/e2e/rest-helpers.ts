/**
 * @module
 * A small client for the REST face and DVC endpoint in e2e tests: plain
 * fetch with an Authorization header, JSON in and out, and helpers to put
 * objects and read back what a signed URL serves.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ROOT, type TestSignet } from '../support/test-signet.ts';

export interface Reply<T = Record<string, unknown>> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

export const enc = encodeURIComponent;
export const basic = (user: string, password: string): string => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
export const ROOT_BASIC = basic(ROOT.user, ROOT.password);

export function modelPath(namespace: string, name: string): string {
  return `/models/${enc(namespace)}/${enc(name)}`;
}

export const sha256Hex = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');
export const sha256B64 = (data: Buffer | string): string => createHash('sha256').update(data).digest('base64');

/** Calls /api/v1 with `auth` as the Authorization header (none when null). A string body is sent as is. */
export class Rest {
  readonly #base: string;
  readonly #auth: string | null;

  constructor(url: string, auth: string | null) {
    this.#base = `${url}/api/v1`;
    this.#auth = auth;
  }

  as(auth: string | null): Rest {
    return new Rest(this.#base.slice(0, -'/api/v1'.length), auth);
  }

  async call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<Reply<T>> {
    const headers: Record<string, string> = {};
    if (this.#auth !== null) headers.authorization = this.#auth;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.#base + path, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text === '' ? {} : JSON.parse(text)) as T };
  }

  /** Like call, but asserts the status first (showing the body when it differs). */
  async expect<T = Record<string, unknown>>(status: number, method: string, path: string, body?: unknown): Promise<T> {
    const r = await this.call<T>(method, path, body);
    assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
    return r.body;
  }

  /** A problem+json answer with this status and code. */
  async problem(status: number, code: string, method: string, path: string, body?: unknown): Promise<{ detail: string; code: string }> {
    const r = await this.call<{ detail: string; code: string; status: number }>(method, path, body);
    assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`);
    assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/);
    assert.equal(r.body.code, code, JSON.stringify(r.body));
    assert.equal(r.body.status, status);
    return r.body;
  }

  /** A token string with these scopes, made by this client's principal. */
  async token(scopes: string[], name = `t-${Math.random().toString(36).slice(2)}`): Promise<{ id: string; token: string }> {
    return this.expect<{ id: string; token: string }>(201, 'POST', '/tokens', { name, scopes });
  }
}

export async function putObjects(t: TestSignet, bucket: string, files: Record<string, Buffer | string>): Promise<void> {
  const s3 = t.s3();
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket })).catch((e: Error) => {
      if (e.name !== 'BucketAlreadyOwnedByYou') throw e;
    });
    for (const [key, body] of Object.entries(files)) await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  } finally {
    s3.destroy();
  }
}

export async function fetchBytes(url: string, init?: RequestInit): Promise<{ status: number; bytes: Buffer }> {
  const res = await fetch(url, init);
  return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
}

export interface GrantBody {
  grantId: string;
  expiresAt: string;
  files: { path: string; url: string; size: number; sha256: string; expiresAt: string }[];
  nextCursor: string | null;
  resolved: { kind: string; version?: { number: number; label: string | null } };
}

/** Asserts every granted URL serves exactly `expected[path]` (and no other path is granted). */
export async function assertGrantServes(grant: GrantBody, expected: Record<string, Buffer | string>): Promise<void> {
  assert.deepEqual(grant.files.map((f) => f.path).sort(), Object.keys(expected).sort());
  for (const f of grant.files) {
    const want = Buffer.from(expected[f.path]!);
    const got = await fetchBytes(f.url);
    assert.equal(got.status, 200, `${f.path}: ${got.bytes.toString()}`);
    assert.deepEqual(got.bytes, want, f.path);
    assert.equal(f.size, want.length);
    assert.equal(f.sha256, sha256Hex(want));
  }
}

/** A settable clock for the server: starts now, moves only when told. */
export class TestClock {
  #now = Date.now();
  readonly now = (): Date => new Date(this.#now);
  advance(ms: number): void {
    this.#now += ms;
  }
}

/** Posts a presigned POST form with the file last, as browsers and the SDKs do. */
export async function postForm(url: string, fields: Record<string, string>, content: Buffer | string, fileName = 'file.bin'): Promise<{ status: number; text: string }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([Buffer.from(content)]), fileName);
  const res = await fetch(url, { method: 'POST', body: form });
  return { status: res.status, text: await res.text() };
}
