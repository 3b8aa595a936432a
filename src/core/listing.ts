/**
 * @module
 * ListObjects (V1 and V2) over the metadata store's ordered key windows. With
 * a delimiter, each common prefix is reported once and then skipped with one
 * index seek to its successor, so a folder of a million keys costs one row.
 */
import type { Buckets } from './buckets.ts';
import type { DetailedSummary, ObjectSummary, Principal } from './types.ts';
import type { KeyWindow, MetaStore } from '../ports/meta-store.ts';

export interface ListInput {
  readonly bucket: string;
  readonly prefix: string;
  readonly delimiter: string;
  /** List strictly after this key (marker, start-after or the continuation). */
  readonly after: string | null;
  readonly maxKeys: number;
}

export interface ListResult<T extends ObjectSummary = ObjectSummary> {
  readonly objects: T[];
  readonly commonPrefixes: string[];
  readonly isTruncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  readonly last: string | null;
}

/** Smallest string greater than every string that starts with `s` (code point order = UTF-8 byte order). */
export function prefixSuccessor(s: string): string | null {
  const cps = Array.from(s);
  while (cps.length > 0) {
    const cp = cps.pop()!.codePointAt(0)!;
    if (cp < 0x10ffff) {
      const next = cp === 0xd7ff ? 0xe000 : cp + 1;
      return cps.join('') + String.fromCodePoint(next);
    }
  }
  return null;
}

export async function listObjects(meta: MetaStore, buckets: Buckets, who: Principal, input: ListInput): Promise<ListResult> {
  await buckets.require(who, input.bucket);
  return listWindows((window) => meta.listObjects(input.bucket, window), input);
}

/**
 * As listObjects, each object with its stored headers, user metadata and
 * tags (MinIO's `metadata=true` listing). Whether the caller may see them is
 * the face's decision, per key.
 */
export async function listObjectsWithDetails(meta: MetaStore, buckets: Buckets, who: Principal, input: ListInput): Promise<ListResult<DetailedSummary>> {
  await buckets.require(who, input.bucket);
  return listWindows((window) => meta.listObjectsWithDetails(input.bucket, window), input);
}

async function listWindows<T extends ObjectSummary>(fetch: (window: KeyWindow) => Promise<T[]>, input: ListInput): Promise<ListResult<T>> {
  const objects: T[] = [];
  const commonPrefixes: string[] = [];
  let cursor = { after: input.after, inclusive: false };
  // A marker inside a common prefix resumes after that whole prefix.
  if (input.delimiter && input.after !== null && input.after.startsWith(input.prefix)) {
    const cp = commonPrefixOf(input.after, input.prefix, input.delimiter);
    if (cp !== null && cp === input.after) cursor = seekPast(cp);
  }
  let last: string | null = null;
  while (true) {
    const room = input.maxKeys - objects.length - commonPrefixes.length;
    const limit = Math.min(Math.max(room, 0) + 1, 1000);
    const batch = await fetch({ prefix: input.prefix, ...cursor, limit });
    if (batch.length === 0) return { objects, commonPrefixes, isTruncated: false, last };
    let skipped = false;
    for (const row of batch) {
      if (objects.length + commonPrefixes.length >= input.maxKeys) {
        return { objects, commonPrefixes, isTruncated: true, last };
      }
      const cp = input.delimiter ? commonPrefixOf(row.key, input.prefix, input.delimiter) : null;
      if (cp !== null) {
        commonPrefixes.push(cp);
        last = cp;
        cursor = seekPast(cp);
        skipped = true;
        break; // re-query from past the prefix
      }
      objects.push(row);
      last = row.key;
      cursor = { after: row.key, inclusive: false };
    }
    const exhausted = !skipped && batch.length < limit;
    if (exhausted || cursor.after === null) return { objects, commonPrefixes, isTruncated: false, last };
  }
}

function commonPrefixOf(key: string, prefix: string, delimiter: string): string | null {
  const at = key.indexOf(delimiter, prefix.length);
  return at < 0 ? null : key.slice(0, at + delimiter.length);
}

function seekPast(commonPrefix: string): { after: string | null; inclusive: boolean } {
  return { after: prefixSuccessor(commonPrefix), inclusive: true };
}
