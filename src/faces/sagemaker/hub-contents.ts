/**
 * @module
 * Hub content: ImportHubContent, DescribeHubContent, ListHubContents,
 * ListHubContentVersions, UpdateHubContent, DeleteHubContent,
 * CreateHubContentReference, DeleteHubContentReference and
 * CreateHubContentPresignedUrls (one signed GET URL per file, valid 15
 * minutes, 100 a page unless MaxResults says otherwise). Content is
 * `Available` as soon as it is imported: its files are pinned then.
 */
import { compareVersions } from '../../core/registry/version-order.ts';
import { HUB_CONTENT_TYPES, type HubContent, type HubContentType } from '../../core/registry/registry-types.ts';
import type { Arns } from './arns.ts';
import { readHubName, SEARCH_KEYWORDS } from './hubs.ts';
import { defined, type Operation, type OperationTable } from './operation.ts';
import { DEFAULT_PAGE, ENTITY_NAME, epochSeconds, HUB_CONTENT_VERSION, type Input, MAX_RESULTS, NEXT_TOKEN, SORT_ORDERS, type StringRule } from './sagemaker-codec.ts';
import { checkNewTags, readTags, tagNew } from './tags.ts';

const CONTENT_NAME: StringRule = { required: true, max: 63, pattern: ENTITY_NAME };
const CONTENT_VERSION: StringRule = { max: 14, pattern: HUB_CONTENT_VERSION };
const CONTENT_TYPE: StringRule = { required: true, values: HUB_CONTENT_TYPES };
const SUPPORT_STATUS: StringRule = { values: ['Supported', 'Deprecated', 'Restricted'] };
const CONTENT_SORT = ['HubContentName', 'CreationTime', 'HubContentStatus'] as const;
/** What CreateHubContentPresignedUrls answers per page unless told (the API reference's default). */
const URLS_PAGE = 100;

function contentInfo(arns: Arns, c: HubContent): Record<string, unknown> {
  return {
    HubContentName: c.name,
    HubContentArn: arns.hubContent(c.hubName, c.type, c.name, c.version),
    SageMakerPublicHubContentArn: c.referenceArn ?? undefined,
    HubContentVersion: c.version,
    HubContentType: c.type,
    DocumentSchemaVersion: c.documentSchemaVersion,
    HubContentDisplayName: c.displayName || undefined,
    HubContentDescription: c.description || undefined,
    SupportStatus: c.supportStatus ?? undefined,
    HubContentSearchKeywords: c.searchKeywords,
    HubContentStatus: 'Available',
    CreationTime: epochSeconds(c.createdAt),
  };
}

function contentArns(arns: Arns, c: HubContent): Record<string, unknown> {
  return { HubArn: arns.hub(c.hubName), HubContentArn: arns.hubContent(c.hubName, c.type, c.name, c.version) };
}

const importHubContent: Operation = {
  family: 'hub',
  async run(ctx, input) {
    const fields = {
      name: input.string('HubContentName', CONTENT_NAME)!,
      version: input.string('HubContentVersion', CONTENT_VERSION),
      type: input.string('HubContentType', CONTENT_TYPE) as HubContentType,
      documentSchemaVersion: input.string('DocumentSchemaVersion', { required: true, max: 14, pattern: HUB_CONTENT_VERSION }),
      hubName: readHubName(input),
      displayName: input.string('HubContentDisplayName', { max: 255 }),
      description: input.string('HubContentDescription', { max: 1023 }),
      markdown: input.string('HubContentMarkdown', { max: 65535 }),
      document: input.string('HubContentDocument', { required: true, max: 65535 })!,
      supportStatus: input.string('SupportStatus', SUPPORT_STATUS),
      searchKeywords: input.stringList('HubContentSearchKeywords', SEARCH_KEYWORDS),
    };
    const tags = readTags(input);
    input.done();
    checkNewTags(tags);
    const content = await ctx.registry.hubs.importContent(ctx.who, defined(fields));
    await tagNew(ctx, { kind: 'hub-content', contentId: content.id }, tags, () => ctx.registry.hubs.deleteContent(ctx.who, content.hubName, content.type, content.name, content.version));
    return contentArns(ctx.arns, content);
  },
};

