/**
 * The registry and encryption at rest: registering a version from SSE-S3
 * objects pins their encrypted bytes (inline, blob and multipart, whose
 * SHA-256 the registry computes by decrypting), and the download grants
 * serve the plaintext; an SSE-C source cannot be registered (the registry
 * never holds the customer's key).
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  PutBucketEncryptionCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { assertGrantServes, modelPath, Rest, ROOT_BASIC, sha256Hex, type GrantBody } from './rest-helpers.ts';
import { pattern } from './sdk-helpers.ts';
import { customerKey, filesContaining, markedBody, MASTER_ENV } from './sse-helpers.ts';

describeEachMeta('registry over encrypted objects', (kind) => {
  let t: TestSignet;
  let root: Rest;

  before(async () => {
    t = await startTestSignet(kind, { env: MASTER_ENV });
    root = new Rest(t.url, ROOT_BASIC);
  });
  after(() => t.close());

  it('pins SSE-S3 objects (inline, blob, multipart) and grants serve their plaintext; SSE-C sources are refused', async () => {
    const s3 = t.s3();
    await s3.send(new CreateBucketCommand({ Bucket: 'models' }));
    await s3.send(
      new PutBucketEncryptionCommand({ Bucket: 'models', ServerSideEncryptionConfiguration: { Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] } }),
    );
    const files = {
      'config.json': markedBody(2000, 'MARK-REG-small'),
      'weights.bin': markedBody(400_000, 'MARK-REG-large'),
      'sharded.bin': Buffer.concat([pattern(5 * 1024 * 1024, 41), markedBody(100_000, 'MARK-REG-multi')]),
    };
    await s3.send(new PutObjectCommand({ Bucket: 'models', Key: 'm/v1/config.json', Body: files['config.json'] }));
    await s3.send(new PutObjectCommand({ Bucket: 'models', Key: 'm/v1/weights.bin', Body: files['weights.bin'] }));
    const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket: 'models', Key: 'm/v1/sharded.bin' }));
    const p1 = await s3.send(new UploadPartCommand({ Bucket: 'models', Key: 'm/v1/sharded.bin', UploadId, PartNumber: 1, Body: files['sharded.bin'].subarray(0, 5 * 1024 * 1024) }));
    const p2 = await s3.send(new UploadPartCommand({ Bucket: 'models', Key: 'm/v1/sharded.bin', UploadId, PartNumber: 2, Body: files['sharded.bin'].subarray(5 * 1024 * 1024) }));
    await s3.send(
      new CompleteMultipartUploadCommand({ Bucket: 'models', Key: 'm/v1/sharded.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: p1.ETag }, { PartNumber: 2, ETag: p2.ETag }] } }),
    );

    const m = modelPath('acme', 'secret');
    await root.expect(201, 'POST', '/models', { namespace: 'acme', name: 'secret' });
    await root.expect(201, 'POST', `${m}/versions`, { source: 's3://models/m/v1/' });
    await assertGrantServes(await root.expect<GrantBody>(201, 'POST', `${m}/versions/1/download`, {}), files);
    // Pinned copies share the encrypted bytes: still no plaintext anywhere.
    assert.deepEqual(await filesContaining(t.dataDir, 'MARK-REG'), []);
    // Declaring the digest of encrypted content never reveals that the store holds it: an upload is needed.
    const weights = files['weights.bin'];
    const grant = await root.expect<{ uploadNeeded: boolean }>(201, 'POST', '/uploads', { fileName: 'w.bin', sha256: sha256Hex(weights), size: weights.length, scope: 'APPLICATION' });
    assert.equal(grant.uploadNeeded, true);

    const key = customerKey();
    await s3.send(new PutObjectCommand({ Bucket: 'models', Key: 'c/secret.bin', Body: 'customer data', SSECustomerAlgorithm: 'AES256', SSECustomerKey: key }));
    const problem = await root.problem(400, 'InvalidArgument', 'POST', `${m}/versions`, { source: 's3://models/c/secret.bin' });
    assert.match(problem.detail, /SSE-C/);
    s3.destroy();
  });
});
