import { randomUUID } from 'node:crypto';
import { CofferError, definePath, type EngineDeps, type PathDef } from '@coffer/sdk';
import type { AppRoleStore } from './approle-store.js';
import { applyRoleFields, invalid, MAX_HMAC_INPUT, ROLE_FIELDS, roleJson, type RoleRecord } from './role-record.js';

/** Vault's framework.GenericNameRegex: word characters, with `-` and `.` inside. */
export const ROLE_NAME = String.raw`(?<role_name>\w(?:[\w.-]*\w)?)`;

/** `role/` (list), `role/<name>` (CRUD) and `role/<name>/role-id`. */
export function rolePaths(store: AppRoleStore, deps: EngineDeps): PathDef[] {
  return [
    definePath({
      pattern: 'role/?',
      summary: 'List the roles.',
      operations: {
        list: async () => {
          const keys = await store.listRoles();
          return keys.length === 0 ? undefined : { data: { keys } };
        },
      },
    }),
    definePath({
      pattern: `role/${ROLE_NAME}`,
      fields: ROLE_FIELDS,
      summary: 'Create, read, update or delete a role.',
      exists: async (req) => (await store.getRole(req.params.role_name ?? '')) !== undefined,
      operations: {
        read: async (req) => {
          const role = await store.getRole(req.fields.role_name as string);
          return role ? { data: roleJson(role) } : undefined;
        },
        update: async (req) => {
          const name = (req.fields.role_name as string).toLowerCase();
          if (name.length > MAX_HMAC_INPUT) throw invalid(`role_name is longer than maximum of ${MAX_HMAC_INPUT} bytes`);
          return store.roleLock.write('roles', async () => {
            const current = await store.getRole(name);
            const { role, warnings } = applyRoleFields(name, current, req.fields, randomUUID, deps.system.maxLeaseTtl());
            await saveRole(store, role, current?.roleId);
            return warnings.length > 0 ? { warnings } : undefined;
          });
        },
        delete: async (req) =>
          store.roleLock.write('roles', async () => {
            const role = await store.getRole(req.fields.role_name as string);
            if (!role) return undefined;
            await flushSecretIds(store, role.name);
            await store.deleteRoleId(role.roleId);
            await store.deleteRole(role.name);
            return undefined;
          }),
      },
    }),
    definePath({
      pattern: `role/${ROLE_NAME}/role-id`,
      fields: { role_name: { type: 'string', required: true }, role_id: { type: 'string' } },
      summary: "Read or set a role's RoleID.",
      operations: {
        read: async (req) => {
          const role = await store.getRole(req.fields.role_name as string);
          return role ? { data: { role_id: role.roleId } } : undefined;
        },
        update: async (req) =>
          store.roleLock.write('roles', async () => {
            const role = await store.getRole(req.fields.role_name as string);
            if (!role) throw new CofferError('not_found', `role "${req.fields.role_name}" does not exist`);
            const roleId = (req.fields.role_id ?? '').trim();
            if (roleId === '') throw invalid('missing role_id');
            await saveRole(store, { ...role, roleId }, role.roleId);
            return undefined;
          }),
      },
    }),
  ];
}

/**
 * Writes the role and its RoleID index; the caller holds the role lock. A RoleID names exactly one
 * role, or login could not tell which role a RoleID means.
 */
async function saveRole(store: AppRoleStore, role: RoleRecord, previousRoleId: string | undefined): Promise<void> {
  const owner = await store.roleNameById(role.roleId);
  if (owner !== undefined && owner !== role.name) throw invalid('role_id already in use');
  const changed = previousRoleId !== role.roleId;
  // New index first, old index last: a crash in between leaves a stale index, never a role login cannot find.
  if (changed) await store.putRoleId(role.roleId, role.name);
  await store.putRole(role);
  if (changed && previousRoleId !== undefined) await store.deleteRoleId(previousRoleId);
}

/** Deletes every secret ID of a role (and their accessors), each under its own lock. */
async function flushSecretIds(store: AppRoleStore, roleName: string): Promise<void> {
  const roleHmac = store.hmac('role-name', roleName);
  for (const secretIdHmac of await store.listSecretIds(roleHmac)) {
    await store.secretLock.write(secretIdHmac, async () => {
      await store.deleteSecretId(roleHmac, secretIdHmac, await store.getSecretId(roleHmac, secretIdHmac));
    });
  }
}
