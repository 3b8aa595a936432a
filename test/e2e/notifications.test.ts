/**
 * Bucket notifications, as the FileManager document uses them
 * (`get_bucket_notification`, `listen_bucket_notification`): minio-js's
 * getBucketNotification / setBucketNotification / listenBucketNotification
 * and the SDK's Get/PutBucketNotificationConfiguration against a real
 * Signet, on SQLite and PostgreSQL.
 *
 * Listening: events of successful PUT, POST-less copy, multipart completion
 * and delete (delete markers in a versioned bucket) arrive as S3 event
 * records, filtered by event name, prefix and suffix; a failed request
 * publishes nothing; a listener that goes away is unsubscribed.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  type NotificationConfiguration,
  type S3Client,
} from '@aws-sdk/client-s3';
import * as Minio from 'minio';
import { errorCode } from '../support/minio-helpers.ts';
import { describeEachMeta, startTestSignet, type TestSignet } from '../support/test-signet.ts';
import { rejectsS3, signedFetch, withHeaders } from './sdk-helpers.ts';

const B = 'events';
const V = 'events-versioned';

interface EventRecord {
  eventVersion: string;
  eventSource: string;
  eventName: string;
  eventTime: string;
  awsRegion: string;
  s3: { bucket: { name: string; arn: string }; object: { key: string; size: number; eTag: string; versionId?: string; sequencer: string } };
}

async function until(what: string, test: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describeEachMeta('notifications: configuration and listening', (kind) => {
  let t: TestSignet;
  let s3: S3Client;
  let mc: Minio.Client;

  before(async () => {
    t = await startTestSignet(kind);
    s3 = t.s3();
    mc = t.minio();
    await s3.send(new CreateBucketCommand({ Bucket: B }));
    await s3.send(new CreateBucketCommand({ Bucket: V }));
    await s3.send(new PutBucketVersioningCommand({ Bucket: V, VersioningConfiguration: { Status: 'Enabled' } }));
  });
  after(async () => {
    s3?.destroy();
    await t?.close();
  });

  /** Starts a minio-js listener and waits until the server has subscribed it. */
  async function listen(bucket: string, prefix: string, suffix: string, events: string[]) {
    const before = t.signet.events.listenerCount();
    const records: EventRecord[] = [];
    const errors: unknown[] = [];
    const poller = mc.listenBucketNotification(bucket, prefix, suffix, events);
    poller.on('notification', (r) => records.push(r as EventRecord));
    poller.on('error', (e) => errors.push(e));
    await until('the listener to subscribe', () => t.signet.events.listenerCount() > before);
    return {
      records,
      errors,
      async next(count: number) {
        await until(`${count} events (have ${records.length})`, () => records.length >= count);
        return records.slice(0, count);
      },
      /** minio-js drops the connection when the next event arrives (blank keep-alive lines are no record to it). */
      stop() {
        poller.stop();
      },
    };
  }

  it('a bucket without a configuration has an empty one (minio getBucketNotification, SDK)', async () => {
    const config = await mc.getBucketNotification(B);
    assert.deepEqual(config, { TopicConfiguration: [], QueueConfiguration: [], CloudFunctionConfiguration: [] });
    const sdk = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: B }));
    assert.equal(sdk.QueueConfigurations, undefined);
    assert.equal(sdk.TopicConfigurations, undefined);
    assert.equal(sdk.LambdaFunctionConfigurations, undefined);
    assert.equal(await errorCode(mc.getBucketNotification('no-such-bucket')), 'NoSuchBucket');
  });

  it('an empty configuration is accepted (setBucketNotification, removeAllBucketNotification, SDK)', async () => {
    await mc.setBucketNotification(B, new Minio.NotificationConfig());
    await mc.removeAllBucketNotification(B);
    await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: B, NotificationConfiguration: {} }));
    assert.deepEqual(await mc.getBucketNotification(B), { TopicConfiguration: [], QueueConfiguration: [], CloudFunctionConfiguration: [] });
  });

  it('a destination Signet cannot deliver to is InvalidArgument, as MinIO answers an unknown ARN; nothing is stored', async () => {
    const config = new Minio.NotificationConfig();
    const queue = new Minio.QueueConfig(Minio.buildARN('minio', 'sqs', '', '1', 'webhook'));
    queue.addEvent(Minio.ObjectCreatedAll);
    config.add(queue);
    assert.equal(await errorCode(mc.setBucketNotification(B, config)), 'InvalidArgument');

    const refused = await rejectsS3(
      s3.send(
        new PutBucketNotificationConfigurationCommand({
          Bucket: B,
          NotificationConfiguration: { QueueConfigurations: [{ QueueArn: 'arn:aws:sqs:us-east-1:123456789012:q', Events: ['s3:ObjectCreated:*'] }] },
        }),
      ),
      'InvalidArgument',
      400,
    );
    assert.match(refused.message, /destination ARN does not exist or is not well-formed/);
    // Malformed ARNs, wrong services, unknown events and filter names are refused whatever the validation.
    const cases: [NotificationConfiguration, RegExp][] = [
      [{ QueueConfigurations: [{ QueueArn: 'not-an-arn', Events: ['s3:ObjectCreated:*'] }] }, /ARN/],
      [{ QueueConfigurations: [{ QueueArn: 'arn:aws:sns:us-east-1:1:topic', Events: ['s3:ObjectCreated:*'] }] }, /ARN/],
      [{ TopicConfigurations: [{ TopicArn: 'arn:aws:sns:us-east-1:1:topic', Events: ['s3:ObjectExploded:*' as 's3:ObjectCreated:*'] }] }, /event is not supported/],
      [
        { TopicConfigurations: [{ TopicArn: 'arn:aws:sns:us-east-1:1:t', Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'middle' as 'prefix', Value: 'x' }] } } }] },
        /prefix or suffix/,
      ],
    ];
    for (const [cfg, message] of cases) {
      const e = await rejectsS3(s3.send(withHeaders(new PutBucketNotificationConfigurationCommand({ Bucket: B, NotificationConfiguration: cfg }), { 'x-amz-skip-destination-validation': 'true' })), 'InvalidArgument', 400);
      assert.match(e.message, message);
    }
    assert.deepEqual(await mc.getBucketNotification(B), { TopicConfiguration: [], QueueConfiguration: [], CloudFunctionConfiguration: [] });
  });

  it('with SkipDestinationValidation a configuration is stored and read back (SDK and minio-js); an empty one removes it', async () => {
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: B,
        SkipDestinationValidation: true,
        NotificationConfiguration: {
          QueueConfigurations: [
            {
              Id: 'csv-created',
              QueueArn: 'arn:aws:sqs:us-east-1:123456789012:uploads',
              Events: ['s3:ObjectCreated:*'],
              Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'data/' }, { Name: 'suffix', Value: '.csv' }] } },
            },
          ],
          TopicConfigurations: [{ TopicArn: 'arn:aws:sns:us-east-1:123456789012:removals', Events: ['s3:ObjectRemoved:Delete', 's3:ObjectRemoved:DeleteMarkerCreated'] }],
        },
      }),
    );
    const got = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: B }));
    assert.deepEqual(got.QueueConfigurations, [
      {
        Id: 'csv-created',
        QueueArn: 'arn:aws:sqs:us-east-1:123456789012:uploads',
        Events: ['s3:ObjectCreated:*'],
        Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'data/' }, { Name: 'suffix', Value: '.csv' }] } },
      },
    ]);
    assert.deepEqual(got.TopicConfigurations, [{ TopicArn: 'arn:aws:sns:us-east-1:123456789012:removals', Events: ['s3:ObjectRemoved:Delete', 's3:ObjectRemoved:DeleteMarkerCreated'] }]);
    const viaMinio = await mc.getBucketNotification(B);
    assert.equal(viaMinio.QueueConfiguration.length, 1);
    assert.deepEqual(viaMinio.QueueConfiguration[0]?.Filter, [
      { Name: 'prefix', Value: 'data/' },
      { Name: 'suffix', Value: '.csv' },
    ]);
    await mc.removeAllBucketNotification(B);
    assert.deepEqual(await mc.getBucketNotification(B), { TopicConfiguration: [], QueueConfiguration: [], CloudFunctionConfiguration: [] });
  });

  it('listenBucketNotification: PUT, copy, multipart and delete arrive as S3 event records, in order', async () => {
    const l = await listen(B, '', '', ['s3:ObjectCreated:*', 's3:ObjectRemoved:*']);
    try {
      const put = await s3.send(new PutObjectCommand({ Bucket: B, Key: 'dir/a b.txt', Body: 'hello', ContentType: 'text/plain' }));
      await s3.send(new CopyObjectCommand({ Bucket: B, Key: 'copy.txt', CopySource: `${B}/dir/a%20b.txt` }));
      const upload = await s3.send(new CreateMultipartUploadCommand({ Bucket: B, Key: 'big.bin' }));
      const part = await s3.send(new UploadPartCommand({ Bucket: B, Key: 'big.bin', UploadId: upload.UploadId, PartNumber: 1, Body: Buffer.alloc(1000, 7) }));
      await s3.send(new CompleteMultipartUploadCommand({ Bucket: B, Key: 'big.bin', UploadId: upload.UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] } }));
      await mc.removeObject(B, 'copy.txt');
      const [created, copied, completed, removed] = await l.next(4);
      assert.deepEqual(
        [created, copied, completed, removed].map((r) => [r!.eventName, r!.s3.object.key]),
        [
          ['s3:ObjectCreated:Put', 'dir/a+b.txt'],
          ['s3:ObjectCreated:Copy', 'copy.txt'],
          ['s3:ObjectCreated:CompleteMultipartUpload', 'big.bin'],
          ['s3:ObjectRemoved:Delete', 'copy.txt'],
        ],
      );
      assert.equal(created!.eventVersion, '2.1');
      assert.equal(created!.eventSource, 'minio:s3');
      assert.equal(created!.awsRegion, 'us-east-1');
      assert.ok(!Number.isNaN(Date.parse(created!.eventTime)));
      assert.equal(created!.s3.bucket.name, B);
      assert.equal(created!.s3.bucket.arn, `arn:aws:s3:::${B}`);
      assert.equal(created!.s3.object.size, 5);
      assert.equal(`"${created!.s3.object.eTag}"`, put.ETag);
      assert.equal(completed!.s3.object.size, 1000);
      assert.match(completed!.s3.object.eTag, /-1$/);
      const sequencers = [created, copied, completed, removed].map((r) => r!.s3.object.sequencer);
      assert.deepEqual([...sequencers].sort(), sequencers, 'sequencers increase');
    } finally {
      l.stop();
    }
  });

  it('prefix, suffix and event filters; a failed PUT publishes nothing', async () => {
    const l = await listen(B, 'data/', '.csv', ['s3:ObjectCreated:Put']);
    try {
      await s3.send(new PutObjectCommand({ Bucket: B, Key: 'data/skip.txt', Body: 'x' })); // suffix
      await s3.send(new PutObjectCommand({ Bucket: B, Key: 'other/skip.csv', Body: 'x' })); // prefix
      await s3.send(new DeleteObjectCommand({ Bucket: B, Key: 'dir/a b.txt' })); // event
      await rejectsS3(s3.send(withHeaders(new PutObjectCommand({ Bucket: B, Key: 'data/failed.csv', Body: 'x' }), { 'content-md5': 'AAAAAAAAAAAAAAAAAAAAAA==' })), 'BadDigest', 400);
      await s3.send(new PutObjectCommand({ Bucket: B, Key: 'data/one.csv', Body: 'a,b\n' }));
      const [first] = await l.next(1);
      assert.equal(first!.s3.object.key, 'data/one.csv');
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(l.records.length, 1, `only one event: ${JSON.stringify(l.records.map((r) => r.s3.object.key))}`);
    } finally {
      l.stop();
    }
  });

  it('versioned bucket: a delete creates a marker (DeleteMarkerCreated), deleting a version is Delete; version ids are given', async () => {
    const l = await listen(V, '', '', ['s3:ObjectRemoved:*', 's3:ObjectCreated:*']);
    try {
      const put = await s3.send(new PutObjectCommand({ Bucket: V, Key: 'model.bin', Body: 'weights' }));
      const del = await s3.send(new DeleteObjectCommand({ Bucket: V, Key: 'model.bin' }));
      await s3.send(new DeleteObjectCommand({ Bucket: V, Key: 'model.bin', VersionId: put.VersionId }));
      const [created, marker, removed] = await l.next(3);
      assert.equal(created!.s3.object.versionId, put.VersionId);
      assert.equal(marker!.eventName, 's3:ObjectRemoved:DeleteMarkerCreated');
      assert.equal(marker!.s3.object.versionId, del.VersionId);
      assert.equal(removed!.eventName, 's3:ObjectRemoved:Delete');
      assert.equal(removed!.s3.object.versionId, put.VersionId);
    } finally {
      l.stop();
    }
  });

  it('listening is refused without access, for unknown events and buckets', async () => {
    const anonymous = await fetch(`${t.url}/${B}?events=s3%3AObjectCreated%3A%2A`);
    assert.equal(anonymous.status, 403);
    const poller = mc.listenBucketNotification('no-such-bucket', '', '', ['s3:ObjectCreated:*']);
    const error = await new Promise<unknown>((resolve) => poller.once('error', resolve));
    poller.stop();
    assert.equal((error as { code?: string }).code, 'NoSuchBucket');
    const bad = mc.listenBucketNotification(B, '', '', ['s3:ObjectExploded']);
    const badError = await new Promise<unknown>((resolve) => bad.once('error', resolve));
    bad.stop();
    assert.equal((badError as { code?: string }).code, 'InvalidArgument');
  });

  it('on the wire: 200 at once, one JSON line per event, blank keep-alive lines; closing the connection unsubscribes', async () => {
    const listening = t.signet.events.listenerCount();
    const res = await signedFetch(t.url, { method: 'GET', path: `/${B}`, query: { events: 's3:ObjectCreated:*', prefix: 'wire/' } });
    assert.equal(res.status, 200);
    await until('the listener to subscribe', () => t.signet.events.listenerCount() === listening + 1);
    await s3.send(new PutObjectCommand({ Bucket: B, Key: 'wire/x', Body: 'x' }));
    const reader = res.body!.getReader();
    let text = '';
    const started = Date.now();
    while (!/\n.*\{.*\}\n[\s\S]*\n\n/.test(`\n${text}`) && Date.now() - started < 5000) {
      const { value, done } = await reader.read();
      if (done) break;
      text += Buffer.from(value).toString();
    }
    const lines = text.split('\n');
    const events = lines.filter((line) => line !== '').map((line) => JSON.parse(line) as { EventName: string; Key: string; Records: EventRecord[] });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.EventName, 's3:ObjectCreated:Put');
    assert.equal(events[0]!.Key, `${B}/wire/x`);
    assert.equal(events[0]!.Records[0]!.s3.object.key, 'wire/x');
    assert.ok(lines.filter((line) => line === '').length >= 2, 'blank keep-alive lines');
    await reader.cancel();
    await until('the listener to go away', () => t.signet.events.listenerCount() === listening);
  });
});
