import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { batchedPerTurn, createLogger } from '../../src/log.ts';

describe('logs', () => {
  it('writes the lines of one event-loop turn with one call, in order', async () => {
    const writes: string[] = [];
    const out = batchedPerTurn((text) => writes.push(text));
    out.write('a\n');
    out.write('b\n');
    assert.deepEqual(writes, [], 'held until the turn ends');
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(writes, ['a\nb\n']);
    out.write('c\n');
    out.flushNow();
    assert.deepEqual(writes, ['a\nb\n', 'c\n'], 'flushNow writes what is pending at once');
    await new Promise((r) => setImmediate(r));
    assert.equal(writes.length, 2, 'nothing is written twice');
  });

  it('writes one JSON object per line, the line fields after the logger fields', () => {
    const lines: string[] = [];
    const log = createLogger('info', (l) => lines.push(l)).child({ component: 's3' });
    log.debug('hidden');
    log.info('put "x"', { status: 200, err: new Error('boom') });
    log.warn('bare');
    assert.equal(lines.length, 2);
    for (const line of lines) assert.ok(line.endsWith('}\n'));
    const first = JSON.parse(lines[0] ?? '') as Record<string, unknown>;
    assert.equal(first.level, 'info');
    assert.equal(first.msg, 'put "x"');
    assert.equal(first.component, 's3');
    assert.equal(first.status, 200);
    assert.equal((first.err as { message: string }).message, 'boom');
    assert.ok(!Number.isNaN(Date.parse(String(first.time))));
    assert.deepEqual(Object.keys(JSON.parse(lines[1] ?? '') as object), ['time', 'level', 'msg', 'component']);
  });
});
