import { CofferError, definePath, renewalFrom, type EngineFactory } from '@coffer/sdk';
import { AppRoleStore } from './approle-store.js';
import { loginPath } from './path-login.js';
import { rolePaths } from './path-role.js';
import { secretIdPaths } from './path-secret-id.js';
import { tidySecretIds } from './secret-id-tidy.js';

/**
 * The AppRole auth method (mount type `approle`): machines log in with a RoleID and a secret ID
 * and get a token carrying the role's token fields. Secret IDs are kept only as HMACs; see
 * approle-store.ts for the storage layout.
 */
export const createAppRoleEngine: EngineFactory = (deps) => {
  const store = new AppRoleStore(deps.storage);
  let tidying = false;

  const tidy = async () => {
    // Vault runs one tidy at a time and tells a second caller so.
    if (tidying) return { warnings: ['Tidy operation already in progress.'] };
    tidying = true;
    try {
      const removed = await tidySecretIds(store, () => deps.system.now());
      deps.logger.debug({ mount: deps.mount.path, ...removed }, 'approle tidy finished');
      return {
        warnings: [`Tidy operation finished: removed ${removed.secretIds} secret ID entries and ${removed.accessors} dangling accessors.`],
      };
    } finally {
      tidying = false;
    }
  };

  return {
    type: 'approle',
    unauthenticatedPaths: ['login'],
    paths: [
      ...rolePaths(store, deps),
      ...secretIdPaths(store, deps),
      loginPath(store, deps, displayNameOf(deps.mount.path)),
      definePath({
        pattern: 'tidy/secret-id',
        summary: 'Remove expired and dangling secret IDs now, without waiting for the periodic tidy.',
        operations: { update: tidy },
      }),
    ],
    setup: () => store.setup(),
    // Vault tidies every minute from its periodic function.
    periodic: async () => {
      await tidy();
    },
    async renewAuth(renewal) {
      const name = renewal.internal.role_name;
      if (typeof name !== 'string' || name === '') {
        throw new CofferError('invalid_request', 'failed to fetch role_name during renewal');
      }
      const role = await store.getRole(name);
      if (!role) throw new CofferError('invalid_request', `role "${name}" does not exist during renewal`);
      return renewalFrom(role.token);
    },
  };
};

/** Vault names login tokens after the mount (`approle/` gives `approle`), the role adds nothing. */
export function displayNameOf(mountPath: string): string {
  return mountPath.replaceAll('/', '-').replace(/-+$/, '');
}
