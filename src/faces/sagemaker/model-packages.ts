/**
 * @module
 * CreateModelPackage, DescribeModelPackage, BatchDescribeModelPackage,
 * UpdateModelPackage, ListModelPackages, DeleteModelPackage.
 *
 * A package's files are pinned when it is created (it is Completed at once);
 * its ModelLifeCycle is the stage pointer that last moved to it; its
 * CustomerMetadataProperties are the version's metadata.
 */
import type { PackageQuery, PackageRow, RegisterVersionInput } from '../../core/registry/registry-api.ts';
import type { ApprovalStatus, Model, ModelVersion, StageMove, StagePointer } from '../../core/registry/registry-types.ts';
import { APPROVAL_STATUSES } from '../../core/registry/registry-types.ts';
import { packageName } from './arns.ts';
import { fileSourceOf, readInferenceSpecification, specDocument, specOf } from './inference-spec.ts';
import { readGroupName } from './model-package-groups.ts';
import { defined, type Operation, type OperationContext, type OperationTable } from './operation.ts';
import { DEFAULT_PAGE, ENTITY_NAME, epochSeconds, type Input, MAX_RESULTS, NEXT_TOKEN, SORT_ORDERS, type StringRule } from './sagemaker-codec.ts';
import { SageMakerError } from './sagemaker-errors.ts';
import { customerMetadata, findModel, lifeCycleOf, NAMESPACE, requireGroup, requirePackage, type ResolvedPackage } from './sagemaker-models.ts';
import { TAG_TEXT } from '../../core/registry/tags.ts';
import { checkNewTags, readTags, tagNew } from './tags.ts';

// SageMaker's ClientToken pattern.
const CLIENT_TOKEN = /^[a-zA-Z0-9-]+$/;
// CustomerMetadataProperties follow AWS's rules for tags.
const METADATA = { max: 50, key: { min: 1, max: 128, pattern: TAG_TEXT }, value: { max: 256, pattern: TAG_TEXT } } as const;
const APPROVAL: StringRule = { values: APPROVAL_STATUSES };
const PACKAGE_NAME_OR_ARN: StringRule = { required: true, max: 2048 };

// ---------------------------------------------------------------- reading

function readMetadata(input: Input): Record<string, string> | undefined {
  return input.stringMap('CustomerMetadataProperties', METADATA);
}

function readLifeCycle(input: Input): Omit<StageMove, 'to'> | undefined {
  const lc = input.object('ModelLifeCycle');
  if (!lc) return undefined;
  const stage = lc.string('Stage', { required: true, min: 1, max: 63, pattern: ENTITY_NAME })!;
  const status = lc.string('StageStatus', { required: true, min: 1, max: 63, pattern: ENTITY_NAME });
  const description = lc.string('StageDescription', { max: 1024 });
  return defined({ stage, status, description });
}

// ---------------------------------------------------------------- answers

function isVersioned(model: Model): boolean {
  return !model.unversioned;
}

function arnOf(ctx: OperationContext, model: Model, version: ModelVersion): string {
  return isVersioned(model) ? ctx.arns.modelPackage(model.name, version.number) : ctx.arns.modelPackage(model.name);
}

function summary(ctx: OperationContext, { model, version }: ResolvedPackage, stages: readonly StagePointer[]): Record<string, unknown> {
  const versioned = isVersioned(model);
  return {
    ModelPackageName: model.name,
    ModelPackageGroupName: versioned ? model.name : undefined,
    ModelPackageVersion: versioned ? version.number : undefined,
    ModelPackageArn: arnOf(ctx, model, version),
    ModelPackageDescription: version.description || undefined,
    CreationTime: epochSeconds(version.createdAt),
    ModelPackageStatus: version.status,
    ModelApprovalStatus: version.approval,
    ModelLifeCycle: lifeCycleOf(stages, version.number),
  };
}

async function describe(ctx: OperationContext, pkg: ResolvedPackage): Promise<Record<string, unknown>> {
  const stages = await ctx.registry.models.getStages(ctx.who, { id: pkg.model.id });
  const { version } = pkg;
  return {
    ...summary(ctx, pkg, stages),
    InferenceSpecification: specOf(version.document),
    ModelPackageStatusDetails: { ValidationStatuses: [], ImageScanStatuses: [] },
    CertifyForMarketplace: false,
    CreatedBy: { UserProfileName: version.createdBy },
    LastModifiedTime: epochSeconds(version.updatedAt),
    CustomerMetadataProperties: customerMetadata(version.metadata),
    SourceUri: version.sourceUri ?? undefined,
  };
}

// ---------------------------------------------------------------- operations

