import { formatDuration, type AuthGrant } from '@coffer/sdk';
import type { TokenEntry } from './token-store.js';

/** The TTL bounds of the auth mount that issues or renews a token, in seconds. */
export interface MountTtls {
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
}

/**
 * The TTL a new token gets, as Vault computes it: a periodic token lives one period; otherwise the
 * requested TTL (or the mount's default), capped by the role's max TTL and the mount's max; an
 * explicit max caps everything. A root token asked for without any TTL never expires.
 */
export function initialTtl(grant: AuthGrant, isRoot: boolean, mount: MountTtls): { ttl: number; warnings: string[] } {
  const warnings: string[] = [];
  if (isRoot && !grant.ttl && !grant.period && !grant.explicitMaxTtl) return { ttl: 0, warnings };
  let ttl: number;
  if (grant.period) {
    ttl = grant.period;
  } else {
    const requested = grant.ttl || mount.defaultLeaseTtl;
    const cap = Math.min(grant.maxTtl || mount.maxLeaseTtl, mount.maxLeaseTtl);
    ttl = Math.min(requested, cap);
    if (grant.ttl && grant.ttl > cap) warnings.push(cappedWarning(grant.ttl, cap));
  }
  if (grant.explicitMaxTtl && ttl > grant.explicitMaxTtl) {
    warnings.push(cappedWarning(ttl, grant.explicitMaxTtl));
    ttl = grant.explicitMaxTtl;
  }
  return { ttl, warnings };
}

/**
 * A renewal's new expiry: periodic tokens get a fresh period; others get `increment` (or their
 * creation TTL) from now, never past creation + max TTL (the token's, else the mount's current
 * one — so a tune applies to later renewals) nor past the explicit max.
 */
export function renewedExpiry(
  entry: TokenEntry,
  incrementSeconds: number,
  mount: MountTtls,
  nowMs: number,
): { expireTime: number; warnings: string[] } {
  const issueMs = entry.creationTime * 1000;
  const warnings: string[] = [];
  let ttl: number;
  let capMs = Infinity;
  if (entry.period) {
    ttl = entry.period;
  } else {
    ttl = incrementSeconds || entry.ttl;
    capMs = issueMs + Math.min(entry.maxTtl || mount.maxLeaseTtl, mount.maxLeaseTtl) * 1000;
  }
  if (entry.explicitMaxTtl) capMs = Math.min(capMs, issueMs + entry.explicitMaxTtl * 1000);
  let expireTime = nowMs + ttl * 1000;
  if (expireTime > capMs) {
    warnings.push(cappedWarning(ttl, Math.max(0, Math.floor((capMs - nowMs) / 1000))));
    expireTime = capMs;
  }
  return { expireTime, warnings };
}

function cappedWarning(requested: number, cap: number): string {
  return `TTL of "${formatDuration(requested)}" exceeded the effective max_ttl of "${formatDuration(cap)}"; TTL value is capped accordingly`;
}
