import type { AppRoleStore } from './approle-store.js';
import { isExpired } from './secret-id-record.js';

export interface TidyResult {
  secretIds: number;
  accessors: number;
}

/**
 * Removes expired secret IDs, secret IDs whose accessor is gone, and accessors whose secret ID is
 * gone (Vault's tidySecretID). Each secret ID is handled under its own lock, so tidy never races a
 * login or an issue for the same secret ID.
 */
export async function tidySecretIds(store: AppRoleStore, now: () => Date): Promise<TidyResult> {
  const result: TidyResult = { secretIds: 0, accessors: 0 };
  for (const folder of await store.listSecretIdRoles()) {
    const roleHmac = folder.replace(/\/$/, '');
    for (const secretIdHmac of await store.listSecretIds(roleHmac)) {
      await store.secretLock.write(secretIdHmac, async () => {
        const record = await store.getSecretId(roleHmac, secretIdHmac);
        if (!record) return;
        const hasAccessor = (await store.getAccessor(record.accessor)) !== undefined;
        if (hasAccessor && !isExpired(record, now())) return;
        await store.deleteSecretId(roleHmac, secretIdHmac, hasAccessor ? record : undefined);
        result.secretIds++;
      });
    }
  }
  for (const accessorHmac of await store.listAccessorHmacs()) {
    const entry = await store.getAccessorByHmac(accessorHmac);
    if (!entry) continue;
    // Under the secret ID's lock: an issue writes the accessor just before the secret ID.
    await store.secretLock.write(entry.secretIdHmac, async () => {
      if (await store.getSecretId(entry.roleHmac, entry.secretIdHmac)) return;
      if (!(await store.getAccessorByHmac(accessorHmac))) return;
      await store.deleteAccessorByHmac(accessorHmac);
      result.accessors++;
    });
  }
  return result;
}
