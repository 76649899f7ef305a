import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import { roleAllowed } from './config-record.js';
import { configFor, type DatabaseContext } from './database-context.js';
import { NAME } from './role-record.js';
import { applyStaticRoleFields, STATIC_ROLE_FIELDS, staticCredsJson, staticRoleJson } from './static-role-record.js';
import type { StaticRotations } from './static-rotation.js';

const nameField = { name: { type: 'string', required: true } } as const;

/** `static-roles/` (list), `static-roles/<name>`, `static-creds/<name>` and `rotate-role/<name>`. */
export function staticRolePaths(ctx: DatabaseContext, rotations: StaticRotations): PathDef[] {
  const { store } = ctx;
  return [
    definePath({
      pattern: 'static-roles/?',
      summary: 'List the static roles.',
      operations: {
        list: async () => {
          const keys = await store.listStaticRoles();
          return keys.length === 0 ? undefined : { data: { keys } };
        },
      },
    }),
    definePath({
      pattern: `static-roles/${NAME}`,
      fields: STATIC_ROLE_FIELDS,
      summary: 'Manage a role whose existing database user has its password rotated by Coffer.',
      exists: async (req) => (await store.staticRole(req.params.name ?? '')) !== undefined,
      operations: {
        read: async (req) => {
          const role = await store.staticRole(req.fields.name as string);
          return role && { data: staticRoleJson(role) };
        },
        update: async (req) => {
          const name = req.fields.name as string;
          if (await store.role(name)) throw new CofferError('invalid_request', 'Role and Static Role names must be unique');
          const current = await store.staticRole(name);
          const role = applyStaticRoleFields(current, req.fields);
          await rotations.save(name, role, current === undefined);
          return undefined;
        },
        delete: async (req) => {
          await rotations.delete(req.fields.name as string);
          return undefined;
        },
      },
    }),
    definePath({
      pattern: `static-creds/${NAME}`,
      fields: nameField,
      summary: "Read a static role's current password.",
      operations: {
        read: async (req) => {
          const name = req.fields.name as string;
          const role = await store.staticRole(name);
          if (!role) throw new CofferError('invalid_request', `unknown role: ${name}`);
          const config = await configFor(ctx, role.dbName);
          if (!roleAllowed(config, name)) throw new CofferError('invalid_request', `"${name}" is not an allowed role`);
          return { data: staticCredsJson(role, ctx.now()) };
        },
      },
    }),
    definePath({
      pattern: `rotate-role/${NAME}`,
      fields: nameField,
      summary: "Rotate a static role's password now.",
      operations: {
        update: async (req) => {
          await rotations.rotateNow(req.fields.name as string);
          return undefined;
        },
      },
    }),
  ];
}
