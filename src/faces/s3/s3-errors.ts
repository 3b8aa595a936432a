/**
 * @module
 * The one place core error codes become S3 wire errors: HTTP status and the
 * XML `<Error>` document (Code, Message, Resource, RequestId, details).
 */
import type { ErrorCode, SignetError } from '../../core/errors.ts';
import { el, escapeXml } from './xml.ts';

const STATUS: Record<ErrorCode, number> = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  BucketAlreadyExists: 409,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  ConditionalRequestConflict: 409,
  EntityTooLarge: 400,
  EntityTooSmall: 400,
  ExpiredToken: 400,
  IncompleteBody: 400,
  InternalError: 500,
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartNumber: 416,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  InvalidStorageClass: 400,
  InvalidTag: 400,
  KeyTooLongError: 400,
  MalformedPOSTRequest: 400,
  MaxPostPreDataLengthExceeded: 400,
  InvalidPolicyDocument: 400,
  MalformedXML: 400,
  MaxMessageLengthExceeded: 400,
  MalformedPolicy: 400,
  NoSuchBucketPolicy: 404,
  NoSuchCORSConfiguration: 404,
  NoSuchLifecycleConfiguration: 404,
  CORSResponse: 403,
  ServerSideEncryptionConfigurationNotFoundError: 404,
  InvalidBucketState: 409,
  ObjectLockConfigurationNotFoundError: 404,
  NoSuchObjectLockConfiguration: 404,
  // S3 Select (all 400, as S3).
  InvalidExpressionType: 400,
  MissingRequiredParameter: 400,
  ObjectSerializationConflict: 400,
  InvalidCompressionFormat: 400,
  InvalidFileHeaderInfo: 400,
  InvalidJsonType: 400,
  InvalidScanRange: 400,
  UnsupportedScanRangeInput: 400,
  InvalidQuoteFields: 400,
  InvalidRequestParameter: 400,
  InvalidTextEncoding: 400,
  ExpressionTooLong: 400,
  LexerInvalidChar: 400,
  ParseUnexpectedToken: 400,
  ParseExpectedExpression: 400,
  ParseSelectMissingFrom: 400,
  ParseUnsupportedSyntax: 400,
  ParseExpectedTypeName: 400,
  ParseAsteriskIsNotAloneInSelectList: 400,
  ParseUnsupportedCallWithStar: 400,
  UnsupportedFunction: 400,
  IncorrectSqlFunctionArgumentType: 400,
  UnsupportedSqlOperation: 400,
  InvalidColumnIndex: 400,
  CastFailed: 400,
  CSVParsingError: 400,
  JSONParsingError: 400,
  OverMaxRecordSize: 400,
  MetadataTooLarge: 400,
  MethodNotAllowed: 405,
  MissingContentLength: 411,
  MissingSecurityHeader: 400,
  NoSuchAccessKey: 404,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  NoSuchTagSet: 404,
  NoSuchUpload: 404,
  NoSuchUser: 404,
  NoSuchVersion: 404,
  NotImplemented: 501,
  NotModified: 304,
  PreconditionFailed: 412,
  RequestTimeTooSkewed: 403,
  SignatureDoesNotMatch: 403,
  UserAlreadyExists: 409,
  XAmzContentSHA256Mismatch: 400,
  ResourceNotFound: 404,
  ResourceInUse: 409,
  ResourceLimitExceeded: 400,
  Conflict: 409,
  EulaNotAccepted: 403,
  Unauthenticated: 403,
};

/** Codes that are Signet's own (admin face) and never S3's: shown to S3 clients as InvalidRequest. */
const NOT_S3: ReadonlySet<ErrorCode> = new Set([
  'NoSuchAccessKey',
  'NoSuchUser',
  'UserAlreadyExists',
  'ResourceNotFound',
  'ResourceInUse',
  'ResourceLimitExceeded',
  'Conflict',
  'EulaNotAccepted',
  'Unauthenticated',
]);

export function s3Status(code: ErrorCode): number {
  return STATUS[code];
}

export function s3ErrorCode(code: ErrorCode): string {
  return NOT_S3.has(code) ? 'InvalidRequest' : code;
}

/** Details that S3 sends as headers rather than XML elements. */
export function s3ErrorHeaders(error: SignetError): Record<string, string> {
  const headers: Record<string, string> = {};
  if (error.details.DeleteMarker === 'true') headers['x-amz-delete-marker'] = 'true';
  if (error.details.VersionId !== undefined && error.details.DeleteMarker === 'true') headers['x-amz-version-id'] = String(error.details.VersionId);
  if (error.code === 'MethodNotAllowed' && error.details.Allow) headers.allow = String(error.details.Allow);
  return headers;
}

export function s3ErrorXml(error: SignetError, resource: string, requestId: string): string {
  const details = Object.entries(error.details)
    .filter(([k, v]) => v !== undefined && k !== 'Allow')
    .map(([k, v]) => el(k, String(v)))
    .join('');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error>' +
    el('Code', s3ErrorCode(error.code)) +
    el('Message', error.message) +
    details +
    `<Resource>${escapeXml(resource)}</Resource>` +
    el('RequestId', requestId) +
    el('HostId', requestId) +
    '</Error>'
  );
}
