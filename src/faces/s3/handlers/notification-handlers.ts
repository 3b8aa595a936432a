/**
 * @module
 * Bucket notifications on the wire: Get/PutBucketNotificationConfiguration
 * (S3's XML) and MinIO's ListenBucketNotification (`GET /bucket?events=...`):
 * a long-lived response of JSON lines, one `{"Records":[...]}` per event in
 * S3's event message structure, and a blank line every second to keep the
 * connection alive and let the client notice it stopped listening. The rules
 * live in `core/notifications.ts` and `core/events.ts`.
 */
import { Readable } from 'node:stream';
import { fail } from '../../../core/errors.ts';
import type { ObjectEvent } from '../../../core/events.ts';
import type { NotificationConfig, NotificationTarget, TargetKind } from '../../../core/notifications.ts';
import type { S3Operation } from '../router.ts';
import { emptyResponse, xmlResponse, type S3Handler } from '../s3-context.ts';
import { child, children, el, parseXml, text, xmlDocument } from '../xml.ts';
import { readXmlBody } from './xml-body.ts';

type Op<N extends string> = Extract<S3Operation, { name: N }>;

const MAX_CONFIG_BODY = 256 * 1024;
/** A blank line this often on a listening connection. */
export const LISTEN_KEEPALIVE_MS = 1000;
/** Bytes a slow listener may leave unread before it is cut off (events are never buffered without bound). */
const MAX_UNREAD = 4 * 1024 * 1024;

const ELEMENTS: readonly (readonly [TargetKind, string, string])[] = [
  ['Queue', 'QueueConfiguration', 'Queue'],
  ['Topic', 'TopicConfiguration', 'Topic'],
  ['CloudFunction', 'CloudFunctionConfiguration', 'CloudFunction'],
];

function malformedXml(): never {
  fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
}

/** Every `name` child as text (a repeated element parses as a list). */
function texts(node: Record<string, unknown>, name: string): string[] {
  const v = node[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? (v as unknown[]) : [v]).map((x) => (typeof x === 'string' ? x.trim() : typeof x === 'object' && x !== null && Object.keys(x).length === 0 ? '' : malformedXml()));
}

function parseTarget(kind: TargetKind, arnElement: string, node: Record<string, unknown>): NotificationTarget {
  const arns = texts(node, arnElement);
  if (arns.length !== 1) malformedXml();
  const id = text(node, 'Id');
  let prefix: string | undefined;
  let suffix: string | undefined;
  for (const rule of children(child(child(node, 'Filter'), 'S3Key'), 'FilterRule')) {
    const name = (text(rule, 'Name') ?? '').toLowerCase();
    const value = text(rule, 'Value') ?? '';
    if (name === 'prefix') {
      if (prefix !== undefined) fail('InvalidArgument', 'Cannot specify more than one prefix rule in a filter.');
      prefix = value;
    } else if (name === 'suffix') {
      if (suffix !== undefined) fail('InvalidArgument', 'Cannot specify more than one suffix rule in a filter.');
      suffix = value;
    } else {
      fail('InvalidArgument', 'filter rule name must be either prefix or suffix');
    }
  }
  return {
    kind,
    ...(id !== undefined && id.trim() !== '' ? { id: id.trim() } : {}),
    arn: arns[0]!,
    events: texts(node, 'Event'),
    ...(prefix !== undefined ? { prefix } : {}),
    ...(suffix !== undefined ? { suffix } : {}),
  };
}

/** S3's NotificationConfiguration document. */
export function parseNotificationConfig(body: Buffer): NotificationConfig {
  const doc = parseXml(body);
  if (!('NotificationConfiguration' in doc)) malformedXml();
  const root = child(doc, 'NotificationConfiguration') ?? {};
  if ('EventBridgeConfiguration' in root) fail('InvalidArgument', 'EventBridge is not a destination Signet can deliver to.');
  const targets: NotificationTarget[] = [];
  for (const [kind, element, arnElement] of ELEMENTS) for (const node of children(root, element)) targets.push(parseTarget(kind, arnElement, node));
  return { targets };
}

