import { addressInCidrBlocks, CofferError, definePath, grantFrom, type EngineDeps, type PathDef } from '@coffer/sdk';
import { extractMetadata, getClaim, normalizeList, validateBoundClaims } from './bound-claims.js';
import type { JwtConfig } from './jwt-config.js';
import { audienceClaim, JwtRefusal, validateClaims } from './jwt-claims.js';
import type { JwtRole } from './jwt-role.js';
import type { JwtVerifier } from './jwt-verifier.js';
import { KeySetUnavailable } from './remote-key-set.js';
import type { RoleStore } from './role-paths.js';

/** The engine's current config and the verifier made from it. */
export type CurrentConfig = () => Promise<{ config: JwtConfig; verifier: JwtVerifier } | undefined>;

/**
 * `login` (unauthenticated) `{role, jwt}`: the token's signature, registered claims, audience,
 * user claim, groups claim and bound claims, in Vault's order and with its messages. Refusals are
 * 400 with the reason, as Vault answers, and the reason is logged (never the token).
 */
export function loginPath(store: RoleStore<JwtRole>, current: CurrentConfig, deps: EngineDeps, displayPrefix: string): PathDef {
  const refuse = (roleName: string, reason: string, code: 'invalid_request' | 'permission_denied' = 'invalid_request'): never => {
    deps.logger.info({ role: roleName, reason }, 'jwt login refused');
    throw new CofferError(code, code === 'permission_denied' ? 'permission denied' : reason);
  };

  return definePath({
    pattern: 'login',
    fields: {
      role: { type: 'string', description: 'The role to log in against (default: the config’s default_role).' },
      jwt: { type: 'string', sensitive: true, description: 'The signed JWT.' },
    },
    summary: 'Issue a token for a signed JWT.',
    operations: {
      update: async (req) => {
        const loaded = await current();
        if (!loaded) throw new CofferError('invalid_request', 'could not load configuration');
        const { config, verifier } = loaded;
        const roleName = (req.fields.role ?? '').trim().toLowerCase() || config.defaultRole;
        if (roleName === '') throw new CofferError('invalid_request', 'missing role');
        const role = await store.get(roleName);
        if (!role) throw new CofferError('invalid_request', `role "${roleName}" could not be found`);
        const token = (req.fields.jwt ?? '').trim();
        if (token === '') throw new CofferError('invalid_request', 'missing token');
        if (role.token.boundCidrs.length > 0 && !addressInCidrBlocks(req.remoteAddress ?? '', role.token.boundCidrs)) {
          refuse(roleName, `source address "${req.remoteAddress ?? ''}" is outside the role's token_bound_cidrs`, 'permission_denied');
        }

        let claims: Record<string, unknown>;
        try {
          claims = await verifier.verify(token);
          validateClaims(claims, {
            issuer: config.boundIssuer,
            subject: role.boundSubject,
            audiences: role.boundAudiences,
            expirationLeeway: role.expirationLeeway,
            notBeforeLeeway: role.notBeforeLeeway,
            clockSkewLeeway: role.clockSkewLeeway,
            now: deps.system.now(),
          });
        } catch (error) {
          if (error instanceof KeySetUnavailable) {
            deps.logger.warn({ role: roleName, reason: error.message }, 'jwt login failed: identity provider keys unavailable');
            throw new CofferError('upstream', `error validating token: ${error.message}`, { retryable: true });
          }
          if (error instanceof JwtRefusal) return refuse(roleName, `error validating token: ${error.message}`);
          throw error;
        }

        if (role.boundAudiences.length === 0 && audienceClaim(claims).length > 0) {
          refuse(roleName, 'audience claim found in JWT but no audiences bound to the role');
        }
        const userName = identity(claims, role, roleName, refuse);
        try {
          validateBoundClaims(role.boundClaimsType, role.boundClaims, claims);
        } catch (error) {
          if (error instanceof JwtRefusal) refuse(roleName, `error validating claims: ${error.message}`);
          throw error;
        }
        return {
          auth: grantFrom(role.token, {
            displayName: `${displayPrefix}-${userName}`,
            metadata: { ...mappedMetadata(claims, role, roleName, refuse), role: roleName },
            internal: { role: roleName },
          }),
        };
      },
    },
  });
}

type Refuse = (roleName: string, reason: string) => never;

/** The user claim (the alias name in Vault) and, when configured, a well-formed groups claim. */
function identity(claims: Record<string, unknown>, role: JwtRole, roleName: string, refuse: Refuse): string {
  const raw = role.userClaimJsonPointer ? getClaim(claims, role.userClaim) : claims[role.userClaim];
  if (raw === undefined || raw === null) refuse(roleName, `claim "${role.userClaim}" not found in token`);
  if (typeof raw !== 'string') return refuse(roleName, `claim "${role.userClaim}" could not be converted to string`);
  if (role.groupsClaim !== '') {
    const groups = getClaim(claims, role.groupsClaim);
    if (groups === undefined || groups === null) refuse(roleName, `failed to fetch groups: "${role.groupsClaim}" claim not found in token`);
    const list = normalizeList(groups);
    if (!list) refuse(roleName, `"${role.groupsClaim}" claim could not be converted to string list`);
    const bad = list?.find((g) => typeof g !== 'string');
    if (bad !== undefined) refuse(roleName, `value ${JSON.stringify(bad)} in groups claim could not be parsed as string`);
  }
  return raw;
}

function mappedMetadata(claims: Record<string, unknown>, role: JwtRole, roleName: string, refuse: Refuse): Record<string, string> {
  try {
    return extractMetadata(claims, role.claimMappings);
  } catch (error) {
    if (error instanceof JwtRefusal) refuse(roleName, error.message);
    throw error;
  }
}
