/**
 * @module
 * ListModelPackages: versions joined to their models, filtered, in one of two
 * orders, continued after the last row of the previous page (keyset paging,
 * so a deep page costs what the first does).
 *
 * - Name: (model name, namespace, number): the models' name index drives the
 *   join and each model's versions come in primary-key order.
 * - CreationTime: (created_at, model id, number): one range of the versions'
 *   creation index.
 */
import { sql } from 'kysely';
import type { ExpressionBuilder } from 'kysely';
import type { PackageFilter, PackageRow } from '../../ports/registry-store.ts';
import type { Db } from './meta-dialect.ts';
import { contains, direction } from './registry-common.ts';
import type { RegistryContext } from './registry-common.ts';
import { toModel, toVersion } from './registry-rows.ts';
import type { Database } from './schema.ts';

type Eb = ExpressionBuilder<Database & { v: Database['registry_model_versions']; m: Database['registry_models'] }, 'v' | 'm'>;

function joined(db: Db) {
  return db
    .selectFrom('registry_model_versions as v')
    .innerJoin('registry_models as m', 'm.id', 'v.model_id')
    .selectAll('v')
    .select([
      'm.namespace as m_namespace',
      'm.name as m_name',
      'm.description as m_description',
      'm.unversioned as m_unversioned',
      'm.gate_eula as m_gate_eula',
      'm.gate_version as m_gate_version',
      'm.created_at as m_created_at',
      'm.created_by as m_created_by',
      'm.last_number as m_last_number',
    ]);
}

type JoinedRow = Awaited<ReturnType<ReturnType<typeof joined>['execute']>>[number];

function toPackage(r: JoinedRow): PackageRow {
  const model = toModel({
    id: r.model_id,
    namespace: r.m_namespace,
    name: r.m_name,
    description: r.m_description,
    unversioned: r.m_unversioned,
    gate_eula: r.m_gate_eula,
    gate_version: r.m_gate_version,
    created_at: r.m_created_at,
    created_by: r.m_created_by,
    last_number: r.m_last_number,
  });
  return { model, version: toVersion(r) };
}

/** Rows strictly after `after` in the listing's order. */
function afterRow(eb: Eb, f: PackageFilter, after: PackageRow) {
  const { cmp } = direction(f.order);
  const { model, version } = after;
  if (f.sortBy === 'CreationTime') {
    return eb(
      eb.refTuple('v.created_at', 'v.model_id', 'v.number'),
      cmp,
      eb.tuple(version.createdAt.getTime(), version.modelId, version.number),
    );
  }
  // The first condition alone bounds the models' index range; the second is exact.
  const models = eb.refTuple('m.name', 'm.namespace');
  const at = eb.tuple(model.name, model.namespace);
  return eb.and([
    eb(models, `${cmp}=`, at),
    eb.or([eb(models, cmp, at), eb('v.number', cmp, version.number)]),
  ]);
}

export async function listPackages(ctx: RegistryContext, f: PackageFilter): Promise<PackageRow[]> {
  const { dir } = direction(f.order);
  const after = f.after;
  let q = joined(ctx.reader)
    .$if(f.namespace !== undefined, (qb) => qb.where('m.namespace', '=', f.namespace ?? ''))
    .$if(f.modelName !== undefined, (qb) => qb.where('m.name', '=', f.modelName ?? ''))
    .$if(f.nameContains !== undefined, (qb) => qb.where(contains(ctx.dialect, 'm.name', f.nameContains ?? '')))
    .$if(f.approval !== undefined, (qb) => qb.where('v.approval', '=', f.approval ?? 'Approved'))
    .$if(f.createdAfter !== undefined, (qb) => qb.where('v.created_at', '>', f.createdAfter?.getTime() ?? 0))
    .$if(f.createdBefore !== undefined, (qb) => qb.where('v.created_at', '<', f.createdBefore?.getTime() ?? 0))
    .$if(f.type === 'VERSIONED', (qb) => qb.where(sql<boolean>`not m.unversioned`))
    .$if(f.type === 'UNVERSIONED', (qb) => qb.where(sql<boolean>`m.unversioned`))
    .$if(after !== null, (qb) => qb.where((eb) => afterRow(eb, f, after as PackageRow)));
  q =
    f.sortBy === 'CreationTime'
      ? q.orderBy('v.created_at', dir).orderBy('v.model_id', dir).orderBy('v.number', dir)
      : q.orderBy('m.name', dir).orderBy('m.namespace', dir).orderBy('v.number', dir);
  const rows = await q.limit(f.limit).execute();
  return rows.map(toPackage);
}
