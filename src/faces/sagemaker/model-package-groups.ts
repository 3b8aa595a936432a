/**
 * @module
 * CreateModelPackageGroup, DescribeModelPackageGroup, ListModelPackageGroups,
 * DeleteModelPackageGroup: a group is a registry model in namespace
 * `sagemaker` (see sagemaker-models.ts). As on AWS, a group that still holds
 * model packages is not deleted (ConflictException): delete them first.
 */
import { isSignetError } from '../../core/errors.ts';
import type { Model } from '../../core/registry/registry-types.ts';
import { nameOrArn, type Arns } from './arns.ts';
import { defined, type Operation, type OperationContext, type OperationTable } from './operation.ts';
import { DEFAULT_PAGE, ENTITY_NAME, epochSeconds, type Input, MAX_RESULTS, NEXT_TOKEN, SORT_ORDERS, type StringRule } from './sagemaker-codec.ts';
import { SageMakerError } from './sagemaker-errors.ts';
import { NAMESPACE, requireGroup } from './sagemaker-models.ts';
import { checkNewTags, readTags, tagNew } from './tags.ts';

export const GROUP_NAME_OR_ARN: StringRule = { required: true, max: 170 };
const GROUP_NAME: StringRule = { required: true, max: 63, pattern: ENTITY_NAME };
const DESCRIPTION: StringRule = { max: 1024 };

/** A ModelPackageGroupName member (a name or a group ARN); call before `input.done()`. */
export function readGroupName(input: Input, member = 'ModelPackageGroupName', required = true): { name: string; fromArn: boolean } | undefined {
  const raw = input.string(member, { ...GROUP_NAME_OR_ARN, required });
  if (raw === undefined) return undefined;
  const ref = nameOrArn(raw, 'model-package-group', member.charAt(0).toLowerCase() + member.slice(1));
  if (!ENTITY_NAME.test(ref.name)) input.violation(member, ref.name, `Member must satisfy regular expression pattern: ${ENTITY_NAME.source}`);
  return ref;
}

function groupSummary(arns: Arns, m: Model): Record<string, unknown> {
  return {
    ModelPackageGroupName: m.name,
    ModelPackageGroupArn: arns.group(m.name),
    ModelPackageGroupDescription: m.description || undefined,
    CreationTime: epochSeconds(m.createdAt),
    ModelPackageGroupStatus: 'Completed',
  };
}

const createGroup: Operation = {
  family: 'model-package',
  async run(ctx, input) {
    const name = input.string('ModelPackageGroupName', GROUP_NAME)!;
    const description = input.string('ModelPackageGroupDescription', DESCRIPTION);
    const tags = readTags(input);
    input.done();
    checkNewTags(tags);
    let model: Model;
    try {
      model = await ctx.registry.models.createModel(ctx.who, defined({ namespace: NAMESPACE, name, description }));
    } catch (e) {
      if (isSignetError(e) && e.code === 'ResourceInUse') throw new SageMakerError('ValidationException', `Model Package Group already exists: ${ctx.arns.group(name)}`);
      throw e;
    }
    await tagNew(ctx, { kind: 'model', modelId: model.id }, tags, () => ctx.registry.models.deleteModel(ctx.who, { id: model.id }));
    return { ModelPackageGroupArn: ctx.arns.group(name) };
  },
};

const describeGroup: Operation = {
  family: 'model-package',
  async run(ctx, input) {
    const ref = readGroupName(input)!;
    input.done();
    const model = await requireGroup(ctx, ref.name, ref.fromArn);
    return { ...groupSummary(ctx.arns, model), CreatedBy: { UserProfileName: model.createdBy } };
  },
};

const listGroups: Operation = {
  family: 'model-package',
  async run(ctx, input) {
    const createdAfter = input.time('CreationTimeAfter');
    const createdBefore = input.time('CreationTimeBefore');
    const limit = input.int('MaxResults', MAX_RESULTS) ?? DEFAULT_PAGE;
    const nameContains = input.string('NameContains', { max: 63 });
    const cursor = input.string('NextToken', NEXT_TOKEN);
    // AWS's defaults: by creation time, oldest first.
    const sortBy = (input.string('SortBy', { values: ['Name', 'CreationTime'] }) ?? 'CreationTime') as 'Name' | 'CreationTime';
    const order = (input.string('SortOrder', { values: SORT_ORDERS }) ?? 'Ascending') as 'Ascending' | 'Descending';
    input.string('CrossAccountFilterOption', { values: ['SameAccount', 'CrossAccount'] });
    input.done();
    const query = defined({ namespace: NAMESPACE, unversioned: false, nameContains, createdAfter, createdBefore, sortBy, order, limit, cursor });
    const page = await ctx.registry.models.listModels(ctx.who, query);
    return { ModelPackageGroupSummaryList: page.items.map((m) => groupSummary(ctx.arns, m)), NextToken: page.nextCursor ?? undefined };
  },
};

async function hasPackages(ctx: OperationContext, model: Model): Promise<boolean> {
  return (await ctx.registry.models.listVersions(ctx.who, { id: model.id }, { limit: 1 })).items.length > 0;
}

const deleteGroup: Operation = {
  family: 'model-package',
  async run(ctx, input) {
    const ref = readGroupName(input)!;
    input.done();
    const model = await requireGroup(ctx, ref.name, ref.fromArn);
    if (await hasPackages(ctx, model)) {
      throw new SageMakerError('ConflictException', `Model Package Group ${ctx.arns.group(model.name)} still has model packages: delete them first.`);
    }
    await ctx.registry.models.deleteModel(ctx.who, { id: model.id });
    return {};
  },
};

export const MODEL_PACKAGE_GROUP_OPERATIONS: OperationTable = {
  CreateModelPackageGroup: createGroup,
  DescribeModelPackageGroup: describeGroup,
  ListModelPackageGroups: listGroups,
  DeleteModelPackageGroup: deleteGroup,
};
