import { InMemoryStorage, silentLogger, type LeaseInfo, type Logger, type LogicalResponse } from '@coffer/sdk';
import { ExpirationManager } from '../../core/expiration/expiration-manager.js';
import type { PasswordGenerator } from '../../core/password-policy/password-policy-store.js';
import { createEngineHarness, type EngineHarness } from '../engine-harness.js';
import { createDatabaseEngine } from './database-engine.js';

/**
 * The engine harness (real routing and field parsing, in-memory storage) around a database
 * engine, on the real clock: users get `VALID UNTIL` dates the database checks against its own
 * clock, so a test clock would hand out users that are already expired. Test-only.
 */
export interface DatabaseHarness extends EngineHarness {
  /** A lease as the expiration manager would hand it back for a creds response. */
  leaseOf(response: LogicalResponse | undefined, path: string): LeaseInfo;
  /**
   * The real expiration manager over its own storage, revoking through this engine with fast
   * retries (the server's are 10 s apart), for expiry while the database is down.
   */
  expiration(): ExpirationManager;
  close(): Promise<void>;
}

export async function databaseHarness(
  options: { storage?: InMemoryStorage; passwords?: PasswordGenerator; logger?: Logger; defaultLeaseTtl?: number; maxLeaseTtl?: number } = {},
): Promise<DatabaseHarness> {
  const harness = await createEngineHarness(
    (deps) =>
      createDatabaseEngine({
        ...deps,
        logger: options.logger ?? deps.logger,
        system: { ...deps.system, now: () => new Date() },
        ...(options.passwords ? { passwords: options.passwords } : {}),
      }),
    {
      mountPath: 'database/',
      mountType: 'database',
      defaultLeaseTtl: options.defaultLeaseTtl ?? 3600,
      maxLeaseTtl: options.maxLeaseTtl ?? 86_400,
      ...(options.storage ? { storage: options.storage } : {}),
    },
  );
  const managers: ExpirationManager[] = [];
  return Object.assign(harness, {
    leaseOf(response: LogicalResponse | undefined, path: string): LeaseInfo {
      const secret = response?.secret;
      if (!secret) throw new Error('the response carries no lease');
      const now = Date.now();
      return {
        leaseId: `database/${path}/test`,
        path,
        issueTime: new Date(now),
        expireTime: new Date(now + (secret.ttl || 3600) * 1000),
        internal: secret.internal ?? {},
      };
    },
    expiration(): ExpirationManager {
      const manager = ExpirationManager.start({
        storage: new InMemoryStorage(),
        logger: options.logger ?? silentLogger,
        now: () => new Date(),
        revokeToken: async () => undefined,
        revokeSecret: async (lease) =>
          harness.engine.revokeSecret?.({
            leaseId: lease.id,
            path: lease.path.replace(/^database\//, ''),
            issueTime: new Date(lease.issueTime),
            expireTime: new Date(lease.expireTime),
            internal: lease.internal ?? {},
          }),
        renewSecret: async () => undefined,
        retry: { baseMs: 300, maxAttempts: 50 },
      });
      managers.push(manager);
      return manager;
    },
    close: async () => {
      await Promise.all(managers.map((m) => m.stop()));
      await harness.engine.cleanup?.();
    },
  });
}
