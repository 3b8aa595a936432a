/**
 * CORS rules: S3's validation, and which rule answers a preflight or an
 * actual request (origin with one `*`, method, requested headers).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { corsGrant, matchActual, matchPreflight, validateCorsRules, type CorsRule } from '../../src/core/cors.ts';
import { isSignetError, type ErrorCode } from '../../src/core/errors.ts';

const app: CorsRule = {
  id: 'app',
  allowedOrigins: ['https://app.example.com', 'http://*.example.org'],
  allowedMethods: ['GET', 'PUT', 'POST'],
  allowedHeaders: ['content-type', 'x-amz-*'],
  exposeHeaders: ['ETag', 'x-amz-version-id'],
  maxAgeSeconds: 600,
};
const anyoneReads: CorsRule = { allowedOrigins: ['*'], allowedMethods: ['GET', 'HEAD'], allowedHeaders: [], exposeHeaders: [] };

function refused(rules: CorsRule[], code: ErrorCode, message?: RegExp): void {
  assert.throws(
    () => validateCorsRules(rules),
    (e: unknown) => isSignetError(e) && e.code === code && (message === undefined || message.test(e.message)),
  );
}

describe('CORS configuration', () => {
  it('accepts up to 100 valid rules', () => {
    validateCorsRules([app, anyoneReads]);
    validateCorsRules(Array.from({ length: 100 }, () => anyoneReads));
  });

  it("refuses what S3 refuses", () => {
    refused([], 'MalformedXML');
    refused(Array.from({ length: 101 }, () => anyoneReads), 'InvalidRequest', /100/);
    refused([{ ...app, allowedOrigins: [] }], 'MalformedXML');
    refused([{ ...app, allowedMethods: [] }], 'MalformedXML');
    refused([{ ...app, allowedMethods: ['PATCH' as never] }], 'InvalidRequest', /unsupported HTTP method.*PATCH/);
    refused([{ ...app, allowedOrigins: ['https://*.*.example.com'] }], 'InvalidRequest', /more than one wildcard/);
    refused([{ ...app, allowedHeaders: ['x-*-*'] }], 'InvalidRequest', /more than one wildcard/);
    refused([{ ...app, id: 'x'.repeat(256) }], 'InvalidRequest');
  });
});

describe('matching browsers', () => {
  const rules = [app, anyoneReads];

  it('preflight: origin (one wildcard), method and every requested header must be allowed', () => {
    assert.equal(matchPreflight(rules, 'https://app.example.com', 'PUT', ['content-type', 'x-amz-meta-a']), app);
    assert.equal(matchPreflight(rules, 'http://sub.example.org', 'POST', []), app);
    assert.equal(matchPreflight(rules, 'https://app.example.com', 'PUT', ['Content-Type']), app, 'header names ignore case');
    assert.equal(matchPreflight(rules, 'https://app.example.com', 'PUT', ['authorization']), null);
    assert.equal(matchPreflight(rules, 'https://app.example.com', 'DELETE', []), null);
    assert.equal(matchPreflight(rules, 'https://evil.example.net', 'PUT', []), null);
    assert.equal(matchPreflight(rules, 'https://APP.example.com', 'PUT', []), null, 'origins compare exactly');
    // The second rule takes anyone, for reads only.
    assert.equal(matchPreflight(rules, 'https://evil.example.net', 'GET', []), anyoneReads);
    assert.equal(matchPreflight(rules, 'https://evil.example.net', 'GET', ['x-custom']), null);
  });

  it('`?` is literal in origins and headers', () => {
    const q: CorsRule = { allowedOrigins: ['https://a?.example*'], allowedMethods: ['GET'], allowedHeaders: ['x-?*'], exposeHeaders: [] };
    assert.equal(matchPreflight([q], 'https://ab.example.com', 'GET', []), null);
    assert.equal(matchPreflight([q], 'https://a?.example.com', 'GET', ['x-?a']), q);
  });

  it('actual requests match on origin and method', () => {
    assert.equal(matchActual(rules, 'https://app.example.com', 'PUT'), app);
    assert.equal(matchActual(rules, 'https://other', 'HEAD'), anyoneReads);
    assert.equal(matchActual(rules, 'https://other', 'PUT'), null);
  });

  it('grants name the origin (with credentials) unless the rule takes any origin', () => {
    assert.deepEqual(corsGrant(app, 'https://app.example.com'), {
      allowOrigin: 'https://app.example.com',
      allowCredentials: true,
      allowMethods: ['GET', 'PUT', 'POST'],
      exposeHeaders: ['ETag', 'x-amz-version-id'],
      maxAgeSeconds: 600,
    });
    assert.deepEqual(corsGrant(anyoneReads, 'https://x'), { allowOrigin: '*', allowCredentials: false, allowMethods: ['GET', 'HEAD'], exposeHeaders: [], maxAgeSeconds: null });
  });
});
