/**
 * The router's table for bucket configuration sub-resources (tagging,
 * policy, policyStatus, cors) and CORS preflights: request lines as the AWS
 * API reference writes them, and the operation each must name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSignetError } from '../../src/core/errors.ts';
import { isKnownAction } from '../../src/core/bucket-policy.ts';
import { OPERATION_ACTIONS } from '../../src/faces/s3/access.ts';
import { resolveAddress, routeS3, type S3Operation } from '../../src/faces/s3/router.ts';

function route(line: string, headers: Record<string, string> = {}): S3Operation {
  const [method = '', target = ''] = line.split(' ');
  const q = target.indexOf('?');
  const address = resolveAddress('127.0.0.1:9000', q < 0 ? target : target.slice(0, q), []);
  return routeS3(method, address, new URLSearchParams(q < 0 ? '' : target.slice(q + 1)), headers);
}

const TABLE: ReadonlyArray<readonly [string, S3Operation]> = [
  ['GET /models?tagging', { name: 'GetBucketTagging', bucket: 'models' }],
  ['PUT /models?tagging', { name: 'PutBucketTagging', bucket: 'models' }],
  ['DELETE /models?tagging', { name: 'DeleteBucketTagging', bucket: 'models' }],
  ['GET /models?policy', { name: 'GetBucketPolicy', bucket: 'models' }],
  ['PUT /models?policy', { name: 'PutBucketPolicy', bucket: 'models' }],
  ['DELETE /models?policy', { name: 'DeleteBucketPolicy', bucket: 'models' }],
  ['GET /models?policyStatus', { name: 'GetBucketPolicyStatus', bucket: 'models' }],
  ['GET /models?cors', { name: 'GetBucketCors', bucket: 'models' }],
  ['PUT /models?cors', { name: 'PutBucketCors', bucket: 'models' }],
  ['DELETE /models?cors', { name: 'DeleteBucketCors', bucket: 'models' }],
  ['OPTIONS /models', { name: 'PreflightRequest', bucket: 'models', key: null }],
  ['OPTIONS /models/llama/v1/weights.bin', { name: 'PreflightRequest', bucket: 'models', key: 'llama/v1/weights.bin' }],
  ['OPTIONS /models/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=00', { name: 'PreflightRequest', bucket: 'models', key: 'k' }],
  // Object tagging stays an object operation; the neighbours are unchanged.
  ['GET /models/k?tagging', { name: 'GetObjectTagging', bucket: 'models', key: 'k' }],
  ['GET /models?acl', { name: 'GetBucketAcl', bucket: 'models' }],
  ['GET /models?list-type=2&prefix=public/', { name: 'ListObjectsV2', bucket: 'models' }],
  ['GET /models?lifecycle', { name: 'GetBucketLifecycleConfiguration', bucket: 'models' }],
  ['PUT /models?lifecycle', { name: 'PutBucketLifecycleConfiguration', bucket: 'models' }],
  ['DELETE /models?lifecycle', { name: 'DeleteBucketLifecycle', bucket: 'models' }],
  ['GET /models?website', { name: 'NotImplemented', awsName: 'GetBucketWebsite' }],
];

describe('router: bucket configuration and preflight', () => {
  for (const [line, expected] of TABLE) {
    it(line, () => assert.deepEqual(route(line), expected));
  }

  it('methods a sub-resource does not have → MethodNotAllowed', () => {
    for (const line of ['POST /models?tagging', 'PUT /models?policyStatus', 'POST /models?cors', 'HEAD /models?policy', 'POST /models?lifecycle', 'OPTIONS /']) {
      assert.throws(() => route(line), (e: unknown) => isSignetError(e) && e.code === 'MethodNotAllowed', line);
    }
  });
});

describe('IAM actions of operations', () => {
  it('every operation with a bucket names real S3 actions (what bucket policies may grant or deny)', () => {
    for (const [operation, actions] of Object.entries(OPERATION_ACTIONS)) {
      for (const action of actions ?? []) if (action !== undefined) assert.ok(isKnownAction(action), `${operation}: ${action}`);
    }
  });
});
