/**
 * @module
 * A bucket's CORS configuration: validation of its rules as S3 does, and
 * which rule answers a browser, for a preflight (`OPTIONS` with
 * Access-Control-Request-Method/-Headers) or an actual request. Pure; the
 * S3 face turns a match into Access-Control-* headers.
 *
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
 * https://fetch.spec.whatwg.org/#http-cors-protocol
 */
import { fail } from './errors.ts';
import { globMatch } from './glob.ts';

export const CORS_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'HEAD'] as const;
export type CorsMethod = (typeof CORS_METHODS)[number];

export interface CorsRule {
  readonly id?: string;
  readonly allowedOrigins: readonly string[];
  readonly allowedMethods: readonly CorsMethod[];
  readonly allowedHeaders: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds?: number;
}

export const MAX_CORS_RULES = 100;

function wildcards(s: string): number {
  return s.split('*').length - 1;
}

/** S3's rules for a CORS configuration; InvalidRequest / MalformedXML say what is wrong. */
export function validateCorsRules(rules: readonly CorsRule[]): void {
  if (rules.length === 0) fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
  if (rules.length > MAX_CORS_RULES) fail('InvalidRequest', `The number of CORS rules should not exceed allowed limit of ${MAX_CORS_RULES} rules.`);
  for (const rule of rules) {
    if (rule.allowedOrigins.length === 0 || rule.allowedMethods.length === 0) {
      fail('MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema');
    }
    for (const m of rule.allowedMethods) {
      if (!(CORS_METHODS as readonly string[]).includes(m)) fail('InvalidRequest', `Found unsupported HTTP method in CORS config. Unsupported method is ${m}`);
    }
    for (const o of rule.allowedOrigins) {
      if (wildcards(o) > 1) fail('InvalidRequest', `AllowedOrigin "${o}" can not have more than one wildcard.`);
    }
    for (const h of rule.allowedHeaders) {
      if (wildcards(h) > 1) fail('InvalidRequest', `AllowedHeader "${h}" can not have more than one wildcard.`);
    }
    if (rule.id !== undefined && rule.id.length > 255) fail('InvalidRequest', 'The ID of a CORS rule must be at most 255 characters long.');
    if (rule.maxAgeSeconds !== undefined && (!Number.isSafeInteger(rule.maxAgeSeconds) || rule.maxAgeSeconds < 0)) {
      fail('MalformedXML', 'MaxAgeSeconds must be a non-negative integer');
    }
  }
}

function originAllowed(rule: CorsRule, origin: string): boolean {
  // `?` is literal in origins: only `*` is a wildcard.
  return rule.allowedOrigins.some((o) => (o.includes('*') ? globMatch(o.replaceAll('?', '\u0000'), origin.replaceAll('?', '\u0000')) : o === origin));
}

function headerAllowed(rule: CorsRule, header: string): boolean {
  return rule.allowedHeaders.some((h) => (h.includes('*') ? globMatch(h.replaceAll('?', '\u0000'), header.replaceAll('?', '\u0000'), true) : h.toLowerCase() === header.toLowerCase()));
}

/** The first rule that allows a preflight for this origin, method and request headers; null when none does. */
export function matchPreflight(rules: readonly CorsRule[], origin: string, method: string, requestHeaders: readonly string[]): CorsRule | null {
  return (
    rules.find(
      (rule) => originAllowed(rule, origin) && (rule.allowedMethods as readonly string[]).includes(method) && requestHeaders.every((h) => headerAllowed(rule, h)),
    ) ?? null
  );
}

/** The first rule that allows an actual request from this origin with this method; null when none does. */
export function matchActual(rules: readonly CorsRule[], origin: string, method: string): CorsRule | null {
  return rules.find((rule) => originAllowed(rule, origin) && (rule.allowedMethods as readonly string[]).includes(method)) ?? null;
}

/** What to tell the browser when `rule` matched. */
export interface CorsGrant {
  /** `*` when the rule allows every origin, the request's origin otherwise. */
  readonly allowOrigin: string;
  /** True when the origin is named (credentials may then be sent). */
  readonly allowCredentials: boolean;
  readonly allowMethods: readonly string[];
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds: number | null;
}

export function corsGrant(rule: CorsRule, origin: string): CorsGrant {
  const everyone = rule.allowedOrigins.includes('*');
  return {
    allowOrigin: everyone ? '*' : origin,
    allowCredentials: !everyone,
    allowMethods: rule.allowedMethods,
    exposeHeaders: rule.exposeHeaders,
    maxAgeSeconds: rule.maxAgeSeconds ?? null,
  };
}

/** Rules as stored in the bucket's configuration document (written by the S3 face after validation). */
export function storedCorsRules(doc: unknown): CorsRule[] | null {
  if (!Array.isArray(doc)) return null;
  return doc as CorsRule[];
}
