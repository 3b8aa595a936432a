/**
 * @module
 * API tokens and the other ways a caller proves who it is to the registry.
 * A token reads `sgt_<id>_<secret>`: the id finds the record, the secret is
 * checked against its stored SHA-256 in constant time, so the database never
 * holds anything a thief could replay. The system account, which signs every
 * grant URL, can never act on the registry itself.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { fail } from '../errors.ts';
import type { Identity } from '../identity.ts';
import type { Principal, User } from '../types.ts';
import type { MetaStore } from '../../ports/meta-store.ts';
import type { NewTokenInput, TokensService } from './registry-api.ts';
import { TOKEN_SCOPES } from './registry-types.ts';
import type { ApiToken, RegistryPrincipal, TokenScope } from './registry-types.ts';
import { hasScope, impliedScopes, requireScope } from './scopes.ts';
import { SYSTEM_USER } from './system-account.ts';

const PREFIX = 'sgt_';
/** 12 random bytes as hex: no `_`, so the id ends at the first `_`. */
const TOKEN_ID = /^[0-9a-f]{24}$/;
/** 32 random bytes as base64url. */
const TOKEN_SECRET = /^[A-Za-z0-9_-]{43}$/;
const MAX_TOKEN_NAME = 128;
/** Ten years: longer is "never", which is what omitting expiresIn says. */
const MAX_TOKEN_LIFETIME_S = 10 * 365 * 24 * 3600;

export interface TokensDeps {
  readonly meta: MetaStore;
  readonly identity: Identity;
  readonly clock: () => Date;
}

const sha256Hex = (text: string): string => createHash('sha256').update(text, 'utf8').digest('hex');

/** Equality in constant time whatever the lengths: both sides are hashed to 32 bytes first. */
function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a, 'utf8').digest(), createHash('sha256').update(b, 'utf8').digest());
}

function unauthenticated(why = 'invalid or expired token'): never {
  return fail('Unauthenticated', why);
}

export class Tokens implements TokensService {
  readonly #meta: MetaStore;
  readonly #identity: Identity;
  readonly #clock: () => Date;

  constructor(deps: TokensDeps) {
    this.#meta = deps.meta;
    this.#identity = deps.identity;
    this.#clock = deps.clock;
  }

  async create(who: RegistryPrincipal, input: NewTokenInput): Promise<{ token: ApiToken; secret: string }> {
    requireScope(who, 'write');
    const name = checkName(input.name);
    const scopes = checkScopes(who, input.scopes);
    const owner = await this.#owner(who, input.userName);
    const now = this.#clock();
    const id = randomBytes(12).toString('hex');
    const secret = randomBytes(32).toString('base64url');
    const token: ApiToken = {
      id,
      userId: owner.id,
      name,
      scopes,
      secretHash: sha256Hex(secret),
      createdAt: now,
      expiresAt: input.expiresIn === undefined ? null : new Date(now.getTime() + checkLifetime(input.expiresIn) * 1000),
      revokedAt: null,
    };
    await this.#meta.registry.createToken(token);
    await this.#audit(who, 'token.create', token, { name, scopes, user: owner.name, expiresAt: token.expiresAt?.toISOString() ?? null });
    return { token, secret: `${PREFIX}${id}_${secret}` };
  }

  async list(who: RegistryPrincipal, options: { readonly all?: boolean } = {}): Promise<ApiToken[]> {
    requireScope(who, options.all ? 'admin' : 'read');
    return this.#meta.registry.listTokens(options.all ? null : who.userId);
  }

  async revoke(who: RegistryPrincipal, id: string): Promise<ApiToken> {
    requireScope(who, 'write');
    const token = await this.#meta.registry.getToken(id);
    if (!token) fail('ResourceNotFound', `No token ${id}.`, { Resource: 'token' });
    if (token.userId !== who.userId) requireScope(who, 'admin');
    const revoked = await this.#meta.registry.revokeToken(id, this.#clock());
    await this.#audit(who, 'token.revoke', revoked, { name: revoked.name });
    return revoked;
  }

