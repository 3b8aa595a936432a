/**
 * @module
 * Object lock on the S3 wire: the bucket's ObjectLockConfiguration, the
 * retention and legal hold of one version, and the `x-amz-object-lock-*` /
 * `x-amz-bypass-governance-retention` headers other operations read or send.
 */
import type { Body } from '../../../core/body.ts';
import { fail } from '../../../core/errors.ts';
import { RETENTION_MODES, parseLockRequest, type DefaultRetention, type LockRequest, type ObjectLockConfiguration } from '../../../core/object-lock.ts';
import type { ObjectVersion, Retention, RetentionMode } from '../../../core/types.ts';
import type { S3Operation } from '../router.ts';
import { emptyResponse, xmlResponse, type S3Handler, type S3Request } from '../s3-context.ts';
import { child, el, parseXml, text, xmlDocument } from '../xml.ts';
import { readXmlBody } from './xml-body.ts';

type Op<N extends string> = Extract<S3Operation, { name: N }>;

const MALFORMED = 'The XML you provided was not well-formed or did not validate against our published schema';
const MAX_LOCK_XML = 64 * 1024;

// Headers read and sent by other operations

/** `x-amz-object-lock-mode`, `-retain-until-date` and `-legal-hold` of a write; undefined when none is sent. */
export function lockRequest(r: S3Request): LockRequest | undefined {
  return parseLockRequest({
    mode: r.header('x-amz-object-lock-mode'),
    retainUntil: r.header('x-amz-object-lock-retain-until-date'),
    legalHold: r.header('x-amz-object-lock-legal-hold'),
  });
}

/**
 * S3 takes an object with lock parameters only with a Content-MD5 or an
 * x-amz-checksum-* to check its bytes against. A signed, real
 * x-amz-content-sha256 is accepted too (checked the same way): minio-py
 * sends only that over plain HTTP, and MinIO accepts it.
 */
export function requireDigestForLock(body: Body): void {
  const e = body.expect;
  if (e.md5 === undefined && e.checksum === undefined && e.algorithm === undefined && e.sha256 === undefined) {
    fail('InvalidRequest', 'Content-MD5 OR x-amz-checksum- HTTP header is required for Put Object requests with Object Lock parameters');
  }
}

/** `x-amz-bypass-governance-retention: true`. */
export function bypassGovernanceHeader(r: S3Request): boolean {
  return r.header('x-amz-bypass-governance-retention')?.trim().toLowerCase() === 'true';
}

/** The lock state of a version on GET/HEAD. */
export function lockHeaders(v: ObjectVersion): Record<string, string> {
  const h: Record<string, string> = {};
  if (v.retention) {
    h['x-amz-object-lock-mode'] = v.retention.mode;
    h['x-amz-object-lock-retain-until-date'] = v.retention.until.toISOString();
  }
  if (v.legalHold) h['x-amz-object-lock-legal-hold'] = 'ON';
  return h;
}

function versionIdParam(r: S3Request): string | null {
  const v = r.query.get('versionId');
  return v === null || v === '' ? null : v;
}

function parseMode(value: string | undefined): RetentionMode {
  const mode = RETENTION_MODES.find((m) => m === value);
  if (mode === undefined) fail('MalformedXML', MALFORMED);
  return mode;
}

/** A positive-looking integer element (range checks are the core's). */
function parsePeriod(value: string): number {
  if (!/^-?\d{1,12}$/.test(value.trim())) fail('MalformedXML', MALFORMED);
  return Number(value.trim());
}

// ObjectLockConfiguration

export function parseObjectLockConfiguration(body: Buffer): ObjectLockConfiguration {
  const doc = child(parseXml(body), 'ObjectLockConfiguration');
  if (doc === undefined || text(doc, 'ObjectLockEnabled') !== 'Enabled') fail('MalformedXML', MALFORMED);
  if (doc.Rule === undefined) return { rule: null };
  const retention = child(child(doc, 'Rule'), 'DefaultRetention');
  if (retention === undefined) fail('MalformedXML', MALFORMED);
  const days = text(retention, 'Days');
  const years = text(retention, 'Years');
  const rule: DefaultRetention = {
    mode: parseMode(text(retention, 'Mode')),
    ...(days === undefined ? {} : { days: parsePeriod(days) }),
    ...(years === undefined ? {} : { years: parsePeriod(years) }),
  };
  return { rule };
}