export function notificationConfigXml(config: NotificationConfig): string {
  const blocks = ELEMENTS.flatMap(([kind, element, arnElement]) =>
    config.targets
      .filter((t) => t.kind === kind)
      .map((t) => {
        const rules = [
          t.prefix !== undefined && el('FilterRule', [el('Name', 'prefix'), el('Value', t.prefix)]),
          t.suffix !== undefined && el('FilterRule', [el('Name', 'suffix'), el('Value', t.suffix)]),
        ];
        return el(element, [
          t.id !== undefined && el('Id', t.id),
          el(arnElement, t.arn),
          ...t.events.map((e) => el('Event', e)),
          (t.prefix !== undefined || t.suffix !== undefined) && el('Filter', [el('S3Key', rules)]),
        ]);
      }),
  );
  return xmlDocument('NotificationConfiguration', blocks);
}

export const getBucketNotificationConfiguration: S3Handler<Op<'GetBucketNotificationConfiguration'>> = async (r, op) => {
  return xmlResponse(notificationConfigXml(await r.services.notifications.config(r.principal, op.bucket)));
};

export const putBucketNotificationConfiguration: S3Handler<Op<'PutBucketNotificationConfiguration'>> = async (r, op) => {
  const config = parseNotificationConfig(await readXmlBody(r, MAX_CONFIG_BODY, false));
  const skip = (r.header('x-amz-skip-destination-validation') ?? '').toLowerCase() === 'true';
  await r.services.notifications.putConfig(r.principal, op.bucket, config, { skipDestinationValidation: skip });
  return emptyResponse(200);
};

/** S3 URL-encodes keys in event messages (a space as `+`, `/` kept). */
export function eventKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/').replace(/%20/g, '+');
}

/** One record of S3's event message structure (version 2.1). */
export function eventRecord(e: ObjectEvent, region: string, source: 'minio:s3' | 'aws:s3'): Record<string, unknown> {
  const object: Record<string, unknown> = { key: eventKey(e.key), size: e.size, eTag: e.etag };
  if (e.versionId !== null && e.versionId !== 'null') object.versionId = e.versionId;
  object.sequencer = e.sequencer;
  if (e.contentType !== undefined) object.contentType = e.contentType;
  if (e.userMetadata !== undefined && Object.keys(e.userMetadata).length > 0) object.userMetadata = e.userMetadata;
  return {
    eventVersion: '2.1',
    eventSource: source,
    awsRegion: region,
    eventTime: e.time.toISOString(),
    eventName: `s3:${e.name}`,
    userIdentity: { principalId: e.principal.userName },
    requestParameters: { principalId: e.principal.userName, region },
    responseElements: {},
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: 'Config',
      bucket: { name: e.bucket, ownerIdentity: { principalId: e.principal.userName }, arn: `arn:aws:s3:::${e.bucket}` },
      object,
    },
  };
}

/**
 * MinIO's ListenBucketNotification: `events` (repeated; none: every object
 * event), `prefix`, `suffix`. The response never ends on its own: the client
 * closes it (or the server shuts down).
 */
export const listenBucketNotification: S3Handler<Op<'ListenBucketNotification'>> = async (r, op) => {
  const filter = {
    bucket: op.bucket,
    events: r.query.getAll('events').filter((e) => e !== ''),
    prefix: r.query.get('prefix') ?? '',
    suffix: r.query.get('suffix') ?? '',
  };
  const stream = new Readable({ read() {} });
  const region = r.services.region;
  const unsubscribe = await r.services.notifications.listen(r.principal, filter, (event) => {
    if (stream.destroyed) return;
    if (stream.readableLength > MAX_UNREAD) {
      stream.destroy();
      return;
    }
    stream.push(`${JSON.stringify({ EventName: `s3:${event.name}`, Key: `${event.bucket}/${event.key}`, Records: [eventRecord(event, region, 'minio:s3')] })}\n`);
  });
  const keepAlive = setInterval(() => {
    if (stream.readableLength <= MAX_UNREAD) stream.push('\n');
  }, LISTEN_KEEPALIVE_MS);
  keepAlive.unref();
  stream.once('close', () => {
    clearInterval(keepAlive);
    unsubscribe();
  });
  // Something to send at once, so the client has the status and headers without waiting for an event.
  stream.push('\n');
  return { status: 200, headers: { 'content-type': 'application/x-ndjson', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' }, body: stream };
};
