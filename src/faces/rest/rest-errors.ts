/**
 * @module
 * The one place core error codes become REST wire errors: an HTTP status and
 * an RFC 9457 problem document (`application/problem+json`).
 */
import type { ErrorCode, SignetError } from '../../core/errors.ts';

/** Exhaustive, so a new core code cannot slip through unmapped. */
const STATUS: Record<ErrorCode, number> = {
  AccessDenied: 403,
  AuthorizationHeaderMalformed: 400,
  AuthorizationQueryParametersError: 400,
  BadDigest: 400,
  BucketAlreadyExists: 409,
  BucketAlreadyOwnedByYou: 409,
  BucketNotEmpty: 409,
  ConditionalRequestConflict: 409,
  EntityTooLarge: 413,
  EntityTooSmall: 400,
  ExpiredToken: 401,
  IncompleteBody: 400,
  InternalError: 500,
  // SigV4 failures answer 403, as S3 and the admin API do.
  InvalidAccessKeyId: 403,
  InvalidArgument: 400,
  InvalidBucketName: 400,
  InvalidDigest: 400,
  InvalidPart: 400,
  InvalidPartNumber: 400,
  InvalidPartOrder: 400,
  InvalidRange: 416,
  InvalidRequest: 400,
  InvalidStorageClass: 400,
  InvalidTag: 400,
  KeyTooLongError: 400,
  MalformedPOSTRequest: 400,
  MaxPostPreDataLengthExceeded: 413,
  InvalidPolicyDocument: 400,
  MalformedXML: 400,
  MaxMessageLengthExceeded: 413,
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
  Unauthenticated: 401,
};

export function restStatus(code: ErrorCode): number {
  return STATUS[code];
}

export interface Problem {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Readonly<Record<string, unknown>>;
}

/** `instance` is the request path; `details` carries the error's extra facts (e.g. `Resource`). */
export function problemOf(error: SignetError, instance: string, requestId: string): Problem {
  const status = restStatus(error.code);
  const headers: Record<string, string> = {};
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="signet"';
  if (status === 405 && typeof error.details.Allow === 'string') headers.allow = error.details.Allow;
  const details = Object.fromEntries(Object.entries(error.details).filter(([, v]) => v !== undefined));
  return {
    status,
    headers,
    body: {
      type: `urn:signet:error:${error.code}`,
      title: error.code,
      status,
      detail: error.message,
      instance,
      code: error.code,
      requestId,
      ...(Object.keys(details).length > 0 ? { details } : {}),
    },
  };
}
