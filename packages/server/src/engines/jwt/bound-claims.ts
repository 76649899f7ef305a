import { isPlainObject } from '@coffer/sdk';
import { globMatches } from './glob.js';
import { JwtRefusal } from './jwt-claims.js';

export type BoundClaimsType = 'string' | 'glob';

/**
 * A claim by name, or by JSON pointer when the name starts with `/` (`/groups/0`, `/a~1b`), as
 * Vault's getClaim. Numbers come back as integers (Vault turns JSON floats into integer strings).
 */
export function getClaim(claims: Record<string, unknown>, name: string): unknown {
  let value: unknown;
  if (!name.startsWith('/')) value = claims[name];
  else {
    value = claims;
    for (const raw of name.slice(1).split('/')) {
      const token = raw.replaceAll('~1', '/').replaceAll('~0', '~');
      if (Array.isArray(value) && /^\d+$/.test(token)) value = value[Number(token)];
      else if (isPlainObject(value) && Object.hasOwn(value, token)) value = value[token];
      else return undefined;
    }
  }
  return typeof value === 'number' ? Math.trunc(value) : value;
}

/** A claim value as a list of scalars (Vault's normalizeList): undefined when it is not one. */
export function normalizeList(value: unknown): unknown[] | undefined {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') return [value];
  return undefined;
}

/**
 * Every bound claim must be present and share at least one value with the token's claim: exact
 * (same type and value) or, with `glob`, a `*` pattern matching a string value. Throws JwtRefusal
 * with Vault's messages.
 */
export function validateBoundClaims(type: BoundClaimsType, bound: Record<string, unknown>, claims: Record<string, unknown>): void {
  for (const [name, expected] of Object.entries(bound)) {
    const actual = getClaim(claims, name);
    if (actual === undefined || actual === null) throw new JwtRefusal(`claim "${name}" is missing`);
    const actualValues = normalizeList(actual);
    if (!actualValues) throw new JwtRefusal(`received claim is not a string, bool, int or list: ${JSON.stringify(actual)}`);
    const expectedValues = normalizeList(expected);
    if (!expectedValues) throw new JwtRefusal(`bound claim is not a string, bool, int or list: ${JSON.stringify(expected)}`);
    const found = expectedValues.some((want) =>
      actualValues.some((got) =>
        type === 'glob' ? typeof want === 'string' && typeof got === 'string' && globMatches(want, got) : got === want,
      ),
    );
    if (!found) throw new JwtRefusal(`claim "${name}" does not match any associated bound claim values`);
  }
}

/** Token metadata from `claim_mappings` (claim → metadata key); mapped claims must be strings when present. */
export function extractMetadata(claims: Record<string, unknown>, mappings: Record<string, string>): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [source, target] of Object.entries(mappings)) {
    const value = getClaim(claims, source);
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new JwtRefusal(`error converting claim '${source}' to string`);
    metadata[target] = value;
  }
  return metadata;
}
