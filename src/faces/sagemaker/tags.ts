/**
 * @module
 * AddTags, ListTags and DeleteTags on model package groups, model packages,
 * hubs and hub content versions, named by ARN, and the `Tags` member of the
 * Create and Import operations.
 * As on AWS, an ARN that names nothing (or a resource Signet does not tag)
 * is a ValidationException, and ListTags answers every tag in one page: a
 * resource holds at most 50 and MaxResults is at least 50.
 */
import { isSignetError } from '../../core/errors.ts';
import type { Tag, TagOwner } from '../../core/registry/registry-types.ts';
import { parseHubContentArn } from '../../core/registry/hub-content-arn.ts';
import { MAX_TAG_KEY, MAX_TAG_VALUE, MAX_TAGS, TAG_TEXT, validateTags } from '../../core/registry/tags.ts';
import { packageName, parseArn } from './arns.ts';
import type { Operation, OperationContext, OperationTable } from './operation.ts';
import { ENTITY_NAME, type Input, NEXT_TOKEN, type StringRule } from './sagemaker-codec.ts';
import { SageMakerError } from './sagemaker-errors.ts';
import { requireGroup, requirePackage } from './sagemaker-models.ts';

const RESOURCE_ARN: StringRule = { required: true, max: 256 };
const TAG_KEY: StringRule = { required: true, min: 1, max: MAX_TAG_KEY, pattern: TAG_TEXT };
const TAG_VALUE: StringRule = { required: true, max: MAX_TAG_VALUE, pattern: TAG_TEXT };

/** A `Tags` member (a list of `{Key, Value}`), checked by the core's rules too; call before `input.done()`. */
export function readTags(input: Input, required = false): Tag[] | undefined {
  const list = input.objectList('Tags', { required, min: required ? 1 : 0, max: MAX_TAGS });
  return list?.map((t) => ({ key: t.string('Key', TAG_KEY) ?? '', value: t.string('Value', TAG_VALUE) ?? '' }));
}

/** Checks `tags` before a Create changes anything, so tagging after it can fail only as storage fails. */
export function checkNewTags(tags: readonly Tag[] | undefined): void {
  if (tags !== undefined && tags.length > 0) validateTags(tags);
}

/**
 * Tags what a Create just made; if that fails, `undo` removes it again, so
 * a failed Create leaves nothing behind.
 */
export async function tagNew(ctx: OperationContext, owner: TagOwner, tags: readonly Tag[] | undefined, undo: () => Promise<void>): Promise<void> {
  if (tags === undefined || tags.length === 0) return;
  try {
    await ctx.registry.tags.add(ctx.who, owner, tags);
  } catch (e) {
    await undo().catch(() => undefined);
    throw e;
  }
}

function notTaggable(arn: string): never {
  throw new SageMakerError('ValidationException', `Resource ${arn} does not exist or cannot be tagged here.`);
}

/** What a ResourceArn names: a group, a package, a hub or a hub content version that exists. */
async function ownerOf(ctx: OperationContext, arn: string): Promise<TagOwner> {
  const parsed = parseArn(arn);
  if (parsed?.resource === 'model-package-group' && ENTITY_NAME.test(parsed.path)) {
    return { kind: 'model', modelId: (await requireGroup(ctx, parsed.path, true)).id };
  }
  if (parsed?.resource === 'model-package') {
    const { model, version } = await requirePackage(ctx, packageName(arn, 'resourceArn'));
    return { kind: 'version', modelId: model.id, number: version.number };
  }
  if (parsed?.resource === 'hub' && !parsed.path.includes('/')) {
    return existing(arn, async () => ({ kind: 'hub', hubName: (await ctx.registry.hubs.getHub(ctx.who, parsed.path)).name }));
  }
  if (parsed?.resource === 'hub-content') {
    const { hubName, type, name, version } = await existing(arn, async () => parseHubContentArn(arn));
    // Without a version the ARN names every version of the content; tags go on one.
    if (version === null) notTaggable(arn);
    return existing(arn, async () => ({ kind: 'hub-content', contentId: (await ctx.registry.hubs.getContent(ctx.who, hubName, type, name, version)).id }));
  }
  return notTaggable(arn);
}

/** `find()`, with a missing or malformed resource answered as AWS answers it. */
async function existing<T>(arn: string, find: () => Promise<T>): Promise<T> {
  try {
    return await find();
  } catch (e) {
    if (isSignetError(e) && (e.code === 'ResourceNotFound' || e.code === 'InvalidArgument')) notTaggable(arn);
    throw e;
  }
}

const toWire = (tags: readonly Tag[]) => tags.map((t) => ({ Key: t.key, Value: t.value }));

const addTags: Operation = {
  family: 'model-package',
  async run(ctx, input) {
    const arn = input.string('ResourceArn', RESOURCE_ARN)!;
    const tags = readTags(input, true)!;
    input.done();
    await ctx.registry.tags.add(ctx.who, await ownerOf(ctx, arn), tags);
    return { Tags: toWire(tags) };
  },
};

const listTags: Operation = {
  family: 'model-package',
  async run(ctx, input) {
    const arn = input.string('ResourceArn', RESOURCE_ARN)!;
    input.int('MaxResults', { min: 50, max: 100 });
    const token = input.string('NextToken', NEXT_TOKEN);
    input.done();
    if (token !== undefined) throw new SageMakerError('ValidationException', 'The NextToken is not valid: ListTags answers every tag in one page.');
    return { Tags: toWire(await ctx.registry.tags.list(ctx.who, await ownerOf(ctx, arn))) };
  },
};

const deleteTags: Operation = {
  family: 'model-package',
  async run(ctx, input) {
    const arn = input.string('ResourceArn', RESOURCE_ARN)!;
    const keys = input.stringList('TagKeys', { required: true, min: 1, max: MAX_TAGS, item: TAG_KEY })!;
    input.done();
    await ctx.registry.tags.remove(ctx.who, await ownerOf(ctx, arn), keys);
    return {};
  },
};

export const TAG_OPERATIONS: OperationTable = {
  AddTags: addTags,
  ListTags: listTags,
  DeleteTags: deleteTags,
};
