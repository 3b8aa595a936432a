/**
 * @module
 * What SageMaker allows in hubs and hub contents: names, versions, and the
 * lengths of the descriptive fields. Refusals are InvalidArgument naming the
 * field, so every face shows them as its own validation error.
 */
import { fail } from '../errors.ts';

/** HubName, HubContentName. */
const NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$/;
/** HubContentVersion, DocumentSchemaVersion. */
const VERSION = /^\d{1,4}\.\d{1,4}\.\d{1,4}$/;
export const SUPPORT_STATUSES = ['Supported', 'Deprecated', 'Restricted'] as const;

export const MAX_DISPLAY_NAME = 255;
export const MAX_HUB_DESCRIPTION = 1023;
export const MAX_MARKDOWN = 65535;
export const MAX_DOCUMENT = 65535;
export const MAX_KEYWORDS = 50;
export const MAX_KEYWORD = 255;

function invalid(field: string, why: string): never {
  return fail('InvalidArgument', `invalid ${field}: ${why}`);
}

export function checkHubName(name: unknown, field = 'hub name'): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    invalid(field, `${JSON.stringify(name)} must be 1 to 63 letters, digits and hyphens, starting and ending with a letter or digit`);
  }
  return name;
}

export function checkContentName(name: unknown): string {
  return checkHubName(name, 'hub content name');
}

export function checkContentVersion(version: unknown, field = 'hub content version'): string {
  if (typeof version !== 'string' || !VERSION.test(version)) invalid(field, `${JSON.stringify(version)} must look like 1.0.0`);
  return version;
}

export function checkText(field: string, value: unknown, max: number): string {
  if (typeof value !== 'string') invalid(field, 'must be a string');
  if (value.length > max) invalid(field, `must be at most ${max} characters`);
  return value;
}

export function checkKeywords(keywords: unknown): readonly string[] {
  if (!Array.isArray(keywords) || keywords.length > MAX_KEYWORDS) invalid('search keywords', `must be a list of at most ${MAX_KEYWORDS}`);
  for (const k of keywords) {
    if (typeof k !== 'string' || k.length === 0 || k.length > MAX_KEYWORD) invalid('search keywords', `each needs 1 to ${MAX_KEYWORD} characters`);
  }
  return [...new Set(keywords as string[])];
}

export function checkSupportStatus(status: unknown): string | null {
  if (status === null) return null;
  if (typeof status !== 'string' || !(SUPPORT_STATUSES as readonly string[]).includes(status)) {
    invalid('support status', `must be one of ${SUPPORT_STATUSES.join(', ')}`);
  }
  return status;
}

/** Only the fields given, checked; for creates and patches alike. */
export interface DescriptiveFields {
  readonly displayName?: string;
  readonly description?: string;
  readonly markdown?: string;
  readonly searchKeywords?: readonly string[];
  readonly supportStatus?: string | null;
}

export function checkDescriptive(f: DescriptiveFields): DescriptiveFields {
  const out: { -readonly [K in keyof DescriptiveFields]: DescriptiveFields[K] } = {};
  if (f.displayName !== undefined) out.displayName = checkText('display name', f.displayName, MAX_DISPLAY_NAME);
  if (f.description !== undefined) out.description = checkText('description', f.description, MAX_HUB_DESCRIPTION);
  if (f.markdown !== undefined) out.markdown = checkText('markdown', f.markdown, MAX_MARKDOWN);
  if (f.searchKeywords !== undefined) out.searchKeywords = checkKeywords(f.searchKeywords);
  if (f.supportStatus !== undefined) out.supportStatus = checkSupportStatus(f.supportStatus);
  return out;
}
