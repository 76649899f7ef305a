import {
  CofferError,
  definePath,
  emptyTokenParams,
  LEGACY_TOKEN_FIELDS,
  TOKEN_FIELDS,
  tokenParamsJson,
  updateTokenParams,
  type PathDef,
} from '@coffer/sdk';
import type { PasswordHasher } from './password-hash.js';
import type { UserStore } from './user-store.js';

/** Vault's framework.GenericNameRegex: word characters, with `-` and `.` inside. */
export const USER_NAME = String.raw`(?<username>\w(?:[\w.-]*\w)?)`;

const userFields = {
  username: { type: 'string', required: true },
  password: { type: 'string', sensitive: true, description: 'Required when the user is created.' },
  ...TOKEN_FIELDS,
  ttl: LEGACY_TOKEN_FIELDS.ttl,
  max_ttl: LEGACY_TOKEN_FIELDS.max_ttl,
  bound_cidrs: LEGACY_TOKEN_FIELDS.bound_cidrs,
} as const;

/** `users/` (list), `users/<name>` (CRUD), `users/<name>/password` and `users/<name>/policies`. */
export function userPaths(users: UserStore, hasher: PasswordHasher): PathDef[] {
  const existing = async (name: string) => {
    const user = await users.get(name);
    if (!user) throw new CofferError('invalid_request', 'username does not exist');
    return user;
  };

  return [
    definePath({
      pattern: 'users/?',
      summary: 'List the users.',
      operations: {
        list: async () => {
          const keys = await users.list();
          return keys.length === 0 ? undefined : { data: { keys } };
        },
      },
    }),
    definePath({
      pattern: `users/${USER_NAME}`,
      fields: userFields,
      summary: 'Create, read, update or delete a user.',
      exists: async (req) => (await users.get(req.params.username ?? '')) !== undefined,
      operations: {
        read: async (req) => {
          const user = await users.get(req.fields.username as string);
          return user ? { data: tokenParamsJson(user.token) } : undefined;
        },
        update: async (req) => {
          const name = (req.fields.username as string).toLowerCase();
          const password = req.fields.password ?? '';
          if (req.operation === 'create' && password === '') throw new CofferError('invalid_request', 'missing password');
          // Bad token fields are refused before the costly hash, then re-applied to a fresh read under the lock.
          updateTokenParams((await users.get(name))?.token ?? emptyTokenParams(), req.fields);
          const passwordHash = password === '' ? undefined : await hasher.hash(password, req.signal);
          return users.lock.write(name, async () => {
            const current = await users.get(name);
            const hash = passwordHash ?? current?.passwordHash;
            if (hash === undefined) throw new CofferError('invalid_request', 'missing password');
            const { params, warnings } = updateTokenParams(current?.token ?? emptyTokenParams(), req.fields);
            await users.put({ name, passwordHash: hash, token: params });
            return warnings.length > 0 ? { warnings } : undefined;
          });
        },
        delete: async (req) => {
          const name = (req.fields.username as string).toLowerCase();
          await users.lock.write(name, () => users.delete(name));
          return undefined;
        },
      },
    }),
    definePath({
      pattern: `users/${USER_NAME}/password`,
      fields: { username: { type: 'string', required: true }, password: { type: 'string', sensitive: true } },
      summary: "Change a user's password.",
      operations: {
        update: async (req) => {
          const name = (req.fields.username as string).toLowerCase();
          const password = req.fields.password ?? '';
          if (password === '') throw new CofferError('invalid_request', 'missing password');
          await existing(name);
          const passwordHash = await hasher.hash(password, req.signal);
          await users.lock.write(name, async () => {
            const user = await existing(name);
            await users.put({ ...user, passwordHash });
          });
          return undefined;
        },
      },
    }),
    definePath({
      pattern: `users/${USER_NAME}/policies`,
      fields: { username: { type: 'string', required: true }, token_policies: TOKEN_FIELDS.token_policies, policies: TOKEN_FIELDS.policies },
      summary: "Replace a user's policies.",
      operations: {
        update: async (req) => {
          const name = (req.fields.username as string).toLowerCase();
          await users.lock.write(name, async () => {
            const user = await existing(name);
            const { params } = updateTokenParams(user.token, { token_policies: req.fields.token_policies, policies: req.fields.policies });
            await users.put({ ...user, token: params });
          });
          return undefined;
        },
      },
    }),
  ];
}
