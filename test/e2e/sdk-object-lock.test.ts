/**
 * Acceptance: object lock with the AWS SDK v3 against a real Signet, on each
 * metadata engine. A COMPLIANCE-locked version resists deletion by root
 * until its date (the server's clock is advanced by the test), and stays
 * readable byte-exact while newer versions are written over it; GOVERNANCE
 * yields only to `x-amz-bypass-governance-retention` from a caller allowed
 * to bypass; a legal hold blocks deletion until it is lifted; the bucket's
 * default retention applies to new versions; bad input changes nothing.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  GetObjectCommand,
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  HeadObjectCommand,
  ListObjectVersionsCommand,
  PutBucketPolicyCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { bytesOf, pattern, rejectsS3, signedFetch, xmlCode } from './sdk-helpers.ts';

const LOCKED = 'vault';
const PLAIN = 'plain';

describeEachMeta('SDK v3: object lock', (kind) => {
  let t: TestSignet;
  let s3: S3Client;
  let erin: S3Client;
  /** The server's clock runs this far ahead of the real one (kept well inside the 15-minute signature skew). */
  let offset = 0;
  const now = () => new Date(Date.now() + offset);

  before(async () => {
    t = await startTestSignet(kind, { clock: now });
    s3 = t.s3();
    await s3.send(new CreateBucketCommand({ Bucket: LOCKED, ObjectLockEnabledForBucket: true }));
    await s3.send(new CreateBucketCommand({ Bucket: PLAIN }));
    await s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: 'k', Body: 'plain' }));
    await t.signet.identity.addUser('erin');
    const k = await t.signet.identity.addKey('erin');
    erin = t.s3({ accessKeyId: k.accessKeyId, secretAccessKey: k.secretKey });
  });
  after(async () => {
    s3?.destroy();
    erin?.destroy();
    await t?.close();
  });

  const versionsOf = async (Key: string) => {
    const page = await s3.send(new ListObjectVersionsCommand({ Bucket: LOCKED, Prefix: Key }));
    return [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].filter((v) => v.Key === Key).map((v) => v.VersionId!);
  };
  const deleteVersion = (Key: string, VersionId: string, BypassGovernanceRetention?: boolean, client = s3) =>
    client.send(new DeleteObjectCommand({ Bucket: LOCKED, Key, VersionId, BypassGovernanceRetention }));

  it('a bucket created with object lock is versioned for good and reports its configuration', async () => {
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: LOCKED }))).Status, 'Enabled');
    await rejectsS3(s3.send(new PutBucketVersioningCommand({ Bucket: LOCKED, VersioningConfiguration: { Status: 'Suspended' } })), 'InvalidBucketState', 409);
    assert.equal((await s3.send(new GetBucketVersioningCommand({ Bucket: LOCKED }))).Status, 'Enabled');
    const config = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: LOCKED }));
    assert.deepEqual(config.ObjectLockConfiguration, { ObjectLockEnabled: 'Enabled' });
  });

  it('a bucket created without object lock refuses lock configuration and lock headers', async () => {
    await rejectsS3(s3.send(new GetObjectLockConfigurationCommand({ Bucket: PLAIN })), 'ObjectLockConfigurationNotFoundError', 404);
    await rejectsS3(
      s3.send(new PutObjectLockConfigurationCommand({ Bucket: PLAIN, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } })),
      'InvalidBucketState',
      409,
    );
    await rejectsS3(
      s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: 'k', Body: 'locked?', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: new Date(now().getTime() + 3600_000) })),
      'InvalidRequest',
      400,
    );
    await rejectsS3(s3.send(new PutObjectCommand({ Bucket: PLAIN, Key: 'k2', Body: 'held?', ObjectLockLegalHoldStatus: 'ON' })), 'InvalidRequest', 400);
    await rejectsS3(s3.send(new GetObjectRetentionCommand({ Bucket: PLAIN, Key: 'k' })), 'InvalidRequest', 400);
    await rejectsS3(s3.send(new PutObjectLegalHoldCommand({ Bucket: PLAIN, Key: 'k', LegalHold: { Status: 'ON' } })), 'InvalidRequest', 400);
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: PLAIN, Key: 'k' }))).Body?.transformToString(), 'plain');
    await rejectsS3(s3.send(new HeadObjectCommand({ Bucket: PLAIN, Key: 'k2' })), 'NotFound', 404);
  });

  it('COMPLIANCE: root can neither delete nor shorten until the date; writes add versions; after the date the delete goes through', async () => {
    const body = pattern(t.config.inlineThreshold + 10_000, 11);
    const until = new Date(Math.ceil((now().getTime() + 60_000) / 1000) * 1000);
    const put = await s3.send(new PutObjectCommand({ Bucket: LOCKED, Key: 'regulated.bin', Body: body, ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: until }));
    const id = put.VersionId!;
    const head = await s3.send(new HeadObjectCommand({ Bucket: LOCKED, Key: 'regulated.bin', VersionId: id }));
    assert.equal(head.ObjectLockMode, 'COMPLIANCE');
    assert.equal(head.ObjectLockRetainUntilDate?.getTime(), until.getTime());
    const retention = await s3.send(new GetObjectRetentionCommand({ Bucket: LOCKED, Key: 'regulated.bin' }));
    assert.deepEqual(retention.Retention, { Mode: 'COMPLIANCE', RetainUntilDate: until });

    await rejectsS3(deleteVersion('regulated.bin', id), 'AccessDenied', 403);
    await rejectsS3(deleteVersion('regulated.bin', id, true), 'AccessDenied', 403);
    const batch = await s3.send(new DeleteObjectsCommand({ Bucket: LOCKED, BypassGovernanceRetention: true, Delete: { Objects: [{ Key: 'regulated.bin', VersionId: id }] } }));
    assert.equal(batch.Errors?.[0]?.Code, 'AccessDenied');
    assert.deepEqual(batch.Deleted ?? [], []);
    // Shorten, weaken or remove: refused, bypass or not.
    const shorter = { Mode: 'COMPLIANCE' as const, RetainUntilDate: new Date(until.getTime() - 30_000) };
    await rejectsS3(s3.send(new PutObjectRetentionCommand({ Bucket: LOCKED, Key: 'regulated.bin', VersionId: id, Retention: shorter, BypassGovernanceRetention: true })), 'AccessDenied', 403);
    await rejectsS3(
      s3.send(new PutObjectRetentionCommand({ Bucket: LOCKED, Key: 'regulated.bin', VersionId: id, Retention: { Mode: 'GOVERNANCE', RetainUntilDate: until }, BypassGovernanceRetention: true })),
      'AccessDenied',
      403,
    );
    await rejectsS3(s3.send(new PutObjectRetentionCommand({ Bucket: LOCKED, Key: 'regulated.bin', VersionId: id, Retention: {}, BypassGovernanceRetention: true })), 'AccessDenied', 403);
    // Writing the key again makes a new version; a delete without a version id only adds a marker.
    const over = await s3.send(new PutObjectCommand({ Bucket: LOCKED, Key: 'regulated.bin', Body: 'newer' }));
    assert.notEqual(over.VersionId, id);
    const marker = await s3.send(new DeleteObjectCommand({ Bucket: LOCKED, Key: 'regulated.bin' }));
    assert.equal(marker.DeleteMarker, true);
    assert.ok((await bytesOf((await s3.send(new GetObjectCommand({ Bucket: LOCKED, Key: 'regulated.bin', VersionId: id }))).Body)).equals(body));
    assert.ok((await versionsOf('regulated.bin')).includes(id));

    // Extending is allowed; then the server's clock passes the new date.
    const extended = new Date(until.getTime() + 30_000);
    await s3.send(new PutObjectRetentionCommand({ Bucket: LOCKED, Key: 'regulated.bin', VersionId: id, Retention: { Mode: 'COMPLIANCE', RetainUntilDate: extended } }));
    offset = extended.getTime() - Date.now() - 1000;
    await rejectsS3(deleteVersion('regulated.bin', id), 'AccessDenied', 403);
    offset = extended.getTime() - Date.now() + 1000;
    try {
      const gone = await deleteVersion('regulated.bin', id);
      assert.equal(gone.VersionId, id);
    } finally {
      offset = 0;
    }
    assert.ok(!(await versionsOf('regulated.bin')).includes(id));
  });

  it('GOVERNANCE yields only to the bypass header, from a caller allowed to bypass', async () => {
    const until = new Date(now().getTime() + 3600_000);
    const id = (await s3.send(new PutObjectCommand({ Bucket: LOCKED, Key: 'gov.txt', Body: 'governed', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: until }))).VersionId!;
    await rejectsS3(deleteVersion('gov.txt', id), 'AccessDenied', 403);
    await rejectsS3(s3.send(new PutObjectRetentionCommand({ Bucket: LOCKED, Key: 'gov.txt', VersionId: id, Retention: {} })), 'AccessDenied', 403);

    // Erin may delete versions through the policy, but not bypass governance: the header does not help her.
    const statement = (Action: string[]) => ({ Effect: 'Allow', Principal: { AWS: 'erin' }, Action, Resource: `arn:aws:s3:::${LOCKED}/gov*` });
    const policy = (...Statement: unknown[]) => s3.send(new PutBucketPolicyCommand({ Bucket: LOCKED, Policy: JSON.stringify({ Version: '2012-10-17', Statement }) }));
    await policy(statement(['s3:DeleteObjectVersion', 's3:PutObjectRetention']));
    const free = (await s3.send(new PutObjectCommand({ Bucket: LOCKED, Key: 'gov-free.txt', Body: 'no lock' }))).VersionId!;
    assert.equal((await deleteVersion('gov-free.txt', free, false, erin)).VersionId, free, 'the policy lets erin delete unlocked versions');
    await rejectsS3(deleteVersion('gov.txt', id, true, erin), 'AccessDenied', 403);
    assert.ok((await versionsOf('gov.txt')).includes(id));
    await policy(statement(['s3:DeleteObjectVersion', 's3:PutObjectRetention', 's3:BypassGovernanceRetention']));
    const id2 = (await s3.send(new PutObjectCommand({ Bucket: LOCKED, Key: 'gov2.txt', Body: 'g2', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: until }))).VersionId!;
    assert.equal((await deleteVersion('gov2.txt', id2, true, erin)).VersionId, id2);

    // The owner (root here) bypasses: shorten, remove, delete.
    await s3.send(new PutObjectRetentionCommand({ Bucket: LOCKED, Key: 'gov.txt', VersionId: id, Retention: {}, BypassGovernanceRetention: true }));
    await rejectsS3(s3.send(new GetObjectRetentionCommand({ Bucket: LOCKED, Key: 'gov.txt', VersionId: id })), 'NoSuchObjectLockConfiguration', 404);
    const id3 = (await s3.send(new PutObjectCommand({ Bucket: LOCKED, Key: 'gov.txt', Body: 'again', ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: until }))).VersionId!;
    assert.equal((await deleteVersion('gov.txt', id3, true)).VersionId, id3);
    assert.equal((await deleteVersion('gov.txt', id)).VersionId, id, 'no retention left: deleted without bypass');
  });

  it('a legal hold blocks deletion, even with the bypass, until it is lifted', async () => {
    const id = (await s3.send(new PutObjectCommand({ Bucket: LOCKED, Key: 'held.txt', Body: 'evidence', ObjectLockLegalHoldStatus: 'ON' }))).VersionId!;
    assert.equal((await s3.send(new GetObjectLegalHoldCommand({ Bucket: LOCKED, Key: 'held.txt' }))).LegalHold?.Status, 'ON');
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: LOCKED, Key: 'held.txt' }))).ObjectLockLegalHoldStatus, 'ON');
    await rejectsS3(deleteVersion('held.txt', id, true), 'AccessDenied', 403);
    const batch = await s3.send(new DeleteObjectsCommand({ Bucket: LOCKED, Delete: { Objects: [{ Key: 'held.txt', VersionId: id }] } }));
    assert.equal(batch.Errors?.[0]?.Code, 'AccessDenied');
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: LOCKED, Key: 'held.txt', VersionId: id, LegalHold: { Status: 'OFF' } }));
    assert.equal((await s3.send(new GetObjectLegalHoldCommand({ Bucket: LOCKED, Key: 'held.txt', VersionId: id }))).LegalHold?.Status, 'OFF');
    const done = await s3.send(new DeleteObjectsCommand({ Bucket: LOCKED, Delete: { Objects: [{ Key: 'held.txt', VersionId: id }] } }));
    assert.equal(done.Deleted?.[0]?.VersionId, id);
    assert.deepEqual(await versionsOf('held.txt'), []);
  });

  it('the default retention applies to new versions: PUT, copy and multipart', async () => {
    await s3.send(
      new PutObjectLockConfigurationCommand({
        Bucket: LOCKED,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } },
      }),
    );
    const config = await s3.send(new GetObjectLockConfigurationCommand({ Bucket: LOCKED }));
    assert.deepEqual(config.ObjectLockConfiguration, { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } });
    try {
      const before = now().getTime();
      const put = await s3.send(new PutObjectCommand({ Bucket: LOCKED, Key: 'default.txt', Body: 'by default' }));
      const head = await s3.send(new HeadObjectCommand({ Bucket: LOCKED, Key: 'default.txt', VersionId: put.VersionId }));
      assert.equal(head.ObjectLockMode, 'GOVERNANCE');
      const until = head.ObjectLockRetainUntilDate!.getTime();
      assert.ok(until >= before + 86_400_000 - 1000 && until <= now().getTime() + 86_400_000 + 1000, 'one day from the write');
      await rejectsS3(deleteVersion('default.txt', put.VersionId!), 'AccessDenied', 403);

      // Explicit headers win over the default; a copy gets its own lock, not its source's.
      const explicit = new Date(now().getTime() + 7200_000);
      const copy = await s3.send(
        new CopyObjectCommand({ Bucket: LOCKED, Key: 'copied.txt', CopySource: `${LOCKED}/default.txt?versionId=${put.VersionId}`, ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: explicit }),
      );
      const copied = await s3.send(new GetObjectRetentionCommand({ Bucket: LOCKED, Key: 'copied.txt', VersionId: copy.VersionId }));
      assert.equal(copied.Retention?.Mode, 'COMPLIANCE');
      assert.equal(Math.floor(copied.Retention!.RetainUntilDate!.getTime() / 1000), Math.floor(explicit.getTime() / 1000));

      const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: LOCKED, Key: 'multi.bin', ObjectLockLegalHoldStatus: 'ON' }));
      const part = await s3.send(new UploadPartCommand({ Bucket: LOCKED, Key: 'multi.bin', UploadId: upload.UploadId, PartNumber: 1, Body: 'one part' }));
      const done = await s3.send(
        new CompleteMultipartUploadCommand({ Bucket: LOCKED, Key: 'multi.bin', UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }),
      );
      assert.ok(done.VersionId);
      const multi = await s3.send(new HeadObjectCommand({ Bucket: LOCKED, Key: 'multi.bin', VersionId: done.VersionId }));
      assert.equal(multi.ObjectLockMode, 'GOVERNANCE', 'the default fills in the retention');
      assert.equal(multi.ObjectLockLegalHoldStatus, 'ON', 'the upload’s own legal hold');
    } finally {
      await s3.send(new PutObjectLockConfigurationCommand({ Bucket: LOCKED, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' } }));
    }
    assert.deepEqual((await s3.send(new GetObjectLockConfigurationCommand({ Bucket: LOCKED }))).ObjectLockConfiguration, { ObjectLockEnabled: 'Enabled' });
  });

  it('bad lock input is refused with S3’s codes and stores nothing', async () => {
    const before = await versionsOf('');
    const future = new Date(now().getTime() + 3600_000).toISOString();
    const md5 = (b: string) => createHash('md5').update(b).digest('base64');
    const put = (headers: Record<string, string>, body = 'x') =>
      signedFetch(t.url, { method: 'PUT', path: `/${LOCKED}/bad.txt`, headers: { 'content-md5': md5(body), ...headers }, body });
    for (const [headers, code] of [
      [{ 'x-amz-object-lock-mode': 'FOREVER', 'x-amz-object-lock-retain-until-date': future }, 'InvalidArgument'],
      [{ 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': 'next tuesday' }, 'InvalidArgument'],
      [{ 'x-amz-object-lock-mode': 'GOVERNANCE', 'x-amz-object-lock-retain-until-date': '2001-01-01T00:00:00Z' }, 'InvalidArgument'],
      [{ 'x-amz-object-lock-mode': 'GOVERNANCE' }, 'InvalidArgument'],
      [{ 'x-amz-object-lock-legal-hold': 'MAYBE' }, 'InvalidArgument'],
    ] as const) {
      const res = await put(headers);
      assert.equal(res.status, 400, JSON.stringify(headers));
      assert.equal(xmlCode(await res.text()), code, JSON.stringify(headers));
    }
    // Lock headers need Content-MD5 or a checksum, as S3 requires (or a signed SHA-256 of the body, as MinIO takes).
    const noDigest = await signedFetch(t.url, {
      method: 'PUT',
      path: `/${LOCKED}/bad.txt`,
      headers: { 'x-amz-object-lock-legal-hold': 'ON', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
      body: 'x',
    });
    assert.equal(noDigest.status, 400);
    assert.equal(xmlCode(await noDigest.text()), 'InvalidRequest');
    assert.deepEqual(await versionsOf(''), before, 'nothing stored');
    const sha256Only = await signedFetch(t.url, { method: 'PUT', path: `/${LOCKED}/sha.txt`, headers: { 'x-amz-object-lock-legal-hold': 'ON' }, body: 'x' });
    assert.equal(sha256Only.status, 200);
    const shaId = sha256Only.headers.get('x-amz-version-id')!;
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: LOCKED, Key: 'sha.txt', VersionId: shaId, LegalHold: { Status: 'OFF' } }));
    await deleteVersion('sha.txt', shaId);

    const lockDoc = (inner: string) => `<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled>${inner}</ObjectLockConfiguration>`;
    for (const [body, code] of [
      [lockDoc('<Rule><DefaultRetention><Mode>FOREVER</Mode><Days>1</Days></DefaultRetention></Rule>'), 'MalformedXML'],
      [lockDoc('<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>0</Days></DefaultRetention></Rule>'), 'InvalidArgument'],
      [lockDoc('<Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years></DefaultRetention></Rule>'), 'MalformedXML'],
      [lockDoc('<Rule><DefaultRetention><Mode>GOVERNANCE</Mode></DefaultRetention></Rule>'), 'MalformedXML'],
      [lockDoc('<Rule/>'), 'MalformedXML'],
      ['<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>', 'MalformedXML'],
      ['<ObjectLockConfiguration>', 'MalformedXML'],
    ] as const) {
      const res = await signedFetch(t.url, { method: 'PUT', path: `/${LOCKED}`, query: { 'object-lock': '' }, headers: { 'content-md5': md5(body) }, body });
      assert.equal(xmlCode(await res.text()), code, body);
    }
    const valid = lockDoc('<Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Days>1</Days></DefaultRetention></Rule>');
    const unsigned = await signedFetch(t.url, { method: 'PUT', path: `/${LOCKED}`, query: { 'object-lock': '' }, body: valid });
    assert.equal(xmlCode(await unsigned.text()), 'InvalidRequest', 'Content-MD5 required');
    assert.deepEqual((await s3.send(new GetObjectLockConfigurationCommand({ Bucket: LOCKED }))).ObjectLockConfiguration, { ObjectLockEnabled: 'Enabled' }, 'unchanged');

    const id = (await s3.send(new PutObjectCommand({ Bucket: LOCKED, Key: 'target.txt', Body: 't' }))).VersionId!;
    for (const [query, body, code] of [
      ['retention', '<Retention><Mode>GOVERNANCE</Mode></Retention>', 'MalformedXML'],
      ['retention', '<Retention><Mode>SOMETIMES</Mode><RetainUntilDate>2100-01-01T00:00:00Z</RetainUntilDate></Retention>', 'MalformedXML'],
      ['retention', '<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>soon</RetainUntilDate></Retention>', 'MalformedXML'],
      ['retention', '<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2001-01-01T00:00:00Z</RetainUntilDate></Retention>', 'InvalidArgument'],
      ['legal-hold', '<LegalHold><Status>MAYBE</Status></LegalHold>', 'MalformedXML'],
      ['legal-hold', '<LegalHold>', 'MalformedXML'],
    ] as const) {
      const res = await signedFetch(t.url, { method: 'PUT', path: `/${LOCKED}/target.txt`, query: { [query]: '', versionId: id }, headers: { 'content-md5': md5(body) }, body });
      assert.equal(xmlCode(await res.text()), code, body);
    }
    await rejectsS3(s3.send(new GetObjectRetentionCommand({ Bucket: LOCKED, Key: 'target.txt', VersionId: id })), 'NoSuchObjectLockConfiguration', 404);
    assert.equal((await s3.send(new GetObjectLegalHoldCommand({ Bucket: LOCKED, Key: 'target.txt', VersionId: id }))).LegalHold?.Status, 'OFF');
    assert.equal((await deleteVersion('target.txt', id)).VersionId, id, 'still unlocked');
  });
});
