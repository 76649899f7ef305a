import {
  CofferError,
  emptyTokenParams,
  formatDuration,
  invalidCidrBlocks,
  LEGACY_TOKEN_FIELDS,
  TOKEN_FIELDS,
  tokenParamsJson,
  updateTokenParams,
  type TokenParams,
} from '@coffer/sdk';

/** An AppRole as stored at `role/<name>`. Names are lower-cased, as Vault does for new roles. */
export interface RoleRecord {
  name: string;
  roleId: string;
  bindSecretId: boolean;
  secretIdBoundCidrs: string[];
  secretIdNumUses: number;
  /** Seconds; 0 means secret IDs do not expire. */
  secretIdTtl: number;
  /** Kept for Vault's read-back; Coffer has no replication, so local and shared are the same. */
  localSecretIds: boolean;
  token: TokenParams;
}

/** Vault limits names and secret IDs to what its HMAC helper accepts. */
export const MAX_HMAC_INPUT = 4096;

export const ROLE_FIELDS = {
  role_name: { type: 'string', required: true },
  role_id: { type: 'string', description: 'A custom RoleID; generated when the role is created without one.' },
  bind_secret_id: { type: 'bool', description: 'Require a secret_id at login (default true).' },
  secret_id_bound_cidrs: { type: 'strings', description: 'CIDR blocks logins must come from.' },
  bound_cidr_list: { type: 'strings', description: 'Deprecated: use "secret_id_bound_cidrs".' },
  secret_id_num_uses: { type: 'int', description: 'Uses of each secret ID; 0 is unlimited.' },
  secret_id_ttl: { type: 'duration', description: 'Lifetime of each secret ID; 0 never expires.' },
  local_secret_ids: { type: 'bool', description: 'Set only at creation.' },
  ...TOKEN_FIELDS,
  period: LEGACY_TOKEN_FIELDS.period,
} as const;

export interface RoleUpdate {
  role: RoleRecord;
  warnings: string[];
}

/**
 * Applies a role write (create when `current` is absent) with Vault's defaults, checks and
 * messages. Fields not given keep their value on update. Throws `invalid_request`.
 */
export function applyRoleFields(
  name: string,
  current: RoleRecord | undefined,
  fields: Record<string, unknown>,
  newRoleId: () => string,
  maxLeaseTtl: number,
): RoleUpdate {
  const creating = current === undefined;
  const { params: token, warnings } = updateTokenParams(current?.token ?? emptyTokenParams(), fields);
  const role: RoleRecord = current
    ? { ...current, token }
    : { name, roleId: '', bindSecretId: true, secretIdBoundCidrs: [], secretIdNumUses: 0, secretIdTtl: 0, localSecretIds: false, token };

  if (fields.local_secret_ids !== undefined) {
    if (!creating) throw invalid('local_secret_ids can only be modified during role creation');
    role.localSecretIds = fields.local_secret_ids as boolean;
  }
  if (fields.role_id !== undefined) role.roleId = (fields.role_id as string).trim();
  else if (creating) role.roleId = newRoleId();
  if (role.roleId === '') throw invalid('invalid role_id supplied, or failed to generate a role_id');
  if (fields.bind_secret_id !== undefined) role.bindSecretId = fields.bind_secret_id as boolean;

  const cidrs = (fields.secret_id_bound_cidrs ?? fields.bound_cidr_list) as string[] | undefined;
  if (cidrs !== undefined) role.secretIdBoundCidrs = checkedCidrs(cidrs, 'failed to validate CIDR blocks');
  if (fields.secret_id_num_uses !== undefined) role.secretIdNumUses = fields.secret_id_num_uses as number;
  if (role.secretIdNumUses < 0) throw invalid('secret_id_num_uses cannot be negative');
  if (fields.secret_id_ttl !== undefined) role.secretIdTtl = fields.secret_id_ttl as number;

  if (role.token.period > maxLeaseTtl) {
    throw invalid(
      `period of "${formatDuration(role.token.period)}" is greater than the backend's maximum lease TTL of "${formatDuration(maxLeaseTtl)}"`,
    );
  }
  if (role.token.maxTtl > maxLeaseTtl) {
    warnings.push("token_max_ttl is greater than the backend mount's maximum TTL value; issued tokens' max TTL value will be truncated");
  }
  // A role with no constraint would hand tokens to anyone who learns its RoleID.
  if (!role.bindSecretId && role.secretIdBoundCidrs.length === 0 && role.token.boundCidrs.length === 0) {
    throw invalid('at least one constraint should be enabled on the role');
  }
  return { role, warnings };
}

/** The role as Vault's `GET role/<name>` shows it. */
export function roleJson(role: RoleRecord): Record<string, unknown> {
  return {
    bind_secret_id: role.bindSecretId,
    local_secret_ids: role.localSecretIds,
    secret_id_bound_cidrs: [...role.secretIdBoundCidrs],
    secret_id_num_uses: role.secretIdNumUses,
    secret_id_ttl: role.secretIdTtl,
    ...tokenParamsJson(role.token),
  };
}

/** Trimmed CIDR blocks, each with a prefix (Go's ParseCIDR, as Vault's cidrutil uses). */
export function checkedCidrs(blocks: readonly string[], message: string): string[] {
  const trimmed = blocks.map((b) => b.trim()).filter((b) => b !== '');
  const bad = invalidCidrBlocks(trimmed);
  if (bad.length > 0) throw invalid(`${message}: invalid CIDR address: ${bad[0]}`);
  return trimmed;
}

export function invalid(message: string): CofferError {
  return new CofferError('invalid_request', message);
}
