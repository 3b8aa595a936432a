/**
 * Bad input and bad callers on the SageMaker face: each gets SageMaker's
 * error shape (`__type` and status, as the SDK surfaces them in `err.name`
 * and `$metadata.httpStatusCode`), and changes nothing.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, it } from 'node:test';
import {
  CreateHubCommand,
  CreateHubContentPresignedUrlsCommand,
  CreateModelPackageCommand,
  CreateModelPackageGroupCommand,
  DeleteHubContentReferenceCommand,
  DeleteModelPackageGroupCommand,
  DescribeHubCommand,
  DescribeModelPackageCommand,
  DescribeModelPackageGroupCommand,
  ImportHubContentCommand,
  ListHubContentsCommand,
  ListHubsCommand,
  ListModelPackageGroupsCommand,
  ListModelPackagesCommand,
  type SageMakerClient,
  UpdateModelPackageCommand,
} from '@aws-sdk/client-sagemaker';
import { assertFails, rawCall, ROOT_CREDENTIALS, sagemakerClient } from '../support/sagemaker.ts';
import { describeEachMeta, ROOT, startTestSignet, type TestSignet } from '../support/test-signet.ts';

describeEachMeta('SageMaker face: bad input and bad callers', (kind) => {
  let t: TestSignet;
  let sm: SageMakerClient;
  let packageArn: string;
  let snapshot: string;

  /** Everything a bad request could have changed, as one string. */
  const state = async (): Promise<string> => {
    const hubs = await sm.send(new ListHubsCommand({ MaxResults: 100 }));
    const contents = await sm.send(new ListHubContentsCommand({ HubName: 'keep-hub', HubContentType: 'Model', MaxResults: 100 }));
    const groups = await sm.send(new ListModelPackageGroupsCommand({ MaxResults: 100 }));
    const packages = await sm.send(new ListModelPackagesCommand({ ModelPackageType: 'Both', MaxResults: 100 }));
    const described = await sm.send(new DescribeModelPackageCommand({ ModelPackageName: packageArn }));
    return JSON.stringify({
      hubs: hubs.HubSummaries!.map((h) => [h.HubName, h.HubDescription, h.LastModifiedTime]),
      contents: contents.HubContentSummaries!.map((c) => [c.HubContentName, c.HubContentVersion]),
      groups: groups.ModelPackageGroupSummaryList!.map((g) => g.ModelPackageGroupName),
      packages: packages.ModelPackageSummaryList!.map((p) => [p.ModelPackageArn, p.ModelApprovalStatus, p.ModelLifeCycle]),
      metadata: described.CustomerMetadataProperties,
    });
  };

  before(async () => {
    t = await startTestSignet(kind);
    sm = sagemakerClient(t);
    await sm.send(new CreateHubCommand({ HubName: 'keep-hub', HubDescription: 'stays as it is' }));
    await sm.send(new ImportHubContentCommand({ HubName: 'keep-hub', HubContentName: 'kept', HubContentType: 'Model', DocumentSchemaVersion: '1.0.0', HubContentDocument: '{}' }));
    await sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'keep-group' }));
    packageArn = (await sm.send(new CreateModelPackageCommand({ ModelPackageGroupName: 'keep-group', CustomerMetadataProperties: { k: 'v' } }))).ModelPackageArn!;
    await sm.send(new CreateModelPackageCommand({ ModelPackageGroupName: 'keep-group' }));
    await sm.send(new CreateModelPackageCommand({ ModelPackageName: 'keep-solo' }));
    snapshot = await state();
  });
  beforeEach(async () => {
    assert.equal(await state(), snapshot);
  });
  after(async () => {
    if (sm && t) assert.equal(await state(), snapshot, 'no refused request changed anything');
    sm?.destroy();
    await t?.close();
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    const res = await rawCall(t, 'DescribeEverything', '{}');
    assert.equal(res.status, 400);
    assert.equal(res.body.__type, 'UnknownOperationException');
    assert.equal(typeof res.body.message, 'string');
    assert.match(res.headers.get('x-amzn-requestid') ?? '', /^[0-9A-F]+$/);
    assert.equal(res.headers.get('content-type'), 'application/x-amz-json-1.1');
    const sdkStyle = await rawCall(t, 'CreateHubz', JSON.stringify({ HubName: 'typo-hub', HubDescription: 'x' }));
    assert.equal(sdkStyle.body.__type, 'UnknownOperationException');
  });

  it('answers malformed JSON with SerializationException', async () => {
    for (const body of ['{"HubName": "half-hub",', '[1, 2]', '"a string"', 'null', '{"HubName": "x"} trailing']) {
      const res = await rawCall(t, 'CreateHub', body);
      assert.equal(res.status, 400, body);
      assert.equal(res.body.__type, 'SerializationException', body);
      assert.match(res.headers.get('x-amzn-requestid') ?? '', /\S/);
    }
  });

  it('answers members of the wrong type with SerializationException', async () => {
    const cases: [string, unknown][] = [
      ['CreateHub', { HubName: 5, HubDescription: 'd' }],
      ['CreateHub', { HubName: 'typed-hub', HubDescription: 'd', HubSearchKeywords: 'one' }],
      ['CreateModelPackageGroup', { ModelPackageGroupName: ['a'] }],
      ['ListModelPackages', { MaxResults: '5' }],
      ['ListModelPackages', { MaxResults: 2.5 }],
      ['ListModelPackages', { CreationTimeAfter: { at: 1 } }],
      ['CreateHubContentPresignedUrls', { HubName: 'keep-hub', HubContentType: 'Model', HubContentName: 'kept', AccessConfig: { AcceptEula: 'yes' } }],
      ['UpdateModelPackage', { ModelPackageArn: packageArn, CustomerMetadataProperties: { k: 1 } }],
      ['CreateModelPackage', { ModelPackageGroupName: 'keep-group', InferenceSpecification: { Containers: {} } }],
    ];
    for (const [op, body] of cases) {
      const res = await rawCall(t, op, JSON.stringify(body));
      assert.equal(res.status, 400, `${op} ${JSON.stringify(body)}`);
      assert.equal(res.body.__type, 'SerializationException', `${op} ${JSON.stringify(body)}: ${String(res.body.message)}`);
    }
  });

  it('answers constraint violations with a ValidationException naming the member', async () => {
    await assertFails(
      sm.send(new CreateHubCommand({ HubName: 'h'.repeat(64), HubDescription: 'too long a name' })),
      'ValidationException',
      400,
      /^\d validation errors? detected: Value 'h{64}' at 'hubName' failed to satisfy constraint: Member must have length less than or equal to 63/,
    );
    await assertFails(sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'bad_name' })), 'ValidationException', 400, /at 'modelPackageGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    await assertFails(sm.send(new CreateModelPackageGroupCommand({ ModelPackageGroupName: 'g'.repeat(64) })), 'ValidationException', 400, /modelPackageGroupName/);
    await assertFails(sm.send(new CreateHubCommand({ HubName: 'two-wrongs', HubDescription: 'd'.repeat(1024), HubSearchKeywords: ['UPPER'] })), 'ValidationException', 400, /^2 validation errors detected: .*hubDescription.*; .*hubSearchKeywords\.1\.member/);
    await assertFails(sm.send(new ListModelPackagesCommand({ MaxResults: 101 })), 'ValidationException', 400, /at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100/);
    await assertFails(sm.send(new ListModelPackagesCommand({ MaxResults: 0 })), 'ValidationException', 400, /greater than or equal to 1/);
    await assertFails(sm.send(new ListModelPackagesCommand({ SortBy: 'Size' as 'Name' })), 'ValidationException', 400, /at 'sortBy' failed to satisfy constraint: Member must satisfy enum value set: \[Name, CreationTime\]/);
    await assertFails(
      sm.send(new ImportHubContentCommand({ HubName: 'keep-hub', HubContentName: 'kept', HubContentVersion: '1.0', HubContentType: 'Model', DocumentSchemaVersion: '1.0.0', HubContentDocument: '{}' })),
      'ValidationException',
      400,
      /hubContentVersion/,
    );
    await assertFails(
      sm.send(new ImportHubContentCommand({ HubName: 'keep-hub', HubContentName: 'bad-doc', HubContentType: 'Model', DocumentSchemaVersion: '1.0.0', HubContentDocument: 'not json' })),
      'ValidationException',
      400,
    );
    await assertFails(sm.send(new UpdateModelPackageCommand({ ModelPackageArn: packageArn, CustomerMetadataProperties: { 'bad#key': 'x' } })), 'ValidationException', 400, /customerMetadataProperties/);
    await assertFails(sm.send(new UpdateModelPackageCommand({ ModelPackageArn: packageArn, ModelLifeCycle: { Stage: 'bad stage', StageStatus: 'x' } })), 'ValidationException', 400, /modelLifeCycle\.stage/);
    const missing = await rawCall(t, 'CreateHub', JSON.stringify({ HubName: 'no-description' }));
    assert.equal(missing.status, 400);
    assert.equal(missing.body.__type, 'ValidationException');
    assert.match(String(missing.body.message), /Value null at 'hubDescription' failed to satisfy constraint: Member must not be null/);
  });

  it('refuses forged, edited and misplaced NextTokens', async () => {
    await assertFails(sm.send(new ListModelPackagesCommand({ NextToken: 'forged' })), 'ValidationException', 400);
    const first = await sm.send(new ListModelPackagesCommand({ ModelPackageType: 'Both', MaxResults: 1 }));
    assert.ok(first.NextToken);
    const token = first.NextToken!;
    const edited = token.slice(0, 5) + (token[5] === 'A' ? 'B' : 'A') + token.slice(6);
    await assertFails(sm.send(new ListModelPackagesCommand({ ModelPackageType: 'Both', MaxResults: 1, NextToken: edited })), 'ValidationException', 400);
    await assertFails(sm.send(new ListModelPackagesCommand({ ModelPackageType: 'Both', SortBy: 'Name', NextToken: token })), 'ValidationException', 400, /pagination token/);
    await assertFails(sm.send(new ListHubsCommand({ NextToken: token })), 'ValidationException', 400);
    await assertFails(
      sm.send(new CreateHubContentPresignedUrlsCommand({ HubName: 'keep-hub', HubContentType: 'Model', HubContentName: 'kept', NextToken: token })),
      'ValidationException',
      400,
    );
    const second = await sm.send(new ListModelPackagesCommand({ ModelPackageType: 'Both', MaxResults: 1, NextToken: token }));
    assert.equal(second.ModelPackageSummaryList!.length, 1, 'the real token still works');
  });

  it('answers unknown hubs and content with ResourceNotFound, unknown groups and packages with ValidationException', async () => {
    await assertFails(sm.send(new DescribeHubCommand({ HubName: 'no-hub' })), 'ResourceNotFound', 400);
    await assertFails(sm.send(new ListHubContentsCommand({ HubName: 'no-hub', HubContentType: 'Model' })), 'ResourceNotFound', 400);
    await assertFails(
      sm.send(new ImportHubContentCommand({ HubName: 'no-hub', HubContentName: 'x', HubContentType: 'Model', DocumentSchemaVersion: '1.0.0', HubContentDocument: '{}' })),
      'ResourceNotFound',
      400,
    );
    await assertFails(sm.send(new CreateHubContentPresignedUrlsCommand({ HubName: 'no-hub', HubContentType: 'Model', HubContentName: 'kept' })), 'ResourceNotFound', 400);
    await assertFails(sm.send(new CreateHubContentPresignedUrlsCommand({ HubName: 'keep-hub', HubContentType: 'Model', HubContentName: 'nothing' })), 'ResourceNotFound', 400);
    await assertFails(sm.send(new DeleteHubContentReferenceCommand({ HubName: 'keep-hub', HubContentType: 'ModelReference', HubContentName: 'nothing' })), 'ResourceNotFound', 400);

    await assertFails(sm.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: 'no-group' })), 'ValidationException', 400, /does not exist/);
    await assertFails(sm.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: 'no-group' })), 'ValidationException', 400, /does not exist/);
    await assertFails(sm.send(new CreateModelPackageCommand({ ModelPackageGroupName: 'no-group' })), 'ValidationException', 400, /does not exist/);
    await assertFails(sm.send(new DescribeModelPackageCommand({ ModelPackageName: 'no-package' })), 'ValidationException', 400, /does not exist/);
    await assertFails(sm.send(new DescribeModelPackageCommand({ ModelPackageName: 'keep-group' })), 'ValidationException', 400, /does not exist/);
    await assertFails(sm.send(new UpdateModelPackageCommand({ ModelPackageArn: packageArn.replace(/\/1$/, '/5'), ModelApprovalStatus: 'Approved' })), 'ValidationException', 400);
    const hubArn = (await sm.send(new DescribeHubCommand({ HubName: 'keep-hub' }))).HubArn;
    await assertFails(sm.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: hubArn })), 'ValidationException', 400);
    assert.deepEqual((await sm.send(new ListModelPackagesCommand({ ModelPackageGroupName: 'no-group' }))).ModelPackageSummaryList, []);
  });

  it('refuses callers it cannot authenticate, and changes by read-only tokens', async () => {
    const wrongSecret = sagemakerClient(t, { accessKeyId: ROOT.user, secretAccessKey: 'not-the-secret' });
    const unknownKey = sagemakerClient(t, { accessKeyId: 'AKIDONOTEXIST', secretAccessKey: 'whatever-secret' });
    try {
      await assertFails(wrongSecret.send(new CreateHubCommand({ HubName: 'forged-hub', HubDescription: 'x' })), 'InvalidSignatureException', 403);
      await assertFails(unknownKey.send(new CreateHubCommand({ HubName: 'forged-hub', HubDescription: 'x' })), 'UnrecognizedClientException', 403);
    } finally {
      wrongSecret.destroy();
      unknownKey.destroy();
    }
    const unsigned = await rawCall(t, 'CreateHub', JSON.stringify({ HubName: 'anon-hub', HubDescription: 'x' }), { sign: false });
    assert.equal(unsigned.status, 403);
    assert.equal(unsigned.body.__type, 'MissingAuthenticationTokenException');
    const otherService = await rawCall(t, 'CreateHub', JSON.stringify({ HubName: 's3-signed-hub', HubDescription: 'x' }), { service: 's3' });
    assert.equal(otherService.status, 403);
    assert.equal(otherService.body.__type, 'IncompleteSignatureException');

    const root = await t.signet.registry.tokens.authenticateBasic(ROOT.user, ROOT.password);
    const { token, secret } = await t.signet.registry.tokens.create(root, { name: 'reader', scopes: ['read'] });
    const bearer = { sign: false, headers: { authorization: `Bearer ${secret}` } };
    const read = await rawCall(t, 'DescribeHub', JSON.stringify({ HubName: 'keep-hub' }), bearer);
    assert.equal(read.status, 200);
    assert.equal(read.body.HubName, 'keep-hub');
    const write = await rawCall(t, 'CreateHub', JSON.stringify({ HubName: 'reader-hub', HubDescription: 'x' }), bearer);
    assert.equal(write.status, 403);
    assert.equal(write.body.__type, 'AccessDeniedException');
    const approve = await rawCall(t, 'UpdateModelPackage', JSON.stringify({ ModelPackageArn: packageArn, ModelApprovalStatus: 'Approved' }), bearer);
    assert.equal(approve.body.__type, 'AccessDeniedException');
    await t.signet.registry.tokens.revoke(root, token.id);
    const revoked = await rawCall(t, 'DescribeHub', JSON.stringify({ HubName: 'keep-hub' }), bearer);
    assert.equal(revoked.status, 403);
    assert.equal(revoked.body.__type, 'UnrecognizedClientException');

    const basic = { sign: false, headers: { authorization: `Basic ${Buffer.from(`${ROOT_CREDENTIALS.accessKeyId}:${ROOT_CREDENTIALS.secretAccessKey}`).toString('base64')}` } };
    assert.equal((await rawCall(t, 'ListHubs', '{}', basic)).status, 200);
  });

  it('refuses a body over 1 MiB', async () => {
    const huge = JSON.stringify({ HubName: 'huge-hub', HubDescription: 'x'.repeat(1024 * 1024 + 10) });
    const res = await rawCall(t, 'CreateHub', huge);
    assert.equal(res.status, 413);
    assert.equal(res.body.__type, 'RequestEntityTooLargeException');
  });
});
