import {
  addressInCidrBlocks,
  CofferError,
  definePath,
  equivalentPolicies,
  grantFrom,
  renewalFrom,
  type EngineFactory,
} from '@coffer/sdk';
import { PasswordHasher } from './password-hash.js';
import { USER_NAME, userPaths } from './path-users.js';
import { UserStore } from './user-store.js';

export interface UserpassOptions {
  /** The KDF cost and its limiter; defaults to DEFAULT_KDF_PARAMS and DEFAULT_KDF_LIMITS. */
  hasher?: PasswordHasher;
}

/** Vault's one answer for an unknown user and a wrong password alike (400). */
export const INVALID_CREDENTIALS = 'invalid username or password';

/**
 * A userpass factory. Every mount made by one factory shares one KDF limiter, so a flood spread
 * over several userpass mounts is bounded as a whole.
 */
export function userpassEngineFactory(options: UserpassOptions = {}): EngineFactory {
  const hasher = options.hasher ?? new PasswordHasher();
  return (deps) => {
    const users = new UserStore(deps.storage);
    // Vault names the token after the mount and the user: `userpass-alice`.
    const source = deps.mount.path.replaceAll('/', '-');
    return {
      type: 'userpass',
      unauthenticatedPaths: ['login/*'],
      paths: [
        ...userPaths(users, hasher),
        definePath({
          pattern: `login/${USER_NAME}`,
          fields: { username: { type: 'string', required: true }, password: { type: 'string', sensitive: true } },
          summary: 'Log in with a username and password.',
          operations: {
            update: async (req) => {
              const name = (req.fields.username as string).toLowerCase();
              const password = req.fields.password ?? '';
              if (password === '') throw new CofferError('invalid_request', 'missing password');
              const user = await users.get(name);
              // Always a full KDF run, against a dummy record when the user is unknown.
              const matches = await hasher.verify(password, user?.passwordHash, req.signal);
              if (!user || !matches) throw new CofferError('invalid_request', INVALID_CREDENTIALS);
              const cidrs = user.token.boundCidrs;
              if (cidrs.length > 0 && !addressInCidrBlocks(req.remoteAddress ?? '', cidrs)) {
                throw new CofferError('permission_denied', 'permission denied');
              }
              return {
                auth: grantFrom(user.token, {
                  displayName: `${source}${name}`.replace(/-+$/, ''),
                  metadata: { username: name },
                  internal: { username: name },
                }),
              };
            },
          },
        }),
      ],
      async renewAuth(renewal) {
        const name = renewal.internal.username ?? renewal.metadata.username;
        const user = typeof name === 'string' && name !== '' ? await users.get(name) : undefined;
        if (!user) throw new CofferError('invalid_request', 'user no longer exists, not renewing');
        // Vault refuses when the user's policies moved since login: the token would keep the old ones.
        if (!equivalentPolicies(user.token.policies, renewal.policies)) {
          throw new CofferError('invalid_request', 'policies have changed, not renewing');
        }
        return renewalFrom(user.token);
      },
    };
  };
}

/** The userpass auth method (mount type `userpass`) with the default KDF cost and limits. */
export const createUserpassEngine: EngineFactory = userpassEngineFactory();
