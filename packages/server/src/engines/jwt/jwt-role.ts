import {
  CofferError,
  emptyTokenParams,
  formatDuration,
  isPlainObject,
  LEGACY_TOKEN_FIELDS,
  parseDurationSeconds,
  TOKEN_FIELDS,
  tokenParamsJson,
  updateTokenParams,
  type Fields,
  type TokenParams,
} from '@coffer/sdk';
import { normalizeList, type BoundClaimsType } from './bound-claims.js';
import type { RoleCodec } from './role-paths.js';

/** A jwt role as stored at `role/<name>`. */
export interface JwtRole {
  roleType: 'jwt';
  boundAudiences: string[];
  boundSubject: string;
  boundClaimsType: BoundClaimsType;
  boundClaims: Record<string, unknown>;
  claimMappings: Record<string, string>;
  userClaim: string;
  userClaimJsonPointer: boolean;
  groupsClaim: string;
  /** Seconds; 0 means cap's default, negative disables (see jwt-claims.ts). */
  expirationLeeway: number;
  notBeforeLeeway: number;
  clockSkewLeeway: number;
  /** Kept for Vault's read-back; the OIDC browser flow they configure does not exist here. */
  oidcScopes: string[];
  allowedRedirectUris: string[];
  token: TokenParams;
}

const FIELDS = {
  role_type: { type: 'string', description: 'Only "jwt": Coffer has no OIDC browser flow.' },
  bound_audiences: { type: 'strings', description: '`aud` values accepted; any one is enough.' },
  bound_subject: { type: 'string', description: 'The value the `sub` claim must have.' },
  bound_claims_type: { type: 'string', description: '"string" (exact) or "glob" (`*` wildcards) matching of bound_claims.' },
  bound_claims: { type: 'map', description: 'Claims (names or JSON pointers) and the values one of which they must have.' },
  claim_mappings: { type: 'string-map', description: 'Claims copied into token metadata: claim → metadata key.' },
  user_claim: { type: 'string', description: 'The claim that names the user (required).' },
  user_claim_json_pointer: { type: 'bool', description: 'Read user_claim as a JSON pointer.' },
  groups_claim: { type: 'string', description: 'The claim that lists the groups; when set, it must be present.' },
  expiration_leeway: { type: 'any', description: 'Lifetime given to tokens without `exp` (default 150 s; -1 for none).' },
  not_before_leeway: { type: 'any', description: 'Validity before `exp` of tokens without `nbf` or `iat` (default 150 s; -1 for none).' },
  clock_skew_leeway: { type: 'any', description: 'Clock skew allowed on exp, nbf and iat (default 60 s; -1 for none).' },
  oidc_scopes: { type: 'strings', description: 'Accepted for compatibility; unused.' },
  allowed_redirect_uris: { type: 'strings', description: 'Accepted for compatibility; unused.' },
  ...TOKEN_FIELDS,
  ...LEGACY_TOKEN_FIELDS,
} as const satisfies Fields;

