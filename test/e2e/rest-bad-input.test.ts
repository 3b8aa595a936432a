import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { enc, modelPath, putObjects, Rest, ROOT_BASIC } from './rest-helpers.ts';

describeEachMeta('REST bad input', (kind) => {
  let t: TestSignet;
  let root: Rest;
  const m = modelPath('acme', 'steady');
  /** What a client sees of the model; compared before and after each refused call. */
  const snapshot = async () => ({
    models: await root.expect(200, 'GET', '/models'),
    model: await root.expect(200, 'GET', m),
    versions: await root.expect(200, 'GET', `${m}/versions`),
    stages: await root.expect(200, 'GET', `${m}/stages`),
    hubs: await root.expect(200, 'GET', '/hubs'),
  });

  before(async () => {
    t = await startTestSignet(kind);
    root = new Rest(t.url, ROOT_BASIC);
    await putObjects(t, 'models', { 'steady/model.bin': 'bytes' });
    await root.expect(201, 'POST', '/models', { namespace: 'acme', name: 'steady', description: 'unchanged' });
    await root.expect(201, 'POST', `${m}/versions`, { source: 's3://models/steady/', label: 'v1' });
    await root.expect(200, 'POST', `${m}/stages`, { moves: [{ stage: 'production', to: 1 }] });
    await root.expect(201, 'POST', '/hubs', { name: 'hub' });
  });
  after(async () => t?.close());

  it('refuses malformed JSON, non-objects, wrong types and unknown members with a 400 naming the member, changing nothing', async () => {
    const before = await snapshot();
    const cases: [string, string, unknown, RegExp][] = [
      ['POST', '/models', '{"namespace": "acme", "name": ', /not valid JSON/],
      ['POST', '/models', '[1, 2]', /JSON object/],
      ['POST', '/models', '"text"', /JSON object/],
      ['POST', '/models', { namespace: 'acme', name: 42 }, /"name" must be a string/],
      ['POST', '/models', { namespace: 'acme' }, /"name" is required/],
      ['POST', '/models', { namespace: 'acme', name: 'x', unversioned: 'yes' }, /"unversioned" must be true or false/],
      ['POST', '/models', { namespace: 'acme', name: 'x', colour: 'red' }, /unknown member "colour"/],
      ['POST', '/models', { namespace: 'acme', name: 'x', gate: { eula: 'e' } }, /"gate\.version" is required/],
      ['PATCH', m, { description: 7 }, /"description" must be a string/],
      ['PATCH', `${m}/versions/1`, { metadata: { a: 1 } }, /"metadata" must be an object whose values are strings/],
      ['PATCH', `${m}/versions/1`, { approval: 'Maybe' }, /"approval" must be one of/],
      ['POST', `${m}/versions`, { files: [{ path: 'a', s3Uri: 7 }] }, /"files\[0\]\.s3Uri" must be a string/],
      ['POST', `${m}/versions`, { source: 's3://models/steady/', files: [] }, /exactly one of "source" and "files"/],
      ['POST', `${m}/versions`, { source: 'http://elsewhere/x' }, /s3:\/\//],
      ['POST', `${m}/stages`, { moves: [{ stage: 'production', to: '2' }] }, /"moves\[0\]\.to" must be an integer/],
      ['POST', `${m}/stages`, { moves: [{ stage: 'production' }] }, /"moves\[0\]\.to" is required/],
      ['POST', `${m}/stages`, {}, /"moves" is required/],
      ['POST', `${m}/versions/1/download`, { expiresIn: 'soon' }, /"expiresIn" must be an integer/],
      ['POST', '/tokens', { name: 'x', scopes: ['root'] }, /"scopes" must hold only/],
      ['POST', '/hubs', { name: 'h2', searchKeywords: 'nlp' }, /"searchKeywords" must be an array of strings/],
    ];
    for (const [method, path, body, detail] of cases) {
      const p = await root.problem(400, 'InvalidArgument', method, path, body);
      assert.match(p.detail, detail, `${method} ${path} ${JSON.stringify(body)}`);
    }
    assert.deepEqual(await snapshot(), before);
  });

  it('refuses names and values over the limits, bad query parameters and forged cursors', async () => {
    const before = await snapshot();
    await root.problem(400, 'InvalidArgument', 'POST', '/models', { namespace: 'acme', name: 'n'.repeat(257) });
    await root.problem(400, 'InvalidArgument', 'POST', '/models', { namespace: 'a/../b', name: 'x' });
    await root.problem(400, 'InvalidArgument', 'POST', '/models', { namespace: 'acme', name: 'x', description: 'd'.repeat(5000) });
    await root.problem(400, 'InvalidArgument', 'PATCH', `${m}/versions/1`, { label: 'bad label!' });
    await root.problem(400, 'InvalidArgument', 'POST', `${m}/stages`, { moves: [{ stage: 's'.repeat(65), to: 1 }] });
    await root.problem(400, 'InvalidArgument', 'GET', '/models?limit=0');
    await root.problem(400, 'InvalidArgument', 'GET', '/models?limit=1001');
    await root.problem(400, 'InvalidArgument', 'GET', '/models?limit=ten');
    await root.problem(400, 'InvalidArgument', 'GET', '/models?colour=red');
    await root.problem(400, 'InvalidArgument', 'GET', `${m}/stages/production?at=yesterday`);
    await root.problem(400, 'InvalidArgument', 'GET', '/packages?type=SOME');

    const page = await root.expect<{ nextCursor: string }>(200, 'GET', `${m}/versions?limit=1`);
    assert.equal(page.nextCursor, null);
    await root.expect(201, 'POST', '/models', { namespace: 'acme', name: 'other' });
    const models = await root.expect<{ nextCursor: string }>(200, 'GET', '/models?limit=1');
    const cursor = models.nextCursor;
    const forged = cursor.slice(0, -2) + (cursor.endsWith('AA') ? 'BB' : 'AA');
    await root.problem(400, 'InvalidArgument', 'GET', `/models?limit=1&cursor=${enc(forged)}`);
    await root.problem(400, 'InvalidArgument', 'GET', `/models?limit=1&cursor=garbage`);
    // A cursor of one listing does not continue another.
    await root.problem(400, 'InvalidArgument', 'GET', `/hubs?limit=1&cursor=${enc(cursor)}`);
    await root.expect(204, 'DELETE', modelPath('acme', 'other'));
    assert.deepEqual(await snapshot(), before);
  });

  it('answers 404 for unknown models, versions, stages, hubs and routes, 405 with Allow for a wrong method, 413 for a large body', async () => {
    const before = await snapshot();
    const missing = await root.problem(404, 'ResourceNotFound', 'GET', modelPath('acme', 'ghost'));
    assert.match(missing.detail, /ghost|does not exist/);
    await root.problem(404, 'ResourceNotFound', 'POST', `${modelPath('acme', 'ghost')}/versions`, { source: 's3://models/steady/' });
    await root.problem(404, 'ResourceNotFound', 'GET', `${m}/versions/9`);
    await root.problem(404, 'ResourceNotFound', 'GET', `${m}/versions/v9`);
    await root.problem(404, 'ResourceNotFound', 'POST', `${m}/stages/nope/download`, {});
    await root.problem(404, 'ResourceNotFound', 'POST', `${m}/stages`, { moves: [{ stage: 'production', to: 9 }] });
    await root.problem(404, 'ResourceNotFound', 'GET', '/hubs/ghost');
    await root.problem(404, 'ResourceNotFound', 'DELETE', '/tokens/ghost');
    await root.problem(404, 'ResourceNotFound', 'GET', '/nothing/here');
    await root.problem(400, 'InvalidArgument', 'GET', '/models/%E0%A4%A/x');

    const wrong = await root.call('PUT', m, {});
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get('allow'), 'GET, PATCH, DELETE');

    const big = await root.call('POST', '/models', { namespace: 'acme', name: 'big', description: 'x'.repeat(1024 * 1024 + 10) });
    assert.equal(big.status, 413);
    assert.deepEqual(await snapshot(), before);
  });
});
