/**
 * The SageMaker face's model registry, driven by @aws-sdk/client-sagemaker
 * with default settings: model package groups, versioned and unversioned
 * model packages (files pinned from ModelDataUrl or an S3 prefix), approval,
 * customer metadata, ModelLifeCycle as stage pointers, BatchDescribe, and
 * every ListModelPackages filter, sort and page against an expected list.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  BatchDescribeModelPackageCommand,
  CreateModelPackageCommand,
  type CreateModelPackageCommandInput,
  CreateModelPackageGroupCommand,
  DeleteModelPackageCommand,
  DeleteModelPackageGroupCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  type ListModelPackagesCommandInput,
  paginateListModelPackageGroups,
  paginateListModelPackages,
  type SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { assertFails, sagemakerClient, TestClock } from '../support/sagemaker.ts';
import { describeEachMeta, ROOT, startTestSignet, useTestSignet, type TestSignet } from '../support/test-signet.ts';

const BUCKET = 'models';
const ARN = /^arn:aws:sagemaker:us-east-1:\d{12}:/;

describeEachMeta('SageMaker face: model packages', (kind) => {
  let t: TestSignet;
  let sm: SageMakerClient;
  let s3: S3Client;
  const clock = new TestClock();
  useTestSignet(kind, { clock: clock.now, buckets: [BUCKET] }, (started) => {
    ({ t, s3 } = started);
    sm = sagemakerClient(t);
  });
  after(() => sm?.destroy());

  const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  const create = (input: CreateModelPackageCommandInput) => sm.send(new CreateModelPackageCommand(input));
  const describePackage = (name: string) => sm.send(new DescribeModelPackageCommand({ ModelPackageName: name }));

  it('creates, describes, lists and deletes model package groups', async () => {
    const created = await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'fraud-detector', ModelPackageGroupDescription: 'Catches fraud' }));
    assert.match(created.ModelPackageGroupArn!, ARN);
    assert.ok(created.ModelPackageGroupArn!.endsWith(':model-package-group/fraud-detector'));
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'ChurnModel' }));

    const byName = await sm.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'fraud-detector' }));
    assert.equal(byName.ModelPackageGroupName, 'fraud-detector');
    assert.equal(byName.ModelPackageGroupDescription, 'Catches fraud');
    assert.equal(byName.ModelPackageGroupStatus, 'Completed');
    assert.equal(byName.ModelPackageGroupArn, created.ModelPackageGroupArn);
    assert.ok(byName.CreationTime instanceof Date);
    const churnArn = (await sm.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'ChurnModel' }))).ModelPackageGroupArn!;
    assert.ok(churnArn.endsWith(':model-package-group/churnmodel'), 'names are lowercased in ARNs, as on AWS');
    const byArn = await sm.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: churnArn }));
    assert.equal(byArn.ModelPackageGroupName, 'ChurnModel', 'an ARN finds the group whatever its case');

    await assertFails(sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'fraud-detector' })), 'ValidationException', 400, /already exists/);

    const names = (list: { ModelPackageGroupName?: string }[] | undefined) => list!.map((g) => g.ModelPackageGroupName);
    // AWS's default: by creation time, oldest first.
    const listed = (await sm.send(new ListModelPackageGroupsCommand({}))).ModelPackageGroupSummaryList!;
    assert.deepEqual(new Set(names(listed)), new Set(['ChurnModel', 'fraud-detector']));
    assert.ok(listed[0]!.CreationTime!.getTime() <= listed[1]!.CreationTime!.getTime());
    assert.deepEqual(names((await sm.send(new ListModelPackageGroupsCommand({ SortBy: 'Name' }))).ModelPackageGroupSummaryList), ['ChurnModel', 'fraud-detector']);
    const descending = await sm.send(new ListModelPackageGroupsCommand({ SortBy: 'Name', SortOrder: 'Descending' }));
    assert.deepEqual(names(descending.ModelPackageGroupSummaryList), ['fraud-detector', 'ChurnModel']);
    const later = await sm.send(new ListModelPackageGroupsCommand({ CreationTimeAfter: new Date(listed[1]!.CreationTime!.getTime() + 1000) }));
    assert.deepEqual(later.ModelPackageGroupSummaryList, []);
    const filtered = await sm.send(new ListModelPackageGroupsCommand({ NameContains: 'fraud' }));
    assert.deepEqual(names(filtered.ModelPackageGroupSummaryList), ['fraud-detector']);
    const paged: (string | undefined)[][] = [];
    for await (const page of paginateListModelPackageGroups({ client: sm, pageSize: 1 }, { SortBy: 'Name' })) paged.push(names(page.ModelPackageGroupSummaryList));
    assert.deepEqual(paged, [['ChurnModel'], ['fraud-detector']]);

    await put('fraud/model.tar.gz', 'fraud weights');
    const pkg = await create({ ModelPackageGroupName: 'fraud-detector', InferenceSpecification: { Containers: [{ Image: 'img:1', ModelDataUrl: `s3://${BUCKET}/fraud/model.tar.gz` }], SupportedContentTypes: ['text/csv'], SupportedResponseMIMETypes: ['text/csv'] } });
    await assertFails(sm.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: 'fraud-detector' })), 'ConflictException', 400);
    await sm.send(new DeleteModelPackageCommand({ ModelPackageName: pkg.ModelPackageArn }));
    await sm.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: 'fraud-detector' }));
    await sm.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: churnArn }));
    await assertFails(sm.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'fraud-detector' })), 'ValidationException', 400, /does not exist/);
    assert.deepEqual((await sm.send(new ListModelPackageGroupsCommand({}))).ModelPackageGroupSummaryList, []);
  });

  it('registers versioned packages with their files pinned, and describes them by ARN and by name', async () => {
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'AbaloneGroup' }));
    await put('abalone/v1/model.tar.gz', 'abalone one');
    await put('abalone/v2/weights/a.bin', 'a');
    await put('abalone/v2/weights/b.bin', 'bb');
    const spec = {
      Containers: [{ Image: '123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1', ModelDataUrl: `s3://${BUCKET}/abalone/v1/model.tar.gz`, Environment: { MODE: 'fast' } }],
      SupportedContentTypes: ['text/csv'],
      SupportedResponseMIMETypes: ['text/csv'],
    };
    const v1 = await create({
      ModelPackageGroupName: 'AbaloneGroup',
      ModelPackageDescription: 'first',
      InferenceSpecification: spec,
      ModelApprovalStatus: 'Approved',
      CustomerMetadataProperties: { team: 'ml', 'git:sha': 'abc123' },
      ModelLifeCycle: { Stage: 'Staging', StageStatus: 'Approved', StageDescription: 'ready for tests' },
    });
    assert.match(v1.ModelPackageArn!, ARN);
    assert.ok(v1.ModelPackageArn!.endsWith(':model-package/abalonegroup/1'));
    const v2 = await create({
      ModelPackageGroupName: 'AbaloneGroup',
      InferenceSpecification: {
        Containers: [{ Image: 'img:2', ModelDataSource: { S3DataSource: { S3Uri: `s3://${BUCKET}/abalone/v2/`, S3DataType: 'S3Prefix', CompressionType: 'None' } } }],
      },
    });
    assert.ok(v2.ModelPackageArn!.endsWith(':model-package/abalonegroup/2'));

    const d1 = await describePackage(v1.ModelPackageArn!);
    assert.equal(d1.ModelPackageName, 'AbaloneGroup');
    assert.equal(d1.ModelPackageGroupName, 'AbaloneGroup');
    assert.equal(d1.ModelPackageVersion, 1);
    assert.equal(d1.ModelPackageArn, v1.ModelPackageArn);
    assert.equal(d1.ModelPackageDescription, 'first');
    assert.equal(d1.ModelPackageStatus, 'Completed');
    assert.equal(d1.ModelApprovalStatus, 'Approved');
    assert.deepEqual(d1.InferenceSpecification, spec);
    assert.deepEqual(d1.CustomerMetadataProperties, { team: 'ml', 'git:sha': 'abc123' });
    assert.deepEqual(d1.ModelLifeCycle, { Stage: 'Staging', StageStatus: 'Approved', StageDescription: 'ready for tests' });
    assert.deepEqual(d1.ModelPackageStatusDetails, { ValidationStatuses: [], ImageScanStatuses: [] });
    assert.equal((await describePackage('AbaloneGroup/2')).ModelPackageVersion, 2, 'group/version without an ARN');
    const d2 = await describePackage(v2.ModelPackageArn!);
    assert.equal(d2.ModelApprovalStatus, 'PendingManualApproval', "SageMaker's default");
    assert.equal(d2.ModelLifeCycle, undefined);

    assert.deepEqual(await registeredFiles(t, 'AbaloneGroup', 1), { 'model.tar.gz': 'abalone one' });
    assert.deepEqual(await registeredFiles(t, 'AbaloneGroup', 2), { 'weights/a.bin': 'a', 'weights/b.bin': 'bb' });
    await put('abalone/v2/weights/a.bin', 'overwritten');
    assert.deepEqual(await registeredFiles(t, 'AbaloneGroup', 2), { 'weights/a.bin': 'a', 'weights/b.bin': 'bb' }, 'registered files are pinned');

    await assertFails(create({ ModelPackageGroupName: 'no-such-group' }), 'ValidationException', 400, /does not exist/);
    await assertFails(describePackage('AbaloneGroup/9'), 'ValidationException', 400, /does not exist/);
    await assertFails(create({ ModelPackageGroupName: 'AbaloneGroup', ModelPackageName: 'both' }), 'ValidationException', 400);
    await assertFails(create({}), 'ValidationException', 400);
    await assertFails(
      create({ ModelPackageGroupName: 'AbaloneGroup', InferenceSpecification: { Containers: [{ Image: 'x', ModelDataUrl: `s3://${BUCKET}/missing/model.tar.gz` }] } }),
      'ValidationException',
      400,
    );
    const listed = await sm.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'AbaloneGroup' }));
    assert.deepEqual(listed.ModelPackageSummaryList!.map((p) => p.ModelPackageVersion), [1, 2], 'failed creations registered nothing');
  });

  it('registers unversioned packages', async () => {
    await put('solo/model.bin', 'solo weights');
    const out = await create({
      ModelPackageName: 'SoloModel',
      ModelPackageDescription: 'stands alone',
      InferenceSpecification: { Containers: [{ Image: 'img', ModelDataSource: { S3DataSource: { S3Uri: `s3://${BUCKET}/solo/model.bin`, S3DataType: 'S3Object', CompressionType: 'None' } } }] },
    });
    assert.ok(out.ModelPackageArn!.endsWith(':model-package/solomodel'));
    const byName = await describePackage('SoloModel');
    const byArn = await describePackage(out.ModelPackageArn!);
    for (const d of [byName, byArn]) {
      assert.equal(d.ModelPackageName, 'SoloModel');
      assert.equal(d.ModelPackageGroupName, undefined);
      assert.equal(d.ModelPackageVersion, undefined);
      assert.equal(d.ModelPackageDescription, 'stands alone');
      assert.equal(d.ModelPackageArn, out.ModelPackageArn);
    }
    assert.deepEqual(await registeredFiles(t, 'SoloModel', 1), { 'model.bin': 'solo weights' });
    await assertFails(create({ ModelPackageName: 'SoloModel' }), 'ValidationException', 400, /already exists/);
    await sm.send(new DeleteModelPackageCommand({ ModelPackageName: 'SoloModel' }));
    await assertFails(describePackage('SoloModel'), 'ValidationException', 400, /does not exist/);
  });

  it('a repeated ClientToken (an SDK retry) answers the package its first call made, even when the calls race', async () => {
    await put('retry/model.tar.gz', 'retried weights');
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'retried' }));
    const spec = { Containers: [{ Image: 'img:1', ModelDataUrl: `s3://${BUCKET}/retry/model.tar.gz` }] };
    const versions = async () => (await sm.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'retried' }))).ModelPackageSummaryList!.map((p) => p.ModelPackageVersion);

    const first = await create({ ModelPackageGroupName: 'retried', InferenceSpecification: spec, ClientToken: 'token-a', Tags: [{ Key: 'k', Value: 'v' }] });
    const again = await create({ ModelPackageGroupName: 'retried', InferenceSpecification: spec, ClientToken: 'token-a', Tags: [{ Key: 'k', Value: 'v' }] });
    assert.equal(again.ModelPackageArn, first.ModelPackageArn);
    assert.deepEqual(await versions(), [1]);
    const raced = await Promise.all(Array.from({ length: 4 }, () => create({ ModelPackageGroupName: 'retried', InferenceSpecification: spec, ClientToken: 'token-b' })));
    assert.equal(new Set(raced.map((r) => r.ModelPackageArn)).size, 1, 'four racing calls with one token make one package');
    assert.deepEqual(await versions(), [1, 2]);
    await create({ ModelPackageGroupName: 'retried', InferenceSpecification: spec });
    await create({ ModelPackageGroupName: 'retried', InferenceSpecification: spec });
    assert.deepEqual(await versions(), [1, 2, 3, 4], 'the SDK makes a fresh token for each call');
    await assertFails(create({ ModelPackageGroupName: 'retried', InferenceSpecification: spec, ClientToken: 'not a token!' }), 'ValidationException', 400, /clientToken/);

    const single = await create({ ModelPackageName: 'retried-single', InferenceSpecification: spec, ClientToken: 'token-c' });
    assert.equal((await create({ ModelPackageName: 'retried-single', InferenceSpecification: spec, ClientToken: 'token-c' })).ModelPackageArn, single.ModelPackageArn);
    await assertFails(create({ ModelPackageName: 'retried-single', InferenceSpecification: spec, ClientToken: 'token-d' }), 'ValidationException', 400, /already exists/);

    await sm.send(new DeleteModelPackageCommand({ ModelPackageName: first.ModelPackageArn }));
    const afterDelete = await create({ ModelPackageGroupName: 'retried', InferenceSpecification: spec, ClientToken: 'token-a' });
    assert.notEqual(afterDelete.ModelPackageArn, first.ModelPackageArn, 'a deleted package frees its token');
  });

  it('updates approval, customer metadata and the lifecycle stage', async () => {
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'ranker' }));
    const a = await create({ ModelPackageGroupName: 'ranker', CustomerMetadataProperties: { owner: 'ana', temp: 'x' }, ModelLifeCycle: { Stage: 'Staging', StageStatus: 'Approved' } });
    const b = await create({ ModelPackageGroupName: 'ranker' });

    await sm.send(
      new UpdateModelPackageCommand({
        ModelPackageArn: a.ModelPackageArn,
        ModelApprovalStatus: 'Approved',
        ApprovalDescription: 'looks good',
        CustomerMetadataProperties: { reviewer: 'bo' },
        CustomerMetadataPropertiesToRemove: ['temp'],
        ModelLifeCycle: { Stage: 'Production', StageStatus: 'Deployed', StageDescription: 'live' },
      }),
    );
    const updated = await describePackage(a.ModelPackageArn!);
    assert.equal(updated.ModelApprovalStatus, 'Approved');
    assert.deepEqual(updated.CustomerMetadataProperties, { owner: 'ana', reviewer: 'bo' });
    assert.deepEqual(updated.ModelLifeCycle, { Stage: 'Production', StageStatus: 'Deployed', StageDescription: 'live' }, 'the stage moved last');

    // Production moves to b: a is back to the stage still pointing at it.
    await sm.send(new UpdateModelPackageCommand({ ModelPackageArn: b.ModelPackageArn, ModelLifeCycle: { Stage: 'Production', StageStatus: 'Deployed' } }));
    assert.deepEqual((await describePackage(a.ModelPackageArn!)).ModelLifeCycle, { Stage: 'Staging', StageStatus: 'Approved' });
    assert.deepEqual((await describePackage(b.ModelPackageArn!)).ModelLifeCycle, { Stage: 'Production', StageStatus: 'Deployed' });
    const listed = await sm.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'ranker' }));
    assert.deepEqual(
      listed.ModelPackageSummaryList!.map((p) => [p.ModelPackageVersion, p.ModelApprovalStatus, p.ModelLifeCycle?.Stage]),
      [
        [1, 'Approved', 'Staging'],
        [2, 'PendingManualApproval', 'Production'],
      ],
    );

    await assertFails(sm.send(new UpdateModelPackageCommand({ ModelPackageArn: `${b.ModelPackageArn!.slice(0, -1)}7` })), 'ValidationException', 400, /does not exist/);
    await assertFails(
      sm.send(new UpdateModelPackageCommand({ ModelPackageArn: a.ModelPackageArn, ModelApprovalStatus: 'Maybe' as 'Approved' })),
      'ValidationException',
      400,
      /enum value set/,
    );
    assert.equal((await describePackage(a.ModelPackageArn!)).ModelApprovalStatus, 'Approved', 'a refused update changes nothing');
  });

  it('describes a batch of packages, with an error for each missing one', async () => {
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'batch-group' }));
    const one = await create({ ModelPackageGroupName: 'batch-group', ModelPackageDescription: 'one' });
    const two = await create({ ModelPackageGroupName: 'batch-group', ModelPackageDescription: 'two' });
    const missing = one.ModelPackageArn!.replace(/\/1$/, '/99');
    const out = await sm.send(new BatchDescribeModelPackageCommand({ ModelPackageArnList: [one.ModelPackageArn!, two.ModelPackageArn!, missing] }));
    assert.deepEqual(Object.keys(out.ModelPackageSummaries!).sort(), [one.ModelPackageArn!, two.ModelPackageArn!].sort());
    assert.equal(out.ModelPackageSummaries![two.ModelPackageArn!]!.ModelPackageDescription, 'two');
    assert.equal(out.ModelPackageSummaries![two.ModelPackageArn!]!.ModelPackageVersion, 2);
    assert.equal(out.ModelPackageSummaries![two.ModelPackageArn!]!.ModelPackageGroupName, 'batch-group');
    assert.deepEqual(Object.keys(out.BatchDescribeModelPackageErrorMap!), [missing]);
    assert.equal(out.BatchDescribeModelPackageErrorMap![missing]!.ErrorCode, 'ValidationException');
  });
});

/** The files of a version as a download grant serves them (path → bytes). */
async function registeredFiles(t: TestSignet, name: string, number: number): Promise<Record<string, string>> {
  const registry = t.signet.registry;
  const who = await registry.tokens.authenticateBasic(ROOT.user, ROOT.password);
  const grant = await registry.grants.download(who, {
    target: { kind: 'model-version', model: { namespace: 'sagemaker', name }, selector: { number } },
    face: 'rest',
    baseUrl: t.url,
  });
  const out: Record<string, string> = {};
  for (const f of grant.files) out[f.path] = await (await fetch(f.url)).text();
  return out;
}

