import type { AuthGrant } from '../engine.js';
import { CofferError } from '../errors.js';
import { parseDurationSeconds } from '../duration.js';
import { parseCidrBlock } from './cidr.js';
import type { Fields } from './fields.js';

/**
 * The `token_*` fields every auth method's roles share (Vault's sdk/helper/tokenutil): what the
 * minted token gets. Spread into a role path's fields. Durations are typed `any` so that a negative
 * value reaches the parser below and is refused with Vault's message rather than a generic one.
 */
export const TOKEN_FIELDS = {
  token_policies: { type: 'strings', description: 'Policies of the generated tokens.' },
  policies: { type: 'strings', description: 'Deprecated: use "token_policies". If both are given, only "token_policies" is used.' },
  token_ttl: { type: 'any', description: 'The initial TTL of generated tokens (seconds or a duration).' },
  token_max_ttl: { type: 'any', description: 'The maximum lifetime of generated tokens.' },
  token_explicit_max_ttl: { type: 'any', description: 'A hard lifetime cap that even renewals of periodic tokens cannot pass.' },
  token_period: { type: 'any', description: 'If set, generated tokens are periodic: each renewal resets them to this TTL.' },
  token_num_uses: { type: 'int', description: 'How many requests a generated token may make; 0 is unlimited.' },
  token_no_default_policy: { type: 'bool', description: 'Do not add the "default" policy to generated tokens.' },
  token_bound_cidrs: { type: 'strings', description: 'CIDR blocks or addresses the generated tokens may be used from.' },
  token_type: { type: 'string', description: 'The type of generated tokens: "default" or "service".' },
} as const satisfies Fields;

/**
 * Deprecated spellings some methods still accept (AppRole `period`; userpass `ttl`, `max_ttl`,
 * `bound_cidrs`). A method spreads the ones it has; `updateTokenParams` handles whichever appear.
 */
export const LEGACY_TOKEN_FIELDS = {
  period: { type: 'any', description: 'Deprecated: use "token_period".' },
  ttl: { type: 'any', description: 'Deprecated: use "token_ttl".' },
  max_ttl: { type: 'any', description: 'Deprecated: use "token_max_ttl".' },
  bound_cidrs: { type: 'strings', description: 'Deprecated: use "token_bound_cidrs".' },
} as const satisfies Fields;

export type TokenTypeSetting = 'default' | 'service';

/** The stored form of the token fields (seconds for durations). */
export interface TokenParams {
  policies: string[];
  ttl: number;
  maxTtl: number;
  explicitMaxTtl: number;
  period: number;
  numUses: number;
  noDefaultPolicy: boolean;
  boundCidrs: string[];
  type: TokenTypeSetting;
  /** Values last set through a deprecated name; Vault reports them back under that name. */
  legacy?: LegacyTokenParams;
}

export interface LegacyTokenParams {
  policies?: string[];
  period?: number;
  ttl?: number;
  maxTtl?: number;
  boundCidrs?: string[];
}

export function emptyTokenParams(): TokenParams {
  return { policies: [], ttl: 0, maxTtl: 0, explicitMaxTtl: 0, period: 0, numUses: 0, noDefaultPolicy: false, boundCidrs: [], type: 'default' };
}

export interface TokenParamsUpdate {
  params: TokenParams;
  warnings: string[];
}

/** New token fields from a request's parsed fields. */
export function parseTokenParams(fields: Record<string, unknown>): TokenParamsUpdate {
  return updateTokenParams(emptyTokenParams(), fields);
}

/**
 * Applies the token fields present in a request to the current values, with Vault's rules and
 * messages: no negative durations or use counts, `token_ttl` not above `token_max_ttl`, parsable
 * CIDRs, a known token type. A deprecated name sets both itself and its successor; the successor
 * given alone clears the deprecated one (Vault's tokenutil.UpgradeValue). Throws `invalid_request`.
 */
