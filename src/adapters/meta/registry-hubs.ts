/**
 * @module
 * Hubs and their contents. Content versions order by `version_key`
 * (versionSortKey), then the version string; the highest of each hub, type
 * and name carries `is_latest`, kept by every write under a lock on that
 * name, so "latest" and "latest of each name" are index lookups.
 */
import { sql } from 'kysely';
import type { ExpressionBuilder } from 'kysely';
import type { HubContent, HubContentType, Hub, NewHubContent, RegisteredFile } from '../../core/registry/registry-types.ts';
import { versionSortKey } from '../../core/registry/version-order.ts';
import type { HubContentFilter, HubContentPatch, HubFilter } from '../../ports/registry-store.ts';
import type { Db } from './meta-dialect.ts';
import { forUpdate, keyShare } from './object-writes.ts';
import type { Tx } from './object-writes.ts';
import { contains, direction, inUse, notFound, unique } from './registry-common.ts';
import type { RegistryContext } from './registry-common.ts';
import { deleteFilesOf, insertFiles } from './registry-models.ts';
import { hubContentRow, hubRow, toHub, toHubContent } from './registry-rows.ts';
import { deleteTagsOf } from './registry-tags.ts';
import type { Database } from './schema.ts';

// Hubs

export async function createHub(ctx: RegistryContext, hub: Hub): Promise<void> {
  await ctx.write(({ db }) =>
    unique(ctx.dialect, 'hub', `Hub ${hub.name} exists.`, () => db.insertInto('registry_hubs').values(hubRow(hub)).execute()),
  );
}

export async function getHub(db: Db, name: string): Promise<Hub | null> {
  const row = await db.selectFrom('registry_hubs').selectAll().where('name', '=', name).executeTakeFirst();
  return row === undefined ? null : toHub(row);
}

export async function listHubs(ctx: RegistryContext, f: HubFilter): Promise<Hub[]> {
  const { dir, cmp } = direction(f.order);
  const after = f.after;
  let q = ctx.reader
    .selectFrom('registry_hubs')
    .selectAll()
    .$if(f.nameContains !== undefined, (qb) => qb.where(contains(ctx.dialect, 'name', f.nameContains ?? '')))
    .$if(f.createdAfter !== undefined, (qb) => qb.where('created_at', '>', f.createdAfter?.getTime() ?? 0))
    .$if(f.createdBefore !== undefined, (qb) => qb.where('created_at', '<', f.createdBefore?.getTime() ?? 0));
  if (f.sortBy === 'CreationTime') {
    if (after !== null) {
      q = q.where((eb) => eb(eb.refTuple('created_at', 'name'), cmp, eb.tuple(after.createdAt.getTime(), after.name)));
    }
    q = q.orderBy('created_at', dir).orderBy('name', dir);
  } else {
    if (after !== null) q = q.where('name', cmp, after.name);
    q = q.orderBy('name', dir);
  }
  return (await q.limit(f.limit).execute()).map(toHub);
}

export function updateHub(
  ctx: RegistryContext,
  name: string,
  patch: { displayName?: string; description?: string; searchKeywords?: readonly string[]; updatedAt: Date },
): Promise<Hub> {
  return ctx.write(async (tx) => {
    const current = await getHub(tx.db, name);
    if (current === null) notFound('hub', `No hub ${name}.`);
    const next: Hub = {
      ...current,
      displayName: patch.displayName ?? current.displayName,
      description: patch.description ?? current.description,
      searchKeywords: patch.searchKeywords ?? current.searchKeywords,
      updatedAt: patch.updatedAt,
    };
    const { display_name, description, search_keywords, updated_at } = hubRow(next);
    await tx.db
      .updateTable('registry_hubs')
      .set({ display_name, description, search_keywords, updated_at })
      .where('name', '=', name)
      .execute();
    return next;
  });
}