describeEachMeta('SageMaker face: ListModelPackages', (kind) => {
  let t: TestSignet;
  let sm: SageMakerClient;
  const clock = new TestClock();
  /** What was created, in creation order, with the instant each was created at. */
  const made: { name: string; group: string | null; version: number | null; approval: string; at: Date; arn: string }[] = [];
  const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 10 * 60_000);
  const at = (i: number) => new Date(start.getTime() + i * 60_000);

  before(async () => {
    t = await startTestSignet(kind, { clock: clock.now });
    sm = sagemakerClient(t);
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'g-alpha' }));
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'g-beta' }));
    const plan: [string, boolean, 'Approved' | 'Rejected' | 'PendingManualApproval'][] = [
      ['g-alpha', true, 'Approved'],
      ['solo-one', false, 'PendingManualApproval'],
      ['g-beta', true, 'Rejected'],
      ['g-alpha', true, 'PendingManualApproval'],
      ['solo-two', false, 'Approved'],
      ['g-beta', true, 'Approved'],
      ['g-alpha', true, 'Approved'],
      ['other-three', false, 'PendingManualApproval'],
    ];
    try {
      for (const [i, [name, versioned, approval]] of plan.entries()) {
        clock.freeze(at(i));
        const out = await sm.send(new CreateModelPackageCommand(versioned ? { ModelPackageGroupName: name, ModelApprovalStatus: approval } : { ModelPackageName: name, ModelApprovalStatus: approval }));
        const version = versioned ? made.filter((m) => m.group === name).length + 1 : null;
        made.push({ name, group: versioned ? name : null, version, approval, at: at(i), arn: out.ModelPackageArn! });
      }
    } finally {
      clock.reset();
    }
  });
  after(async () => {
    sm?.destroy();
    await t?.close();
  });

  type Made = (typeof made)[number];
  const byTime = (a: Made, b: Made) => a.at.getTime() - b.at.getTime();
  const byName = (a: Made, b: Made) => (a.name < b.name ? -1 : a.name > b.name ? 1 : (a.version ?? 0) - (b.version ?? 0));
  const list = async (input: ListModelPackagesCommandInput) => {
    const arns: string[] = [];
    for await (const page of paginateListModelPackages({ client: sm, pageSize: 3 }, input)) {
      assert.ok(page.ModelPackageSummaryList!.length <= 3);
      arns.push(...page.ModelPackageSummaryList!.map((p) => p.ModelPackageArn!));
    }
    return arns;
  };
  const expect = (keep: (m: Made) => boolean, order: (a: Made, b: Made) => number = byTime) => made.filter(keep).sort(order).map((m) => m.arn);

  it('lists only unversioned packages by default, oldest first', async () => {
    assert.deepEqual(await list({}), expect((m) => m.group === null));
    const firstPage = await sm.send(new ListModelPackagesCommand({}));
    assert.equal(firstPage.ModelPackageSummaryList!.length, 3);
    assert.equal(firstPage.NextToken, undefined);
  });

  it('filters by type', async () => {
    assert.deepEqual(await list({ ModelPackageType: 'Versioned' }), expect((m) => m.group !== null));
    assert.deepEqual(await list({ ModelPackageType: 'Unversioned' }), expect((m) => m.group === null));
    assert.deepEqual(await list({ ModelPackageType: 'Both' }), expect(() => true));
  });

  it('filters by group (its versions, whatever the type default says)', async () => {
    assert.deepEqual(await list({ ModelPackageGroupName: 'g-alpha' }), expect((m) => m.group === 'g-alpha'));
    const groupArn = (await sm.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'g-beta' }))).ModelPackageGroupArn;
    assert.deepEqual(await list({ ModelPackageGroupName: groupArn, ModelPackageType: 'Both' }), expect((m) => m.group === 'g-beta'));
    assert.deepEqual(await list({ ModelPackageGroupName: 'g-gamma' }), []);
  });

  it('filters by name, approval status and creation time', async () => {
    assert.deepEqual(await list({ NameContains: 'solo' }), expect((m) => m.name.includes('solo') && m.group === null));
    assert.deepEqual(await list({ NameContains: 'alpha', ModelPackageType: 'Both' }), expect((m) => m.name.includes('alpha')));
    assert.deepEqual(await list({ ModelApprovalStatus: 'Approved', ModelPackageType: 'Both' }), expect((m) => m.approval === 'Approved'));
    assert.deepEqual(await list({ ModelApprovalStatus: 'Rejected', ModelPackageType: 'Both' }), expect((m) => m.approval === 'Rejected'));
    const window = { CreationTimeAfter: at(2), CreationTimeBefore: at(6), ModelPackageType: 'Both' as const };
    assert.deepEqual(await list(window), expect((m) => m.at > at(2) && m.at < at(6)));
    assert.deepEqual(await list({ CreationTimeAfter: new Date(at(4).getTime() - 500), ModelPackageType: 'Both' }), expect((m) => m.at >= at(4)));
    assert.deepEqual(
      await list({ ...window, ModelApprovalStatus: 'Approved', NameContains: 'g-' }),
      expect((m) => m.at > at(2) && m.at < at(6) && m.approval === 'Approved' && m.name.includes('g-')),
    );
  });

  it('sorts by name or creation time, either way', async () => {
    const all = () => true;
    assert.deepEqual(await list({ ModelPackageType: 'Both', SortBy: 'Name' }), expect(all, byName));
    assert.deepEqual(await list({ ModelPackageType: 'Both', SortBy: 'Name', SortOrder: 'Descending' }), expect(all, byName).reverse());
    assert.deepEqual(await list({ ModelPackageType: 'Both', SortBy: 'CreationTime', SortOrder: 'Ascending' }), expect(all, byTime));
    assert.deepEqual(await list({ ModelPackageType: 'Both', SortOrder: 'Descending' }), expect(all, byTime).reverse());
  });

  it('pages with the paginator and reports what each package is', async () => {
    const pages: number[] = [];
    for await (const page of paginateListModelPackages({ client: sm, pageSize: 3 }, { ModelPackageType: 'Both' })) pages.push(page.ModelPackageSummaryList!.length);
    assert.deepEqual(pages, [3, 3, 2]);
    const out = await sm.send(new ListModelPackagesCommand({ ModelPackageType: 'Both', MaxResults: 100 }));
    const expected = [...made].sort(byTime);
    assert.deepEqual(
      out.ModelPackageSummaryList!.map((p) => [p.ModelPackageName, p.ModelPackageGroupName, p.ModelPackageVersion, p.ModelPackageArn, p.ModelApprovalStatus, p.ModelPackageStatus, p.CreationTime?.getTime()]),
      expected.map((m) => [m.name, m.group ?? undefined, m.version ?? undefined, m.arn, m.approval, 'Completed', m.at.getTime()]),
    );
  });
});

