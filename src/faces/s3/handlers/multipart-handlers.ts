/**
 * @module
 * CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload,
 * AbortMultipartUpload, ListParts and ListMultipartUploads.
 */
import { fail } from '../../../core/errors.ts';
import type { CompletedPartInput } from '../../../core/multipart.ts';
import { CHECKSUM_ALGORITHMS, type ChecksumAlgorithm, type UploadedPart } from '../../../core/types.ts';
import {
  checkCannedAcl,
  checksumAlgorithmHeader,
  checksumElement,
  conditions,
  COPY_SOURCE_SSEC,
  customerKey,
  encryptionHeaders,
  requestTags,
  sseRequest,
  storedHeaders,
  userMetadata,
} from '../object-headers.ts';
import { checksumHeaderName } from '../auth/checksums.ts';
import type { S3Operation } from '../router.ts';
import { emptyResponse, encodingParam, intParam, xmlResponse, type S3Handler, type S3Request } from '../s3-context.ts';
import { child, children, el, parseXml, text, xmlDocument } from '../xml.ts';
import { ownerXml } from './bucket-handlers.ts';
import { parseCopySource, writeHeaders } from './object-handlers.ts';
import { lockRequest } from './object-lock-handlers.ts';
import { MAX_XML_BODY, readXmlBody } from './xml-body.ts';

type Op<N extends string> = Extract<S3Operation, { name: N }>;

function uploadIdParam(r: S3Request): string {
  return r.query.get('uploadId') ?? '';
}

function partNumberParam(r: S3Request): number {
  return intParam(r.query, 'partNumber', 0, 1, Number.MAX_SAFE_INTEGER);
}

function checksumTypeHeader(r: S3Request): 'FULL_OBJECT' | 'COMPOSITE' | null {
  const value = r.header('x-amz-checksum-type');
  if (value === undefined) return null;
  const upper = value.toUpperCase();
  if (upper !== 'FULL_OBJECT' && upper !== 'COMPOSITE') fail('InvalidRequest', 'Value for x-amz-checksum-type header is invalid.');
  return upper;
}

export const createMultipartUpload: S3Handler<Op<'CreateMultipartUpload'>> = async (r, op) => {
  checkCannedAcl(r);
  const upload = await r.services.multipart.create(r.principal, {
    bucket: op.bucket,
    key: op.key,
    headers: storedHeaders(r),
    userMetadata: userMetadata(r),
    tags: requestTags(r),
    checksumAlgorithm: checksumAlgorithmHeader(r, 'x-amz-checksum-algorithm'),
    checksumType: checksumTypeHeader(r),
    lock: lockRequest(r),
    encryption: sseRequest(r),
  });
  const headers: Record<string, string> = encryptionHeaders(upload.headers.encryption, r.header(`${SSEC}key-md5`));
  if (upload.checksumAlgorithm) headers['x-amz-checksum-algorithm'] = upload.checksumAlgorithm;
  if (upload.checksumType) headers['x-amz-checksum-type'] = upload.checksumType;
  return xmlResponse(
    xmlDocument('InitiateMultipartUploadResult', [el('Bucket', op.bucket), el('Key', op.key), el('UploadId', upload.uploadId)]),
    200,
    headers,
  );
};

function partChecksumHeaders(part: UploadedPart): Record<string, string> {
  const h: Record<string, string> = { etag: `"${part.etag}"` };
  for (const [alg, value] of Object.entries(part.checksums)) h[checksumHeaderName(alg as ChecksumAlgorithm)] = value;
  return h;
}

export const uploadPart: S3Handler<Op<'UploadPart'>> = async (r, op) => {
  const key = customerKey(r);
  const part = await r.services.multipart.uploadPart(r.principal, op.bucket, op.key, uploadIdParam(r), partNumberParam(r), r.body(), key);
  return emptyResponse(200, { ...partChecksumHeaders(part), ...customerKeyEcho(key) });
};

const SSEC = 'x-amz-server-side-encryption-customer-';

/** The SSE-C headers S3 answers a request that carried a customer key with. */
function customerKeyEcho(key: { readonly md5: string } | undefined): Record<string, string> {
  return key === undefined ? {} : { [`${SSEC}algorithm`]: 'AES256', [`${SSEC}key-md5`]: key.md5 };
}

export const uploadPartCopy: S3Handler<Op<'UploadPartCopy'>> = async (r, op) => {
  const part = await r.services.multipart.copyPart(r.principal, op.bucket, op.key, uploadIdParam(r), partNumberParam(r), {
    source: parseCopySource(r.header('x-amz-copy-source')!),
    sourceConditions: conditions(r, 'x-amz-copy-source-'),
    range: r.header('x-amz-copy-source-range'),
    customerKey: customerKey(r),
    sourceCustomerKey: customerKey(r, COPY_SOURCE_SSEC),
  });
  const sourceVersion: Record<string, string> = part.sourceVersionId === 'null' ? {} : { 'x-amz-copy-source-version-id': part.sourceVersionId };
  return xmlResponse(xmlDocument('CopyPartResult', [el('LastModified', part.lastModified.toISOString()), el('ETag', `"${part.etag}"`)]), 200, { ...customerKeyEcho(customerKey(r)), ...sourceVersion });
};

function completedParts(body: Buffer): CompletedPartInput[] {
  const doc = child(parseXml(body), 'CompleteMultipartUpload');
  if (!doc) fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  return children(doc, 'Part').map((p) => {
    const number = text(p, 'PartNumber');
    const etag = text(p, 'ETag');
    if (number === undefined || !/^\d+$/.test(number) || etag === undefined) {
      fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    }
    const checksums: Partial<Record<ChecksumAlgorithm, string>> = {};
    for (const alg of CHECKSUM_ALGORITHMS) {
      const value = text(p, checksumElement(alg));
      if (value !== undefined) checksums[alg] = value;
    }
    return { partNumber: Number(number), etag: etag.trim(), checksums };
  });
}