/** HubName, HubContentType and HubContentName: which content an operation is about. */
function readContent(input: Input): { hubName: string; type: HubContentType; name: string } {
  return {
    hubName: readHubName(input),
    type: input.string('HubContentType', CONTENT_TYPE) as HubContentType,
    name: input.string('HubContentName', CONTENT_NAME)!,
  };
}

const describeHubContent: Operation = {
  family: 'hub',
  async run({ registry, who, arns }, input) {
    const { hubName, type, name } = readContent(input);
    const version = input.string('HubContentVersion', CONTENT_VERSION);
    input.done();
    const c = await registry.hubs.getContent(who, hubName, type, name, version ?? null);
    return {
      ...contentInfo(arns, c),
      HubName: c.hubName,
      HubArn: arns.hub(c.hubName),
      HubContentMarkdown: c.markdown || undefined,
      HubContentDocument: c.document,
      HubContentDependencies: [],
      LastModifiedTime: epochSeconds(c.updatedAt),
    };
  },
};

interface ContentListing {
  readonly hubName: string;
  readonly type: HubContentType;
  readonly query: Record<string, unknown>;
  readonly maxSchemaVersion: string | undefined;
}

/** The members ListHubContents and ListHubContentVersions share. */
function readListing(input: Input): ContentListing {
  const hubName = readHubName(input);
  const type = input.string('HubContentType', CONTENT_TYPE) as HubContentType;
  const maxSchemaVersion = input.string('MaxSchemaVersion', CONTENT_VERSION);
  const sortBy = input.string('SortBy', { values: CONTENT_SORT });
  const query = {
    createdBefore: input.time('CreationTimeBefore'),
    createdAfter: input.time('CreationTimeAfter'),
    // Every content is Available: a sort by status is one by name.
    sortBy: sortBy === undefined || sortBy === 'CreationTime' ? sortBy : 'HubContentName',
    order: input.string('SortOrder', { values: SORT_ORDERS }),
    limit: input.int('MaxResults', MAX_RESULTS) ?? DEFAULT_PAGE,
    cursor: input.string('NextToken', NEXT_TOKEN),
  };
  return { hubName, type, query, maxSchemaVersion };
}

/** The core filters and pages; schema and minimum versions are checked here, so a page may be short (AWS's may too). */
function summaries(arns: Arns, items: readonly HubContent[], keep: (c: HubContent) => boolean, next: string | null): Record<string, unknown> {
  return { HubContentSummaries: items.filter(keep).map((c) => contentInfo(arns, c)), NextToken: next ?? undefined };
}

const listHubContents: Operation = {
  family: 'hub',
  async run({ registry, who, arns }, input) {
    const l = readListing(input);
    const nameContains = input.string('NameContains', { max: 63 });
    input.done();
    const page = await registry.hubs.listContents(who, defined({ hubName: l.hubName, type: l.type, nameContains, ...l.query }));
    return summaries(arns, page.items, (c) => !l.maxSchemaVersion || compareVersions(c.documentSchemaVersion, l.maxSchemaVersion) <= 0, page.nextCursor);
  },
};

const listHubContentVersions: Operation = {
  family: 'hub',
  async run({ registry, who, arns }, input) {
    const l = readListing(input);
    const name = input.string('HubContentName', CONTENT_NAME)!;
    const minVersion = input.string('MinVersion', CONTENT_VERSION);
    input.done();
    const page = await registry.hubs.listContentVersions(who, defined({ hubName: l.hubName, type: l.type, name, ...l.query }));
    const keep = (c: HubContent) =>
      (!l.maxSchemaVersion || compareVersions(c.documentSchemaVersion, l.maxSchemaVersion) <= 0) && (!minVersion || compareVersions(c.version, minVersion) >= 0);
    return summaries(arns, page.items, keep, page.nextCursor);
  },
};

