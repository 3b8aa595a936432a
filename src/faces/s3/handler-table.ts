/**
 * @module
 * Every implemented S3 operation and its handler. The type makes the table
 * exhaustive: an operation added to the router without a handler does not
 * compile.
 */
import type { S3HandlerTable } from './s3-context.ts';
import * as bucket from './handlers/bucket-handlers.ts';
import * as config from './handlers/bucket-config-handlers.ts';
import * as encryption from './handlers/encryption-handlers.ts';
import * as lifecycle from './handlers/lifecycle-handlers.ts';
import * as list from './handlers/list-handlers.ts';
import * as multipart from './handlers/multipart-handlers.ts';
import * as notification from './handlers/notification-handlers.ts';
import * as object from './handlers/object-handlers.ts';
import * as lock from './handlers/object-lock-handlers.ts';
import * as sub from './handlers/object-subresources.ts';
import { postObject } from './handlers/post-object.ts';
import { selectObjectContent } from './handlers/select-handlers.ts';
import * as versioning from './handlers/versioning-handlers.ts';

export const S3_HANDLERS: S3HandlerTable = {
  ListBuckets: bucket.listBuckets,
  CreateBucket: bucket.createBucket,
  HeadBucket: bucket.headBucket,
  DeleteBucket: bucket.deleteBucket,
  GetBucketLocation: bucket.getBucketLocation,
  GetBucketAcl: bucket.getBucketAcl,
  PutBucketAcl: bucket.putBucketAcl,
  GetBucketVersioning: bucket.getBucketVersioning,
  PutBucketVersioning: versioning.putBucketVersioning,
  ListObjectVersions: versioning.listObjectVersions,
  GetObjectLockConfiguration: lock.getObjectLockConfiguration,
  PutObjectLockConfiguration: lock.putObjectLockConfiguration,
  ListObjects: list.listObjectsV1,
  ListObjectsV2: list.listObjectsV2,
  ListMultipartUploads: multipart.listMultipartUploads,
  DeleteObjects: sub.deleteObjects,
  PostObject: postObject,
  GetBucketTagging: config.getBucketTagging,
  PutBucketTagging: config.putBucketTagging,
  DeleteBucketTagging: config.deleteBucketTagging,
  GetBucketPolicy: config.getBucketPolicy,
  PutBucketPolicy: config.putBucketPolicy,
  DeleteBucketPolicy: config.deleteBucketPolicy,
  GetBucketPolicyStatus: config.getBucketPolicyStatus,
  GetBucketCors: config.getBucketCors,
  PutBucketCors: config.putBucketCors,
  DeleteBucketCors: config.deleteBucketCors,
  GetBucketNotificationConfiguration: notification.getBucketNotificationConfiguration,
  PutBucketNotificationConfiguration: notification.putBucketNotificationConfiguration,
  ListenBucketNotification: notification.listenBucketNotification,
  GetBucketEncryption: encryption.getBucketEncryption,
  PutBucketEncryption: encryption.putBucketEncryption,
  DeleteBucketEncryption: encryption.deleteBucketEncryption,
  GetBucketLifecycleConfiguration: lifecycle.getBucketLifecycleConfiguration,
  PutBucketLifecycleConfiguration: lifecycle.putBucketLifecycleConfiguration,
  DeleteBucketLifecycle: lifecycle.deleteBucketLifecycle,
  PreflightRequest: config.preflightRequest,
  PutObject: object.putObject,
  CopyObject: object.copyObject,
  GetObject: object.getObject,
  HeadObject: object.headObject,
  DeleteObject: object.deleteObject,
  CreateMultipartUpload: multipart.createMultipartUpload,
  UploadPart: multipart.uploadPart,
  UploadPartCopy: multipart.uploadPartCopy,
  CompleteMultipartUpload: multipart.completeMultipartUpload,
  AbortMultipartUpload: multipart.abortMultipartUpload,
  ListParts: multipart.listParts,
  GetObjectTagging: sub.getObjectTagging,
  PutObjectTagging: sub.putObjectTagging,
  DeleteObjectTagging: sub.deleteObjectTagging,
  GetObjectAcl: sub.getObjectAcl,
  PutObjectAcl: sub.putObjectAcl,
  GetObjectRetention: lock.getObjectRetention,
  PutObjectRetention: lock.putObjectRetention,
  GetObjectLegalHold: lock.getObjectLegalHold,
  PutObjectLegalHold: lock.putObjectLegalHold,
  SelectObjectContent: selectObjectContent,
};
