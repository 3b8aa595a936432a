/**
 * Object events and notification configurations in the core: event-name
 * patterns, filters, the in-process bus (delivery, unsubscribe, a failing
 * listener does not stop the others), sequencers, and the validation of
 * configurations (ARN shape and service, events, filters, destinations).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isSignetError } from '../../src/core/errors.ts';
import { eventMatches, filterMatches, isObjectEventPattern, LocalEventBus, nextSequencer, removedEvent, type ObjectEvent } from '../../src/core/events.ts';
import { validateNotificationConfig, type NotificationTarget } from '../../src/core/notifications.ts';

const who = { userId: 'u1', userName: 'alice' };

function event(key: string, name: ObjectEvent['name'] = 'ObjectCreated:Put', bucket = 'b'): ObjectEvent {
  return { name, bucket, key, size: 1, etag: 'e', versionId: 'null', sequencer: nextSequencer(new Date()), principal: who, time: new Date() };
}

describe('events', () => {
  it('patterns as S3 writes them', () => {
    assert.ok(eventMatches('s3:ObjectCreated:*', 'ObjectCreated:Copy'));
    assert.ok(eventMatches('s3:ObjectRemoved:DeleteMarkerCreated', 'ObjectRemoved:DeleteMarkerCreated'));
    assert.ok(!eventMatches('s3:ObjectRemoved:*', 'ObjectCreated:Put'));
    assert.ok(!eventMatches('s3:ObjectCreated:Put', 'ObjectCreated:Post'));
    assert.ok(isObjectEventPattern('s3:ObjectCreated:CompleteMultipartUpload'));
    assert.ok(!isObjectEventPattern('ObjectCreated:*'));
    assert.ok(!isObjectEventPattern('s3:ObjectExploded:*'));
  });

  it('filters by bucket, prefix, suffix and events', () => {
    const f = { bucket: 'b', events: ['s3:ObjectCreated:*'], prefix: 'data/', suffix: '.csv' };
    assert.ok(filterMatches(f, event('data/x.csv')));
    assert.ok(!filterMatches(f, event('data/x.txt')));
    assert.ok(!filterMatches(f, event('other/x.csv')));
    assert.ok(!filterMatches(f, event('data/x.csv', 'ObjectRemoved:Delete')));
    assert.ok(!filterMatches(f, event('data/x.csv', 'ObjectCreated:Put', 'c')));
    assert.ok(filterMatches({ ...f, events: [] }, event('data/x.csv', 'ObjectRemoved:Delete')));
  });

  it('the local bus delivers in order, survives a failing listener, unsubscribes', () => {
    const errors: unknown[] = [];
    const bus = new LocalEventBus((e) => errors.push(e));
    const got: string[] = [];
    bus.subscribe({ bucket: 'b', events: [], prefix: '', suffix: '' }, () => {
      throw new Error('listener bug');
    });
    const stop = bus.subscribe({ bucket: 'b', events: [], prefix: '', suffix: '' }, (e) => got.push(e.key));
    assert.equal(bus.listenerCount(), 2);
    bus.publish(event('one'));
    bus.publish(event('two'));
    stop();
    bus.publish(event('three'));
    assert.deepEqual(got, ['one', 'two']);
    assert.equal(errors.length, 3);
    assert.equal(bus.listenerCount(), 1);
  });

  it('sequencers increase, even within one millisecond', () => {
    const now = new Date();
    const a = nextSequencer(now);
    const b = nextSequencer(now);
    const c = nextSequencer(new Date(now.getTime() - 1000));
    assert.ok(a < b && b < c, `${a} ${b} ${c}`);
    assert.equal(a.length, 16);
  });

  it('a delete names a marker created or a version removed', () => {
    assert.equal(removedEvent(who, 'b', 'k', { versionId: 'v2', deleteMarker: true }, false, new Date()).name, 'ObjectRemoved:DeleteMarkerCreated');
    assert.equal(removedEvent(who, 'b', 'k', { versionId: 'v2', deleteMarker: true }, true, new Date()).name, 'ObjectRemoved:Delete');
    assert.equal(removedEvent(who, 'b', 'k', { versionId: 'null', deleteMarker: false }, false, new Date()).name, 'ObjectRemoved:Delete');
  });
});

describe('notification configurations', () => {
  const queue = (t: Partial<NotificationTarget> = {}): NotificationTarget => ({ kind: 'Queue', arn: 'arn:aws:sqs:us-east-1:123456789012:q', events: ['s3:ObjectCreated:*'], ...t });
  const check = (targets: NotificationTarget[], skip = true) => validateNotificationConfig({ targets }, { region: 'us-east-1', skipDestinationValidation: skip });
  const message = (fn: () => void): string => {
    try {
      fn();
    } catch (e) {
      assert.ok(isSignetError(e) && e.code === 'InvalidArgument', String(e));
      return e.message;
    }
    assert.fail('expected InvalidArgument');
  };

  it('an empty configuration and well-formed targets are accepted', () => {
    check([], false);
    check([queue(), { kind: 'Topic', arn: 'arn:aws:sns:us-east-1:1:t', events: ['s3:ObjectRemoved:*'], prefix: 'a/' }, { kind: 'CloudFunction', arn: 'arn:aws:lambda:us-east-1:1:function:f', events: ['s3:ObjectCreated:Put'] }]);
    check([queue({ arn: 'arn:minio:sqs::1:webhook' })]);
  });

  it('unknown destinations, malformed ARNs, other regions, bad events and filters are refused', () => {
    assert.match(message(() => check([queue()], false)), /destination ARN does not exist/);
    assert.match(message(() => check([queue({ arn: 'arn:aws:sqs' })])), /destination ARN/);
    assert.match(message(() => check([queue({ arn: 'arn:aws:sns:us-east-1:1:t' })])), /destination ARN/);
    assert.match(message(() => check([queue({ arn: 'arn:aws:sqs:eu-west-1:1:q' })])), /different region/);
    assert.match(message(() => check([queue({ events: ['s3:Nope'] })])), /event is not supported/);
    assert.match(message(() => check([queue({ events: [] })])), /event is not supported/);
    assert.match(message(() => check([queue({ events: ['s3:ObjectCreated:*', 's3:ObjectCreated:*'] })])), /overlap/);
    assert.match(message(() => check([queue({ prefix: 'x'.repeat(1025) })])), /1024 bytes/);
    assert.match(message(() => check([queue({ id: 'a' }), queue({ id: 'a' })])), /same ID/);
  });
});
