/**
 * @module
 * Small pieces every REST handler uses: the model a path names, pagination
 * parameters, and how a path segment selects a version.
 */
import { fail } from '../../../core/errors.ts';
import type { ModelRef, PageRequest, VersionSelector } from '../../../core/registry/registry-api.ts';
import { HUB_CONTENT_TYPES, type HubContentType } from '../../../core/registry/registry-types.ts';
import type { QueryParams } from '../json-input.ts';
import type { RestContext } from '../rest-router.ts';

export const PAGE = ['cursor', 'limit'] as const;
export const MAX_LIMIT = 1000;

export function pageOf(q: QueryParams): PageRequest {
  const limit = q.integer('limit', 1, MAX_LIMIT);
  const cursor = q.string('cursor');
  return { ...(limit === undefined ? {} : { limit }), ...(cursor === undefined ? {} : { cursor }) };
}

export function modelRef(c: RestContext): ModelRef {
  return { namespace: c.params.namespace!, name: c.params.name! };
}

/**
 * `3` is version number 3, `latest` the highest-numbered Completed version,
 * `label:x` the version labelled `x`, and anything else a label (`v2.0.0`).
 */
export function selectorOf(segment: string): VersionSelector {
  if (segment === 'latest') return { latest: true };
  if (segment.startsWith('label:')) return { label: segment.slice(6) };
  if (/^\d+$/.test(segment)) {
    const number = Number(segment);
    if (!Number.isSafeInteger(number) || number < 1) fail('InvalidArgument', `version number ${segment} is out of range`);
    return { number };
  }
  return { label: segment };
}

/** The number of the version a path names (a label or `latest` is looked up first). */
export async function versionNumber(c: RestContext): Promise<number> {
  const selector = selectorOf(c.params.version!);
  if ('number' in selector) return selector.number;
  return (await c.registry.models.getVersion(c.who, modelRef(c), selector)).number;
}

export function contentType(c: RestContext): HubContentType {
  const type = c.params.type!;
  if (!(HUB_CONTENT_TYPES as readonly string[]).includes(type)) fail('InvalidArgument', `hub content type must be one of ${HUB_CONTENT_TYPES.join(', ')}`);
  return type as HubContentType;
}

/** Drops undefined members, so optional inputs stay absent rather than explicitly undefined. */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
