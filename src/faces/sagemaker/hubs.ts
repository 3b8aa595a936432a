/**
 * @module
 * CreateHub, DescribeHub, ListHubs, UpdateHub, DeleteHub. Hubs are always
 * `InService`: Signet creates and deletes them synchronously.
 */
import type { Hub } from '../../core/registry/registry-types.ts';
import { nameOrArn, type Arns } from './arns.ts';
import { DEFAULT_PAGE, ENTITY_NAME, epochSeconds, type Input, MAX_RESULTS, NEXT_TOKEN, SORT_ORDERS, type StringRule } from './sagemaker-codec.ts';
import { defined, type Operation, type OperationTable } from './operation.ts';
import { checkNewTags, readTags, tagNew } from './tags.ts';

const HUB_NAME: StringRule = { required: true, max: 63, pattern: ENTITY_NAME };
const HUB_NAME_OR_ARN: StringRule = { required: true, max: 255 };
const DESCRIPTION: StringRule = { max: 1023 };
const DISPLAY_NAME: StringRule = { max: 255 };
export const SEARCH_KEYWORDS = { max: 50, item: { max: 255, pattern: /^[^A-Z]*$/ } } as const;
const HUB_SORT = ['HubName', 'CreationTime', 'HubStatus', 'AccountIdOwner'] as const;

/** The hub a HubName member (a name or a hub ARN) names; call before `input.done()`. */
export function readHubName(input: Input, member = 'HubName'): string {
  const raw = input.string(member, HUB_NAME_OR_ARN);
  if (raw === undefined) return '';
  const { name } = nameOrArn(raw, 'hub', member.charAt(0).toLowerCase() + member.slice(1));
  if (!ENTITY_NAME.test(name)) input.violation(member, name, `Member must satisfy regular expression pattern: ${ENTITY_NAME.source}`);
  return name;
}

function hubInfo(arns: Arns, hub: Hub): Record<string, unknown> {
  return {
    HubName: hub.name,
    HubArn: arns.hub(hub.name),
    HubDisplayName: hub.displayName || undefined,
    HubDescription: hub.description || undefined,
    HubSearchKeywords: hub.searchKeywords,
    HubStatus: 'InService',
    CreationTime: epochSeconds(hub.createdAt),
    LastModifiedTime: epochSeconds(hub.updatedAt),
  };
}

const createHub: Operation = {
  family: 'hub',
  async run(ctx, input) {
    const name = input.string('HubName', HUB_NAME)!;
    const description = input.string('HubDescription', { ...DESCRIPTION, required: true });
    const displayName = input.string('HubDisplayName', DISPLAY_NAME);
    const searchKeywords = input.stringList('HubSearchKeywords', SEARCH_KEYWORDS);
    input.object('S3StorageConfig')?.string('S3OutputPath', { max: 1024 });
    const tags = readTags(input);
    input.done();
    checkNewTags(tags);
    const hub = await ctx.registry.hubs.createHub(ctx.who, defined({ name, description, displayName, searchKeywords }));
    await tagNew(ctx, { kind: 'hub', hubName: hub.name }, tags, () => ctx.registry.hubs.deleteHub(ctx.who, hub.name));
    return { HubArn: ctx.arns.hub(hub.name) };
  },
};

const describeHub: Operation = {
  family: 'hub',
  async run({ registry, who, arns }, input) {
    const name = readHubName(input);
    input.done();
    return hubInfo(arns, await registry.hubs.getHub(who, name));
  },
};

const listHubs: Operation = {
  family: 'hub',
  async run({ registry, who, arns }, input) {
    const nameContains = input.string('NameContains', { max: 63 });
    const createdBefore = input.time('CreationTimeBefore');
    const createdAfter = input.time('CreationTimeAfter');
    const modifiedBefore = input.time('LastModifiedTimeBefore');
    const modifiedAfter = input.time('LastModifiedTimeAfter');
    const sortBy = input.string('SortBy', { values: HUB_SORT });
    const order = input.string('SortOrder', { values: SORT_ORDERS }) as 'Ascending' | 'Descending' | undefined;
    const limit = input.int('MaxResults', MAX_RESULTS) ?? DEFAULT_PAGE;
    const cursor = input.string('NextToken', NEXT_TOKEN);
    input.done();
    // Every hub is InService in this one account: those sorts are by name.
    const by = sortBy === undefined || sortBy === 'CreationTime' ? sortBy : 'HubName';
    const page = await registry.hubs.listHubs(who, defined({ nameContains, createdBefore, createdAfter, sortBy: by, order, limit, cursor }));
    // The core has no modification-time filter; a page may come back shorter, as AWS's may.
    const kept = page.items.filter((h) => (!modifiedBefore || h.updatedAt < modifiedBefore) && (!modifiedAfter || h.updatedAt > modifiedAfter));
    return { HubSummaries: kept.map((h) => hubInfo(arns, h)), NextToken: page.nextCursor ?? undefined };
  },
};

const updateHub: Operation = {
  family: 'hub',
  async run({ registry, who, arns }, input) {
    const name = readHubName(input);
    const description = input.string('HubDescription', DESCRIPTION);
    const displayName = input.string('HubDisplayName', DISPLAY_NAME);
    const searchKeywords = input.stringList('HubSearchKeywords', SEARCH_KEYWORDS);
    input.done();
    const hub = await registry.hubs.updateHub(who, name, defined({ description, displayName, searchKeywords }));
    return { HubArn: arns.hub(hub.name) };
  },
};

const deleteHub: Operation = {
  family: 'hub',
  async run({ registry, who }, input) {
    const name = readHubName(input);
    input.done();
    await registry.hubs.deleteHub(who, name);
    return {};
  },
};

export const HUB_OPERATIONS: OperationTable = {
  CreateHub: createHub,
  DescribeHub: describeHub,
  ListHubs: listHubs,
  UpdateHub: updateHub,
  DeleteHub: deleteHub,
};
