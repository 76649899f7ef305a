import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import type { LeaseEntry } from '../../core/expiration/lease-entry.js';
import type { RuntimeHandles } from '../../core/runtime.js';

const leaseFields = {
  lease_id: { type: 'string' },
  url_lease_id: { type: 'string' },
  increment: { type: 'duration' },
  sync: { type: 'bool', default: true },
} as const;

/**
 * sys/leases/* and the older sys/renew, sys/revoke, sys/revoke-prefix, sys/revoke-force aliases.
 * Leases of tokens are renewed through auth/token/renew, as in Vault.
 */
export function leasePaths(handles: RuntimeHandles): PathDef[] {
  const { expiration } = handles;
  const leaseId = (f: { lease_id?: string; url_lease_id?: string }) => {
    const id = f.lease_id || f.url_lease_id;
    if (!id) throw new CofferError('invalid_request', 'lease_id must be specified');
    return id;
  };
  const renew = definePath({
    pattern: '(?:leases/)?renew(?:/(?<url_lease_id>.+))?',
    fields: leaseFields,
    operations: {
      update: async (req) => {
        const { entry, warnings } = await expiration.renewSecret(leaseId(req.fields), req.fields.increment);
        const duration = Math.max(0, Math.round((entry.expireTime - handles.now().getTime()) / 1000));
        return { leaseInfo: { id: entry.id, duration, renewable: entry.renewable }, ...(warnings.length ? { warnings } : {}) };
      },
    },
  });
  const revoke = definePath({
    pattern: '(?:leases/)?revoke(?:/(?<url_lease_id>.+))?',
    fields: leaseFields,
    operations: {
      update: async (req) => {
        const work = expiration.revoke(leaseId(req.fields));
        if (req.fields.sync === false) work.catch(() => undefined);
        else await work;
        return undefined;
      },
    },
  });
  const prefixed = (name: 'revoke-prefix' | 'revoke-force', force: boolean) =>
    definePath({
      pattern: `(?:leases/)?${name}/(?<prefix>.+)`,
      fields: { prefix: { type: 'string', required: true }, sync: { type: 'bool', default: true } },
      operations: {
        update: async (req) => {
          const work = expiration.revokePrefix(req.fields.prefix as string, { force });
          if (req.fields.sync === false) work.catch(() => undefined);
          else await work;
          return undefined;
        },
      },
    });
  return [
    definePath({
      pattern: 'leases/lookup',
      fields: { lease_id: { type: 'string' } },
      operations: {
        update: async (req) => {
          const entry = await expiration.lookup(leaseId(req.fields));
          if (!entry) throw new CofferError('invalid_request', 'invalid lease');
          return { data: leaseJson(entry, handles.now().getTime()) };
        },
      },
    }),
    definePath({
      pattern: 'leases/lookup/(?<prefix>.*)',
      fields: { prefix: { type: 'string' } },
      operations: {
        list: async (req) => {
          const keys = await expiration.list(req.fields.prefix ?? '');
          return keys.length ? { data: { keys } } : undefined;
        },
      },
    }),
    renew,
    revoke,
    prefixed('revoke-prefix', false),
    prefixed('revoke-force', true),
    definePath({
      pattern: 'leases/tidy',
      operations: {
        update: async () => {
          await expiration.tidy();
          return undefined;
        },
      },
    }),
  ];
}

function leaseJson(entry: LeaseEntry, now: number): Record<string, unknown> {
  return {
    id: entry.id,
    issue_time: new Date(entry.issueTime).toISOString(),
    expire_time: new Date(entry.expireTime).toISOString(),
    last_renewal: entry.lastRenewal ? new Date(entry.lastRenewal).toISOString() : null,
    renewable: entry.renewable,
    ttl: Math.max(0, Math.round((entry.expireTime - now) / 1000)),
    // Coffer's addition: a lease whose revocation is failing shows it (Vault only logs it), so an
    // operator sees why a credential outlived its TTL; expire_time is then the next attempt.
    ...(entry.revokeAttempts
      ? { revoke_attempts: entry.revokeAttempts, last_revoke_error: entry.lastRevokeError ?? null, irrevocable: entry.irrevocable ?? false }
      : {}),
  };
}
