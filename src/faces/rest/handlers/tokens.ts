/**
 * @module
 * REST: API tokens (create → the token string once; list; revoke) and `/me`.
 */
import { fail } from '../../../core/errors.ts';
import { TOKEN_SCOPES, type TokenScope } from '../../../core/registry/registry-types.ts';
import { principalJson, tokenJson } from '../rest-json.ts';
import { created, ok, type RestContext, type Route } from '../rest-router.ts';
import { defined } from './common.ts';

async function createToken(c: RestContext) {
  const b = await c.body(['name', 'scopes', 'expiresIn', 'userName']);
  const scopes = b.stringArray('scopes');
  if (scopes === undefined) fail('InvalidArgument', '"scopes" is required');
  for (const s of scopes) if (!(TOKEN_SCOPES as readonly string[]).includes(s)) fail('InvalidArgument', `"scopes" must hold only ${TOKEN_SCOPES.join(', ')}`);
  const input = defined({
    name: b.requiredString('name'),
    scopes: scopes as TokenScope[],
    expiresIn: b.integer('expiresIn', 1),
    userName: b.string('userName'),
  });
  const { token, secret } = await c.registry.tokens.create(c.who, input);
  return created({ ...tokenJson(token), token: secret });
}

async function listTokens(c: RestContext) {
  const all = c.query(['all']).boolean('all');
  const tokens = await c.registry.tokens.list(c.who, all === undefined ? {} : { all });
  return ok({ items: tokens.map(tokenJson), nextCursor: null });
}

async function revokeToken(c: RestContext) {
  c.query([]);
  return ok(tokenJson(await c.registry.tokens.revoke(c.who, c.params.tokenId!)));
}

async function me(c: RestContext) {
  c.query([]);
  return ok(principalJson(c.who));
}

export const TOKEN_ROUTES: readonly Route[] = [
  { method: 'GET', path: '/me', handler: me },
  { method: 'POST', path: '/tokens', handler: createToken },
  { method: 'GET', path: '/tokens', handler: listTokens },
  { method: 'DELETE', path: '/tokens/{tokenId}', handler: revokeToken },
];
