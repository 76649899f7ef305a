/** A token refused for a reason safe to tell the client and to log (never the token itself). */
export class JwtRefusal extends Error {
  override readonly name = 'JwtRefusal';
}

/** What a token's registered claims must satisfy (hashicorp/cap's jwt.Expected). */
export interface ExpectedClaims {
  issuer?: string;
  subject?: string;
  /** Any one of these in `aud` is enough; empty or absent skips the check. */
  audiences?: readonly string[];
  /**
   * Seconds. Only used when the token has no `exp`: it then expires this long after its `nbf` or
   * `iat`. 0 means the default (150), negative means none.
   */
  expirationLeeway?: number;
  /** Seconds. Only used when the token has neither `nbf` nor `iat`: valid from `exp` minus this. Same 0 and negative rules. */
  notBeforeLeeway?: number;
  /** Seconds of clock skew allowed on `exp`, `nbf` and `iat`. 0 means the default (60), negative means none. */
  clockSkewLeeway?: number;
  /** Kubernetes' method accepts tokens without any time claim (legacy secret tokens have none). */
  allowMissingTimes?: boolean;
  now: Date;
}

const DEFAULT_LEEWAY = 150;
const DEFAULT_CLOCK_SKEW = 60;
const REGISTERED = ['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'];

/**
 * Checks a token's claims after its signature, with cap's rules and messages (as Vault's jwt and
 * kubernetes methods use them): issuer, subject and audience when expected; then the time window,
 * filling a missing `exp` or `nbf` from the leeways. Throws JwtRefusal.
 */
export function validateClaims(claims: Record<string, unknown>, expected: ExpectedClaims): void {
  for (const key of Object.keys(claims)) {
    const registered = REGISTERED.find((name) => name !== key && name === key.toLowerCase());
    if (registered) throw new JwtRefusal(`ambiguous claim: key "${key}" collides with registered claim "${registered}" under case folding`);
  }
  if (expected.issuer && claims.iss !== expected.issuer) throw new JwtRefusal('invalid issuer (iss) claim');
  if (expected.subject && claims.sub !== expected.subject) throw new JwtRefusal('invalid subject (sub) claim');
  if (expected.audiences && expected.audiences.length > 0) {
    const aud = audienceClaim(claims);
    if (!expected.audiences.some((want) => aud.includes(want))) {
      throw new JwtRefusal('invalid audience (aud) claim: audience claim does not match any expected audience');
    }
  }

  const iat = numericDate(claims, 'iat');
  let exp = numericDate(claims, 'exp');
  let nbf = numericDate(claims, 'nbf');
  if (iat === 0 && exp === 0 && nbf === 0) {
    if (expected.allowMissingTimes) return;
    throw new JwtRefusal('no issued at (iat), not before (nbf), or expiration time (exp) claims in token');
  }
  if (exp === 0) exp = Math.max(iat, nbf) + leeway(expected.expirationLeeway, DEFAULT_LEEWAY);
  if (nbf === 0) nbf = iat !== 0 ? iat : exp - leeway(expected.notBeforeLeeway, DEFAULT_LEEWAY);

  const skew = leeway(expected.clockSkewLeeway, DEFAULT_CLOCK_SKEW);
  const now = expected.now.getTime() / 1000;
  if (now + skew < nbf) throw new JwtRefusal('invalid not before (nbf) claim: token not yet valid');
  if (now - skew > exp) throw new JwtRefusal('invalid expiration time (exp) claim: token is expired');
  if (iat !== 0 && now + skew < iat) throw new JwtRefusal('invalid issued at (iat) claim: token issued in the future');
}

/** The `aud` claim as a list (it may be one string). */
export function audienceClaim(claims: Record<string, unknown>): string[] {
  const aud = claims.aud;
  if (typeof aud === 'string') return aud === '' ? [] : [aud];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string');
  return [];
}

function numericDate(claims: Record<string, unknown>, name: string): number {
  const value = claims[name];
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new JwtRefusal(`invalid ${name} claim: not a numeric date`);
  return Math.trunc(value);
}

function leeway(configured: number | undefined, fallback: number): number {
  if (configured === undefined || configured === 0) return fallback;
  return configured < 0 ? 0 : configured;
}
