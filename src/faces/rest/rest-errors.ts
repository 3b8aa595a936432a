/**
 * @module
 * The one place core error codes become REST wire errors: an HTTP status and
 * an RFC 9457 problem document (`application/problem+json`).
 */
import type { ErrorCode, SignetError } from '../../core/errors.ts';
import { s3Status } from '../s3/s3-errors.ts';

/**
 * Where REST answers differently from S3's status for the same code. Every
 * other code keeps S3's status (`s3Status` is exhaustive, so no code slips
 * through unmapped): SigV4 failures answer 403 as S3 and the admin API do.
 */
const REST_STATUS: Partial<Record<ErrorCode, number>> = {
  Unauthenticated: 401,
  ExpiredToken: 401,
  EntityTooLarge: 413,
  MaxPostPreDataLengthExceeded: 413,
  MaxMessageLengthExceeded: 413,
  InvalidPartNumber: 400,
};

export function restStatus(code: ErrorCode): number {
  return REST_STATUS[code] ?? s3Status(code);
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
