import type { AuthGrant, AuthInfo } from '@coffer/sdk';
import { tokenLeaseId, type ExpirationManager } from './expiration/expiration-manager.js';
import type { TokenEntry, TokenStore } from './token-store.js';
import { initialTtl, type MountTtls } from './token-ttl.js';

/** A token minted for the response (login or token creation), as the envelope's `auth` reports it. */
export type IssuedAuth = AuthInfo;

export interface IssueContext {
  parent: TokenEntry | undefined;
  /** The request path that asked for it: `auth/token/create`, `auth/userpass/login/alice`. */
  path: string;
  mountAccessor: string;
  mountTtls: MountTtls;
}

/**
 * Mints the token an AuthGrant asks for: policies (plus `default` unless refused), TTL by Vault's
 * rules, the lease that makes it expire on time, and the `auth` block for the response.
 */
export async function issueToken(
  tokens: TokenStore,
  expiration: ExpirationManager,
  grant: AuthGrant,
  context: IssueContext,
  now: () => Date,
): Promise<{ auth: IssuedAuth; entry: TokenEntry; warnings: string[] }> {
  const isRoot = grant.policies.includes('root');
  const policies = isRoot
    ? ['root']
    : sortPolicies(grant.noDefaultPolicy ? grant.policies : [...grant.policies, 'default']);
  const { ttl, warnings } = initialTtl(grant, isRoot, context.mountTtls);
  const { token, entry } = await tokens.create({
    policies,
    ...(context.parent ? { parent: context.parent } : {}),
    path: context.path,
    mountAccessor: context.mountAccessor,
    meta: grant.metadata ?? {},
    displayName: grant.displayName ?? 'token',
    ttl,
    expireTime: ttl > 0 ? now().getTime() + ttl * 1000 : 0,
    maxTtl: grant.maxTtl ?? 0,
    explicitMaxTtl: grant.explicitMaxTtl ?? 0,
    period: grant.period ?? 0,
    numUses: grant.numUses ?? 0,
    renewable: ttl > 0 && (grant.renewable ?? true),
    boundCidrs: grant.boundCidrs ?? [],
    internal: grant.internal ?? {},
    ...(grant.role !== undefined ? { role: grant.role } : {}),
    ...(grant.id !== undefined ? { id: grant.id } : {}),
    ...(ttl > 0 ? { leaseIdFor: (hash: string) => tokenLeaseId(context.path, hash) } : {}),
    type: 'service',
  });
  if (entry.expireTime > 0) {
    // The entry already names this lease (leaseIdFor): one write fewer per token.
    await expiration.registerToken({
      tokenHash: entry.hash,
      path: context.path,
      mountAccessor: context.mountAccessor,
      expireTime: entry.expireTime,
      renewable: entry.renewable,
    });
  }
  return {
    entry,
    warnings,
    auth: {
      clientToken: token,
      accessor: entry.accessor,
      policies: entry.policies,
      tokenPolicies: entry.policies,
      metadata: entry.meta,
      leaseDuration: entry.ttl,
      renewable: entry.renewable,
      orphan: entry.parent === '',
      numUses: entry.numUses,
    },
  };
}

/** Deduplicated and sorted, as Vault stores token policies. */
export function sortPolicies(policies: string[]): string[] {
  return [...new Set(policies)].sort();
}