/** Writes, checks and shows jwt roles with Vault's rules and messages. */
export function jwtRoleCodec(maxLeaseTtl: () => number): RoleCodec<JwtRole> {
  return {
    fields: FIELDS,
    apply(_name, current, fields) {
      const { params: token, warnings } = updateTokenParams(current?.token ?? emptyTokenParams(), fields);
      const role: JwtRole = current
        ? { ...current, token }
        : {
            roleType: 'jwt',
            boundAudiences: [],
            boundSubject: '',
            boundClaimsType: 'string',
            boundClaims: {},
            claimMappings: {},
            userClaim: '',
            userClaimJsonPointer: false,
            groupsClaim: '',
            expirationLeeway: 0,
            notBeforeLeeway: 0,
            clockSkewLeeway: 0,
            oidcScopes: [],
            allowedRedirectUris: [],
            token,
          };
      const given = (name: string) => fields[name] !== undefined && fields[name] !== null;
      if (given('role_type')) {
        const type = fields.role_type as string;
        if (type === 'oidc') throw invalid('role_type "oidc" is not supported: Coffer has no OIDC browser flow; use "jwt"');
        if (type !== 'jwt') throw invalid(`invalid 'role_type': ${type}`);
      }
      if (role.token.period > maxLeaseTtl()) {
        throw invalid(`'period' of '${formatDuration(role.token.period)}' is greater than the backend's maximum lease TTL of '${formatDuration(maxLeaseTtl())}'`);
      }
      for (const name of ['expiration_leeway', 'not_before_leeway', 'clock_skew_leeway'] as const) {
        if (given(name)) role[LEEWAY_KEYS[name]] = signedSeconds(fields[name], name);
      }
      if (given('bound_audiences')) role.boundAudiences = trimmed(fields.bound_audiences as string[]);
      if (given('bound_subject')) role.boundSubject = fields.bound_subject as string;
      if (given('bound_claims_type')) {
        const type = fields.bound_claims_type as string;
        if (type !== 'string' && type !== 'glob') throw invalid(`invalid 'bound_claims_type': ${type}`);
        role.boundClaimsType = type;
      }
      if (given('bound_claims')) role.boundClaims = fields.bound_claims as Record<string, unknown>;
      checkBoundClaims(role);
      if (given('claim_mappings')) role.claimMappings = checkedMappings(fields.claim_mappings as Record<string, string>);
      if (given('user_claim')) role.userClaim = fields.user_claim as string;
      if (role.userClaim === '') throw invalid('a user claim must be defined on the role');
      if (given('user_claim_json_pointer')) role.userClaimJsonPointer = fields.user_claim_json_pointer as boolean;
      if (given('groups_claim')) role.groupsClaim = fields.groups_claim as string;
      if (given('oidc_scopes')) role.oidcScopes = trimmed(fields.oidc_scopes as string[]);
      if (given('allowed_redirect_uris')) role.allowedRedirectUris = trimmed(fields.allowed_redirect_uris as string[]);
      // Without any binding, every token the provider ever signed for anyone would log in.
      if (role.boundAudiences.length === 0 && role.token.boundCidrs.length === 0 && role.boundSubject === '' && Object.keys(role.boundClaims).length === 0) {
        throw invalid('must have at least one bound constraint when creating/updating a role');
      }
      if (role.token.maxTtl > maxLeaseTtl()) {
        warnings.push("token max ttl is greater than the system or backend mount's maximum TTL value; issued tokens' max TTL value will be truncated");
      }
      return { role, warnings };
    },
    json(role) {
      return {
        allowed_redirect_uris: [...role.allowedRedirectUris],
        bound_audiences: [...role.boundAudiences],
        bound_claims: role.boundClaims,
        bound_claims_type: role.boundClaimsType,
        bound_subject: role.boundSubject,
        claim_mappings: role.claimMappings,
        clock_skew_leeway: role.clockSkewLeeway,
        expiration_leeway: role.expirationLeeway,
        groups_claim: role.groupsClaim,
        max_age: 0,
        not_before_leeway: role.notBeforeLeeway,
        oidc_scopes: [...role.oidcScopes],
        role_type: role.roleType,
        user_claim: role.userClaim,
        user_claim_json_pointer: role.userClaimJsonPointer,
        verbose_oidc_logging: false,
        ...tokenParamsJson(role.token),
      };
    },
  };
}

const LEEWAY_KEYS = {
  expiration_leeway: 'expirationLeeway',
  not_before_leeway: 'notBeforeLeeway',
  clock_skew_leeway: 'clockSkewLeeway',
} as const;

/** Vault's TypeSignedDurationSecond: a duration that may be negative (-1 disables a leeway). */
function signedSeconds(raw: unknown, name: string): number {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) throw invalid(`field "${name}" must be a duration`);
    return Math.trunc(raw);
  }
  const text = String(raw).trim();
  return text.startsWith('-') ? -parseDurationSeconds(text.slice(1), `field "${name}"`) : parseDurationSeconds(text, `field "${name}"`);
}

function checkBoundClaims(role: JwtRole): void {
  if (!isPlainObject(role.boundClaims)) throw invalid('bound_claims must be an object');
  if (role.boundClaimsType !== 'glob') return;
  for (const value of Object.values(role.boundClaims)) {
    const values = normalizeList(value);
    if (!values) throw invalid(`claim is not a string or list: ${JSON.stringify(value)}`);
    const bad = values.find((v) => typeof v !== 'string');
    if (bad !== undefined) throw invalid(`claim is not a string: ${JSON.stringify(bad)}`);
  }
}

function checkedMappings(mappings: Record<string, string>): Record<string, string> {
  const targets = new Set<string>();
  for (const target of Object.values(mappings)) {
    if (target === 'role') throw invalid(`metadata key "role" is reserved and may not be a mapping destination`);
    if (targets.has(target)) throw invalid(`multiple keys are mapped to metadata key "${target}"`);
    targets.add(target);
  }
  return { ...mappings };
}

function trimmed(list: readonly string[]): string[] {
  return list.map((s) => s.trim()).filter((s) => s !== '');
}

function invalid(message: string): CofferError {
  return new CofferError('invalid_request', message);
}
