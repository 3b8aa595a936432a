/**
 * @module
 * The audit log, for administrators: every grant, refresh, EULA acceptance
 * and token change, newest first, filtered by action, user and time.
 */
import { fail } from '../errors.ts';
import type { MetaStore } from '../../ports/meta-store.ts';
import type { Cursors } from './cursors.ts';
import { pageLimit, toPage } from './pages.ts';
import type { AuditService, Page, PageRequest } from './registry-api.ts';
import type { AuditEvent, RegistryPrincipal } from './registry-types.ts';
import { requireScope } from './scopes.ts';

export interface AuditDeps {
  readonly meta: MetaStore;
  readonly cursors: Cursors;
}

export class Audit implements AuditService {
  readonly #meta: MetaStore;
  readonly #cursors: Cursors;

  constructor(deps: AuditDeps) {
    this.#meta = deps.meta;
    this.#cursors = deps.cursors;
  }

  async list(
    who: RegistryPrincipal,
    query: PageRequest & { readonly action?: string; readonly userName?: string; readonly since?: Date },
  ): Promise<Page<AuditEvent>> {
    requireScope(who, 'admin');
    const limit = pageLimit(query.limit);
    if (query.since !== undefined && Number.isNaN(query.since.getTime())) fail('InvalidArgument', 'invalid since: not a date');
    const listing = `audit|${JSON.stringify([query.action ?? null, query.userName ?? null, query.since?.getTime() ?? null])}`;
    const at = this.#cursors.open<{ s: number }>(listing, query.cursor);
    const userId = query.userName === undefined ? undefined : await this.#userId(query.userName);
    if (userId === null) return { items: [], nextCursor: null };
    const events = await this.#meta.registry.listAudit({
      ...(query.action === undefined ? {} : { action: query.action }),
      ...(userId === undefined ? {} : { userId }),
      ...(query.since === undefined ? {} : { since: query.since }),
      beforeSeq: at?.s ?? null,
      limit: limit + 1,
    });
    return toPage(events, limit, (e) => this.#cursors.seal(listing, { s: e.seq }));
  }

  /** null when no such user: its events are none. */
  async #userId(userName: string): Promise<string | null> {
    const user = await this.#meta.getUser({ name: userName });
    return user?.id ?? null;
  }
}
