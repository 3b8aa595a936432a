/**
 * @module
 * Bucket configuration documents: tagging, policy (and its public status)
 * and CORS (with the browser's preflight and the Access-Control-* headers
 * of actual requests). Wire shapes only; the rules live in `core/buckets.ts`,
 * `core/bucket-policy.ts` and `core/cors.ts`.
 */
import type { Buckets } from '../../../core/buckets.ts';
import { corsGrant, matchActual, matchPreflight, type CorsGrant, type CorsMethod, type CorsRule } from '../../../core/cors.ts';
import { fail } from '../../../core/errors.ts';
import type { Tag } from '../../../core/types.ts';
import type { S3Operation } from '../router.ts';
import { emptyResponse, xmlResponse, type S3Handler } from '../s3-context.ts';
import { child, children, el, parseXml, text, xmlDocument } from '../xml.ts';
import { readXmlBody } from './xml-body.ts';

type Op<N extends string> = Extract<S3Operation, { name: N }>;

/** Tagging and CORS documents are small in S3 (64 KB at most). */
const MAX_CONFIG_BODY = 64 * 1024;

function malformedXml(): never {
  fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
}

/** The text of every `name` child (a repeated element parses as a list). */
function texts(node: Record<string, unknown>, name: string): string[] {
  const v = node[name];
  if (v === undefined) return [];
  const list = Array.isArray(v) ? (v as unknown[]) : [v];
  return list.map((x) => (typeof x === 'string' ? x.trim() : typeof x === 'object' && x !== null && Object.keys(x).length === 0 ? '' : malformedXml()));
}

// Tagging

export const getBucketTagging: S3Handler<Op<'GetBucketTagging'>> = async (r, op) => {
  const tags = await r.services.buckets.tags(r.principal, op.bucket);
  return xmlResponse(xmlDocument('Tagging', [el('TagSet', tags.map(([k, v]) => el('Tag', [el('Key', k), el('Value', v)])))]));
};

export const putBucketTagging: S3Handler<Op<'PutBucketTagging'>> = async (r, op) => {
  const tagSet = child(child(parseXml(await readXmlBody(r, MAX_CONFIG_BODY, false)), 'Tagging'), 'TagSet');
  if (!tagSet) malformedXml();
  const tags: Tag[] = children(tagSet, 'Tag').map((t) => [text(t, 'Key') ?? malformedXml(), text(t, 'Value') ?? '']);
  await r.services.buckets.putTags(r.principal, op.bucket, tags);
  return emptyResponse(200);
};

export const deleteBucketTagging: S3Handler<Op<'DeleteBucketTagging'>> = async (r, op) => {
  await r.services.buckets.deleteTags(r.principal, op.bucket);
  return emptyResponse(204);
};

// Policy

export const getBucketPolicy: S3Handler<Op<'GetBucketPolicy'>> = async (r, op) => {
  const policy = await r.services.buckets.policy(r.principal, op.bucket);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: policy };
};

export const putBucketPolicy: S3Handler<Op<'PutBucketPolicy'>> = async (r, op) => {
  // Read a little past S3's 20 KB so an oversized policy is named as such (MalformedPolicy).
  const body = await readXmlBody(r, MAX_CONFIG_BODY, false);
  await r.services.buckets.putPolicy(r.principal, op.bucket, body.toString('utf8'));
  return emptyResponse(204);
};

export const deleteBucketPolicy: S3Handler<Op<'DeleteBucketPolicy'>> = async (r, op) => {
  await r.services.buckets.deletePolicy(r.principal, op.bucket);
  return emptyResponse(204);
};

export const getBucketPolicyStatus: S3Handler<Op<'GetBucketPolicyStatus'>> = async (r, op) => {
  const { isPublic } = await r.services.buckets.policyStatus(r.principal, op.bucket);
  return xmlResponse(xmlDocument('PolicyStatus', [el('IsPublic', isPublic)]));
};

// CORS

export const getBucketCors: S3Handler<Op<'GetBucketCors'>> = async (r, op) => {
  const rules = await r.services.buckets.cors(r.principal, op.bucket);
  return xmlResponse(
    xmlDocument(
      'CORSConfiguration',
      rules.map((rule) =>
        el('CORSRule', [
          rule.id !== undefined && el('ID', rule.id),
          ...rule.allowedHeaders.map((h) => el('AllowedHeader', h)),
          ...rule.allowedMethods.map((m) => el('AllowedMethod', m)),
          ...rule.allowedOrigins.map((o) => el('AllowedOrigin', o)),
          ...rule.exposeHeaders.map((h) => el('ExposeHeader', h)),
          rule.maxAgeSeconds !== undefined && el('MaxAgeSeconds', rule.maxAgeSeconds),
        ]),
      ),
    ),
  );
};