const createPackage: Operation = {
  family: 'model-package',
  async run(ctx, input) {
    const name = input.string('ModelPackageName', { max: 63, pattern: ENTITY_NAME });
    const group = readGroupName(input, 'ModelPackageGroupName', false);
    const description = input.string('ModelPackageDescription', { max: 1024 });
    const spec = readInferenceSpecification(input);
    const approval = input.string('ModelApprovalStatus', APPROVAL) as ApprovalStatus | undefined;
    const customer = readMetadata(input);
    const stage = readLifeCycle(input);
    const sourceUri = input.string('SourceUri', { max: 1024 });
    const clientToken = input.string('ClientToken', { min: 1, max: 36, pattern: CLIENT_TOKEN });
    const tags = readTags(input);
    input.done();
    if ((name === undefined) === (group === undefined)) {
      throw new SageMakerError('ValidationException', 'Give exactly one of ModelPackageName (an unversioned model package) and ModelPackageGroupName (a versioned one).');
    }
    checkNewTags(tags);
    const source = fileSourceOf(spec?.data ?? []);
    const document = spec ? specDocument(spec.raw) : undefined;
    // The SDKs send a ClientToken with every call and the same one with its retries: a retry answers the package the first call made.
    const fields = defined({ source, description, metadata: customer, approval, stage, sourceUri, document, clientToken });
    if (group) {
      const model = await requireGroup(ctx, group.name, group.fromArn);
      const { version, replayed } = await ctx.registry.models.registerVersion(ctx.who, { id: model.id }, fields);
      const owner = { kind: 'version', modelId: model.id, number: version.number } as const;
      if (!replayed) await tagNew(ctx, owner, tags, () => ctx.registry.models.deleteVersion(ctx.who, { id: model.id }, version.number));
      return { ModelPackageArn: arnOf(ctx, model, version) };
    }
    const { model, replayed } = await createUnversioned(ctx, name!, fields);
    if (!replayed) await tagNew(ctx, { kind: 'version', modelId: model.id, number: 1 }, tags, () => ctx.registry.models.deleteModel(ctx.who, { id: model.id }));
    return { ModelPackageArn: ctx.arns.modelPackage(model.name) };
  },
};

/** The model and its one version; the model goes again if the version cannot be registered. A repeat (same client token) finds them. */
async function createUnversioned(ctx: OperationContext, name: string, fields: RegisterVersionInput): Promise<{ model: Model; replayed: boolean }> {
  const existing = await findModel(ctx, name, false);
  if (existing) {
    const token = existing.unversioned ? fields.clientToken : undefined;
    if (token !== undefined && (await ctx.registry.models.findByClientToken(ctx.who, { id: existing.id }, token))) return { model: existing, replayed: true };
    throw new SageMakerError('ValidationException', `ModelPackage ${ctx.arns.modelPackage(name)} already exists.`);
  }
  const model = await ctx.registry.models.createModel(ctx.who, defined({ namespace: NAMESPACE, name, description: fields.description, unversioned: true }));
  try {
    await ctx.registry.models.registerVersion(ctx.who, { id: model.id }, fields);
  } catch (e) {
    await ctx.registry.models.deleteModel(ctx.who, { id: model.id }).catch(() => undefined);
    throw e;
  }
  return { model, replayed: false };
}

const describePackage: Operation = {
  family: 'model-package',
  async run(ctx, input) {
    const raw = input.string('ModelPackageName', PACKAGE_NAME_OR_ARN)!;
    input.string('IncludedData', { values: ['InferenceSpecification', 'All'] });
    input.done();
    return describe(ctx, await requirePackage(ctx, packageName(raw, 'modelPackageName')));
  },
};

const batchDescribe: Operation = {
  family: 'model-package',
  async run(ctx, input) {
    const list = input.stringList('ModelPackageArnList', { required: true, min: 1, max: 100, item: { min: 1, max: 2048 } })!;
    input.done();
    const found: Record<string, unknown> = {};
    const errors: Record<string, unknown> = {};
    for (const arn of new Set(list)) {
      try {
        const pkg = await requirePackage(ctx, packageName(arn, 'modelPackageArnList'));
        const { ModelPackageName: _name, ModelLifeCycle: _lc, ...rest } = summary(ctx, pkg, []);
        found[arn] = { ...rest, ModelPackageGroupName: pkg.model.name, InferenceSpecification: specOf(pkg.version.document) ?? { Containers: [] } };
      } catch (e) {
        if (!(e instanceof SageMakerError)) throw e;
        errors[arn] = { ErrorCode: e.type, ErrorResponse: e.message };
      }
    }
    return { ModelPackageSummaries: found, BatchDescribeModelPackageErrorMap: errors };
  },
};