export const completeMultipartUpload: S3Handler<Op<'CompleteMultipartUpload'>> = async (r, op) => {
  // Its x-amz-checksum-* header describes the object, not this XML body.
  const parts = completedParts(await readXmlBody(r, MAX_XML_BODY, false, { ignoreChecksumHeaders: true }));
  const declared = CHECKSUM_ALGORITHMS.flatMap((algorithm) => {
    const value = r.header(checksumHeaderName(algorithm))?.trim();
    return value === undefined ? [] : [{ algorithm, value }];
  });
  if (declared.length > 1) fail('InvalidRequest', 'Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  const version = await r.services.multipart.complete(r.principal, op.bucket, op.key, uploadIdParam(r), parts, declared[0], customerKey(r));
  const checksum = version.checksum;
  const location = `/${op.bucket}/${op.key.split('/').map(encodeURIComponent).join('/')}`;
  return xmlResponse(
    xmlDocument('CompleteMultipartUploadResult', [
      el('Location', location),
      el('Bucket', op.bucket),
      el('Key', op.key),
      el('ETag', `"${version.etag}"`),
      checksum && el(checksumElement(checksum.algorithm), checksum.value),
      checksum && el('ChecksumType', checksum.type),
    ]),
    200,
    writeHeaders(version, r),
  );
};

export const abortMultipartUpload: S3Handler<Op<'AbortMultipartUpload'>> = async (r, op) => {
  await r.services.multipart.abort(r.principal, op.bucket, op.key, uploadIdParam(r));
  return emptyResponse(204);
};

export const listParts: S3Handler<Op<'ListParts'>> = async (r, op) => {
  const marker = intParam(r.query, 'part-number-marker', 0, 0, 10000);
  const maxParts = intParam(r.query, 'max-parts', 1000, 0, 1000);
  const { upload, parts, isTruncated } = await r.services.multipart.listParts(r.principal, op.bucket, op.key, uploadIdParam(r), marker, maxParts);
  const owner = ownerXml(upload.ownerId, upload.ownerId === r.principal.userId ? r.principal.userName : upload.ownerId);
  return xmlResponse(
    xmlDocument('ListPartsResult', [
      el('Bucket', op.bucket),
      el('Key', op.key),
      el('UploadId', upload.uploadId),
      owner.replace(/Owner>/g, 'Initiator>'),
      owner,
      el('StorageClass', 'STANDARD'),
      upload.checksumAlgorithm && el('ChecksumAlgorithm', upload.checksumAlgorithm),
      upload.checksumType && el('ChecksumType', upload.checksumType),
      el('PartNumberMarker', marker),
      el('NextPartNumberMarker', parts.length > 0 ? parts[parts.length - 1]!.partNumber : marker),
      el('MaxParts', maxParts),
      el('IsTruncated', isTruncated),
      ...parts.map((p) =>
        el('Part', [
          el('PartNumber', p.partNumber),
          el('LastModified', p.lastModified.toISOString()),
          el('ETag', `"${p.etag}"`),
          el('Size', p.size),
          ...Object.entries(p.checksums).map(([alg, v]) => el(checksumElement(alg as ChecksumAlgorithm), v)),
        ]),
      ),
    ]),
  );
};

export const listMultipartUploads: S3Handler<Op<'ListMultipartUploads'>> = async (r, op) => {
  const prefix = r.query.get('prefix') ?? '';
  const keyMarker = r.query.get('key-marker') ?? '';
  const uploadIdMarker = r.query.get('upload-id-marker') ?? '';
  const maxUploads = intParam(r.query, 'max-uploads', 1000, 0, 1000);
  const enc = encodingParam(r.query) ?? ((s: string) => s);
  const delimiter = r.query.get('delimiter') ?? '';
  const { uploads, isTruncated, commonPrefixes, last } = await r.services.multipart.listUploads(r.principal, op.bucket, {
    prefix,
    delimiter,
    keyMarker: keyMarker === '' ? null : keyMarker,
    uploadIdMarker: uploadIdMarker === '' ? null : uploadIdMarker,
    limit: maxUploads,
  });
  return xmlResponse(
    xmlDocument('ListMultipartUploadsResult', [
      el('Bucket', op.bucket),
      el('KeyMarker', enc(keyMarker)),
      el('UploadIdMarker', uploadIdMarker),
      el('NextKeyMarker', last ? enc(last.key) : ''),
      el('NextUploadIdMarker', last ? last.uploadId : ''),
      el('Prefix', enc(prefix)),
      delimiter !== '' && el('Delimiter', enc(delimiter)),
      el('MaxUploads', maxUploads),
      el('IsTruncated', isTruncated),
      ...uploads.map((u) => {
        const owner = ownerXml(u.ownerId, u.ownerId === r.principal.userId ? r.principal.userName : u.ownerId);
        return el('Upload', [
          el('Key', enc(u.key)),
          el('UploadId', u.uploadId),
          owner.replace(/Owner>/g, 'Initiator>'),
          owner,
          el('StorageClass', 'STANDARD'),
          el('Initiated', u.initiated.toISOString()),
          u.checksumAlgorithm && el('ChecksumAlgorithm', u.checksumAlgorithm),
        ]);
      }),
      ...commonPrefixes.map((p) => el('CommonPrefixes', [el('Prefix', enc(p))])),
    ]),
  );
};
