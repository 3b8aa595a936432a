/**
 * The SageMaker face's hubs and hub content, driven by @aws-sdk/client-sagemaker
 * with default settings: every hub operation, references across hubs, and
 * CreateHubContentPresignedUrls (pagination with the SDK's paginator, plain
 * fetch downloads, immutability after the bucket is overwritten, EULA gates,
 * ExpectedS3Url, expiry after 15 minutes).
 */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateHubCommand,
  CreateHubContentPresignedUrlsCommand,
  CreateHubContentReferenceCommand,
  DeleteHubCommand,
  DeleteHubContentCommand,
  DeleteHubContentReferenceCommand,
  DescribeHubCommand,
  DescribeHubContentCommand,
  ImportHubContentCommand,
  ListHubContentsCommand,
  ListHubContentVersionsCommand,
  ListHubsCommand,
  paginateCreateHubContentPresignedUrls,
  type SageMakerClient,
  UpdateHubCommand,
  UpdateHubContentCommand,
} from '@aws-sdk/client-sagemaker';
import { assertFails, sagemakerClient, TestClock } from '../support/sagemaker.ts';
import { describeEachMeta, useTestSignet, type TestSignet } from '../support/test-signet.ts';

const BUCKET = 'artifacts';
const ARN_PREFIX = /^arn:aws:sagemaker:us-east-1:\d{12}:/;

