/**
 * SageMaker tags, driven by @aws-sdk/client-sagemaker with default settings:
 * Tags on CreateModelPackageGroup, CreateModelPackage, CreateHub,
 * ImportHubContent and CreateHubContentReference;
 * AddTags, ListTags and DeleteTags by ARN; AWS's tag rules; tags go with
 * their resource; a read-only token lists but cannot tag.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  AddTagsCommand,
  CreateHubCommand,
  CreateHubContentReferenceCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DeleteHubCommand,
  DeleteHubContentCommand,
  DeleteModelPackageCommand,
  DeleteModelPackageGroupCommand,
  DeleteTagsCommand,
  DescribeHubCommand,
  DescribeHubContentCommand,
  ImportHubContentCommand,
  ListModelPackageGroupsCommand,
  ListTagsCommand,
  type SageMakerClient,
  type Tag,
} from '@aws-sdk/client-sagemaker';
import { assertFails, rawCall, sagemakerClient } from '../support/sagemaker.ts';
import { describeEachMeta, ROOT, useTestSignet, type TestSignet } from '../support/test-signet.ts';

const BUCKET = 'tagged-models';

describeEachMeta('SageMaker face: tags', (kind) => {
  let t: TestSignet;
  let sm: SageMakerClient;
  let s3: S3Client;
  useTestSignet(kind, { buckets: [BUCKET] }, (started) => {
    ({ t, s3 } = started);
    sm = sagemakerClient(t);
  });
  before(() => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'm/model.tar.gz', Body: 'weights' })));
  after(() => sm?.destroy());

  const tagsOf = async (arn: string) => (await sm.send(new ListTagsCommand({ ResourceArn: arn }))).Tags;
  const spec = { Containers: [{ Image: 'img:1', ModelDataUrl: `s3://${BUCKET}/m/model.tar.gz` }] };

  it('keeps the Tags of a Create, adds and replaces by key, lists in key order, deletes by key', async () => {
    const group = await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'tagged', Tags: [{ Key: 'team', Value: 'vision' }, { Key: 'cost-center', Value: '42' }] }));
    const arn = group.ModelPackageGroupArn!;
    assert.deepEqual(await tagsOf(arn), [{ Key: 'cost-center', Value: '42' }, { Key: 'team', Value: 'vision' }]);
    const added = await sm.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'team', Value: 'nlp' }, { Key: 'stage', Value: '' }] }));
    assert.deepEqual(added.Tags, [{ Key: 'team', Value: 'nlp' }, { Key: 'stage', Value: '' }]);
    assert.deepEqual(await tagsOf(arn), [{ Key: 'cost-center', Value: '42' }, { Key: 'stage', Value: '' }, { Key: 'team', Value: 'nlp' }]);
    await sm.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: ['stage', 'not-there'] }));
    assert.deepEqual(await tagsOf(arn), [{ Key: 'cost-center', Value: '42' }, { Key: 'team', Value: 'nlp' }]);

    const pkg = await sm.send(new CreateModelPackageCommand({ ModelPackageGroupName: 'tagged', InferenceSpecification: spec, Tags: [{ Key: 'run', Value: 'r-17' }] }));
    assert.deepEqual(await tagsOf(pkg.ModelPackageArn!), [{ Key: 'run', Value: 'r-17' }]);
    const single = await sm.send(new CreateModelPackageCommand({ ModelPackageName: 'single', InferenceSpecification: spec, Tags: [{ Key: 'kind', Value: 'unversioned' }] }));
    assert.deepEqual(await tagsOf(single.ModelPackageArn!), [{ Key: 'kind', Value: 'unversioned' }]);
    const hub = await sm.send(new CreateHubCommand({ HubName: 'TaggedHub', HubDescription: 'd', Tags: [{ Key: 'owner', Value: 'platform@example.com' }] }));
    assert.deepEqual(await tagsOf(hub.HubArn!), [{ Key: 'owner', Value: 'platform@example.com' }]);
    assert.deepEqual(await tagsOf(arn), [{ Key: 'cost-center', Value: '42' }, { Key: 'team', Value: 'nlp' }], 'each resource keeps its own');
  });

  it('tags hub content versions and references; they go with the version', async () => {
    await sm.send(new CreateHubCommand({ HubName: 'ContentHub', HubDescription: 'd' }));
    const doc = JSON.stringify({ Framework: 'pytorch' });
    const imported = await sm.send(
      new ImportHubContentCommand({ HubName: 'ContentHub', HubContentName: 'llm', HubContentVersion: '1.0.0', HubContentType: 'Model', DocumentSchemaVersion: '2.0.0', HubContentDocument: doc, Tags: [{ Key: 'license', Value: 'apache-2.0' }] }),
    );
    const v1 = imported.HubContentArn!;
    assert.deepEqual(await tagsOf(v1), [{ Key: 'license', Value: 'apache-2.0' }]);
    const v2 = (await sm.send(new ImportHubContentCommand({ HubName: 'ContentHub', HubContentName: 'llm', HubContentVersion: '2.0.0', HubContentType: 'Model', DocumentSchemaVersion: '2.0.0', HubContentDocument: doc }))).HubContentArn!;
    await sm.send(new AddTagsCommand({ ResourceArn: v2, Tags: [{ Key: 'eval', Value: 'passed' }] }));
    assert.deepEqual(await tagsOf(v2), [{ Key: 'eval', Value: 'passed' }]);
    assert.deepEqual(await tagsOf(v1), [{ Key: 'license', Value: 'apache-2.0' }], 'each version keeps its own');
    await assertFails(sm.send(new ListTagsCommand({ ResourceArn: v1.replace(/\/1\.0\.0$/, '') })), 'ValidationException', 400, /cannot be tagged/);

    await sm.send(new CreateHubCommand({ HubName: 'RefHub', HubDescription: 'd' }));
    const ref = await sm.send(new CreateHubContentReferenceCommand({ HubName: 'RefHub', SageMakerPublicHubContentArn: v1.replace(/\/1\.0\.0$/, ''), Tags: [{ Key: 'ref', Value: 'yes' }] }));
    assert.deepEqual(await tagsOf(ref.HubContentArn!), [{ Key: 'ref', Value: 'yes' }]);

    await sm.send(new DeleteHubContentCommand({ HubName: 'ContentHub', HubContentName: 'llm', HubContentType: 'Model', HubContentVersion: '1.0.0' }));
    await assertFails(sm.send(new ListTagsCommand({ ResourceArn: v1 })), 'ValidationException', 400, /does not exist/);
    await sm.send(new ImportHubContentCommand({ HubName: 'ContentHub', HubContentName: 'llm', HubContentVersion: '1.0.0', HubContentType: 'Model', DocumentSchemaVersion: '2.0.0', HubContentDocument: doc }));
    assert.deepEqual(await tagsOf(v1), [], 'the version imported again starts with none');
    await assertFails(
      sm.send(new ImportHubContentCommand({ HubName: 'ContentHub', HubContentName: 'other', HubContentVersion: '1.0.0', HubContentType: 'Model', DocumentSchemaVersion: '2.0.0', HubContentDocument: doc, Tags: [{ Key: 'aws:no', Value: '' }] })),
      'ValidationException',
      400,
      /reserved/,
    );
    await assertFails(sm.send(new DescribeHubContentCommand({ HubName: 'ContentHub', HubContentName: 'other', HubContentType: 'Model' })), 'ResourceNotFound', 400);
  });

  it('tags go with their resource: a new one of the same name starts with none', async () => {
    const group = await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'short-lived', Tags: [{ Key: 'a', Value: '1' }] }));
    const pkg = await sm.send(new CreateModelPackageCommand({ ModelPackageGroupName: 'short-lived', InferenceSpecification: spec, Tags: [{ Key: 'b', Value: '2' }] }));
    await sm.send(new DeleteModelPackageCommand({ ModelPackageName: pkg.ModelPackageArn }));
    await assertFails(sm.send(new ListTagsCommand({ ResourceArn: pkg.ModelPackageArn })), 'ValidationException', 400, /does not exist/);
    await sm.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: 'short-lived' }));
    await assertFails(sm.send(new AddTagsCommand({ ResourceArn: group.ModelPackageGroupArn, Tags: [{ Key: 'a', Value: '1' }] })), 'ValidationException', 400, /does not exist/);
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'short-lived' }));
    assert.deepEqual(await tagsOf(group.ModelPackageGroupArn!), []);

    await sm.send(new CreateHubCommand({ HubName: 'gone', HubDescription: 'd', Tags: [{ Key: 'x', Value: 'y' }] }));
    await sm.send(new DeleteHubCommand({ HubName: 'gone' }));
    const again = await sm.send(new CreateHubCommand({ HubName: 'gone', HubDescription: 'd' }));
    assert.deepEqual(await tagsOf(again.HubArn!), []);
  });

  it('refuses what AWS refuses, and a refused Create creates nothing', async () => {
    const arn = (await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'strict' }))).ModelPackageGroupArn!;
    const add = (tags: Tag[]) => sm.send(new AddTagsCommand({ ResourceArn: arn, Tags: tags }));
    await assertFails(add([{ Key: 'bad*key', Value: 'v' }]), 'ValidationException', 400, /tags\.1\.member\.key/);
    await assertFails(add([{ Key: 'k'.repeat(129), Value: 'v' }]), 'ValidationException', 400, /length less than or equal to 128/);
    await assertFails(add([{ Key: 'k', Value: 'v'.repeat(257) }]), 'ValidationException', 400, /length less than or equal to 256/);
    await assertFails(add([{ Key: 'aws:reserved', Value: 'v' }]), 'ValidationException', 400, /reserved/);
    await assertFails(add([{ Key: 'twice', Value: '1' }, { Key: 'twice', Value: '2' }]), 'ValidationException', 400, /given twice/);
    await assertFails(add([]), 'ValidationException', 400, /length greater than or equal to 1/);
    await add(Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: String(i) })));
    await assertFails(add([{ Key: 'one-more', Value: 'v' }]), 'ResourceLimitExceeded', 400, /at most 50/);
    assert.equal((await tagsOf(arn))!.length, 50);
    await assertFails(sm.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: [] })), 'ValidationException', 400);
    await assertFails(sm.send(new ListTagsCommand({ ResourceArn: arn, MaxResults: 10 })), 'ValidationException', 400, /greater than or equal to 50/);
    await assertFails(sm.send(new ListTagsCommand({ ResourceArn: arn, NextToken: 'abc' })), 'ValidationException', 400, /NextToken/);

    for (const other of ['arn:aws:sagemaker:us-east-1:123456789012:endpoint/e', 'arn:aws:s3:::bucket', 'not-an-arn', arn.replace('strict', 'missing')]) {
      await assertFails(sm.send(new ListTagsCommand({ ResourceArn: other })), 'ValidationException', 400);
    }
    await assertFails(sm.send(new ListTagsCommand({ ResourceArn: arn.replace(':model-package-group/strict', ':hub/NoSuchHub') })), 'ValidationException', 400, /does not exist/);

    await assertFails(sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'never-made', Tags: [{ Key: 'aws:x', Value: '' }] })), 'ValidationException', 400, /reserved/);
    const groups = (await sm.send(new ListModelPackageGroupsCommand({ NameContains: 'never-made' }))).ModelPackageGroupSummaryList;
    assert.deepEqual(groups, []);
    await assertFails(sm.send(new CreateHubCommand({ HubName: 'NeverHub', HubDescription: 'd', Tags: [{ Key: 'dup', Value: '' }, { Key: 'dup', Value: '' }] })), 'ValidationException', 400);
    await assertFails(sm.send(new DescribeHubCommand({ HubName: 'NeverHub' })), 'ResourceNotFound', 400);
  });

  it('a read-scoped token lists tags but cannot add or delete them', async () => {
    const arn = (await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'guarded', Tags: [{ Key: 'k', Value: 'v' }] }))).ModelPackageGroupArn!;
    const root = await t.signet.registry.tokens.authenticateBasic(ROOT.user, ROOT.password);
    const { secret } = await t.signet.registry.tokens.create(root, { name: 'reader', scopes: ['read'] });
    const bearer = { sign: false, headers: { authorization: `Bearer ${secret}` } };
    const listed = await rawCall(t, 'ListTags', JSON.stringify({ ResourceArn: arn }), bearer);
    assert.equal(listed.status, 200);
    assert.deepEqual(listed.body, { Tags: [{ Key: 'k', Value: 'v' }] });
    const refused = [
      await rawCall(t, 'AddTags', JSON.stringify({ ResourceArn: arn, Tags: [{ Key: 'k', Value: 'changed' }] }), bearer),
      await rawCall(t, 'DeleteTags', JSON.stringify({ ResourceArn: arn, TagKeys: ['k'] }), bearer),
    ];
    assert.deepEqual(refused.map((r) => [r.status, r.body.__type]), [[403, 'AccessDeniedException'], [403, 'AccessDeniedException']]);
    assert.deepEqual(await tagsOf(arn), [{ Key: 'k', Value: 'v' }]);
  });
});
