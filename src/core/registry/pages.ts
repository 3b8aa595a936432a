/**
 * @module
 * Turning a store listing into a {@link Page}: the page size rule (default
 * 100, 1..1000) and the one-extra-item read that tells whether a next page
 * exists, so a last full page never hands out a cursor to an empty one.
 */
import { fail } from '../errors.ts';
import type { Page } from './registry-api.ts';

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 1000;

/** The page size asked for; InvalidArgument outside 1..1000. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) fail('InvalidArgument', `limit must be an integer from 1 to ${MAX_PAGE}`);
  return limit;
}

/**
 * `fetched` came from a read of `limit + 1` items: the extra one only says a
 * next page exists; the cursor is made from the last item kept.
 */
export function toPage<T>(fetched: readonly T[], limit: number, cursorOf: (last: T) => string): Page<T> {
  if (fetched.length <= limit) return { items: fetched, nextCursor: null };
  const items = fetched.slice(0, limit);
  return { items, nextCursor: cursorOf(items[items.length - 1] as T) };
}
