/**
 * @module
 * Token scopes: admin implies write, write implies read.
 */
import { fail } from '../errors.ts';
import type { RegistryPrincipal, TokenScope } from './registry-types.ts';

const RANK: Readonly<Record<TokenScope, number>> = { read: 1, write: 2, admin: 3 };

export function hasScope(who: RegistryPrincipal, scope: TokenScope): boolean {
  for (const s of who.scopes) if (RANK[s] >= RANK[scope]) return true;
  return false;
}

/** AccessDenied unless the caller holds `scope`. */
export function requireScope(who: RegistryPrincipal, scope: TokenScope): void {
  if (!hasScope(who, scope)) fail('AccessDenied', `this call needs the "${scope}" scope`);
}

/** Every scope at or below the highest the caller holds. */
export function impliedScopes(scopes: Iterable<TokenScope>): Set<TokenScope> {
  let top = 0;
  for (const s of scopes) top = Math.max(top, RANK[s]);
  return new Set((Object.keys(RANK) as TokenScope[]).filter((s) => RANK[s] <= top));
}