  async authenticateToken(text: string): Promise<RegistryPrincipal> {
    const parsed = parseToken(text) ?? unauthenticated('malformed token');
    const token = await this.#meta.registry.getToken(parsed.id);
    // The hash is compared even for an unknown id, so timing tells nothing about ids.
    const matches = constantTimeEqual(token?.secretHash ?? '', sha256Hex(parsed.secret));
    if (!token || !matches || token.revokedAt !== null) unauthenticated();
    if (token.expiresAt !== null && token.expiresAt.getTime() <= this.#clock().getTime()) unauthenticated('token expired');
    const user = await this.#meta.getUser({ id: token.userId });
    if (!user || user.name === SYSTEM_USER) unauthenticated();
    return {
      userId: user.id,
      userName: user.name,
      isRoot: user.isRoot,
      scopes: impliedScopes(token.scopes),
      via: 'token',
      tokenId: token.id,
    };
  }

  async authenticateBasic(accessKeyId: string, secret: string): Promise<RegistryPrincipal> {
    const found = await this.#identity.lookup(accessKeyId);
    const matches = constantTimeEqual(found?.secretKey ?? '', secret);
    if (!found || !matches) unauthenticated('invalid access key or secret');
    return this.#principal(found.principal, 'basic');
  }

  fromSigned(principal: Principal): RegistryPrincipal {
    return this.#principal(principal, 'sigv4');
  }

  require(who: RegistryPrincipal, scope: TokenScope): void {
    requireScope(who, scope);
  }

  #principal(principal: Principal, via: 'basic' | 'sigv4'): RegistryPrincipal {
    if (principal.userName === SYSTEM_USER) unauthenticated('the system account cannot use the registry');
    return {
      userId: principal.userId,
      userName: principal.userName,
      isRoot: principal.isRoot,
      scopes: impliedScopes(principal.isRoot ? ['admin'] : ['write']),
      via,
      tokenId: null,
    };
  }

  /** The user the token is for: the caller, or (admin only) another user by name. */
  async #owner(who: RegistryPrincipal, userName: string | undefined): Promise<User> {
    if (userName !== undefined && userName !== who.userName) requireScope(who, 'admin');
    const user = await this.#meta.getUser(userName === undefined ? { id: who.userId } : { name: userName });
    if (!user || user.name === SYSTEM_USER) fail('ResourceNotFound', `No user "${userName ?? who.userName}".`, { Resource: 'user' });
    return user;
  }

  async #audit(who: RegistryPrincipal, action: string, token: ApiToken, detail: Record<string, unknown>): Promise<void> {
    await this.#meta.registry.appendAudit({
      at: this.#clock(),
      userId: who.userId,
      userName: who.userName,
      action,
      subject: `token:${token.id}`,
      detail: { ...detail, tokenUserId: token.userId },
    });
  }
}

/** `sgt_<id>_<secret>`, or null when it is not that shape. */
export function parseToken(text: string): { id: string; secret: string } | null {
  if (typeof text !== 'string' || !text.startsWith(PREFIX)) return null;
  const rest = text.slice(PREFIX.length);
  const sep = rest.indexOf('_');
  if (sep < 0) return null;
  const id = rest.slice(0, sep);
  const secret = rest.slice(sep + 1);
  return TOKEN_ID.test(id) && TOKEN_SECRET.test(secret) ? { id, secret } : null;
}

function checkName(name: unknown): string {
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > MAX_TOKEN_NAME) {
    fail('InvalidArgument', `a token name needs 1 to ${MAX_TOKEN_NAME} characters`);
  }
  return name;
}

/** Non-empty, known, and none beyond what the caller holds; stored as the implied set. */
function checkScopes(who: RegistryPrincipal, scopes: readonly TokenScope[]): TokenScope[] {
  if (!Array.isArray(scopes) || scopes.length === 0) fail('InvalidArgument', 'a token needs at least one scope');
  for (const s of scopes) {
    if (!(TOKEN_SCOPES as readonly string[]).includes(s)) fail('InvalidArgument', `unknown scope "${String(s)}" (read, write or admin)`);
    if (!hasScope(who, s)) fail('AccessDenied', `a token cannot have the "${s}" scope its creator lacks`);
  }
  return TOKEN_SCOPES.filter((s) => impliedScopes(scopes).has(s));
}

function checkLifetime(seconds: number): number {
  if (!Number.isSafeInteger(seconds) || seconds < 1 || seconds > MAX_TOKEN_LIFETIME_S) {
    fail('InvalidArgument', `expiresIn must be a whole number of seconds from 1 to ${MAX_TOKEN_LIFETIME_S}`);
  }
  return seconds;
}
