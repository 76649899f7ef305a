import { CofferError, definePath, type AuthGrant, type LogicalRequest, type PathDef } from '@coffer/sdk';
import type { TokenEngineContext } from './token-engine.js';
import { rolePolicies, type TokenRole, type TokenRoleStore } from './token-roles.js';

const createFields = {
  policies: { type: 'strings' },
  meta: { type: 'string-map' },
  no_parent: { type: 'bool' },
  no_default_policy: { type: 'bool' },
  renewable: { type: 'bool' },
  ttl: { type: 'duration' },
  lease: { type: 'duration' },
  explicit_max_ttl: { type: 'duration' },
  display_name: { type: 'string' },
  num_uses: { type: 'int' },
  period: { type: 'duration' },
  type: { type: 'string' },
  id: { type: 'string' },
  entity_alias: { type: 'string' },
} as const;

/** auth/token/create, create-orphan and create/<role>. */
export function createPaths(ctx: TokenEngineContext, roles: TokenRoleStore): PathDef[] {
  const create = (orphan: boolean) => async (req: LogicalRequest<typeof createFields>) => {
    const f = req.fields;
    const parent = await ctx.caller(req);
    const parentIsRoot = parent.policies.includes('root');
    if (f.type !== undefined && f.type !== '' && f.type !== 'service' && f.type !== 'default') {
      throw new CofferError('invalid_request', `token type "${f.type}" is not supported; only service tokens are`);
    }
    if (f.entity_alias) throw new CofferError('invalid_request', 'entity_alias is not supported yet');
    if (f.no_parent && !orphan && !parentIsRoot) {
      throw new CofferError('invalid_request', 'root or sudo privileges required to create orphan token');
    }
    if (f.id !== undefined && !parentIsRoot) throw new CofferError('invalid_request', 'root or sudo privileges required to specify token id');
    if (f.num_uses !== undefined && f.num_uses < 0) throw new CofferError('invalid_request', 'number of uses cannot be negative');
    const requested = f.policies?.filter((p) => p !== '').map((p) => p.trim().toLowerCase());
    // Without policies the child inherits the parent's (minus default when asked), as in Vault.
    const policies = requested?.length ? requested : parent.policies.filter((p) => !(f.no_default_policy && p === 'default'));
    if (!parentIsRoot) {
      const missing = policies.filter((p) => p !== 'default' && !parent.policies.includes(p));
      if (missing.length) {
        throw new CofferError('invalid_request', `child policies must be subset of parent: missing ${missing.join(', ')}`);
      }
      if (policies.includes('root')) throw new CofferError('invalid_request', 'root tokens may not be created by non-root tokens');
    }
    const ttl = f.ttl ?? f.lease;
    if (f.id !== undefined && !/^[\x21-\x7e]{1,256}$/.test(f.id)) {
      throw new CofferError('invalid_request', 'token id must be 1 to 256 printable characters');
    }
    return {
      auth: {
        policies,
        displayName: f.display_name ? `token-${f.display_name}` : 'token',
        metadata: f.meta ?? {},
        ...(ttl !== undefined ? { ttl } : {}),
        ...(f.explicit_max_ttl !== undefined ? { explicitMaxTtl: f.explicit_max_ttl } : {}),
        ...(f.period !== undefined ? { period: f.period } : {}),
        ...(f.renewable !== undefined ? { renewable: f.renewable } : {}),
        ...(f.num_uses !== undefined ? { numUses: f.num_uses } : {}),
        ...(f.no_default_policy !== undefined ? { noDefaultPolicy: f.no_default_policy } : {}),
        ...(f.id !== undefined ? { id: f.id } : {}),
        orphan: orphan || (f.no_parent ?? false),
      },
    };
  };
  const createWithRole = async (req: LogicalRequest<typeof createFields & { role_name: { type: 'string'; required: true } }>) => {
    const role = await roles.get(req.fields.role_name as string);
    if (!role) throw new CofferError('invalid_request', `unknown role ${req.fields.role_name}`);
    const parent = await ctx.caller(req);
    return { auth: roleGrant(role, req.fields, parent.policies) };
  };
  return [
    definePath({ pattern: 'create', fields: createFields, operations: { update: create(false) } }),
    definePath({ pattern: 'create-orphan', fields: createFields, operations: { update: create(true) } }),
    definePath({
      pattern: 'create/(?<role_name>[^/]+)',
      fields: { ...createFields, role_name: { type: 'string', required: true } },
      operations: { update: createWithRole },
    }),
  ];
}

type CreateValues = LogicalRequest<typeof createFields>['fields'];

/** What a token created through a role gets: the role's bounds win over the request's. */
function roleGrant(role: TokenRole, f: CreateValues, parentPolicies: string[]): AuthGrant {
  if (f.num_uses !== undefined && f.num_uses < 0) throw new CofferError('invalid_request', 'number of uses cannot be negative');
  const policies = rolePolicies(role, f.policies ?? [], parentPolicies);
  const defaultRefused = role.disallowedPolicies.includes('default');
  const explicit = [role.token.explicitMaxTtl, f.explicit_max_ttl ?? 0].filter((v) => v > 0);
  const ttl = f.ttl ?? f.lease ?? role.token.ttl;
  const period = role.token.period || f.period;
  const numUses = role.token.numUses || f.num_uses;
  return {
    policies,
    displayName: f.display_name ? `token-${f.display_name}` : 'token',
    metadata: f.meta ?? {},
    ...(ttl ? { ttl } : {}),
    ...(role.token.maxTtl ? { maxTtl: role.token.maxTtl } : {}),
    ...(explicit.length ? { explicitMaxTtl: Math.min(...explicit) } : {}),
    ...(period ? { period } : {}),
    ...(numUses ? { numUses } : {}),
    renewable: role.renewable && (f.renewable ?? true),
    noDefaultPolicy: defaultRefused || role.token.noDefaultPolicy || (f.no_default_policy ?? false),
    ...(role.token.boundCidrs.length ? { boundCidrs: role.token.boundCidrs } : {}),
    orphan: role.orphan,
    role: role.name,
  };
}