describeEachMeta('SageMaker face: hubs and hub content', (kind) => {
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
  const document = (fields: Record<string, string>) => JSON.stringify({ Framework: 'pytorch', ...fields });
  const importModel = (hub: string, name: string, version: string, fields: Record<string, string> = {}) =>
    sm.send(
      new ImportHubContentCommand({
        HubName: hub,
        HubContentName: name,
        HubContentVersion: version,
        HubContentType: 'Model',
        DocumentSchemaVersion: '2.0.0',
        HubContentDocument: document(fields),
      }),
    );
  const urlsOf = async (input: { HubName: string; HubContentName: string; HubContentType?: 'Model' | 'ModelReference' }) => {
    const out: { Url: string; LocalPath: string }[] = [];
    for await (const page of paginateCreateHubContentPresignedUrls({ client: sm, pageSize: 10 }, { HubContentType: 'Model', ...input })) {
      for (const u of page.AuthorizedUrlConfigs ?? []) out.push({ Url: u.Url!, LocalPath: u.LocalPath! });
    }
    return out;
  };

  it('creates, describes, lists, updates and deletes hubs', async () => {
    const created = await sm.send(
      new CreateHubCommand({ HubName: 'team-hub', HubDescription: 'Models of the team', HubDisplayName: 'Team hub', HubSearchKeywords: ['nlp', 'vision'] }),
    );
    assert.match(created.HubArn!, ARN_PREFIX);
    assert.ok(created.HubArn!.endsWith(':hub/team-hub'));
    await sm.send(new CreateHubCommand({ HubName: 'Other-Hub', HubDescription: 'another' }));

    const byName = await sm.send(new DescribeHubCommand({ HubName: 'team-hub' }));
    assert.equal(byName.HubName, 'team-hub');
    assert.equal(byName.HubArn, created.HubArn);
    assert.equal(byName.HubDescription, 'Models of the team');
    assert.equal(byName.HubDisplayName, 'Team hub');
    assert.deepEqual(byName.HubSearchKeywords, ['nlp', 'vision']);
    assert.equal(byName.HubStatus, 'InService');
    assert.ok(byName.CreationTime instanceof Date && Math.abs(byName.CreationTime.getTime() - Date.now()) < 60_000);
    const byArn = await sm.send(new DescribeHubCommand({ HubName: created.HubArn }));
    assert.equal(byArn.HubName, 'team-hub');
    assert.ok((await sm.send(new DescribeHubCommand({ HubName: 'Other-Hub' }))).HubArn!.endsWith(':hub/Other-Hub'), 'hub ARNs keep the case');

    await assertFails(sm.send(new CreateHubCommand({ HubName: 'team-hub', HubDescription: 'again' })), 'ResourceInUse', 400);

    const all = await sm.send(new ListHubsCommand({ SortBy: 'HubName', SortOrder: 'Ascending' }));
    assert.deepEqual(all.HubSummaries!.map((h) => h.HubName), ['Other-Hub', 'team-hub']);
    const filtered = await sm.send(new ListHubsCommand({ NameContains: 'team' }));
    assert.deepEqual(filtered.HubSummaries!.map((h) => h.HubName), ['team-hub']);
    const first = await sm.send(new ListHubsCommand({ MaxResults: 1, SortBy: 'HubName', SortOrder: 'Descending' }));
    assert.deepEqual(first.HubSummaries!.map((h) => h.HubName), ['team-hub']);
    const second = await sm.send(new ListHubsCommand({ MaxResults: 1, SortBy: 'HubName', SortOrder: 'Descending', NextToken: first.NextToken }));
    assert.deepEqual(second.HubSummaries!.map((h) => h.HubName), ['Other-Hub']);
    assert.equal(second.NextToken, undefined);

    const updated = await sm.send(new UpdateHubCommand({ HubName: 'team-hub', HubDescription: 'Renamed', HubSearchKeywords: ['nlp'] }));
    assert.equal(updated.HubArn, created.HubArn);
    const after = await sm.send(new DescribeHubCommand({ HubName: 'team-hub' }));
    assert.equal(after.HubDescription, 'Renamed');
    assert.equal(after.HubDisplayName, 'Team hub');
    assert.deepEqual(after.HubSearchKeywords, ['nlp']);

    await sm.send(new DeleteHubCommand({ HubName: 'Other-Hub' }));
    await assertFails(sm.send(new DescribeHubCommand({ HubName: 'Other-Hub' })), 'ResourceNotFound', 400);
    await assertFails(sm.send(new DeleteHubCommand({ HubName: 'Other-Hub' })), 'ResourceNotFound', 400);
    await assertFails(sm.send(new UpdateHubCommand({ HubName: 'Other-Hub', HubDescription: 'x' })), 'ResourceNotFound', 400);
  });

  it('imports hub content in versions, describes, lists, updates and deletes it', async () => {
    await sm.send(new CreateHubCommand({ HubName: 'content-hub', HubDescription: 'contents' }));
    await put('bert/v1/model.bin', 'bert one');
    for (const v of ['1.0.0', '1.2.0', '1.10.0']) {
      const out = await importModel('content-hub', 'bert', v, { HostingArtifactUri: `s3://${BUCKET}/bert/v1/` });
      assert.ok(out.HubContentArn!.endsWith(`:hub-content/content-hub/Model/bert/${v}`));
      assert.ok(out.HubArn!.endsWith(':hub/content-hub'));
    }
    await importModel('content-hub', 'gpt', '2.0.0');
    await sm.send(
      new ImportHubContentCommand({
        HubName: 'content-hub',
        HubContentName: 'intro',
        HubContentType: 'Notebook',
        DocumentSchemaVersion: '1.0.0',
        HubContentDocument: '{}',
        HubContentDescription: 'a notebook',
      }),
    );
    await assertFails(importModel('content-hub', 'bert', '1.2.0'), 'ResourceInUse', 400);
    await assertFails(importModel('no-such-hub', 'bert', '1.0.0'), 'ResourceNotFound', 400);

    const latest = await sm.send(new DescribeHubContentCommand({ HubName: 'content-hub', HubContentType: 'Model', HubContentName: 'bert' }));
    assert.equal(latest.HubContentVersion, '1.10.0', 'the latest version by number, not by text');
    assert.equal(latest.HubContentStatus, 'Available');
    assert.equal(latest.DocumentSchemaVersion, '2.0.0');
    assert.deepEqual(JSON.parse(latest.HubContentDocument!), { Framework: 'pytorch', HostingArtifactUri: `s3://${BUCKET}/bert/v1/` });
    assert.ok(latest.HubArn!.endsWith(':hub/content-hub'));
    const v1 = await sm.send(new DescribeHubContentCommand({ HubName: 'content-hub', HubContentType: 'Model', HubContentName: 'bert', HubContentVersion: '1.0.0' }));
    assert.equal(v1.HubContentVersion, '1.0.0');
    await assertFails(
      sm.send(new DescribeHubContentCommand({ HubName: 'content-hub', HubContentType: 'Model', HubContentName: 'bert', HubContentVersion: '9.9.9' })),
      'ResourceNotFound',
      400,
    );

    const models = await sm.send(new ListHubContentsCommand({ HubName: 'content-hub', HubContentType: 'Model', SortBy: 'HubContentName', SortOrder: 'Ascending' }));
    assert.deepEqual(models.HubContentSummaries!.map((c) => `${c.HubContentName}@${c.HubContentVersion}`), ['bert@1.10.0', 'gpt@2.0.0']);
    const notebooks = await sm.send(new ListHubContentsCommand({ HubName: 'content-hub', HubContentType: 'Notebook' }));
    assert.deepEqual(notebooks.HubContentSummaries!.map((c) => c.HubContentName), ['intro']);
    const named = await sm.send(new ListHubContentsCommand({ HubName: 'content-hub', HubContentType: 'Model', NameContains: 'gp' }));
    assert.deepEqual(named.HubContentSummaries!.map((c) => c.HubContentName), ['gpt']);
    const versions = await sm.send(
      new ListHubContentVersionsCommand({ HubName: 'content-hub', HubContentType: 'Model', HubContentName: 'bert', SortBy: 'CreationTime', SortOrder: 'Ascending' }),
    );
    assert.deepEqual(versions.HubContentSummaries!.map((c) => c.HubContentVersion), ['1.0.0', '1.2.0', '1.10.0']);
    const recent = await sm.send(new ListHubContentVersionsCommand({ HubName: 'content-hub', HubContentType: 'Model', HubContentName: 'bert', MinVersion: '1.2.0' }));
    assert.deepEqual(recent.HubContentSummaries!.map((c) => c.HubContentVersion).sort(), ['1.10.0', '1.2.0']);

    await sm.send(
      new UpdateHubContentCommand({
        HubName: 'content-hub',
        HubContentType: 'Model',
        HubContentName: 'bert',
        HubContentVersion: '1.2.0',
        HubContentDescription: 'BERT base',
        HubContentMarkdown: '# BERT',
        HubContentSearchKeywords: ['encoder'],
        SupportStatus: 'Deprecated',
      }),
    );
    const edited = await sm.send(new DescribeHubContentCommand({ HubName: 'content-hub', HubContentType: 'Model', HubContentName: 'bert', HubContentVersion: '1.2.0' }));
    assert.equal(edited.HubContentDescription, 'BERT base');
    assert.equal(edited.HubContentMarkdown, '# BERT');
    assert.deepEqual(edited.HubContentSearchKeywords, ['encoder']);
    assert.equal(edited.SupportStatus, 'Deprecated');

    await assertFails(sm.send(new DeleteHubCommand({ HubName: 'content-hub' })), 'ResourceInUse', 400);
    await sm.send(new DeleteHubContentCommand({ HubName: 'content-hub', HubContentType: 'Model', HubContentName: 'bert', HubContentVersion: '1.0.0' }));
    const left = await sm.send(new ListHubContentVersionsCommand({ HubName: 'content-hub', HubContentType: 'Model', HubContentName: 'bert' }));
    assert.deepEqual(left.HubContentSummaries!.map((c) => c.HubContentVersion).sort(), ['1.10.0', '1.2.0']);
    await assertFails(
      sm.send(new DeleteHubContentCommand({ HubName: 'content-hub', HubContentType: 'Model', HubContentName: 'bert', HubContentVersion: '1.0.0' })),
      'ResourceNotFound',
      400,
    );
  });

  it('hands out 25 signed URLs in pages of 10 that download the registered bytes, also after the bucket is overwritten', async () => {
    await sm.send(new CreateHubCommand({ HubName: 'files-hub', HubDescription: 'files' }));
    const expected = new Map<string, string>();
    for (let i = 0; i < 25; i++) {
      const path = `${i < 5 ? 'tokenizer/' : ''}shard-${String(i).padStart(2, '0')}.bin`;
      expected.set(path, `bytes of file ${i} `.repeat(i + 1));
      await put(`llama/${path}`, expected.get(path)!);
    }
    await importModel('files-hub', 'llama', '1.0.0', { HostingArtifactUri: `s3://${BUCKET}/llama/` });

    const pages: number[] = [];
    const urls: { Url: string; LocalPath: string }[] = [];
    for await (const page of paginateCreateHubContentPresignedUrls({ client: sm, pageSize: 10 }, { HubName: 'files-hub', HubContentType: 'Model', HubContentName: 'llama' })) {
      pages.push(page.AuthorizedUrlConfigs!.length);
      urls.push(...page.AuthorizedUrlConfigs!.map((u) => ({ Url: u.Url!, LocalPath: u.LocalPath! })));
    }
    assert.deepEqual(pages, [10, 10, 5]);
    assert.deepEqual(urls.map((u) => u.LocalPath), [...expected.keys()].sort(), 'every file once, in path order');
    const download = async () => Promise.all(urls.map(async (u) => [u.LocalPath, await (await fetch(u.Url)).text()] as const));
    assert.deepEqual(new Map(await download()), expected);

    for (const path of expected.keys()) await put(`llama/${path}`, 'overwritten');
    await put('llama/extra.bin', 'a file added later');
    assert.deepEqual(new Map(await download()), expected, 'URLs minted before the overwrite');
    const fresh = await urlsOf({ HubName: 'files-hub', HubContentName: 'llama' });
    assert.deepEqual(fresh.map((u) => u.LocalPath), [...expected.keys()].sort(), 'the content keeps its registered file set');
    const again = new Map(await Promise.all(fresh.map(async (u) => [u.LocalPath, await (await fetch(u.Url)).text()] as const)));
    assert.deepEqual(again, expected, 'URLs minted after the overwrite');

    const defaults = await sm.send(new CreateHubContentPresignedUrlsCommand({ HubName: 'files-hub', HubContentType: 'Model', HubContentName: 'llama' }));
    assert.equal(defaults.AuthorizedUrlConfigs!.length, 25, 'MaxResults defaults to 100');
    assert.equal(defaults.NextToken, undefined);
  });

  it('references Model content of another hub and serves its files through the reference', async () => {
    await sm.send(new CreateHubCommand({ HubName: 'source-hub', HubDescription: 'source' }));
    await sm.send(new CreateHubCommand({ HubName: 'ref-hub', HubDescription: 'references' }));
    await put('mistral/weights.bin', 'mistral weights');
    const source = await importModel('source-hub', 'mistral', '3.1.0', { HostingArtifactUri: `s3://${BUCKET}/mistral/` });

    const ref = await sm.send(new CreateHubContentReferenceCommand({ HubName: 'ref-hub', SageMakerPublicHubContentArn: source.HubContentArn, MinVersion: '3.0.0' }));
    assert.ok(ref.HubArn!.endsWith(':hub/ref-hub'));
    assert.match(ref.HubContentArn!, /:hub-content\/ref-hub\/ModelReference\/mistral\//);
    const described = await sm.send(new DescribeHubContentCommand({ HubName: 'ref-hub', HubContentType: 'ModelReference', HubContentName: 'mistral' }));
    assert.equal(described.SageMakerPublicHubContentArn, source.HubContentArn);
    const urls = await urlsOf({ HubName: 'ref-hub', HubContentName: 'mistral', HubContentType: 'ModelReference' });
    assert.deepEqual(urls.map((u) => u.LocalPath), ['weights.bin']);
    assert.equal(await (await fetch(urls[0]!.Url)).text(), 'mistral weights');

    await assertFails(sm.send(new CreateHubContentReferenceCommand({ HubName: 'ref-hub', SageMakerPublicHubContentArn: source.HubContentArn })), 'ResourceInUse', 400);
    await assertFails(
      sm.send(new CreateHubContentReferenceCommand({ HubName: 'ref-hub', SageMakerPublicHubContentArn: source.HubContentArn, HubContentName: 'newer', MinVersion: '4.0.0' })),
      'ValidationException',
      400,
    );
    await sm.send(new DeleteHubContentReferenceCommand({ HubName: 'ref-hub', HubContentType: 'ModelReference', HubContentName: 'mistral' }));
    await assertFails(sm.send(new DescribeHubContentCommand({ HubName: 'ref-hub', HubContentType: 'ModelReference', HubContentName: 'mistral' })), 'ResourceNotFound', 400);
    const still = await urlsOf({ HubName: 'source-hub', HubContentName: 'mistral' });
    assert.equal(await (await fetch(still[0]!.Url)).text(), 'mistral weights', 'the source keeps its files');
  });

  it('refuses gated content without AcceptEula and serves it with it', async () => {
    await sm.send(new CreateHubCommand({ HubName: 'gated-hub', HubDescription: 'gated' }));
    await put('gated/model.safetensors', 'licensed weights');
    await importModel('gated-hub', 'licensed', '1.0.0', { HostingArtifactUri: `s3://${BUCKET}/gated/`, HostingEulaUri: `s3://${BUCKET}/eula/license.txt` });
    const request = { HubName: 'gated-hub', HubContentType: 'Model' as const, HubContentName: 'licensed' };

    await assertFails(sm.send(new CreateHubContentPresignedUrlsCommand(request)), 'AccessDeniedException', 403);
    await assertFails(sm.send(new CreateHubContentPresignedUrlsCommand({ ...request, AccessConfig: { AcceptEula: false } })), 'AccessDeniedException', 403);
    const granted = await sm.send(new CreateHubContentPresignedUrlsCommand({ ...request, AccessConfig: { AcceptEula: true } }));
    assert.deepEqual(granted.AuthorizedUrlConfigs!.map((u) => u.LocalPath), ['model.safetensors']);
    assert.equal(await (await fetch(granted.AuthorizedUrlConfigs![0]!.Url!)).text(), 'licensed weights');

    // Another user's acceptance is not this one's.
    await t.signet.identity.addUser('gate-user');
    const key = await t.signet.identity.addKey('gate-user');
    const other = sagemakerClient(t, { accessKeyId: key.accessKeyId, secretAccessKey: key.secretKey });
    try {
      await assertFails(other.send(new CreateHubContentPresignedUrlsCommand(request)), 'AccessDeniedException', 403, /EULA/i);
      const own = await other.send(new CreateHubContentPresignedUrlsCommand({ ...request, AccessConfig: { AcceptEula: true } }));
      assert.equal(own.AuthorizedUrlConfigs!.length, 1);
    } finally {
      other.destroy();
    }
  });

  it('refuses an ExpectedS3Url that is not where the content came from', async () => {
    await sm.send(new CreateHubCommand({ HubName: 'expect-hub', HubDescription: 'expected URLs' }));
    await put('phi/model.bin', 'phi');
    await importModel('expect-hub', 'phi', '1.0.0', { HostingArtifactUri: `s3://${BUCKET}/phi/` });
    const request = { HubName: 'expect-hub', HubContentType: 'Model' as const, HubContentName: 'phi' };
    await assertFails(
      sm.send(new CreateHubContentPresignedUrlsCommand({ ...request, AccessConfig: { ExpectedS3Url: `s3://${BUCKET}/other/` } })),
      'ValidationException',
      400,
    );
    const ok = await sm.send(new CreateHubContentPresignedUrlsCommand({ ...request, AccessConfig: { ExpectedS3Url: `s3://${BUCKET}/phi/` } }));
    assert.deepEqual(ok.AuthorizedUrlConfigs!.map((u) => u.LocalPath), ['model.bin']);
  });

  it('signs URLs for 15 minutes', async () => {
    const out = await sm.send(new CreateHubContentPresignedUrlsCommand({ HubName: 'expect-hub', HubContentType: 'Model', HubContentName: 'phi' }));
    const url = out.AuthorizedUrlConfigs![0]!.Url!;
    assert.equal(new URL(url).searchParams.get('X-Amz-Expires'), '900');
    try {
      clock.advance(14 * 60_000);
      assert.equal((await fetch(url)).status, 200);
      clock.advance(2 * 60_000);
      const expired = await fetch(url);
      assert.equal(expired.status, 403);
      assert.match(await expired.text(), /AccessDenied|expired/i);
    } finally {
      clock.reset();
    }
  });
});
