/**
 * @module
 * The one mapping of errors to SageMaker's wire: `{"__type": ..., "message": ...}`
 * with the status AWS gives. SageMaker answers every client error with 400
 * (its API reference lists ResourceNotFound, ResourceInUse,
 * ResourceLimitExceeded and ConflictException as "HTTP Status Code: 400"),
 * authentication and permission failures with 403, its own faults with 500.
 *
 * The model package operations have no ResourceNotFound or ResourceInUse on
 * AWS: a missing or duplicate group or package is a ValidationException
 * ("... does not exist", "... already exists"), which scripts written for AWS
 * test for; the hub operations do use ResourceNotFound and ResourceInUse.
 */
import type { ErrorCode, SignetError } from '../../core/errors.ts';

/** Which vocabulary an operation belongs to (see the module note). */
export type OperationFamily = 'hub' | 'model-package';

/** An error already in SageMaker's terms (raised by the face itself). */
export class SageMakerError extends Error {
  readonly type: string;
  readonly status: number;

  constructor(type: string, message: string, status = 400) {
    super(message);
    this.name = 'SageMakerError';
    this.type = type;
    this.status = status;
  }

  static of(wire: WireError): SageMakerError {
    return new SageMakerError(wire.type, wire.message, wire.status);
  }
}

export interface WireError {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

/**
 * Core codes. A gated content without an accepted EULA is AccessDeniedException
 * (403): the request is valid and the caller known, but not yet allowed to
 * download; the same call with AccessConfig.AcceptEula succeeds.
 */
const CORE: Partial<Record<ErrorCode, { readonly type: string; readonly status: number }>> = {
  InvalidArgument: { type: 'ValidationException', status: 400 },
  InvalidRequest: { type: 'ValidationException', status: 400 },
  ResourceNotFound: { type: 'ResourceNotFound', status: 400 },
  ResourceInUse: { type: 'ResourceInUse', status: 400 },
  ResourceLimitExceeded: { type: 'ResourceLimitExceeded', status: 400 },
  Conflict: { type: 'ConflictException', status: 400 },
  EulaNotAccepted: { type: 'AccessDeniedException', status: 403 },
  AccessDenied: { type: 'AccessDeniedException', status: 403 },
  // Names the registry checks with S3's rules (buckets and keys in s3:// URIs).
  InvalidBucketName: { type: 'ValidationException', status: 400 },
  KeyTooLongError: { type: 'ValidationException', status: 400 },
  NoSuchBucket: { type: 'ValidationException', status: 400 },
  NoSuchKey: { type: 'ValidationException', status: 400 },
  MaxMessageLengthExceeded: { type: 'RequestEntityTooLargeException', status: 413 },
  IncompleteBody: { type: 'SerializationException', status: 400 },
  NotImplemented: { type: 'ValidationException', status: 400 },
};

/** Failures while proving who calls (SigV4, tokens, Basic): AWS's JSON services' codes. */
const AUTH: Partial<Record<ErrorCode, { readonly type: string; readonly message?: string }>> = {
  InvalidAccessKeyId: { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' },
  Unauthenticated: { type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' },
  SignatureDoesNotMatch: {
    type: 'InvalidSignatureException',
    message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
  },
  XAmzContentSHA256Mismatch: { type: 'InvalidSignatureException' },
  RequestTimeTooSkewed: { type: 'InvalidSignatureException' },
  ExpiredToken: { type: 'ExpiredTokenException' },
  AccessDenied: { type: 'AccessDeniedException' },
};

/** A SignetError raised while authenticating. Anything unexpected there is an IncompleteSignatureException. */
export function authError(e: SignetError): WireError {
  const known = AUTH[e.code];
  return { status: 403, type: known?.type ?? 'IncompleteSignatureException', message: known?.message ?? e.message };
}

/** A SignetError raised by the core for an operation of `family`. */
export function coreError(e: SignetError, family: OperationFamily): WireError {
  const known = CORE[e.code];
  if (!known) return { status: 500, type: 'InternalFailure', message: 'The request processing has failed because of an unknown error, exception or failure.' };
  const asValidation = family === 'model-package' && (e.code === 'ResourceNotFound' || e.code === 'ResourceInUse');
  return { status: known.status, type: asValidation ? 'ValidationException' : known.type, message: e.message };
}

export function faceError(e: SageMakerError): WireError {
  return { status: e.status, type: e.type, message: e.message };
}

export const INTERNAL: WireError = {
  status: 500,
  type: 'InternalFailure',
  message: 'The request processing has failed because of an unknown error, exception or failure.',
};

export function wireBody(e: WireError): { __type: string; message: string } {
  return { __type: e.type, message: e.message };
}
