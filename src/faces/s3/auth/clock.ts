/**
 * @module
 * Request times as SigV4/SigV2 carry them, and the 15-minute skew rule S3
 * applies to every signed request
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/RESTCommonRequestHeaders.html).
 */
import { fail } from '../../../core/errors.ts';

export const MAX_SKEW_MS = 15 * 60 * 1000;

const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
// RFC 7231 IMF-fixdate and the RFC 1123/2822 forms SigV2 clients send ("+0000" zones).
const HTTP_DATE = /^[A-Za-z]{3}, \d{1,2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} (GMT|UTC|UT|Z|[+-]\d{4})$/;

/** The last date parsed: concurrent requests mostly carry the same second. */
let last = { text: '', ms: 0 };

/** `yyyyMMddTHHmmssZ` (ISO 8601 basic), as in X-Amz-Date. Rejects impossible dates. */
export function parseAmzDate(text: string): Date | null {
  if (text === last.text) return new Date(last.ms);
  const date = parseAmzDateOnce(text);
  if (date !== null) last = { text, ms: date.getTime() };
  return date;
}

function parseAmzDateOnce(text: string): Date | null {
  const m = AMZ_DATE.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls over (Feb 30 → Mar 2): an impossible date does not survive the round trip.
  const exact = date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
  return exact && h < 24 && mi < 60 && s < 60 ? date : null;
}

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));

export function formatAmzDate(date: Date): string {
  const ymd = `${date.getUTCFullYear()}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}`;
  return `${ymd}T${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}Z`;
}

/** An HTTP `Date` header (RFC 1123), or the ISO 8601 basic form some SigV4 clients put there. */
export function parseHttpDate(text: string): Date | null {
  const t = text.trim();
  if (AMZ_DATE.test(t)) return parseAmzDate(t);
  if (!HTTP_DATE.test(t)) return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** Fails with RequestTimeTooSkewed when `requestTime` is more than 15 minutes from `now`. */
export function assertWithinSkew(requestTime: Date, now: Date): void {
  if (Math.abs(requestTime.getTime() - now.getTime()) > MAX_SKEW_MS) {
    fail('RequestTimeTooSkewed', "The difference between the request time and the current time is too large.", {
      RequestTime: requestTime.toISOString(),
      ServerTime: now.toISOString(),
      MaxAllowedSkewMilliseconds: MAX_SKEW_MS,
    });
  }
}
