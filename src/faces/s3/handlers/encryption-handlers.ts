/**
 * @module
 * GetBucketEncryption, PutBucketEncryption and DeleteBucketEncryption: the
 * bucket's default encryption (`ServerSideEncryptionConfiguration`). Wire
 * shapes only; `core/sse.ts` keeps the configuration and applies it.
 *
 * One rule, `ApplyServerSideEncryptionByDefault` with `SSEAlgorithm`
 * `AES256` (SSE-S3). `aws:kms` and `aws:kms:dsse` answer NotImplemented:
 * Signet has no KMS, and quietly using its own key instead of the one the
 * client named would be a lie about where the key lives.
 */
import { fail } from '../../../core/errors.ts';
import type { BucketEncryption } from '../../../core/sse.ts';
import type { S3Operation } from '../router.ts';
import { emptyResponse, xmlResponse, type S3Handler } from '../s3-context.ts';
import { child, children, el, parseXml, text, xmlDocument } from '../xml.ts';
import { readXmlBody } from './xml-body.ts';

type Op<N extends string> = Extract<S3Operation, { name: N }>;

const MAX_CONFIG_BODY = 64 * 1024;

function malformedXml(): never {
  fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
}

export const getBucketEncryption: S3Handler<Op<'GetBucketEncryption'>> = async (r, op) => {
  const config = await r.services.sse.bucketDefault(r.principal, op.bucket);
  return xmlResponse(
    xmlDocument('ServerSideEncryptionConfiguration', [
      el('Rule', [el('ApplyServerSideEncryptionByDefault', [el('SSEAlgorithm', config.algorithm)]), el('BucketKeyEnabled', config.bucketKeyEnabled)]),
    ]),
  );
};

/** The configuration in a PutBucketEncryption body. */
export function parseEncryptionConfiguration(body: Buffer): BucketEncryption {
  const doc = child(parseXml(body), 'ServerSideEncryptionConfiguration') ?? malformedXml();
  const rules = children(doc, 'Rule');
  if (rules.length !== 1) malformedXml();
  const rule = rules[0]!;
  const apply = child(rule, 'ApplyServerSideEncryptionByDefault') ?? malformedXml();
  const algorithm = text(apply, 'SSEAlgorithm')?.trim();
  if (algorithm === 'aws:kms' || algorithm === 'aws:kms:dsse') fail('NotImplemented', 'Signet has no KMS: the default encryption can be AES256 (SSE-S3) only');
  if (algorithm !== 'AES256') malformedXml();
  if (text(apply, 'KMSMasterKeyID') !== undefined) fail('InvalidArgument', 'a KMSMasterKeyID is not applicable if the default sse algorithm is not aws:kms or aws:kms:dsse', { ArgumentName: 'ApplyServerSideEncryptionByDefault' });
  const bucketKey = text(rule, 'BucketKeyEnabled')?.trim();
  if (bucketKey !== undefined && bucketKey !== 'true' && bucketKey !== 'false') malformedXml();
  return { algorithm, bucketKeyEnabled: bucketKey === 'true' };
}

export const putBucketEncryption: S3Handler<Op<'PutBucketEncryption'>> = async (r, op) => {
  const config = parseEncryptionConfiguration(await readXmlBody(r, MAX_CONFIG_BODY, false));
  await r.services.sse.putBucketDefault(r.principal, op.bucket, config);
  return emptyResponse(200);
};

export const deleteBucketEncryption: S3Handler<Op<'DeleteBucketEncryption'>> = async (r, op) => {
  await r.services.sse.deleteBucketDefault(r.principal, op.bucket);
  return emptyResponse(204);
};
