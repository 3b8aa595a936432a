/**
 * @module
 * The REST route table's types and its matcher. A route is a method and a
 * path pattern (`/models/{namespace}/{name}`); the request path is split on
 * `/` while still percent-encoded and each segment decoded afterwards, so a
 * namespace or model name holding `/` travels as one `%2F`-encoded segment.
 */
import { fail } from '../../core/errors.ts';
import type { Registry } from '../../core/registry/registry-api.ts';
import type { RegistryPrincipal } from '../../core/registry/registry-types.ts';
import type { Members, QueryParams } from './json-input.ts';

export interface RestContext {
  readonly registry: Registry;
  readonly who: RegistryPrincipal;
  /** Decoded path parameters, by the names in the route's pattern. */
  readonly params: Readonly<Record<string, string>>;
  /** The query string; unknown parameters are refused. */
  query(allowed: readonly string[]): QueryParams;
  /** The JSON body, one object; unknown members are refused. */
  body(allowed: readonly string[]): Promise<Members>;
  /** Scheme, host and port for minted URLs. */
  readonly baseUrl: string;
  readonly clock: () => Date;
}

export interface Answer {
  readonly status: number;
  /** undefined: no body (204). */
  readonly body?: unknown;
}

export type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface Route {
  readonly method: Method;
  /** Relative to /api/v1, e.g. `/models/{namespace}/{name}`. */
  readonly path: string;
  readonly handler: (c: RestContext) => Promise<Answer>;
}

export interface RouteMatch {
  readonly route: Route;
  readonly params: Record<string, string>;
}

export function ok(body: unknown): Answer {
  return { status: 200, body };
}

export function created(body: unknown): Answer {
  return { status: 201, body };
}

export const NO_CONTENT: Answer = { status: 204 };

/** Splits the raw path (below /api/v1) on `/`, then decodes each segment. */
export function pathSegments(rawSubPath: string): string[] {
  return rawSubPath
    .split('/')
    .slice(1)
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return fail('InvalidArgument', `the path segment "${segment}" is not valid percent-encoding`);
      }
    });
}

function matchPattern(pattern: readonly string[], segments: readonly string[]): Record<string, string> | null {
  if (pattern.length !== segments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]!;
    const s = segments[i]!;
    if (p.startsWith('{')) {
      if (s === '') return null;
      params[p.slice(1, -1)] = s;
    } else if (p !== s) return null;
  }
  return params;
}

/** The first route whose pattern and method match; ResourceNotFound or MethodNotAllowed (with `Allow` in details) otherwise. */
export function matchRoute(routes: readonly Route[], method: string, segments: readonly string[], path: string): RouteMatch {
  const allowed: string[] = [];
  for (const route of routes) {
    const params = matchPattern(route.path.split('/').slice(1), segments);
    if (params === null) continue;
    if (route.method === method) return { route, params };
    allowed.push(route.method);
  }
  if (allowed.length > 0) fail('MethodNotAllowed', `${method} is not allowed on ${path}`, { Allow: [...new Set(allowed)].join(', ') });
  return fail('ResourceNotFound', `no REST resource at ${path} (see /api/v1/openapi.json)`, { Resource: 'route' });
}