export function deleteHub(ctx: RegistryContext, name: string): Promise<void> {
  return ctx.write(async (tx) => {
    // FOR UPDATE waits for content writers holding the hub (FOR KEY SHARE) and blocks new ones.
    const q = tx.db.selectFrom('registry_hubs').select('name').where('name', '=', name);
    if ((await forUpdate(tx.dialect, q).executeTakeFirst()) === undefined) notFound('hub', `No hub ${name}.`);
    const any = await tx.db
      .selectFrom('registry_hub_contents')
      .select('id')
      .where('hub_name', '=', name)
      .limit(1)
      .executeTakeFirst();
    if (any !== undefined) inUse('hub', `Hub ${name} still holds content.`);
    await deleteTagsOf(tx, { kind: 'hub', hubName: name });
    await tx.db.deleteFrom('registry_hubs').where('name', '=', name).execute();
  });
}

// Contents

/** Serialises the writers of one content name: its `is_latest` flag stays right. */
async function lockName(tx: Tx, hubName: string, type: string, name: string): Promise<void> {
  await tx.dialect.lockKey(tx.db, `hub-content:${hubName}`, `${type}/${name}`);
}

/** Moves `is_latest` to the highest remaining version of the name. */
async function refreshLatest(tx: Tx, hubName: string, type: string, name: string): Promise<void> {
  const ofName = () =>
    tx.db
      .updateTable('registry_hub_contents')
      .where('hub_name', '=', hubName)
      .where('type', '=', type)
      .where('name', '=', name);
  await ofName().set({ is_latest: 0 }).where(sql<boolean>`is_latest`).execute();
  const top = await tx.db
    .selectFrom('registry_hub_contents')
    .select('id')
    .where('hub_name', '=', hubName)
    .where('type', '=', type)
    .where('name', '=', name)
    .orderBy('version_key', 'desc')
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (top === undefined) return;
  await tx.db.updateTable('registry_hub_contents').set({ is_latest: 1 }).where('id', '=', top.id).execute();
}

export function createHubContent(
  ctx: RegistryContext,
  content: NewHubContent,
  files: readonly RegisteredFile[],
): Promise<HubContent> {
  return ctx.write(async (tx) => {
    const q = tx.db.selectFrom('registry_hubs').select('name').where('name', '=', content.hubName);
    if ((await keyShare(tx.dialect, q).executeTakeFirst()) === undefined) notFound('hub', `No hub ${content.hubName}.`);
    await lockName(tx, content.hubName, content.type, content.name);
    const row = hubContentRow(content, files);
    const what = `${content.type} ${content.name} ${content.version} exists in hub ${content.hubName}.`;
    await unique(ctx.dialect, 'hub-content', what, () => tx.db.insertInto('registry_hub_contents').values(row).execute());
    await insertFiles(tx, { kind: 'hub-content', contentId: content.id }, files);
    await refreshLatest(tx, content.hubName, content.type, content.name);
    return { ...content, fileCount: files.length, totalSize: Number(row.total_size) };
  });
}

function contentsOf(db: Db, hubName: string, type: HubContentType, name: string) {
  return db
    .selectFrom('registry_hub_contents')
    .selectAll()
    .where('hub_name', '=', hubName)
    .where('type', '=', type)
    .where('name', '=', name);
}

export async function getHubContent(
  db: Db,
  hubName: string,
  type: HubContentType,
  name: string,
  version: string | null,
): Promise<HubContent | null> {
  const q = contentsOf(db, hubName, type, name);
  const row = await (version === null ? q.where(sql<boolean>`is_latest`) : q.where('version', '=', version)).executeTakeFirst();
  return row === undefined ? null : toHubContent(row);
}

/**
 * Contents strictly after `after` in the listing's order. Among latest
 * versions a name is unique, so the name alone places them: a version added
 * between pages does not bring its name back.
 */
