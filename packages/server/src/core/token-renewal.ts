import { CofferError, type AuthInfo } from '@coffer/sdk';
import type { ExpirationManager } from './expiration/expiration-manager.js';
import type { MountManager } from './mount-manager.js';
import type { TokenEntry, TokenStore } from './token-store.js';
import { renewedExpiry } from './token-ttl.js';

export interface RenewalDeps {
  tokens: TokenStore;
  mounts: MountManager;
  expiration: ExpirationManager;
  now: () => Date;
}

/**
 * Renews a token: the auth method that issued it may refuse or change its bounds (the role or user
 * is gone), then the new expiry is computed by Vault's rules against the mount's *current* TTLs and
 * written to both the token and its lease.
 */
export async function renewToken(
  deps: RenewalDeps,
  entry: TokenEntry,
  incrementSeconds: number,
  clientToken: string,
): Promise<{ auth: AuthInfo; warnings: string[] }> {
  if (!entry.renewable || entry.expireTime === 0) throw new CofferError('invalid_request', 'lease is not renewable');
  const mount = deps.mounts.byAccessor(entry.mountAccessor);
  let bounds: { ttl?: number; maxTtl?: number; period?: number } | undefined;
  if (mount?.engine.engine.renewAuth) {
    bounds = await mount.engine.engine.renewAuth({
      policies: entry.policies,
      metadata: entry.meta,
      internal: entry.internal,
      issueTime: new Date(entry.creationTime * 1000),
    });
  }
  const current: TokenEntry = {
    ...entry,
    ...(bounds?.ttl !== undefined ? { ttl: bounds.ttl } : {}),
    ...(bounds?.maxTtl !== undefined ? { maxTtl: bounds.maxTtl } : {}),
    ...(bounds?.period !== undefined ? { period: bounds.period } : {}),
  };
  const mountTtls = mount ? deps.mounts.leaseTtls(mount.entry) : { defaultLeaseTtl: entry.ttl, maxLeaseTtl: entry.ttl };
  const { expireTime, warnings } = renewedExpiry(current, incrementSeconds, mountTtls, deps.now().getTime());
  const updated = await deps.tokens.setExpiry(entry, expireTime, { maxTtl: current.maxTtl, period: current.period });
  if (updated.leaseId) await deps.expiration.updateTokenExpiry(updated.leaseId, expireTime);
  return { auth: authInfo(deps.tokens, updated, clientToken), warnings };
}

export function authInfo(tokens: TokenStore, entry: TokenEntry, clientToken: string): AuthInfo {
  return {
    clientToken,
    accessor: entry.accessor,
    policies: entry.policies,
    tokenPolicies: entry.policies,
    metadata: entry.meta,
    leaseDuration: tokens.remainingTtl(entry),
    renewable: entry.renewable,
    orphan: entry.parent === '',
    numUses: Math.max(0, entry.numUses),
  };
}