const updatePackage: Operation = {
  family: 'model-package',
  async run(ctx, input) {
    const raw = input.string('ModelPackageArn', PACKAGE_NAME_OR_ARN)!;
    const approval = input.string('ModelApprovalStatus', APPROVAL) as ApprovalStatus | undefined;
    input.string('ApprovalDescription', { max: 1024 });
    const add = readMetadata(input);
    const remove = input.stringList('CustomerMetadataPropertiesToRemove', { max: 50, item: { min: 1, max: 128, pattern: TAG_TEXT } });
    const stage = readLifeCycle(input);
    for (const fixed of ['InferenceSpecification', 'AdditionalInferenceSpecificationsToAdd', 'SourceUri']) {
      if (input.raw(fixed) !== undefined) input.violation(fixed, '…', 'Signet keeps a registered model package as it was created');
    }
    input.done();
    const pkg = await requirePackage(ctx, packageName(raw, 'modelPackageArn'));
    if (stage && pkg.version.status !== 'Completed') throw new SageMakerError('ValidationException', `ModelPackage ${arnOf(ctx, pkg.model, pkg.version)} is ${pkg.version.status}.`);
    const ref = { id: pkg.model.id };
    if (approval !== undefined || add !== undefined || remove !== undefined) {
      const metadata = { ...pkg.version.metadata, ...add };
      for (const key of remove ?? []) delete metadata[key];
      if (Object.keys(metadata).length > METADATA.max) throw new SageMakerError('ValidationException', `A model package holds at most ${METADATA.max} CustomerMetadataProperties.`);
      await ctx.registry.models.updateVersion(ctx.who, ref, pkg.version.number, defined({ approval, metadata }));
    }
    if (stage) await ctx.registry.models.moveStages(ctx.who, ref, [{ ...stage, to: pkg.version.number }]);
    return { ModelPackageArn: arnOf(ctx, pkg.model, pkg.version) };
  },
};

const PACKAGE_TYPES: Readonly<Record<string, PackageQuery['type']>> = { Versioned: 'VERSIONED', Unversioned: 'UNVERSIONED', Both: 'BOTH' };

/**
 * ModelPackageType defaults to Unversioned, as the API reference says, except
 * with a ModelPackageGroupName: AWS then lists the group's versions (which
 * scripts rely on), so the default is Versioned.
 */
const listPackages: Operation = {
  family: 'model-package',
  async run(ctx, input) {
    const createdAfter = input.time('CreationTimeAfter');
    const createdBefore = input.time('CreationTimeBefore');
    const limit = input.int('MaxResults', MAX_RESULTS) ?? DEFAULT_PAGE;
    const nameContains = input.string('NameContains', { max: 63, pattern: /^[a-zA-Z0-9-]+$/ });
    const approval = input.string('ModelApprovalStatus', APPROVAL) as ApprovalStatus | undefined;
    const group = readGroupName(input, 'ModelPackageGroupName', false);
    const type = input.string('ModelPackageType', { values: Object.keys(PACKAGE_TYPES) });
    const cursor = input.string('NextToken', NEXT_TOKEN);
    const sortBy = input.string('SortBy', { values: ['Name', 'CreationTime'] }) as PackageQuery['sortBy'];
    const order = input.string('SortOrder', { values: SORT_ORDERS }) as PackageQuery['order'];
    input.done();
    const model = group ? await findModel(ctx, group.name, group.fromArn) : null;
    if (group && (model === null || model.unversioned)) return { ModelPackageSummaryList: [] };
    const query: PackageQuery = defined({
      namespace: NAMESPACE,
      modelName: model?.name,
      nameContains,
      approval,
      createdAfter,
      createdBefore,
      type: PACKAGE_TYPES[type ?? (group ? 'Versioned' : 'Unversioned')],
      sortBy: sortBy ?? 'CreationTime',
      order: order ?? 'Ascending',
      limit,
      cursor,
    });
    const page = await ctx.registry.models.listPackages(ctx.who, query);
    const stages = await stagesOf(ctx, page.items);
    return {
      ModelPackageSummaryList: page.items.map((row) => summary(ctx, row, stages.get(row.model.id) ?? [])),
      NextToken: page.nextCursor ?? undefined,
    };
  },
};

/** The stage pointers of each model on a page, read once per model. */
async function stagesOf(ctx: OperationContext, rows: readonly PackageRow[]): Promise<Map<string, StagePointer[]>> {
  const ids = [...new Set(rows.map((r) => r.model.id))];
  const all = await Promise.all(ids.map((id) => ctx.registry.models.getStages(ctx.who, { id })));
  return new Map(ids.map((id, i) => [id, all[i]!]));
}

const deletePackage: Operation = {
  family: 'model-package',
  async run(ctx, input) {
    const raw = input.string('ModelPackageName', PACKAGE_NAME_OR_ARN)!;
    input.done();
    const { model, version } = await requirePackage(ctx, packageName(raw, 'modelPackageName'));
    if (isVersioned(model)) await ctx.registry.models.deleteVersion(ctx.who, { id: model.id }, version.number);
    else await ctx.registry.models.deleteModel(ctx.who, { id: model.id });
    return {};
  },
};

export const MODEL_PACKAGE_OPERATIONS: OperationTable = {
  CreateModelPackage: createPackage,
  DescribeModelPackage: describePackage,
  BatchDescribeModelPackage: batchDescribe,
  UpdateModelPackage: updatePackage,
  ListModelPackages: listPackages,
  DeleteModelPackage: deletePackage,
};
