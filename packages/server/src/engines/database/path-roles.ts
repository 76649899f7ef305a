import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import { issueCreds } from './credentials.js';
import type { DatabaseContext } from './database-context.js';
import { applyRoleFields, NAME, ROLE_FIELDS, roleJson } from './role-record.js';

/** `roles/` (list), `roles/<name>` and `creds/<name>`. */
export function rolePaths(ctx: DatabaseContext): PathDef[] {
  const { store } = ctx;
  return [
    definePath({
      pattern: 'roles/?',
      summary: 'List the dynamic roles.',
      operations: {
        list: async () => {
          const keys = await store.listRoles();
          return keys.length === 0 ? undefined : { data: { keys } };
        },
      },
    }),
    definePath({
      pattern: `roles/${NAME}`,
      fields: ROLE_FIELDS,
      summary: 'Manage a role that creates a database user per credential request.',
      exists: async (req) => (await store.role(req.params.name ?? '')) !== undefined,
      operations: {
        read: async (req) => {
          const role = await store.role(req.fields.name as string);
          return role && { data: roleJson(role) };
        },
        update: async (req) => {
          const name = req.fields.name as string;
          if (await store.staticRole(name)) throw new CofferError('invalid_request', 'Role and Static Role names must be unique');
          const current = req.operation === 'create' ? undefined : await store.role(name);
          await store.putRole(name, applyRoleFields(current, req.fields));
          return undefined;
        },
        delete: async (req) => {
          await store.deleteRole(req.fields.name as string);
          return undefined;
        },
      },
    }),
    definePath({
      pattern: `creds/${NAME}`,
      fields: { name: { type: 'string', required: true } },
      summary: 'Create a database user for the role, under a lease.',
      operations: {
        read: (req) => issueCreds(ctx, req.fields.name as string, req.auth?.displayName ?? ''),
      },
    }),
  ];
}
