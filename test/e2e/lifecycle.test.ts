/**
 * Bucket lifecycle against a real Signet on each metadata engine: the
 * configuration through the AWS SDK v3 and minio-js
 * (set/get/removeBucketLifecycle, FileManager's get_bucket_lifecycle), bad
 * configurations refused with S3's codes, and the worker run with the app's
 * clock moved days ahead: expiration by prefix, tag and size, multipart
 * aborts, versioned buckets (delete markers, noncurrent versions, expired
 * markers), object lock, and two passes racing.
 *
 * The clock moves for the server and for the SDK client alike (the client
 * signs with the same offset and ignores the server's Date header, which is
 * real time), so requests made "days later" are still signed in time.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, it } from 'node:test';
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketLifecycleCommand,
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketLifecycleConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  PutObjectLegalHoldCommand,
  UploadPartCommand,
  type LifecycleRule,
  type S3Client,
} from '@aws-sdk/client-s3';
import type * as Minio from 'minio';
import type { LifecycleRuleReport } from '../../src/core/lifecycle-worker.ts';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { errorCode } from '../support/minio-helpers.ts';
import { bytesOf, rejectsS3 } from './sdk-helpers.ts';

const DAY = 86_400_000;

describeEachMeta('bucket lifecycle', (kind) => {
  let t: TestSignet;
  let s3: S3Client;
  let minio: Minio.Client;
  let offset = 0;

  /** Moves the server's clock (and the client's signing clock) to `days` after real time. */
  const at = (days: number): void => {
    offset = days * DAY;
    s3.config.systemClockOffset = offset;
  };

  before(async () => {
    t = await startTestSignet(kind, { clock: () => new Date(Date.now() + offset) });
    s3 = t.s3();
    // The server's Date header is real time: without this the SDK would "correct" its offset back to it.
    const inner = s3.config.requestHandler;
    s3.config.requestHandler = {
      handle: async (request: Parameters<typeof inner.handle>[0], options?: Parameters<typeof inner.handle>[1]) => {
        const out = await inner.handle(request, options);
        delete out.response.headers.date;
        delete out.response.headers.Date;
        return out;
      },
    } as typeof inner;
    minio = t.minio();
  });
  after(() => t.close());
  beforeEach(() => at(0));

  const put = (bucket: string, key: string, body: string | Buffer = 'x', extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {}) =>
    s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ...extra }));
  const keys = async (bucket: string): Promise<string[]> =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents ?? []).map((o) => o.Key!);
  const setRules = (bucket: string, rules: LifecycleRule[]) =>
    s3.send(new PutBucketLifecycleConfigurationCommand({ Bucket: bucket, LifecycleConfiguration: { Rules: rules } }));
  /** The versions and markers of the bucket: [key, versionId, isMarker, isLatest], key ascending, newest first. */
  const versions = async (bucket: string): Promise<[string, string, boolean, boolean][]> => {
    const out = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const rows = [
      ...(out.Versions ?? []).map((v) => [v.Key!, v.VersionId!, false, v.IsLatest!, v.LastModified!] as const),
      ...(out.DeleteMarkers ?? []).map((v) => [v.Key!, v.VersionId!, true, v.IsLatest!, v.LastModified!] as const),
    ];
    // S3 returns versions and markers in two lists; put them back in one history order.
    rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : Number(b[3]) - Number(a[3]) || b[4].getTime() - a[4].getTime()));
    return rows.map(([k, v, m, l]) => [k, v, m, l]);
  };
  const run = async (bucket: string): Promise<Record<string, Omit<LifecycleRuleReport, 'bucket' | 'rule'>>> => {
    const report = await t.signet.runLifecycle();
    const mine: Record<string, Omit<LifecycleRuleReport, 'bucket' | 'rule'>> = {};
    for (const { bucket: b, rule, ...counts } of report.rules) if (b === bucket) mine[rule] = counts;
    return mine;
  };
  const zero = { expired: 0, noncurrentExpired: 0, deleteMarkersRemoved: 0, uploadsAborted: 0, locked: 0 };

  it('configuration: none → NoSuchLifecycleConfiguration; put, get back, delete (AWS SDK)', async () => {
    const B = 'lc-config';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await rejectsS3(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: B })), 'NoSuchLifecycleConfiguration', 404);
    const rules: LifecycleRule[] = [
      { ID: 'tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 1 } },
      { ID: 'dated', Status: 'Disabled', Filter: { Tag: { Key: 'class', Value: 'scratch' } }, Expiration: { Date: new Date('2031-01-01T00:00:00Z') } },
      {
        ID: 'and',
        Status: 'Enabled',
        Filter: { And: { Prefix: 'data/', Tags: [{ Key: 'a', Value: '1' }], ObjectSizeGreaterThan: 10, ObjectSizeLessThan: 1000 } },
        NoncurrentVersionExpiration: { NoncurrentDays: 3, NewerNoncurrentVersions: 2 },
      },
      { ID: 'markers', Status: 'Enabled', Filter: {}, Expiration: { ExpiredObjectDeleteMarker: true }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 } },
      { ID: 'legacy', Status: 'Enabled', Prefix: 'old/', Expiration: { Days: 30 } },
    ];
    await setRules(B, rules);
    const got = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: B }));
    assert.deepEqual(got.Rules, rules);
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket: B }));
    await rejectsS3(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: B })), 'NoSuchLifecycleConfiguration', 404);
    await s3.send(new DeleteBucketLifecycleCommand({ Bucket: B })); // none: still fine, as S3
    await rejectsS3(s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: 'no-such-bucket-here' })), 'NoSuchBucket', 404);
  });

  it('configuration through minio-js: setBucketLifecycle, getBucketLifecycle, removeBucketLifecycle', async () => {
    const B = 'lc-minio';
    await minio.makeBucket(B);
    assert.equal(await errorCode(minio.getBucketLifecycle(B)), 'NoSuchLifecycleConfiguration');
    await minio.setBucketLifecycle(B, {
      Rule: [
        { ID: 'logs', Status: 'Enabled', Filter: { Prefix: 'logs/' }, Expiration: { Days: 7 } },
        { ID: 'uploads', Status: 'Enabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } },
      ],
    });
    const config = (await minio.getBucketLifecycle(B)) as unknown as { Rule: Record<string, unknown>[] };
    const rules = Array.isArray(config.Rule) ? config.Rule : [config.Rule];
    assert.deepEqual(
      rules.map((r) => [r.ID, r.Status, (r.Filter as { Prefix: string }).Prefix]),
      [
        ['logs', 'Enabled', 'logs/'],
        ['uploads', 'Enabled', ''],
      ],
    );
    assert.equal(Number((rules[0]!.Expiration as { Days: string }).Days), 7);
    const sdk = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: B }));
    assert.deepEqual(sdk.Rules?.[1], { ID: 'uploads', Status: 'Enabled', Filter: { Prefix: '' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 } });
    await minio.removeBucketLifecycle(B);
    assert.equal(await errorCode(minio.getBucketLifecycle(B)), 'NoSuchLifecycleConfiguration');
    // minio-js removes the configuration when given none.
    await minio.setBucketLifecycle(B, { Rule: [{ ID: 'x', Status: 'Enabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } }] });
    await minio.setBucketLifecycle(B, null);
    assert.equal(await errorCode(minio.getBucketLifecycle(B)), 'NoSuchLifecycleConfiguration');
  });

  it('bad configurations get S3 error codes and change nothing', async () => {
    const B = 'lc-bad';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    const good: LifecycleRule[] = [{ ID: 'good', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 5 } }];
    await setRules(B, good);
    const base = { ID: 'r', Status: 'Enabled', Filter: { Prefix: '' } } as const;
    const cases: [LifecycleRule[], string][] = [
      [[{ ...base, Expiration: { Days: 0 } }], 'InvalidArgument'],
      [[{ ...base, Expiration: { Date: new Date('2031-01-01T10:00:00Z') } }], 'InvalidArgument'],
      [[{ ...base, Expiration: { Days: 1, ExpiredObjectDeleteMarker: true } }], 'MalformedXML'],
      [[{ ...base, Status: 'enabled' as never, Expiration: { Days: 1 } }], 'MalformedXML'],
      [[{ ...base, ID: 'x'.repeat(256), Expiration: { Days: 1 } }], 'InvalidArgument'],
      [[{ ...base, Expiration: { Days: 1 } }, { ...base, Expiration: { Days: 2 } }], 'InvalidArgument'],
      [[{ ...base, NoncurrentVersionExpiration: { NoncurrentDays: 0 } }], 'InvalidArgument'],
      [[{ ...base, Filter: { Tag: { Key: 'k', Value: 'v' } }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }], 'InvalidArgument'],
      [[{ ...base, Filter: { And: { Prefix: 'a/' } }, Expiration: { Days: 1 } }], 'MalformedXML'],
      [[{ ...base }], 'InvalidRequest'],
      [[{ ID: 'nofilter', Status: 'Enabled', Expiration: { Days: 1 } }], 'MalformedXML'],
      [Array.from({ length: 1001 }, (_, i) => ({ ...base, ID: `r${i}`, Expiration: { Days: 1 } })), 'InvalidArgument'],
    ];
    for (const [rules, code] of cases) await rejectsS3(setRules(B, rules), code, 400);
    // Raw documents (minio-js signs them): not XML, a DTD, another root, no digest.
    const raw = async (xml: string, withMd5 = true): Promise<string> => {
      const headers = withMd5 ? { 'Content-MD5': createHash('md5').update(xml).digest('base64') } : {};
      return errorCode(minio.makeRequestAsyncOmit({ method: 'PUT', bucketName: B, query: 'lifecycle', headers }, xml));
    };
    const ok = '<LifecycleConfiguration><Rule><ID>a</ID><Status>Enabled</Status><Filter></Filter><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>';
    assert.equal(await raw('<LifecycleConfiguration><Rule>'), 'MalformedXML');
    assert.equal(await raw('<!DOCTYPE x [<!ENTITY a "b">]><LifecycleConfiguration/>'), 'MalformedXML');
    assert.equal(await raw(ok.replaceAll('LifecycleConfiguration', 'CORSConfiguration')), 'MalformedXML');
    assert.equal(await raw('<LifecycleConfiguration></LifecycleConfiguration>'), 'MalformedXML');
    assert.equal(await raw(ok.replace('<Days>1</Days>', '<Days>1</Days><Bogus/>')), 'MalformedXML');
    assert.equal(await raw(ok, false), 'InvalidRequest');
    const after = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: B }));
    assert.deepEqual(after.Rules, good, 'nothing changed');
    // The same well-formed document is taken.
    await minio.makeRequestAsyncOmit({ method: 'PUT', bucketName: B, query: 'lifecycle', headers: { 'Content-MD5': createHash('md5').update(ok).digest('base64') } }, ok);
    assert.deepEqual((await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: B }))).Rules, [
      { ID: 'a', Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } },
    ]);
  });

  it('a 1-day rule by prefix, by tag and by size expires exactly what it should, at the next midnight UTC after a day', async () => {
    const B = 'lc-expire';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await setRules(B, [
      { ID: 'tmp', Status: 'Enabled', Filter: { Prefix: 'tmp/' }, Expiration: { Days: 1 } },
      { ID: 'scratch', Status: 'Enabled', Filter: { Tag: { Key: 'class', Value: 'scratch' } }, Expiration: { Days: 1 } },
      { ID: 'big', Status: 'Enabled', Filter: { And: { Prefix: 'data/', ObjectSizeGreaterThan: 1000 } }, Expiration: { Days: 1 } },
      { ID: 'small', Status: 'Enabled', Filter: { ObjectSizeLessThan: 2 }, Expiration: { Days: 1 } },
      { ID: 'off', Status: 'Disabled', Filter: { Prefix: '' }, Expiration: { Days: 1 } },
    ]);
    for (const key of ['tmp/a', 'tmp/b/c', 'tmpx', 'keep/tmp/a']) await put(B, key, 'data!');
    await put(B, 'tagged/x', 'data!', { Tagging: 'class=scratch&owner=ana' });
    await put(B, 'tagged/y', 'data!', { Tagging: 'class=keep' });
    await put(B, 'data/big', Buffer.alloc(2000, 1));
    await put(B, 'data/small', Buffer.alloc(1000, 1)); // not greater than 1000
    await put(B, 'tiny', 'x'); // 1 byte < 2
    const survivors = ['data/small', 'keep/tmp/a', 'tagged/y', 'tmpx'];

    at(1); // before the next midnight after creation + 1 day: nothing is due yet
    assert.deepEqual(await run(B), { tmp: zero, scratch: zero, big: zero, small: zero });
    assert.equal((await keys(B)).length, 9);

    at(2);
    await put(B, 'tmp/fresh', 'new');
    const report = await run(B);
    assert.deepEqual(report, {
      tmp: { ...zero, expired: 2 },
      scratch: { ...zero, expired: 1 },
      big: { ...zero, expired: 1 },
      small: { ...zero, expired: 1 },
    });
    assert.deepEqual(await keys(B), [...survivors, 'tmp/fresh'].sort());
    assert.deepEqual(await run(B), { tmp: zero, scratch: zero, big: zero, small: zero }, 'a second pass finds nothing more');
    at(4);
    await run(B);
    assert.deepEqual(await keys(B), survivors, 'the fresh object expires in its turn');
  });

  it('aborts stale multipart uploads of the rule prefix and keeps fresh ones', async () => {
    const B = 'lc-uploads';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await setRules(B, [{ ID: 'abort', Status: 'Enabled', Filter: { Prefix: 'up/' }, AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 } }]);
    const create = async (key: string) => (await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: key }))).UploadId!;
    const stale = await create('up/stale');
    await s3.send(new UploadPartCommand({ Bucket: B, Key: 'up/stale', UploadId: stale, PartNumber: 1, Body: 'part' }));
    await create('up/stale-too');
    const other = await create('elsewhere/stale');
    at(2);
    const fresh = await create('up/fresh');
    assert.deepEqual(await run(B), { abort: { ...zero, uploadsAborted: 2 } });
    const left = (await s3.send(new ListMultipartUploadsCommand({ Bucket: B }))).Uploads ?? [];
    assert.deepEqual(
      left.map((u) => [u.Key, u.UploadId]),
      [
        ['elsewhere/stale', other],
        ['up/fresh', fresh],
      ],
    );
    await rejectsS3(s3.send(new UploadPartCommand({ Bucket: B, Key: 'up/stale', UploadId: stale, PartNumber: 2, Body: 'p' })), 'NoSuchUpload', 404);
    await s3.send(new AbortMultipartUploadCommand({ Bucket: B, Key: 'up/fresh', UploadId: fresh }));
  });

  it('versioned: expiration adds one delete marker, noncurrent versions go keeping NewerNoncurrentVersions, expired markers are removed; two racing passes do what one does', async () => {
    const B = 'lc-versioned';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } }));
    await setRules(B, [
      { ID: 'expire', Status: 'Enabled', Filter: { Prefix: 'cur/' }, Expiration: { Days: 1 } },
      { ID: 'history', Status: 'Enabled', Filter: { Prefix: 'hist/' }, NoncurrentVersionExpiration: { NoncurrentDays: 1, NewerNoncurrentVersions: 1 } },
      { ID: 'markers', Status: 'Enabled', Filter: { Prefix: 'dm/' }, Expiration: { ExpiredObjectDeleteMarker: true } },
    ]);
    const cur = (await put(B, 'cur/a', 'current')).VersionId!;
    const hist: string[] = [];
    for (let i = 1; i <= 4; i++) hist.push((await put(B, 'hist/k', `v${i}`)).VersionId!);
    const lonely = (await put(B, 'dm/lonely', 'gone soon')).VersionId!;
    const lonelyMarker = (await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'dm/lonely' }))).VersionId!;
    await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'dm/lonely', VersionId: lonely }));
    const covered = (await put(B, 'dm/covered', 'still here')).VersionId!;
    const coveredMarker = (await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'dm/covered' }))).VersionId!;

    at(2);
    const [one, two] = await Promise.all([run(B), run(B)]);
    const total = (rule: string, field: keyof typeof zero) => (one[rule]?.[field] ?? 0) + (two[rule]?.[field] ?? 0);
    assert.equal(total('expire', 'expired'), 1, 'one marker between the two passes');
    assert.equal(total('history', 'noncurrentExpired'), 2);
    assert.equal(total('markers', 'deleteMarkersRemoved'), 1);

    const after = await versions(B);
    const curMarker = after.find(([k, , m]) => k === 'cur/a' && m);
    assert.ok(curMarker);
    assert.deepEqual(after, [
      ['cur/a', curMarker[1], true, true],
      ['cur/a', cur, false, false],
      ['dm/covered', coveredMarker, true, true],
      ['dm/covered', covered, false, false],
      ['hist/k', hist[3]!, false, true],
      ['hist/k', hist[2]!, false, false],
    ]);
    assert.ok(!after.some(([, v]) => v === lonelyMarker));
    // The expired current version is still there under its marker.
    assert.equal((await bytesOf((await s3.send(new GetObjectCommand({ Bucket: B, Key: 'cur/a', VersionId: cur }))).Body)).toString(), 'current');
    await rejectsS3(s3.send(new GetObjectCommand({ Bucket: B, Key: 'cur/a' })), 'NoSuchKey', 404);

    // Later passes change nothing more.
    await Promise.all([run(B), run(B)]);
    assert.deepEqual(await versions(B), after);
  });

  it('suspended: expiration replaces the null version with a null delete marker', async () => {
    const B = 'lc-suspended';
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Enabled' } }));
    const v1 = (await put(B, 'k', 'versioned')).VersionId!;
    await s3.send(new PutBucketVersioningCommand({ Bucket: B, VersioningConfiguration: { Status: 'Suspended' } }));
    await put(B, 'k', 'null version');
    await setRules(B, [{ ID: 'all', Status: 'Enabled', Filter: {}, Expiration: { Days: 1 } }]);
    at(2);
    assert.deepEqual((await run(B)).all, { ...zero, expired: 1 });
    assert.deepEqual(await versions(B), [
      ['k', 'null', true, true],
      ['k', v1, false, false],
    ]);
  });

  it('object lock: versions under retention or legal hold are never removed; the worker never bypasses GOVERNANCE', async () => {
    const B = 'lc-locked';
    await s3.send(new CreateBucketCommand({ Bucket: B, ObjectLockEnabledForBucket: true }));
    await setRules(B, [
      { ID: 'current', Status: 'Enabled', Filter: { Prefix: 'cur/' }, Expiration: { Days: 1 } },
      { ID: 'noncurrent', Status: 'Enabled', Filter: { Prefix: 'nc/' }, NoncurrentVersionExpiration: { NoncurrentDays: 1 } },
    ]);
    const until = new Date(Date.now() + 30 * DAY);
    const gov = (await put(B, 'nc/gov', 'gov', { ObjectLockMode: 'GOVERNANCE', ObjectLockRetainUntilDate: until })).VersionId!;
    const held = (await put(B, 'nc/held', 'held', { ObjectLockLegalHoldStatus: 'ON' })).VersionId!;
    const free = (await put(B, 'nc/free', 'free')).VersionId!;
    for (const key of ['nc/gov', 'nc/held', 'nc/free']) await put(B, key, 'newer');
    const comp = (await put(B, 'cur/comp', 'compliance', { ObjectLockMode: 'COMPLIANCE', ObjectLockRetainUntilDate: until })).VersionId!;
    const curHeld = (await put(B, 'cur/held', 'held', { ObjectLockLegalHoldStatus: 'ON' })).VersionId!;

    at(2);
    assert.deepEqual(await run(B), {
      // S3 places delete markers over locked current versions; the versions themselves stay.
      current: { ...zero, expired: 2 },
      noncurrent: { ...zero, noncurrentExpired: 1, locked: 2 },
    });
    const ids = new Set((await versions(B)).map(([, v]) => v));
    for (const v of [gov, held, comp, curHeld]) assert.ok(ids.has(v), `locked version ${v} is kept`);
    assert.ok(!ids.has(free));
    assert.equal((await s3.send(new HeadObjectCommand({ Bucket: B, Key: 'cur/comp', VersionId: comp }))).ObjectLockMode, 'COMPLIANCE');

    // Lifting the hold lets the next pass remove it; GOVERNANCE waits for its date.
    await s3.send(new PutObjectLegalHoldCommand({ Bucket: B, Key: 'nc/held', VersionId: held, LegalHold: { Status: 'OFF' } }));
    assert.deepEqual((await run(B)).noncurrent, { ...zero, noncurrentExpired: 1, locked: 1 });
    assert.ok((await versions(B)).some(([, v]) => v === gov));
    at(31);
    assert.deepEqual((await run(B)).noncurrent, { ...zero, noncurrentExpired: 1 });
    assert.ok(!(await versions(B)).some(([, v]) => v === gov));
  });
});
