import type { KeyObject } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader, type ProtectedHeaderParameters } from 'jose';
import { isPlainObject } from '@coffer/sdk';
import { JwtRefusal } from './jwt-claims.js';

/** The algorithms Vault's jwt method accepts when `jwt_supported_algs` is empty. */
export const DEFAULT_JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA'];
/** Asymmetric algorithms only: an HMAC alg would turn a published public key into a shared secret. */
export const SUPPORTED_JWT_ALGORITHMS = new Set(DEFAULT_JWT_ALGORITHMS);

/** A verification key; `kid` and `alg` come from a JWKS entry and narrow which tokens it may verify. */
export interface VerificationKey {
  key: KeyObject;
  kid?: string;
  alg?: string;
}

/** Finds the keys that may have signed a token with this key id (all of them when it has none). */
export type KeyLookup = (kid: string | undefined) => Promise<readonly VerificationKey[]>;

/**
 * The token's header, checked before any key is looked up: a compact JWS (not a JWE, not
 * unsigned) whose `alg` is one of `algorithms`. Throws JwtRefusal.
 */
export function checkedHeader(token: string, algorithms: readonly string[]): ProtectedHeaderParameters {
  let header: ProtectedHeaderParameters;
  try {
    if (token.split('.').length !== 3) throw new Error('not a compact JWS');
    header = decodeProtectedHeader(token);
  } catch {
    throw new JwtRefusal('error parsing token: malformed JWT');
  }
  if (typeof header.alg !== 'string' || header.alg.toLowerCase() === 'none') {
    throw new JwtRefusal('invalid algorithm (alg) header parameter: token must be signed');
  }
  if (!algorithms.includes(header.alg)) {
    throw new JwtRefusal(`invalid algorithm (alg) header parameter: token signed with unexpected algorithm "${header.alg}"`);
  }
  return header;
}

/**
 * Verifies the signature with the first candidate key that works and returns the claims. A key
 * whose type does not fit the token's `alg` is simply not a candidate. Throws JwtRefusal.
 */
export async function verifySignature(token: string, algorithms: readonly string[], lookup: KeyLookup): Promise<Record<string, unknown>> {
  const header = checkedHeader(token, algorithms);
  const alg = header.alg as string;
  const candidates = (await lookup(header.kid)).filter((k) => k.alg === undefined || k.alg === alg);
  for (const candidate of candidates) {
    try {
      const { payload } = await compactVerify(token, candidate.key, { algorithms: [alg] });
      const claims: unknown = JSON.parse(new TextDecoder().decode(payload));
      if (!isPlainObject(claims)) throw new JwtRefusal('error parsing token: claims are not a JSON object');
      return claims;
    } catch (error) {
      if (error instanceof JwtRefusal) throw error;
      // Not this key: try the next one.
    }
  }
  const which = header.kid === undefined ? 'no configured key' : `no key with kid "${header.kid}"`;
  throw new JwtRefusal(`error verifying token signature: ${which} verifies it`);
}

/** The claims without any verification, for methods that have another party check the token. */
export function unverifiedClaims(token: string): Record<string, unknown> {
  try {
    return decodeJwt(token) as Record<string, unknown>;
  } catch {
    throw new JwtRefusal('error parsing token: malformed JWT');
  }
}
