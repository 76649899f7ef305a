import {
  CofferError,
  updateTokenParams,
  emptyTokenParams,
  sanitizePolicies,
  type Storage,
  type TokenParams,
} from '@coffer/sdk';
import { decodeJson, encodeJson } from '../../util/json-codec.js';

/** A token role (`auth/token/roles/<name>`): what tokens created through it may be. */
export interface TokenRole {
  name: string;
  allowedPolicies: string[];
  disallowedPolicies: string[];
  allowedPoliciesGlob: string[];
  disallowedPoliciesGlob: string[];
  orphan: boolean;
  renewable: boolean;
  pathSuffix: string;
  token: TokenParams;
}

export const ROLE_FIELDS = {
  role_name: { type: 'string', required: true },
  allowed_policies: { type: 'strings' },
  disallowed_policies: { type: 'strings' },
  allowed_policies_glob: { type: 'strings' },
  disallowed_policies_glob: { type: 'strings' },
  orphan: { type: 'bool' },
  renewable: { type: 'bool' },
  path_suffix: { type: 'string' },
  token_policies: { type: 'strings' },
  token_ttl: { type: 'any' },
  token_max_ttl: { type: 'any' },
  token_explicit_max_ttl: { type: 'any' },
  explicit_max_ttl: { type: 'any' },
  token_period: { type: 'any' },
  period: { type: 'any' },
  token_num_uses: { type: 'int' },
  token_no_default_policy: { type: 'bool' },
  token_bound_cidrs: { type: 'strings' },
  bound_cidrs: { type: 'strings' },
  token_type: { type: 'string' },
} as const;

const PREFIX = 'roles/';

export class TokenRoleStore {
  readonly #storage: Storage;

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  async get(name: string): Promise<TokenRole | undefined> {
    const raw = await this.#storage.get(PREFIX + normaliseRoleName(name));
    return raw ? (decodeJson(raw, 'token role') as unknown as TokenRole) : undefined;
  }

  async list(): Promise<string[]> {
    return (await this.#storage.list(PREFIX)).filter((n) => !n.endsWith('/'));
  }

  /** Creates or updates a role from request fields; returns warnings. */
  async write(name: string, fields: Record<string, unknown>): Promise<string[]> {
    const roleName = normaliseRoleName(name);
    const current = (await this.get(roleName)) ?? newRole(roleName);
    const upgraded = { ...fields };
    // Token roles' older names: explicit_max_ttl and period and bound_cidrs.
    if (upgraded.token_explicit_max_ttl === undefined && upgraded.explicit_max_ttl !== undefined) {
      upgraded.token_explicit_max_ttl = upgraded.explicit_max_ttl;
    }
    const { params, warnings } = updateTokenParams(current.token, upgraded);
    const list = (key: string, fallback: string[]) =>
      fields[key] !== undefined ? sanitizePolicies(fields[key] as string[]).filter((p) => p !== 'root' || key.startsWith('dis')) : fallback;
    if (typeof fields.path_suffix === 'string' && fields.path_suffix.split('/').some((s) => s === '..')) {
      throw new CofferError('invalid_request', 'path_suffix cannot contain ".."');
    }
    const role: TokenRole = {
      name: roleName,
      allowedPolicies: list('allowed_policies', current.allowedPolicies),
      disallowedPolicies: list('disallowed_policies', current.disallowedPolicies),
      allowedPoliciesGlob: list('allowed_policies_glob', current.allowedPoliciesGlob),
      disallowedPoliciesGlob: list('disallowed_policies_glob', current.disallowedPoliciesGlob),
      orphan: (fields.orphan as boolean | undefined) ?? current.orphan,
      renewable: (fields.renewable as boolean | undefined) ?? current.renewable,
      pathSuffix: (fields.path_suffix as string | undefined) ?? current.pathSuffix,
      token: params,
    };
    await this.#storage.put(PREFIX + roleName, encodeJson(role as unknown as Record<string, unknown>));
    return warnings;
  }

  async delete(name: string): Promise<void> {
    await this.#storage.delete(PREFIX + normaliseRoleName(name));
  }
}

/**
 * The policies a token created through a role gets, by Vault's rules: with an allow list, the
 * request must stay inside it (and gets the whole list when it asks for none) — a role may grant
 * policies its caller lacks; without one, the caller's own policies bound the request. Disallowed
 * policies are refused either way.
 */
export function rolePolicies(role: TokenRole, requested: string[], parentPolicies: string[]): string[] {
  const allowList = role.allowedPolicies.length > 0 || role.allowedPoliciesGlob.length > 0;
  const disallowed = (p: string) =>
    role.disallowedPolicies.includes(p) || role.disallowedPoliciesGlob.some((g) => globMatch(g, p));
  let policies = sanitizePolicies(requested);
  if (allowList) {
    if (policies.length === 0) policies = role.allowedPolicies.filter((p) => !disallowed(p));
    const outside = policies.filter(
      (p) => p !== 'default' && !role.allowedPolicies.includes(p) && !role.allowedPoliciesGlob.some((g) => globMatch(g, p)),
    );
    if (outside.length) {
      throw new CofferError('invalid_request', `token policies (${outside.join(', ')}) must be subset of the role's allowed policies`);
    }
  } else {
    if (policies.length === 0) policies = parentPolicies.filter((p) => p !== 'root' || parentPolicies.length === 1);
    if (!parentPolicies.includes('root')) {
      const missing = policies.filter((p) => p !== 'default' && !parentPolicies.includes(p));
      if (missing.length) throw new CofferError('invalid_request', `child policies must be subset of parent: missing ${missing.join(', ')}`);
    }
  }
  const refused = policies.filter(disallowed);
  if (refused.length) throw new CofferError('invalid_request', `token policies (${refused.join(', ')}) have been disallowed by this role`);
  return policies;
}

export function roleJson(role: TokenRole): Record<string, unknown> {
  return {
    name: role.name,
    allowed_policies: role.allowedPolicies,
    disallowed_policies: role.disallowedPolicies,
    allowed_policies_glob: role.allowedPoliciesGlob,
    disallowed_policies_glob: role.disallowedPoliciesGlob,
    orphan: role.orphan,
    renewable: role.renewable,
    path_suffix: role.pathSuffix,
    token_explicit_max_ttl: role.token.explicitMaxTtl,
    explicit_max_ttl: role.token.explicitMaxTtl,
    token_period: role.token.period,
    period: role.token.period,
    token_ttl: role.token.ttl,
    token_max_ttl: role.token.maxTtl,
    token_num_uses: role.token.numUses,
    token_no_default_policy: role.token.noDefaultPolicy,
    token_bound_cidrs: role.token.boundCidrs,
    token_type: role.token.type,
  };
}

/** Vault's policy globs: `*` stands for any run of characters, anywhere in the pattern. */
function globMatch(glob: string, value: string): boolean {
  const source = glob.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${source}$`, 'u').test(value);
}

function newRole(name: string): TokenRole {
  return {
    name,
    allowedPolicies: [],
    disallowedPolicies: [],
    allowedPoliciesGlob: [],
    disallowedPoliciesGlob: [],
    orphan: false,
    renewable: true,
    pathSuffix: '',
    token: emptyTokenParams(),
  };
}

function normaliseRoleName(name: string): string {
  const normalised = name.trim().toLowerCase();
  if (normalised === '' || normalised.includes('/') || normalised.length > 256) {
    throw new CofferError('invalid_request', 'invalid role name');
  }
  return normalised;
}
