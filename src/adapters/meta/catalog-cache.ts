/**
 * @module
 * The catalog (users, access keys, buckets) kept in memory for the point
 * reads every request makes. On SQLite a read connection re-reads its pages
 * after every commit of the writer, so three lookups per request cost about
 * as much as the object write itself; the catalog changes rarely.
 *
 * Staleness is ruled out, not bounded:
 * - every write of this store to the catalog goes through {@link CatalogCache.writing},
 *   which empties the cache before and after it, and a lookup keeps what it
 *   read only if no such write began or ended while it read;
 * - `changedElsewhere` tells of commits by other connections (another
 *   process on the same file, e.g. `signet admin`); any such commit empties it.
 * It is for a store with one writing process per database (SQLite); several
 * nodes on PostgreSQL read the catalog every time.
 */

/** Entries per kind: past this the kind starts over (a flood of names must not grow memory). */
const MAX_ENTRIES = 10_000;

export type CatalogKind = 'user' | 'accessKey' | 'bucket';

export class CatalogCache {
  readonly #changedElsewhere: () => boolean;
  readonly #maps = new Map<CatalogKind, Map<string, unknown>>();
  /** Bumped when a catalog write begins and when it ends. */
  #epoch = 0;

  constructor(changedElsewhere: () => boolean) {
    this.#changedElsewhere = changedElsewhere;
  }

  /** The record under `id`, from memory or from `load`; only found records are kept. */
  async get<T extends object>(kind: CatalogKind, id: string, load: () => Promise<T | null>): Promise<T | null> {
    if (this.#changedElsewhere()) this.#clear();
    const map = this.#map(kind);
    const hit = map.get(id);
    if (hit !== undefined) return hit as T;
    const epoch = this.#epoch;
    const found = await load();
    if (found === null || epoch !== this.#epoch) return found;
    if (map.size >= MAX_ENTRIES) map.clear();
    // Shared by every request from now on: nobody may change it in place.
    const kept = Object.freeze(found);
    map.set(id, kept);
    return kept;
  }

  /** Runs a write that changes the catalog. */
  async writing<T>(write: () => Promise<T>): Promise<T> {
    this.#clear();
    try {
      return await write();
    } finally {
      this.#clear();
    }
  }

  #map(kind: CatalogKind): Map<string, unknown> {
    let map = this.#maps.get(kind);
    if (map === undefined) {
      map = new Map();
      this.#maps.set(kind, map);
    }
    return map;
  }

  #clear(): void {
    this.#epoch++;
    this.#maps.clear();
  }
}
