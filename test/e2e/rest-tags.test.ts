/**
 * REST tags on models, versions, hubs and hub content versions: the same
 * store and rules as the SageMaker face's AddTags, so a tag set through one
 * face reads back through the other; bad tags, missing owners and a
 * read-scoped token are refused as problem+json.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { ListTagsCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { sagemakerClient } from '../support/sagemaker.ts';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { enc, modelPath, putObjects, Rest, ROOT_BASIC } from './rest-helpers.ts';

type Tags = { tags: Record<string, string> };

describeEachMeta('REST tags', (kind) => {
  let t: TestSignet;
  let root: Rest;
  let sm: SageMakerClient;

  before(async () => {
    t = await startTestSignet(kind);
    root = new Rest(t.url, ROOT_BASIC);
    sm = sagemakerClient(t);
    await putObjects(t, 'models', { 'bert/config.json': '{}' });
  });
  after(async () => {
    sm?.destroy();
    await t?.close();
  });

  it('sets, replaces, lists and removes tags on each kind of owner, each apart', async () => {
    const m = modelPath('acme', 'bert');
    await root.expect(201, 'POST', '/models', { namespace: 'acme', name: 'bert' });
    await root.expect(201, 'POST', `${m}/versions`, { source: 's3://models/bert/', label: 'v1' });
    await root.expect(201, 'POST', '/hubs', { name: 'public' });
    const content = await root.expect<{ arn: string }>(201, 'POST', '/hubs/public/contents', { type: 'Model', name: 'bert-base', version: '1.0.0', document: { HostingArtifactUri: 's3://models/bert/' } });
    const owners = [m, `${m}/versions/1`, '/hubs/public', '/hubs/public/contents/Model/bert-base/versions/1.0.0'];
    for (const [i, owner] of owners.entries()) {
      assert.deepEqual(await root.expect<Tags>(200, 'GET', `${owner}/tags`), { tags: {} });
      assert.deepEqual(await root.expect<Tags>(200, 'POST', `${owner}/tags`, { tags: { team: 'nlp', owner: `o${i}` } }), { tags: { owner: `o${i}`, team: 'nlp' } });
    }
    assert.deepEqual(await root.expect<Tags>(200, 'POST', `${m}/tags`, { tags: { team: 'vision', 'cost center': '' } }), { tags: { 'cost center': '', owner: 'o0', team: 'vision' } });
    await root.expect(204, 'DELETE', `${m}/tags/${enc('cost center')}`);
    await root.expect(204, 'DELETE', `${m}/tags/never-there`);
    assert.deepEqual(await root.expect<Tags>(200, 'GET', `${m}/tags`), { tags: { owner: 'o0', team: 'vision' } });
    assert.deepEqual(await root.expect<Tags>(200, 'GET', `${m}/versions/v1/tags`), { tags: { owner: 'o1', team: 'nlp' } }, 'a version by label, with its own tags');
    assert.deepEqual(await root.expect<Tags>(200, 'GET', '/hubs/public/tags'), { tags: { owner: 'o2', team: 'nlp' } });

    const seen = await sm.send(new ListTagsCommand({ ResourceArn: content.arn }));
    assert.deepEqual(seen.Tags, [{ Key: 'owner', Value: 'o3' }, { Key: 'team', Value: 'nlp' }], 'the SageMaker face sees the same tags');
  });

  it('refuses bad tags, missing owners and a read-scoped writer, changing nothing', async () => {
    const m = modelPath('acme', 'strict');
    await root.expect(201, 'POST', '/models', { namespace: 'acme', name: 'strict' });
    await root.expect(200, 'POST', `${m}/tags`, { tags: { keep: 'me' } });
    for (const [body, detail] of [
      [{ tags: { 'bad*key': 'v' } }, /may hold only/],
      [{ tags: { 'aws:x': 'v' } }, /reserved/],
      [{ tags: { k: 'v'.repeat(257) } }, /at most 256/],
      [{ tags: {} }, /1 to 50 tags/],
      [{ tags: { k: 1 } }, /"tags"/],
      [{}, /"tags" is required/],
      [{ tags: { k: 'v' }, extra: true }, /extra/],
    ] as const) {
      const p = await root.problem(400, 'InvalidArgument', 'POST', `${m}/tags`, body);
      assert.match(p.detail, detail);
    }
    await root.expect(200, 'POST', `${m}/tags`, { tags: Object.fromEntries(Array.from({ length: 49 }, (_, i) => [`k${i}`, ''])) });
    await root.problem(400, 'ResourceLimitExceeded', 'POST', `${m}/tags`, { tags: { one: '', more: '' } });
    assert.equal(Object.keys((await root.expect<Tags>(200, 'GET', `${m}/tags`)).tags).length, 50);

    await root.problem(404, 'ResourceNotFound', 'GET', `${modelPath('acme', 'nope')}/tags`);
    await root.problem(404, 'ResourceNotFound', 'POST', `${m}/versions/7/tags`, { tags: { k: 'v' } });
    await root.problem(404, 'ResourceNotFound', 'DELETE', '/hubs/nope/tags/k');

    const read = await root.token(['read']);
    const reader = root.as(`Bearer ${read.token}`);
    await reader.expect(200, 'GET', `${m}/tags`);
    await reader.problem(403, 'AccessDenied', 'POST', `${m}/tags`, { tags: { keep: 'changed' } });
    await reader.problem(403, 'AccessDenied', 'DELETE', `${m}/tags/keep`);
    assert.equal((await root.expect<Tags>(200, 'GET', `${m}/tags`)).tags.keep, 'me');
  });
});
