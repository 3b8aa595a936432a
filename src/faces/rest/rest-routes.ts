/**
 * @module
 * Every REST route, in one table (the OpenAPI document lists the same paths;
 * a test holds the two together).
 */
import { AUDIT_ROUTES } from './handlers/audit.ts';
import { GRANT_ROUTES } from './handlers/grants.ts';
import { HUB_ROUTES } from './handlers/hubs.ts';
import { MODEL_ROUTES } from './handlers/models.ts';
import { STAGE_ROUTES } from './handlers/stages.ts';
import { TAG_ROUTES } from './handlers/tags.ts';
import { TOKEN_ROUTES } from './handlers/tokens.ts';
import { VERSION_ROUTES } from './handlers/versions.ts';
import type { Route } from './rest-router.ts';

export const REST_ROUTES: readonly Route[] = [...TOKEN_ROUTES, ...MODEL_ROUTES, ...VERSION_ROUTES, ...STAGE_ROUTES, ...GRANT_ROUTES, ...HUB_ROUTES, ...TAG_ROUTES, ...AUDIT_ROUTES];
