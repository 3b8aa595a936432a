/**
 * @module
 * How SageMaker's model packages sit on the registry's models: a model
 * package group G is the model {namespace `sagemaker`, name G}; an
 * unversioned model package P is the unversioned model {`sagemaker`, P}
 * holding one version; a versioned package is version n of its group.
 *
 * ARNs carry lowercased names (as AWS writes them), so a name read from an
 * ARN that matches no model exactly is looked up case-insensitively.
 */
import { isSignetError } from '../../core/errors.ts';
import type { Model, ModelVersion, StagePointer } from '../../core/registry/registry-types.ts';
import type { OperationContext } from './operation.ts';
import { SageMakerError } from './sagemaker-errors.ts';

export const NAMESPACE = 'sagemaker';

const SCAN_PAGE = 1000;

/** The model named `name` in the SageMaker namespace, or null. */
export async function findModel(ctx: OperationContext, name: string, fromArn: boolean): Promise<Model | null> {
  try {
    return await ctx.registry.models.getModel(ctx.who, { namespace: NAMESPACE, name });
  } catch (e) {
    if (!isSignetError(e) || e.code !== 'ResourceNotFound') throw e;
  }
  if (!fromArn || name !== name.toLowerCase()) return null;
  for (let cursor: string | null = null; ; ) {
    const page = await ctx.registry.models.listModels(ctx.who, { namespace: NAMESPACE, cursor, limit: SCAN_PAGE });
    const hit = page.items.find((m) => m.name.toLowerCase() === name);
    if (hit) return hit;
    cursor = page.nextCursor;
    if (cursor === null) return null;
  }
}

/** The group a ModelPackageGroupName names; ValidationException as on AWS when there is none. */
export async function requireGroup(ctx: OperationContext, name: string, fromArn: boolean): Promise<Model> {
  const model = await findModel(ctx, name, fromArn);
  if (model === null || model.unversioned) {
    throw new SageMakerError('ValidationException', `ModelPackageGroup ${ctx.arns.group(name)} does not exist.`);
  }
  return model;
}

export interface ResolvedPackage {
  readonly model: Model;
  readonly version: ModelVersion;
}

/** A versioned package (group and number) or an unversioned one (its name); ValidationException when absent. */
export async function requirePackage(ctx: OperationContext, ref: { readonly name: string; readonly version: number | null; readonly fromArn: boolean }): Promise<ResolvedPackage> {
  const arn = ctx.arns.modelPackage(ref.name, ref.version ?? undefined);
  const missing = () => new SageMakerError('ValidationException', `ModelPackage ${arn} does not exist.`);
  const model = await findModel(ctx, ref.name, ref.fromArn);
  if (model === null || model.unversioned !== (ref.version === null)) throw missing();
  try {
    const version = await ctx.registry.models.getVersion(ctx.who, { id: model.id }, ref.version === null ? { number: 1 } : { number: ref.version });
    return { model, version };
  } catch (e) {
    if (isSignetError(e) && e.code === 'ResourceNotFound') throw missing();
    throw e;
  }
}

/** The stage pointer that moved to this version last: its ModelLifeCycle. */
export function lifeCycleOf(stages: readonly StagePointer[], number: number): Record<string, unknown> | undefined {
  let latest: StagePointer | undefined;
  for (const s of stages) if (s.number === number && (!latest || s.movedAt >= latest.movedAt)) latest = s;
  if (!latest) return undefined;
  return { Stage: latest.stage, StageStatus: latest.status ?? undefined, StageDescription: latest.description ?? undefined };
}

/** CustomerMetadataProperties: the version's metadata, absent when empty. */
export function customerMetadata(metadata: Readonly<Record<string, string>>): Record<string, string> | undefined {
  return Object.keys(metadata).length === 0 ? undefined : { ...metadata };
}