const updateHubContent: Operation = {
  family: 'hub',
  async run({ registry, who, arns }, input) {
    const { hubName, type, name } = readContent(input);
    const version = input.string('HubContentVersion', { ...CONTENT_VERSION, required: true })!;
    const patch = {
      displayName: input.string('HubContentDisplayName', { max: 255 }),
      description: input.string('HubContentDescription', { max: 1023 }),
      markdown: input.string('HubContentMarkdown', { max: 65535 }),
      searchKeywords: input.stringList('HubContentSearchKeywords', SEARCH_KEYWORDS),
      supportStatus: input.string('SupportStatus', SUPPORT_STATUS),
    };
    input.done();
    return contentArns(arns, await registry.hubs.updateContent(who, hubName, type, name, version, defined(patch)));
  },
};

const deleteHubContent: Operation = {
  family: 'hub',
  async run({ registry, who }, input) {
    const { hubName, type, name } = readContent(input);
    const version = input.string('HubContentVersion', { ...CONTENT_VERSION, required: true })!;
    input.done();
    await registry.hubs.deleteContent(who, hubName, type, name, version);
    return {};
  },
};

const createHubContentReference: Operation = {
  family: 'hub',
  async run(ctx, input) {
    const hubName = readHubName(input);
    const sourceArn = input.string('SageMakerPublicHubContentArn', { required: true, max: 255 })!;
    const name = input.string('HubContentName', { max: 63, pattern: ENTITY_NAME });
    const minVersion = input.string('MinVersion', CONTENT_VERSION);
    const tags = readTags(input);
    input.done();
    checkNewTags(tags);
    const reference = await ctx.registry.hubs.createReference(ctx.who, defined({ hubName, sourceArn, name, minVersion }));
    await tagNew(ctx, { kind: 'hub-content', contentId: reference.id }, tags, () => ctx.registry.hubs.deleteReference(ctx.who, reference.hubName, reference.name));
    return contentArns(ctx.arns, reference);
  },
};

const deleteHubContentReference: Operation = {
  family: 'hub',
  async run({ registry, who }, input) {
    const { hubName, name } = readContent(input);
    input.done();
    await registry.hubs.deleteReference(who, hubName, name);
    return {};
  },
};

const createHubContentPresignedUrls: Operation = {
  family: 'hub',
  async run({ registry, who, baseUrl }, input) {
    const { hubName, type, name } = readContent(input);
    const version = input.string('HubContentVersion', CONTENT_VERSION);
    const access = input.object('AccessConfig');
    const acceptEula = access?.bool('AcceptEula');
    const expectedS3Url = access?.string('ExpectedS3Url', { max: 1024 });
    const limit = input.int('MaxResults', MAX_RESULTS) ?? URLS_PAGE;
    const cursor = input.string('NextToken', NEXT_TOKEN);
    input.done();
    const grant = await registry.grants.download(
      who,
      defined({ target: { kind: 'hub-content', hubName, type, name, version: version ?? null }, face: 'sagemaker', acceptEula, expectedS3Url, baseUrl, limit, cursor }),
    );
    return { AuthorizedUrlConfigs: grant.files.map((f) => ({ Url: f.url, LocalPath: f.path })), NextToken: grant.nextCursor ?? undefined };
  },
};

export const HUB_CONTENT_OPERATIONS: OperationTable = {
  ImportHubContent: importHubContent,
  DescribeHubContent: describeHubContent,
  ListHubContents: listHubContents,
  ListHubContentVersions: listHubContentVersions,
  UpdateHubContent: updateHubContent,
  DeleteHubContent: deleteHubContent,
  CreateHubContentReference: createHubContentReference,
  DeleteHubContentReference: deleteHubContentReference,
  CreateHubContentPresignedUrls: createHubContentPresignedUrls,
};