export function updateTokenParams(current: TokenParams, fields: Record<string, unknown>): TokenParamsUpdate {
  const next: TokenParams = { ...current, policies: [...current.policies], boundCidrs: [...current.boundCidrs] };
  const legacy: Record<string, unknown> = { ...current.legacy };
  const warnings: string[] = [];
  const given = (name: string) => fields[name] !== undefined && fields[name] !== null;

  if (given('token_bound_cidrs')) next.boundCidrs = parseBoundCidrs(fields.token_bound_cidrs as string[]);
  if (given('token_explicit_max_ttl')) next.explicitMaxTtl = parseTtl('token_explicit_max_ttl', fields.token_explicit_max_ttl);
  if (given('token_max_ttl')) next.maxTtl = parseTtl('token_max_ttl', fields.token_max_ttl);
  if (given('token_no_default_policy')) next.noDefaultPolicy = fields.token_no_default_policy as boolean;
  if (given('token_period')) next.period = parseTtl('token_period', fields.token_period);
  if (given('token_policies')) next.policies = cleanList(fields.token_policies as string[]);
  if (given('token_type')) next.type = parseTokenType(fields.token_type as string, warnings);
  if (given('token_num_uses')) next.numUses = fields.token_num_uses as number;
  if (next.numUses < 0) throw invalid("'token_num_uses' cannot be negative");
  if (given('token_ttl')) next.ttl = parseTtl('token_ttl', fields.token_ttl);

  for (const { oldName, newName, key, parse } of LEGACY_UPGRADES) {
    if (given(newName)) legacy[key] = given(oldName) ? next[key] : undefined;
    else if (given(oldName)) {
      const value = parse(fields[oldName]);
      (next as unknown as Record<string, unknown>)[key] = value;
      legacy[key] = value;
    }
  }

  // Vault checks the pair once both are settled, so either may be the one that moved.
  if (next.ttl > 0 && next.maxTtl > 0 && next.ttl > next.maxTtl) {
    throw invalid("'token_ttl' cannot be greater than 'token_max_ttl'");
  }
  const kept = Object.fromEntries(Object.entries(legacy).filter(([, v]) => v !== undefined)) as LegacyTokenParams;
  if (Object.keys(kept).length > 0) next.legacy = kept;
  else delete next.legacy;
  return { params: next, warnings };
}

/** Deprecated names and their successors (Vault's tokenutil.UpgradeValue pairs). */
const LEGACY_UPGRADES: readonly { oldName: string; newName: string; key: keyof LegacyTokenParams; parse: (raw: unknown) => unknown }[] = [
  { oldName: 'policies', newName: 'token_policies', key: 'policies', parse: (raw) => sanitizePolicies(raw as string[]) },
  { oldName: 'period', newName: 'token_period', key: 'period', parse: (raw) => parseTtl('period', raw) },
  { oldName: 'ttl', newName: 'token_ttl', key: 'ttl', parse: (raw) => parseTtl('ttl', raw) },
  { oldName: 'max_ttl', newName: 'token_max_ttl', key: 'maxTtl', parse: (raw) => parseTtl('max_ttl', raw) },
  { oldName: 'bound_cidrs', newName: 'token_bound_cidrs', key: 'boundCidrs', parse: (raw) => parseBoundCidrs(raw as string[]) },
];

/** The token fields as Vault's role and user reads show them (seconds as integers). */
export function tokenParamsJson(params: TokenParams): Record<string, unknown> {
  const json: Record<string, unknown> = {
    token_bound_cidrs: [...params.boundCidrs],
    token_explicit_max_ttl: params.explicitMaxTtl,
    token_max_ttl: params.maxTtl,
    token_no_default_policy: params.noDefaultPolicy,
    token_num_uses: params.numUses,
    token_period: params.period,
    token_policies: [...params.policies],
    token_ttl: params.ttl,
    token_type: params.type,
  };
  const legacy = params.legacy ?? {};
  if (legacy.policies?.length) json.policies = [...legacy.policies];
  if (legacy.period) json.period = legacy.period;
  if (legacy.ttl) json.ttl = legacy.ttl;
  if (legacy.maxTtl) json.max_ttl = legacy.maxTtl;
  if (legacy.boundCidrs?.length) json.bound_cidrs = [...legacy.boundCidrs];
  return json;
}

