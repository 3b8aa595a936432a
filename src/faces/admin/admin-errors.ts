/**
 * @module
 * Core errors on the admin API: RFC 9457 problem documents.
 */
import type { ErrorCode, SignetError } from '../../core/errors.ts';

const STATUS: Partial<Record<ErrorCode, number>> = {
  AccessDenied: 403,
  InvalidAccessKeyId: 403,
  SignatureDoesNotMatch: 403,
  RequestTimeTooSkewed: 403,
  NoSuchUser: 404,
  NoSuchAccessKey: 404,
  UserAlreadyExists: 409,
  MethodNotAllowed: 405,
  MaxMessageLengthExceeded: 413,
  InternalError: 500,
  NotImplemented: 501,
};

export function adminStatus(code: ErrorCode): number {
  return STATUS[code] ?? 400;
}

export function problem(error: SignetError, instance: string): { status: number; body: Record<string, unknown> } {
  const status = adminStatus(error.code);
  return {
    status,
    body: { type: `urn:signet:error:${error.code}`, title: error.code, status, detail: error.message, instance, code: error.code },
  };
}
