/**
 * @module
 * Tags on models, versions, hubs and hub content versions. A tag write
 * locks its owner's row (the model, the hub or the content version), so it
 * cannot land on an owner being deleted; deleting an owner removes its tags
 * in the same transaction ({@link deleteTagsOf}).
 */
import type { ExpressionBuilder } from 'kysely';
import { fail } from '../../core/errors.ts';
import type { Tag, TagOwner } from '../../core/registry/registry-types.ts';
import type { Db } from './meta-dialect.ts';
import { forUpdate } from './object-writes.ts';
import type { Tx } from './object-writes.ts';
import { chunks, lockModel, notFound } from './registry-common.ts';
import type { RegistryContext } from './registry-common.ts';
import type { Database, RegistryTagsTable } from './schema.ts';

type OwnerColumns = Pick<RegistryTagsTable, 'owner_kind' | 'owner_id' | 'owner_number'>;

function columnsOf(owner: TagOwner): OwnerColumns {
  switch (owner.kind) {
    case 'hub':
      return { owner_kind: 'hub', owner_id: owner.hubName, owner_number: 0 };
    case 'hub-content':
      return { owner_kind: 'hub-content', owner_id: owner.contentId, owner_number: 0 };
    default:
      return { owner_kind: owner.kind, owner_id: owner.modelId, owner_number: owner.kind === 'version' ? owner.number : 0 };
  }
}

/** The rows of `owner`'s tags, for a select or a delete. */
function ownerIs(eb: ExpressionBuilder<Database, 'registry_tags'>, owner: TagOwner) {
  const o = columnsOf(owner);
  return eb.and([eb('owner_kind', '=', o.owner_kind), eb('owner_id', '=', o.owner_id), eb('owner_number', '=', o.owner_number)]);
}

/** Locks the owner's row for the transaction; ResourceNotFound when it does not exist. */
async function lockOwner(tx: Tx, owner: TagOwner): Promise<void> {
  if (owner.kind === 'hub') {
    const q = tx.db.selectFrom('registry_hubs').select('name').where('name', '=', owner.hubName);
    if ((await forUpdate(tx.dialect, q).executeTakeFirst()) === undefined) notFound('hub', `No hub ${owner.hubName}.`);
    return;
  }
  if (owner.kind === 'hub-content') {
    const q = tx.db.selectFrom('registry_hub_contents').select('id').where('id', '=', owner.contentId);
    if ((await forUpdate(tx.dialect, q).executeTakeFirst()) === undefined) notFound('hub-content', `No hub content ${owner.contentId}.`);
    return;
  }
  await lockModel(tx, owner.modelId);
  if (owner.kind === 'version') {
    const q = tx.db.selectFrom('registry_model_versions').select('number').where('model_id', '=', owner.modelId).where('number', '=', owner.number);
    if ((await q.executeTakeFirst()) === undefined) notFound('version', `No version ${owner.number} of model ${owner.modelId}.`);
  }
}

export async function listTags(db: Db, owner: TagOwner): Promise<Tag[]> {
  const rows = await db
    .selectFrom('registry_tags')
    .where((eb) => ownerIs(eb, owner))
    .select(['tag_key', 'tag_value'])
    .orderBy('tag_key')
    .execute();
  return rows.map((r) => ({ key: r.tag_key, value: r.tag_value }));
}

export function putTags(ctx: RegistryContext, owner: TagOwner, tags: readonly Tag[], max: number): Promise<Tag[]> {
  return ctx.write(async (tx) => {
    await lockOwner(tx, owner);
    const o = columnsOf(owner);
    for (const part of chunks(tags)) {
      await tx.db
        .insertInto('registry_tags')
        .values(part.map((t) => ({ ...o, tag_key: t.key, tag_value: t.value })))
        .onConflict((oc) => oc.columns(['owner_kind', 'owner_id', 'owner_number', 'tag_key']).doUpdateSet((eb) => ({ tag_value: eb.ref('excluded.tag_value') })))
        .execute();
    }
    const all = await listTags(tx.db, owner);
    if (all.length > max) fail('ResourceLimitExceeded', `A resource holds at most ${max} tags; this would make ${all.length}.`);
    return all;
  });
}

export function deleteTags(ctx: RegistryContext, owner: TagOwner, keys: readonly string[]): Promise<void> {
  return ctx.write(async (tx) => {
    await lockOwner(tx, owner);
    for (const part of chunks(keys)) {
      await tx.db
        .deleteFrom('registry_tags')
        .where((eb) => ownerIs(eb, owner))
        .where('tag_key', 'in', part)
        .execute();
    }
  });
}

/** Removes the tags of an owner; for a model, those of all its versions too. */
export async function deleteTagsOf(tx: Tx, owner: TagOwner): Promise<void> {
  if (owner.kind !== 'model') {
    await tx.db.deleteFrom('registry_tags').where((eb) => ownerIs(eb, owner)).execute();
    return;
  }
  await tx.db.deleteFrom('registry_tags').where('owner_id', '=', owner.modelId).where('owner_kind', 'in', ['model', 'version']).execute();
}