export interface GrantExtras {
  displayName?: string;
  metadata?: Record<string, string>;
  internal?: Record<string, unknown>;
  /** Replaces the role's `token_bound_cidrs` (an AppRole secret ID may narrow them). */
  boundCidrs?: readonly string[];
}

/** The token a login mints from these fields. Logins always give renewable orphan tokens. */
export function grantFrom(params: TokenParams, extra: GrantExtras = {}): AuthGrant {
  const boundCidrs = extra.boundCidrs ?? params.boundCidrs;
  return {
    policies: [...params.policies],
    ...(extra.displayName !== undefined ? { displayName: extra.displayName } : {}),
    metadata: { ...extra.metadata },
    ...(params.ttl ? { ttl: params.ttl } : {}),
    ...(params.maxTtl ? { maxTtl: params.maxTtl } : {}),
    ...(params.explicitMaxTtl ? { explicitMaxTtl: params.explicitMaxTtl } : {}),
    ...(params.period ? { period: params.period } : {}),
    ...(params.numUses ? { numUses: params.numUses } : {}),
    ...(params.noDefaultPolicy ? { noDefaultPolicy: true } : {}),
    ...(boundCidrs.length ? { boundCidrs: [...boundCidrs] } : {}),
    ...(extra.internal ? { internal: { ...extra.internal } } : {}),
    renewable: true,
    orphan: true,
  };
}

/** The TTL bounds a renewal applies: the role's current values, so tuning a role reaches live tokens. */
export function renewalFrom(params: TokenParams): { ttl: number; maxTtl: number; period: number } {
  return { ttl: params.ttl, maxTtl: params.maxTtl, period: params.period };
}

/**
 * Vault's policyutil.ParsePolicies: trimmed, lower-cased, without empties and duplicates, sorted;
 * `root` swallows every other policy.
 */
export function sanitizePolicies(policies: readonly string[]): string[] {
  const cleaned = policies.map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
  if (cleaned.includes('root')) return ['root'];
  return [...new Set(cleaned)].sort();
}

/** Vault's policyutil.EquivalentPolicies: the same set once sanitised, `default` ignored. */
export function equivalentPolicies(a: readonly string[], b: readonly string[]): boolean {
  const set = (list: readonly string[]) => sanitizePolicies(list).filter((p) => p !== 'default');
  const left = set(a);
  const right = set(b);
  return left.length === right.length && left.every((p, i) => p === right[i]);
}

function parseTtl(name: string, raw: unknown): number {
  if ((typeof raw === 'number' && raw < 0) || (typeof raw === 'string' && raw.trim().startsWith('-'))) {
    throw invalid(`'${name}' cannot be negative`);
  }
  return parseDurationSeconds(raw, name);
}

function parseBoundCidrs(raw: readonly string[]): string[] {
  const blocks = cleanList(raw);
  for (const block of blocks) {
    if (!parseCidrBlock(block, { allowAddress: true })) {
      throw invalid(`error parsing address "${block}": not an IP address or CIDR block`);
    }
  }
  return blocks;
}

function parseTokenType(raw: string, warnings: string[]): TokenTypeSetting {
  switch (raw.trim()) {
    case '':
    case 'default':
      return 'default';
    case 'service':
      return 'service';
    case 'default-service':
      warnings.push('default-service has no useful meaning; adjusting to service');
      return 'service';
    case 'batch':
    case 'default-batch':
      throw invalid(`token_type "${raw}" is not supported yet; use "default" or "service"`);
    default:
      throw invalid(`invalid 'token_type' value "${raw}"`);
  }
}

/** Comma-separated input arrives with spaces around items; Vault trims them and drops empties. */
function cleanList(list: readonly string[]): string[] {
  return list.map((s) => s.trim()).filter((s) => s !== '');
}

function invalid(message: string): CofferError {
  return new CofferError('invalid_request', message);
}
