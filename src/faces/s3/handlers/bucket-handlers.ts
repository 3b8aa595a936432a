/**
 * @module
 * ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation,
 * GetBucketVersioning and the owner-only ACL documents.
 */
import { fail } from '../../../core/errors.ts';
import { checkCannedAcl } from '../object-headers.ts';
import type { S3Operation } from '../router.ts';
import { emptyResponse, xmlResponse, type S3Handler, type S3Request } from '../s3-context.ts';
import { child, el, parseXml, text, xmlDocument } from '../xml.ts';
import { readXmlBody } from './xml-body.ts';

type BucketOp<N extends string> = Extract<S3Operation, { name: N }>;

export function ownerXml(id: string, displayName: string): string {
  return el('Owner', [el('ID', id), el('DisplayName', displayName)]);
}

export const listBuckets: S3Handler<BucketOp<'ListBuckets'>> = async (r) => {
  const buckets = await r.services.buckets.list(r.principal);
  return xmlResponse(
    xmlDocument('ListAllMyBucketsResult', [
      ownerXml(r.principal.userId, r.principal.userName),
      el(
        'Buckets',
        buckets.map((b) => el('Bucket', [el('Name', b.name), el('CreationDate', b.createdAt.toISOString()), el('BucketRegion', b.region)])),
      ),
    ]),
  );
};

export const createBucket: S3Handler<BucketOp<'CreateBucket'>> = async (r, op) => {
  checkCannedAcl(r);
  // Object lock can only be turned on here; it turns versioning on for good.
  const objectLock = r.header('x-amz-bucket-object-lock-enabled')?.trim().toLowerCase() === 'true';
  const body = await readXmlBody(r, 64 * 1024, false);
  if (body.length > 0) {
    const location = text(child(parseXml(body), 'CreateBucketConfiguration'), 'LocationConstraint');
    if (location !== undefined && location !== '' && location !== r.services.region) {
      fail('InvalidArgument', `This server's region is ${r.services.region}`, { ArgumentName: 'LocationConstraint', ArgumentValue: location });
    }
  }
  await r.services.buckets.create(r.principal, op.bucket, { objectLock });
  return emptyResponse(200, { location: `/${op.bucket}` });
};

export const headBucket: S3Handler<BucketOp<'HeadBucket'>> = async (r, op) => {
  const bucket = await r.services.buckets.require(r.principal, op.bucket);
  return emptyResponse(200, { 'x-amz-bucket-region': bucket.region });
};

export const deleteBucket: S3Handler<BucketOp<'DeleteBucket'>> = async (r, op) => {
  await r.services.buckets.delete(r.principal, op.bucket);
  return emptyResponse(204);
};

export const getBucketLocation: S3Handler<BucketOp<'GetBucketLocation'>> = async (r, op) => {
  const bucket = await r.services.buckets.require(r.principal, op.bucket);
  // us-east-1 is reported as an empty LocationConstraint, as S3 does.
  const region = bucket.region === 'us-east-1' ? '' : bucket.region;
  return xmlResponse(xmlDocument('LocationConstraint', []).replace('</LocationConstraint>', `${region}</LocationConstraint>`));
};

export const getBucketVersioning: S3Handler<BucketOp<'GetBucketVersioning'>> = async (r, op) => {
  const bucket = await r.services.buckets.require(r.principal, op.bucket);
  const status = bucket.versioning === 'Unversioned' ? null : bucket.versioning;
  return xmlResponse(xmlDocument('VersioningConfiguration', [el('Status', status)]));
};

async function ownerName(r: S3Request, ownerId: string): Promise<string> {
  if (ownerId === r.principal.userId) return r.principal.userName;
  return (await r.services.meta.getUser({ id: ownerId }))?.name ?? ownerId;
}

/** The only ACL Signet has: the owner holds FULL_CONTROL. */
export async function aclXml(r: S3Request, ownerId: string): Promise<string> {
  const name = await ownerName(r, ownerId);
  const grantee =
    '<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">' +
    el('ID', ownerId) +
    el('DisplayName', name) +
    '</Grantee>';
  return xmlDocument('AccessControlPolicy', [
    ownerXml(ownerId, name),
    el('AccessControlList', [el('Grant', [grantee, el('Permission', 'FULL_CONTROL')])]),
  ]);
}

/** Accepts an ACL that changes nothing: `private`, or a body granting only the owner FULL_CONTROL. */
export async function acceptOwnerOnlyAcl(r: S3Request, ownerId: string): Promise<void> {
  checkCannedAcl(r);
  const body = await readXmlBody(r, 64 * 1024, false);
  if (body.length === 0) return;
  const acl = child(parseXml(body), 'AccessControlPolicy');
  const grants = child(acl, 'AccessControlList')?.Grant;
  const list = Array.isArray(grants) ? grants : grants === undefined ? [] : [grants];
  const ownerOnly = list.every((g) => text(child(g, 'Grantee'), 'ID') === ownerId && text(g, 'Permission') === 'FULL_CONTROL');
  if (!ownerOnly) fail('NotImplemented', 'ACL grants are not supported; objects and buckets are private to their owner');
}

export const getBucketAcl: S3Handler<BucketOp<'GetBucketAcl'>> = async (r, op) => {
  const bucket = await r.services.buckets.require(r.principal, op.bucket);
  return xmlResponse(await aclXml(r, bucket.ownerId));
};

export const putBucketAcl: S3Handler<BucketOp<'PutBucketAcl'>> = async (r, op) => {
  const bucket = await r.services.buckets.require(r.principal, op.bucket);
  await acceptOwnerOnlyAcl(r, bucket.ownerId);
  return emptyResponse(200);
};