function parseCorsRule(node: Record<string, unknown>): CorsRule {
  const id = text(node, 'ID');
  const maxAge = texts(node, 'MaxAgeSeconds');
  if (maxAge.length > 1 || (maxAge.length === 1 && !/^\d{1,9}$/.test(maxAge[0]!))) malformedXml();
  return {
    ...(id !== undefined ? { id } : {}),
    allowedOrigins: texts(node, 'AllowedOrigin'),
    allowedMethods: texts(node, 'AllowedMethod') as CorsMethod[],
    allowedHeaders: texts(node, 'AllowedHeader'),
    exposeHeaders: texts(node, 'ExposeHeader'),
    ...(maxAge.length === 1 ? { maxAgeSeconds: Number(maxAge[0]) } : {}),
  };
}

export const putBucketCors: S3Handler<Op<'PutBucketCors'>> = async (r, op) => {
  const config = child(parseXml(await readXmlBody(r, MAX_CONFIG_BODY, false)), 'CORSConfiguration');
  if (!config) malformedXml();
  const rules = children(config, 'CORSRule').map(parseCorsRule);
  await r.services.buckets.putCors(r.principal, op.bucket, rules);
  return emptyResponse(200);
};

export const deleteBucketCors: S3Handler<Op<'DeleteBucketCors'>> = async (r, op) => {
  await r.services.buckets.deleteCors(r.principal, op.bucket);
  return emptyResponse(204);
};

const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

function grantHeaders(grant: CorsGrant): Record<string, string> {
  const h: Record<string, string> = {
    'access-control-allow-origin': grant.allowOrigin,
    'access-control-allow-methods': grant.allowMethods.join(', '),
    vary: VARY,
  };
  if (grant.allowCredentials) h['access-control-allow-credentials'] = 'true';
  if (grant.exposeHeaders.length > 0) h['access-control-expose-headers'] = grant.exposeHeaders.join(', ');
  if (grant.maxAgeSeconds !== null) h['access-control-max-age'] = String(grant.maxAgeSeconds);
  return h;
}

/**
 * A browser's preflight: needs no signature (browsers send none), answers
 * from the bucket's CORS rules as S3 does (403 CORSResponse when none allows it).
 */
export const preflightRequest: S3Handler<Op<'PreflightRequest'>> = async (r, op) => {
  const origin = r.header('origin');
  if (origin === undefined || origin === '') fail('InvalidRequest', 'Insufficient information. Origin request header needed.');
  const method = r.header('access-control-request-method');
  if (method === undefined || method === '') fail('InvalidRequest', `Invalid Access-Control-Request-Method: ${method ?? 'null'}`);
  const requested = (r.header('access-control-request-headers') ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  const rules = await r.services.buckets.corsRulesFor(op.bucket);
  if (rules === null) fail('CORSResponse', 'CORS is not enabled for this bucket.');
  const rule = matchPreflight(rules, origin, method, requested);
  if (rule === null) {
    fail(
      'CORSResponse',
      "This CORS request is not allowed. This is usually because the evaluation of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
    );
  }
  const headers = grantHeaders(corsGrant(rule, origin));
  if (requested.length > 0) headers['access-control-allow-headers'] = requested.join(', ');
  return emptyResponse(200, headers);
};

/**
 * Access-Control-* headers for an actual request that carries `Origin`
 * (answered with success or error alike), when a rule of the bucket allows
 * the origin and method; none otherwise. Never fails the request.
 */
export async function actualRequestCorsHeaders(buckets: Buckets, op: S3Operation | null, method: string, origin: string | undefined): Promise<Record<string, string>> {
  if (origin === undefined || origin === '' || op === null || op.name === 'PreflightRequest' || !('bucket' in op)) return {};
  try {
    const rules = await buckets.corsRulesFor(op.bucket);
    if (rules === null) return {};
    const rule = matchActual(rules, origin, method);
    return rule === null ? { vary: VARY } : grantHeaders(corsGrant(rule, origin));
  } catch {
    return {};
  }
}
