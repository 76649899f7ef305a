import { CofferError, definePath, type PathDef } from '@coffer/sdk';
import { ROLE_FIELDS, roleJson, type TokenRoleStore } from './token-roles.js';

/** auth/token/roles and auth/token/roles/<name>. */
export function rolePaths(roles: TokenRoleStore): PathDef[] {
  return [
    definePath({
      pattern: 'roles/?',
      operations: {
        list: async () => {
          const keys = await roles.list();
          return keys.length ? { data: { keys } } : undefined;
        },
      },
    }),
    definePath({
      pattern: 'roles/(?<role_name>[^/]+)',
      fields: ROLE_FIELDS,
      operations: {
        read: async (req) => {
          const role = await roles.get(req.fields.role_name as string);
          return role && { data: roleJson(role) };
        },
        update: async (req) => {
          if (req.fields.token_type !== undefined && !['', 'default', 'service', 'default-service'].includes(req.fields.token_type)) {
            throw new CofferError('invalid_request', `token type "${req.fields.token_type}" is not supported; only service tokens are`);
          }
          const warnings = await roles.write(req.fields.role_name as string, req.fields as Record<string, unknown>);
          return warnings.length ? { warnings } : undefined;
        },
        delete: async (req) => {
          await roles.delete(req.fields.role_name as string);
          return undefined;
        },
      },
    }),
  ];
}
