/**
 * @module
 * Helpers for the SageMaker face's tests: the real @aws-sdk/client-sagemaker
 * pointed at a test Signet with default settings, a raw SigV4-signed call
 * (for bodies the SDK would never send), the error an SDK call fails with,
 * and a clock the tests move.
 */
import assert from 'node:assert/strict';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SignatureV4 } from '@smithy/signature-v4';
import { ROOT, type TestSignet } from './test-signet.ts';

export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export const ROOT_CREDENTIALS: Credentials = { accessKeyId: ROOT.user, secretAccessKey: ROOT.password };

export function sagemakerClient(t: TestSignet, credentials: Credentials = ROOT_CREDENTIALS): SageMakerClient {
  return new SageMakerClient({ endpoint: t.url, region: 'us-east-1', credentials });
}

/**
 * A clock near real time (SigV4 allows 15 minutes of skew) that tests set
 * to known instants and move forward.
 */
export class TestClock {
  #offset = 0;
  #frozen: number | null = null;

  readonly now = (): Date => new Date(this.#frozen ?? Date.now() + this.#offset);

  /** The clock reads `at` until moved or reset. */
  freeze(at: Date): void {
    this.#frozen = at.getTime();
  }

  advance(ms: number): void {
    if (this.#frozen !== null) this.#frozen += ms;
    else this.#offset += ms;
  }

  /** Back to real time. */
  reset(): void {
    this.#offset = 0;
    this.#frozen = null;
  }
}

export interface RawAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
}

/** POST / with `X-Amz-Target: SageMaker.<op>` and this exact body, signed (service sagemaker) unless `sign` is false. */
export async function rawCall(
  t: TestSignet,
  op: string,
  body: string,
  opts: { readonly credentials?: Credentials; readonly sign?: boolean; readonly service?: string; readonly headers?: Record<string, string> } = {},
): Promise<RawAnswer> {
  const u = new URL(t.url);
  const headers: Record<string, string> = {
    host: u.host,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': `SageMaker.${op}`,
    ...opts.headers,
  };
  let sent = headers;
  if (opts.sign !== false) {
    const signer = new SignatureV4({ credentials: opts.credentials ?? ROOT_CREDENTIALS, region: 'us-east-1', service: opts.service ?? 'sagemaker', sha256: Sha256 });
    const signed = await signer.sign({ method: 'POST', protocol: u.protocol, hostname: u.hostname, port: Number(u.port), path: '/', headers, body });
    sent = signed.headers;
  }
  const res = await fetch(`${t.url}/`, { method: 'POST', headers: sent, body });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

export interface SdkFailure {
  readonly name: string;
  readonly status: number | undefined;
  readonly message: string;
}

/** The error an SDK call fails with (and an assertion failure if it succeeds). */
export async function failureOf(call: Promise<unknown>): Promise<SdkFailure> {
  try {
    await call;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  return assert.fail('the call succeeded');
}

/** Asserts that `call` fails with this error name and HTTP status. */
export async function assertFails(call: Promise<unknown>, name: string, status: number, message?: RegExp): Promise<SdkFailure> {
  const f = await failureOf(call);
  assert.equal(f.name, name, `expected ${name}, got ${f.name}: ${f.message}`);
  assert.equal(f.status, status, `expected status ${status} for ${name}: ${f.message}`);
  if (message) assert.match(f.message, message);
  return f;
}
