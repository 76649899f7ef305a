import { addressInCidrBlocks, cidrBlocksWithin, definePath, grantFrom, type EngineDeps, type PathDef } from '@coffer/sdk';
import type { AppRoleStore } from './approle-store.js';
import { invalid, type RoleRecord } from './role-record.js';
import { isExpired } from './secret-id-record.js';

/** Vault's one answer for every unknown or spent credential, so a caller learns nothing about which. */
export const INVALID_CREDENTIALS = 'invalid role or secret ID';

/**
 * `login` (unauthenticated): RoleID plus, when the role binds one, a secret ID. Every check runs
 * before a use is spent, so a refused login (wrong address) never burns a single-use secret ID.
 * Departure: Vault decrements first and checks CIDRs after.
 */
export function loginPath(store: AppRoleStore, deps: EngineDeps, displayName: string): PathDef {
  return definePath({
    pattern: 'login',
    fields: {
      role_id: { type: 'string', sensitive: true },
      secret_id: { type: 'string', sensitive: true },
    },
    summary: 'Issue a token for a RoleID and secret ID.',
    operations: {
      update: async (req) => {
        const roleId = (req.fields.role_id ?? '').trim();
        if (roleId === '') throw invalid('missing role_id');
        const role = await roleFor(store, roleId);
        if (role.secretIdBoundCidrs.length > 0) assertSource(req.remoteAddress, role.secretIdBoundCidrs, 'the role');

        let metadata: Record<string, string> = {};
        let tokenCidrs = role.token.boundCidrs;
        if (role.bindSecretId) {
          const secretId = (req.fields.secret_id ?? '').trim();
          if (secretId === '') throw invalid('missing secret_id');
          const spent = await spendSecretId(store, role, secretId, req.remoteAddress, deps.system.now());
          metadata = spent.metadata;
          if (spent.tokenBoundCidrs.length > 0) tokenCidrs = spent.tokenBoundCidrs;
        }
        return {
          auth: grantFrom(role.token, {
            displayName,
            metadata: { ...metadata, role_name: role.name },
            internal: { role_name: role.name },
            boundCidrs: tokenCidrs,
          }),
        };
      },
    },
  });
}

async function roleFor(store: AppRoleStore, roleId: string): Promise<RoleRecord> {
  const name = await store.roleNameById(roleId);
  const role = name === undefined ? undefined : await store.getRole(name);
  // The index may briefly outlive a RoleID change; the role's own RoleID is what counts.
  if (!role || role.roleId !== roleId) throw invalid(INVALID_CREDENTIALS);
  return role;
}

/**
 * Checks a secret ID and takes one use of it, atomically: under the secret ID's lock the record is
 * read, checked, then decremented or deleted, so two logins racing for the last use cannot both win.
 */
async function spendSecretId(store: AppRoleStore, role: RoleRecord, secretId: string, remoteAddress: string | undefined, now: Date) {
  const roleHmac = store.hmac('role-name', role.name);
  const secretIdHmac = store.hmac('secret-id', secretId);
  return store.secretLock.write(secretIdHmac, async () => {
    const record = await store.getSecretId(roleHmac, secretIdHmac);
    if (!record) throw invalid(INVALID_CREDENTIALS);
    if (!(await store.getAccessor(record.accessor))) {
      await store.deleteSecretId(roleHmac, secretIdHmac, undefined);
      throw invalid(INVALID_CREDENTIALS);
    }
    // Vault leaves an expired secret ID usable until its tidy runs (up to a minute); we refuse it at once.
    if (isExpired(record, now)) {
      await store.deleteSecretId(roleHmac, secretIdHmac, record);
      throw invalid(INVALID_CREDENTIALS);
    }
    // The role's CIDRs may have narrowed since the secret ID was issued.
    if (!cidrBlocksWithin(record.cidrList, role.secretIdBoundCidrs)) {
      throw invalid(
        `failed to verify subset relationship between CIDR blocks on the role ${JSON.stringify(role.secretIdBoundCidrs)} and CIDR blocks on the secret ID ${JSON.stringify(record.cidrList)}`,
      );
    }
    if (record.cidrList.length > 0) assertSource(remoteAddress, record.cidrList, 'the secret ID');

    if (record.numUses === 1) await store.deleteSecretId(roleHmac, secretIdHmac, record);
    else if (record.numUses > 1) {
      await store.putSecretId(roleHmac, secretIdHmac, { ...record, numUses: record.numUses - 1, lastUpdatedTime: now.toISOString() });
    }
    return record;
  });
}

function assertSource(remoteAddress: string | undefined, cidrs: string[], where: string): void {
  if (remoteAddress === undefined || remoteAddress === '') throw invalid('failed to get connection information');
  if (!addressInCidrBlocks(remoteAddress, cidrs)) {
    throw invalid(`source address "${remoteAddress}" unauthorized by CIDR restrictions on ${where}`);
  }
}
