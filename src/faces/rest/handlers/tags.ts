/**
 * @module
 * REST: tags on models, versions, hubs and hub content versions, with the
 * rules of the SageMaker face's AddTags (`core/registry/tags.ts`). A tag set
 * travels as one object, key to value, in key order: `{"tags": {...}}`.
 * POST adds or replaces the keys it names; DELETE removes one key (and
 * answers 204 whether or not it was there).
 */
import { fail } from '../../../core/errors.ts';
import type { Tag, TagOwner } from '../../../core/registry/registry-types.ts';
import { NO_CONTENT, ok, type RestContext, type Route } from '../rest-router.ts';
import { contentType, modelRef, selectorOf } from './common.ts';

type OwnerOf = (c: RestContext) => Promise<TagOwner>;

const ofModel: OwnerOf = async (c) => ({ kind: 'model', modelId: (await c.registry.models.getModel(c.who, modelRef(c))).id });

const ofVersion: OwnerOf = async (c) => {
  const version = await c.registry.models.getVersion(c.who, modelRef(c), selectorOf(c.params.version!));
  return { kind: 'version', modelId: version.modelId, number: version.number };
};

const ofHub: OwnerOf = async (c) => ({ kind: 'hub', hubName: (await c.registry.hubs.getHub(c.who, c.params.hub!)).name });

const ofContentVersion: OwnerOf = async (c) => {
  const content = await c.registry.hubs.getContent(c.who, c.params.hub!, contentType(c), c.params.content!, c.params.contentVersion!);
  return { kind: 'hub-content', contentId: content.id };
};

const tagsJson = (tags: readonly Tag[]) => ({ tags: Object.fromEntries(tags.map((t) => [t.key, t.value])) });

function tagRoutes(base: string, ownerOf: OwnerOf): Route[] {
  return [
    {
      method: 'GET',
      path: `${base}/tags`,
      handler: async (c) => {
        c.query([]);
        return ok(tagsJson(await c.registry.tags.list(c.who, await ownerOf(c))));
      },
    },
    {
      method: 'POST',
      path: `${base}/tags`,
      handler: async (c) => {
        const given = (await c.body(['tags'])).stringMap('tags');
        if (given === undefined) fail('InvalidArgument', '"tags" is required');
        const tags = Object.entries(given).map(([key, value]) => ({ key, value }));
        return ok(tagsJson(await c.registry.tags.add(c.who, await ownerOf(c), tags)));
      },
    },
    {
      method: 'DELETE',
      path: `${base}/tags/{tagKey}`,
      handler: async (c) => {
        c.query([]);
        await c.registry.tags.remove(c.who, await ownerOf(c), [c.params.tagKey!]);
        return NO_CONTENT;
      },
    },
  ];
}

const MODEL = '/models/{namespace}/{name}';
const VERSION = `${MODEL}/versions/{version}`;
const HUB = '/hubs/{hub}';
const CONTENT_VERSION = `${HUB}/contents/{type}/{content}/versions/{contentVersion}`;

export const TAG_ROUTES: readonly Route[] = [
  ...tagRoutes(MODEL, ofModel),
  ...tagRoutes(VERSION, ofVersion),
  ...tagRoutes(HUB, ofHub),
  ...tagRoutes(CONTENT_VERSION, ofContentVersion),
];
