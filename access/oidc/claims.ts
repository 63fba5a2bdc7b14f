import { isRole, type Role } from '../types.ts';
import type { ClaimMapping } from './types.ts';

/**
 * The string values at a dotted path of the claims. Arrays are flattened at every step, so
 * `roles` reads Entra's ["a", "b"] and `nhsid_nrbac_roles.role_code` reads the role_code of each of
 * CIS2's role objects. Anything that is not a string (numbers, objects at the end) is ignored rather
 * than coerced, so a provider's format change maps to nothing instead of to something unexpected.
 */
export function claimValues(claims: Readonly<Record<string, unknown>>, path: string): string[] {
  let current: unknown[] = [claims];
  for (const key of path.split('.')) {
    const next: unknown[] = [];
    for (const item of current) {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) continue;
      const value = (item as Record<string, unknown>)[key];
      if (Array.isArray(value)) next.push(...(value as unknown[]));
      else if (value !== undefined) next.push(value);
    }
    current = next;
  }
  return current.filter((value): value is string => typeof value === 'string');
}

export interface MappedAccess {
  readonly roles: Role[];
  readonly trustCodes: string[];
}

const lookup = <T extends string>(table: Readonly<Record<string, readonly T[]>>, values: readonly string[]): T[] => {
  const found = new Set<T>();
  for (const value of values) {
    // Own keys only: a claim value "constructor" or "__proto__" must not reach Object.prototype.
    if (Object.hasOwn(table, value)) for (const mapped of table[value] ?? []) found.add(mapped);
  }
  return [...found].sort();
};

/** The roles and trust codes a provider's claims give, by the configured mapping; unknown values give nothing. */
export function mapClaims(
  claims: Readonly<Record<string, unknown>>,
  settings: { readonly roleClaim: string; readonly trustClaim: string; readonly mapping: ClaimMapping },
): MappedAccess {
  return {
    roles: lookup(settings.mapping.roles, claimValues(claims, settings.roleClaim)).filter(isRole),
    trustCodes: lookup(settings.mapping.trusts, claimValues(claims, settings.trustClaim)),
  };
}
