/**
 * @module
 * Tags on models, versions, hubs and hub content versions, with AWS's rules
 * for resource tags: keys of 1 to 128 and values of up to 256 letters,
 * digits, spaces and `_ . : / = + - @`, no key starting with `aws:` (AWS
 * keeps those), at most 50 tags on a resource. Adding a key that exists
 * replaces its value.
 */
import { fail } from '../errors.ts';
import type { MetaStore } from '../../ports/meta-store.ts';
import type { RegistryPrincipal, Tag, TagOwner } from './registry-types.ts';
import { requireScope } from './scopes.ts';

export const MAX_TAGS = 50;
export const MAX_TAG_KEY = 128;
export const MAX_TAG_VALUE = 256;
/** AWS's pattern for tag keys and values. */
export const TAG_TEXT = /^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$/u;
const RESERVED_PREFIX = 'aws:';

function invalid(why: string): never {
  fail('InvalidArgument', why);
}

function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_TAG_KEY) invalid(`A tag key must have 1 to ${MAX_TAG_KEY} characters.`);
  if (!TAG_TEXT.test(key)) invalid(`Tag key "${key}" may hold only letters, digits, spaces and _ . : / = + - @.`);
  if (key.toLowerCase().startsWith(RESERVED_PREFIX)) invalid(`Tag keys starting with "${RESERVED_PREFIX}" are reserved.`);
  return key;
}

function checkCount(n: number, what: string): void {
  if (n === 0 || n > MAX_TAGS) invalid(`A call takes 1 to ${MAX_TAGS} ${what}, not ${n}.`);
}

/** Valid tags, each key once; InvalidArgument otherwise. */
export function validateTags(tags: readonly Tag[]): readonly Tag[] {
  checkCount(tags.length, 'tags');
  const seen = new Set<string>();
  for (const tag of tags) {
    const key = checkKey(tag.key);
    if (typeof tag.value !== 'string' || tag.value.length > MAX_TAG_VALUE || !TAG_TEXT.test(tag.value)) {
      invalid(`The value of tag "${key}" must have at most ${MAX_TAG_VALUE} letters, digits, spaces and _ . : / = + - @.`);
    }
    if (seen.has(key)) invalid(`Tag key "${key}" is given twice.`);
    seen.add(key);
  }
  return tags;
}

export class Tags {
  readonly #meta: MetaStore;

  constructor(deps: { readonly meta: MetaStore }) {
    this.#meta = deps.meta;
  }

  /** Adds or replaces tags; returns all the owner's tags. ResourceNotFound, ResourceLimitExceeded past 50. */
  async add(who: RegistryPrincipal, owner: TagOwner, tags: readonly Tag[]): Promise<Tag[]> {
    requireScope(who, 'write');
    return this.#meta.registry.putTags(owner, validateTags(tags), MAX_TAGS);
  }

  /** Removes tags by key; keys that are not there are ignored. */
  async remove(who: RegistryPrincipal, owner: TagOwner, keys: readonly string[]): Promise<void> {
    requireScope(who, 'write');
    checkCount(keys.length, 'tag keys');
    for (const key of keys) checkKey(key);
    await this.#meta.registry.deleteTags(owner, keys);
  }

  /** The owner's tags in key order. */
  async list(who: RegistryPrincipal, owner: TagOwner): Promise<Tag[]> {
    requireScope(who, 'read');
    return this.#meta.registry.listTags(owner);
  }
}
