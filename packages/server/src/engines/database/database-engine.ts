import type { Engine, EngineDeps, EngineFactory, Storage } from '@coffer/sdk';
import { PasswordPolicyStore, type PasswordGenerator } from '../../core/password-policy/password-policy-store.js';
import { ConnectionRegistry } from './connections.js';
import { renewCreds, revokeCreds } from './credentials.js';
import { defaultPasswords, newPasswordFrom, type DatabaseContext } from './database-context.js';
import { DatabaseStore } from './database-store.js';
import { configPaths } from './path-config.js';
import { rolePaths } from './path-roles.js';
import { staticRolePaths } from './path-static-roles.js';
import { finishRootRotations } from './root-rotation.js';
import { StaticRotations } from './static-rotation.js';

export interface DatabaseEngineDeps extends EngineDeps {
  /** The server's password policies; without them only Vault's default policy is available. */
  passwords?: PasswordGenerator;
}

/** Vault checks its static-role queue every 5 seconds; periodic() alone (every minute) is too coarse. */
const ROTATION_TICK_MS = 5000;

/**
 * The database secrets engine (mount type `database`): dynamic users per lease and static roles
 * with rotated passwords, on PostgreSQL and MySQL/MariaDB. See database-store.ts for the storage
 * layout, the plugins for how each database creates, renews and drops users.
 *
 * Engines are instantiated only on the active node (standbys run no runtime), so the rotation
 * ticker and periodic() run there alone; both call the same single-flight pass.
 */
export function createDatabaseEngine(deps: DatabaseEngineDeps): Engine {
  const store = new DatabaseStore(deps.storage);
  const connections = new ConnectionRegistry(deps.logger);
  const ctx: DatabaseContext = {
    deps,
    store,
    connections,
    newPassword: newPasswordFrom(deps.passwords ?? defaultPasswords),
    now: () => deps.system.now().getTime(),
  };
  const rotations = new StaticRotations(ctx);
  let ticker: NodeJS.Timeout | undefined;
  let started: Promise<void> | undefined;

  const background = async () => {
    await finishRootRotations(ctx).catch((error: unknown) =>
      deps.logger.warn({ reason: (error as Error).message }, 'finishing a root rotation failed; will retry'),
    );
    await rotations.tick();
  };

  return {
    type: 'database',
    paths: [...configPaths(ctx), ...rolePaths(ctx), ...staticRolePaths(ctx, rotations)],
    async setup() {
      await rotations.load();
      ticker = setInterval(() => void rotations.tick(), ROTATION_TICK_MS);
      ticker.unref();
      // Rotations that came due while no node was active run now, not a tick later.
      started = background().catch(() => undefined);
    },
    async cleanup() {
      if (ticker) clearInterval(ticker);
      ticker = undefined;
      await rotations.stop();
      await started;
      await connections.closeAll();
    },
    periodic: background,
    renewSecret: (lease, newExpireTime) => renewCreds(ctx, lease, newExpireTime),
    revokeSecret: (lease) => revokeCreds(ctx, lease),
  };
}

/** The registry's factory: passwords come from the server's policies (sys/policies/password) behind the barrier. */
export function databaseEngineFactory(barrier: Storage): EngineFactory {
  return (deps) => createDatabaseEngine({ ...deps, passwords: new PasswordPolicyStore(barrier) });
}
