/**
 * @module
 * The closed set of error codes the core can raise. Every face maps these to
 * its own wire shape in exactly one place (for S3: `faces/s3/s3-errors.ts`).
 * Anything thrown that is not a {@link SignetError} is an internal error.
 */

export const ERROR_CODES = [
  'AccessDenied',
  'AuthorizationHeaderMalformed',
  'AuthorizationQueryParametersError',
  'BadDigest',
  'BucketAlreadyExists',
  'BucketAlreadyOwnedByYou',
  'BucketNotEmpty',
  'EntityTooLarge',
  'EntityTooSmall',
  'ExpiredToken',
  'IncompleteBody',
  'InternalError',
  'InvalidAccessKeyId',
  'InvalidArgument',
  'InvalidBucketName',
  'InvalidDigest',
  'InvalidPart',
  'InvalidPartOrder',
  'InvalidPartNumber',
  'InvalidRange',
  'InvalidRequest',
  'InvalidStorageClass',
  'InvalidTag',
  'KeyTooLongError',
  'MalformedPOSTRequest',
  'MaxPostPreDataLengthExceeded',
  'InvalidPolicyDocument',
  'MalformedXML',
  'MetadataTooLarge',
  'MethodNotAllowed',
  'MissingContentLength',
  'MissingSecurityHeader',
  'NoSuchBucket',
  'NoSuchKey',
  'NoSuchTagSet',
  'NoSuchUpload',
  'NoSuchVersion',
  'NotImplemented',
  'NotModified',
  'PreconditionFailed',
  'RequestTimeTooSkewed',
  'SignatureDoesNotMatch',
  'XAmzContentSHA256Mismatch',
  'ConditionalRequestConflict',
  'MaxMessageLengthExceeded',
  // Bucket policy and CORS.
  'MalformedPolicy',
  'NoSuchBucketPolicy',
  'NoSuchCORSConfiguration',
  'NoSuchLifecycleConfiguration',
  'CORSResponse',
  // Encryption at rest.
  'ServerSideEncryptionConfigurationNotFoundError',
  // Versioning and object lock.
  'InvalidBucketState',
  'ObjectLockConfigurationNotFoundError',
  'NoSuchObjectLockConfiguration',
  // S3 Select.
  'InvalidExpressionType',
  'MissingRequiredParameter',
  'ObjectSerializationConflict',
  'InvalidCompressionFormat',
  'InvalidFileHeaderInfo',
  'InvalidJsonType',
  'InvalidScanRange',
  'UnsupportedScanRangeInput',
  'InvalidQuoteFields',
  'InvalidRequestParameter',
  'InvalidTextEncoding',
  'ExpressionTooLong',
  'LexerInvalidChar',
  'ParseUnexpectedToken',
  'ParseExpectedExpression',
  'ParseSelectMissingFrom',
  'ParseUnsupportedSyntax',
  'ParseExpectedTypeName',
  'ParseAsteriskIsNotAloneInSelectList',
  'ParseUnsupportedCallWithStar',
  'UnsupportedFunction',
  'IncorrectSqlFunctionArgumentType',
  'UnsupportedSqlOperation',
  'InvalidColumnIndex',
  'CastFailed',
  'CSVParsingError',
  'JSONParsingError',
  'OverMaxRecordSize',
  'UserAlreadyExists',
  'NoSuchUser',
  'NoSuchAccessKey',
  // The registry's (never raised by the S3 face's own operations).
  'ResourceNotFound',
  'ResourceInUse',
  'ResourceLimitExceeded',
  'Conflict',
  'EulaNotAccepted',
  'Unauthenticated',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Extra facts a face may put on the wire (S3 adds some as XML elements). */
export type ErrorDetails = Readonly<Record<string, string | number | undefined>>;

export class SignetError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;

  constructor(code: ErrorCode, message?: string, details: ErrorDetails = {}) {
    super(message ?? code);
    this.name = 'SignetError';
    this.code = code;
    this.details = details;
  }
}

export function fail(code: ErrorCode, message?: string, details?: ErrorDetails): never {
  throw new SignetError(code, message, details);
}

export function isSignetError(e: unknown): e is SignetError {
  return e instanceof SignetError;
}