export function objectLockConfigurationXml(config: ObjectLockConfiguration): string {
  const rule = config.rule;
  return xmlDocument('ObjectLockConfiguration', [
    el('ObjectLockEnabled', 'Enabled'),
    rule &&
      el('Rule', [
        el('DefaultRetention', [
          el('Mode', rule.mode),
          rule.days !== undefined && el('Days', rule.days),
          rule.years !== undefined && el('Years', rule.years),
        ]),
      ]),
  ]);
}

export const getObjectLockConfiguration: S3Handler<Op<'GetObjectLockConfiguration'>> = async (r, op) => {
  return xmlResponse(objectLockConfigurationXml(await r.services.versioning.lockConfiguration(r.principal, op.bucket)));
};

export const putObjectLockConfiguration: S3Handler<Op<'PutObjectLockConfiguration'>> = async (r, op) => {
  const config = parseObjectLockConfiguration(await readXmlBody(r, MAX_LOCK_XML, true));
  await r.services.versioning.putLockConfiguration(r.principal, op.bucket, config);
  return emptyResponse(200);
};

// Retention

/** A Retention document; an empty one (no Mode, no date) removes the retention. */
export function parseRetention(body: Buffer): Retention | null {
  const parsed = parseXml(body);
  const doc = child(parsed, 'Retention');
  if (doc === undefined) {
    if (parsed.Retention === '') return null; // <Retention/>
    fail('MalformedXML', MALFORMED);
  }
  const mode = text(doc, 'Mode');
  const until = text(doc, 'RetainUntilDate');
  if (mode === undefined && until === undefined) return null;
  if (mode === undefined || until === undefined) fail('MalformedXML', MALFORMED);
  const date = new Date(until.trim());
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/.test(until.trim()) || Number.isNaN(date.getTime())) {
    fail('MalformedXML', MALFORMED);
  }
  return { mode: parseMode(mode), until: date };
}

export const getObjectRetention: S3Handler<Op<'GetObjectRetention'>> = async (r, op) => {
  const { retention } = await r.services.versioning.retention(r.principal, op.bucket, op.key, versionIdParam(r));
  return xmlResponse(xmlDocument('Retention', [el('Mode', retention.mode), el('RetainUntilDate', retention.until.toISOString())]));
};

export const putObjectRetention: S3Handler<Op<'PutObjectRetention'>> = async (r, op) => {
  const retention = parseRetention(await readXmlBody(r, MAX_LOCK_XML, true));
  await r.services.versioning.putRetention(r.principal, op.bucket, op.key, versionIdParam(r), retention, bypassGovernanceHeader(r));
  return emptyResponse(200);
};

// Legal hold

export function parseLegalHold(body: Buffer): boolean {
  const status = text(child(parseXml(body), 'LegalHold'), 'Status');
  if (status !== 'ON' && status !== 'OFF') fail('MalformedXML', MALFORMED);
  return status === 'ON';
}

export const getObjectLegalHold: S3Handler<Op<'GetObjectLegalHold'>> = async (r, op) => {
  const { on } = await r.services.versioning.legalHold(r.principal, op.bucket, op.key, versionIdParam(r));
  return xmlResponse(xmlDocument('LegalHold', [el('Status', on ? 'ON' : 'OFF')]));
};

export const putObjectLegalHold: S3Handler<Op<'PutObjectLegalHold'>> = async (r, op) => {
  const on = parseLegalHold(await readXmlBody(r, MAX_LOCK_XML, true));
  await r.services.versioning.putLegalHold(r.principal, op.bucket, op.key, versionIdParam(r), on);
  return emptyResponse(200);
};
