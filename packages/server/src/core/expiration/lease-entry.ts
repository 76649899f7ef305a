/**
 * A lease as stored behind the barrier at `sys/expire/id/<lease id>`. Everything with a TTL has
 * one: tokens (kind `token`, pointing at the token by its salted hash) and leased secrets (kind
 * `secret`, pointing at the mount that issued them, with the engine's private `internal` data).
 * Times are Unix milliseconds.
 */
export interface LeaseEntry {
  id: string;
  kind: 'token' | 'secret';
  /** The full request path that created it, e.g. `database/creds/ro` or `auth/token/create`. */
  path: string;
  /** The accessor of the mount that issued it (secrets engine or auth method). */
  mountAccessor: string;
  /** For token leases: the token's salted hash. */
  tokenHash?: string;
  /** For secret leases: the salted hash of the token that asked for the secret; revoked with it. */
  clientTokenHash?: string;
  issueTime: number;
  expireTime: number;
  lastRenewal?: number;
  /** Renewals never extend past this. */
  maxExpireTime?: number;
  /** The TTL the lease was issued with, reused as the default renewal increment. */
  ttl: number;
  renewable: boolean;
  internal?: Record<string, unknown>;
  /** Failed revocations so far; after the last attempt the lease is marked irrevocable. */
  revokeAttempts?: number;
  lastRevokeError?: string;
  irrevocable?: boolean;
}

export const LEASE_PREFIX = 'sys/expire/id/';
/** `sys/expire/token/<client token hash>/<encoded lease id>`: the leases a token asked for. */
export const TOKEN_INDEX_PREFIX = 'sys/expire/token/';

export const encodeLease = (entry: LeaseEntry): Uint8Array => Buffer.from(JSON.stringify(entry), 'utf8');
export const decodeLease = (raw: Uint8Array): LeaseEntry => JSON.parse(Buffer.from(raw).toString('utf8')) as LeaseEntry;

/** Lease ids contain slashes; index keys need them as one segment. */
export const indexKey = (tokenHash: string, leaseId: string): string =>
  `${TOKEN_INDEX_PREFIX}${tokenHash}/${Buffer.from(leaseId, 'utf8').toString('base64url')}`;
export const leaseIdFromIndexKey = (segment: string): string => Buffer.from(segment, 'base64url').toString('utf8');

/** Lease ids are paths; refuse anything that could escape the lease prefix. */
export function isValidLeaseId(id: string): boolean {
  return id.length > 0 && id.length <= 1024 && !id.split('/').some((s) => s === '' || s === '.' || s === '..');
}