function afterContent(f: HubContentFilter, after: HubContent) {
  const { cmp } = direction(f.order);
  const time = after.createdAt.getTime();
  return (eb: ExpressionBuilder<Database, 'registry_hub_contents'>) => {
    if (f.name === undefined) {
      return f.sortBy === 'CreationTime'
        ? eb(eb.refTuple('created_at', 'name'), cmp, eb.tuple(time, after.name))
        : eb('name', cmp, after.name);
    }
    const key = versionSortKey(after.version);
    return f.sortBy === 'CreationTime'
      ? eb(eb.refTuple('created_at', 'version_key', 'version'), cmp, eb.tuple(time, key, after.version))
      : eb(eb.refTuple('version_key', 'version'), cmp, eb.tuple(key, after.version));
  };
}

export async function listHubContents(ctx: RegistryContext, f: HubContentFilter): Promise<HubContent[]> {
  const { dir } = direction(f.order);
  const after = f.after;
  let q = ctx.reader
    .selectFrom('registry_hub_contents')
    .selectAll()
    .where('hub_name', '=', f.hubName)
    .where('type', '=', f.type)
    .$if(f.name !== undefined, (qb) => qb.where('name', '=', f.name ?? ''))
    .$if(f.name === undefined, (qb) => qb.where(sql<boolean>`is_latest`))
    .$if(f.nameContains !== undefined, (qb) => qb.where(contains(ctx.dialect, 'name', f.nameContains ?? '')))
    .$if(f.createdAfter !== undefined, (qb) => qb.where('created_at', '>', f.createdAfter?.getTime() ?? 0))
    .$if(f.createdBefore !== undefined, (qb) => qb.where('created_at', '<', f.createdBefore?.getTime() ?? 0));
  if (after !== null) q = q.where(afterContent(f, after));
  if (f.sortBy === 'CreationTime') q = q.orderBy('created_at', dir);
  q = q.orderBy('name', dir).orderBy('version_key', dir).orderBy('version', dir);
  return (await q.limit(f.limit).execute()).map(toHubContent);
}

export function updateHubContent(
  ctx: RegistryContext,
  hubName: string,
  type: HubContentType,
  name: string,
  version: string,
  patch: HubContentPatch,
): Promise<HubContent> {
  return ctx.write(async (tx) => {
    const current = await getHubContent(tx.db, hubName, type, name, version);
    if (current === null) notFound('hub-content', `No ${type} ${name} ${version} in hub ${hubName}.`);
    const next: HubContent = {
      ...current,
      displayName: patch.displayName ?? current.displayName,
      description: patch.description ?? current.description,
      markdown: patch.markdown ?? current.markdown,
      searchKeywords: patch.searchKeywords ?? current.searchKeywords,
      supportStatus: patch.supportStatus === undefined ? current.supportStatus : patch.supportStatus,
      updatedAt: patch.updatedAt,
    };
    const row = hubContentRow(next, []);
    await tx.db
      .updateTable('registry_hub_contents')
      .set({
        display_name: row.display_name,
        description: row.description,
        markdown: row.markdown,
        search_keywords: row.search_keywords,
        support_status: row.support_status,
        updated_at: row.updated_at,
      })
      .where('id', '=', current.id)
      .execute();
    return next;
  });
}

export function deleteHubContent(
  ctx: RegistryContext,
  hubName: string,
  type: HubContentType,
  name: string,
  version: string | null,
): Promise<string[]> {
  return ctx.write(async (tx) => {
    await lockName(tx, hubName, type, name);
    const q = contentsOf(tx.db, hubName, type, name);
    const rows = await (version === null ? q : q.where('version', '=', version)).execute();
    if (rows.length === 0) notFound('hub-content', `No ${type} ${name} ${version ?? ''} in hub ${hubName}.`);
    const keys = new Set<string>();
    for (const r of rows) {
      for (const k of await deleteFilesOf(tx, { kind: 'hub-content', contentId: r.id })) keys.add(k);
      await deleteTagsOf(tx, { kind: 'hub-content', contentId: r.id });
      await tx.db.deleteFrom('registry_hub_contents').where('id', '=', r.id).execute();
    }
    await refreshLatest(tx, hubName, type, name);
    return [...keys];
  });
}
