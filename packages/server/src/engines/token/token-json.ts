import type { TokenEntry, TokenStore } from '../../core/token-store.js';

/** A token as lookup, lookup-self and lookup-accessor report it (Vault's field names). */
export function tokenLookupJson(tokens: TokenStore, entry: TokenEntry, id: string): Record<string, unknown> {
  const issue = new Date(entry.creationTime * 1000).toISOString();
  return {
    accessor: entry.accessor,
    creation_time: entry.creationTime,
    creation_ttl: entry.ttl,
    display_name: entry.displayName,
    entity_id: '',
    expire_time: entry.expireTime > 0 ? new Date(entry.expireTime).toISOString() : null,
    explicit_max_ttl: entry.explicitMaxTtl,
    id,
    issue_time: issue,
    meta: Object.keys(entry.meta).length ? entry.meta : null,
    num_uses: Math.max(0, entry.numUses),
    ...(entry.period ? { period: entry.period } : {}),
    ...(entry.role ? { role: entry.role } : {}),
    ...(entry.boundCidrs.length ? { bound_cidrs: entry.boundCidrs } : {}),
    orphan: entry.parent === '',
    path: entry.path,
    policies: entry.policies,
    renewable: entry.renewable,
    ttl: tokens.remainingTtl(entry),
    type: entry.type,
  };
}
