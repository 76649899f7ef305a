import { CofferError } from '@coffer/sdk';
import { connectionSettings, type ConnectionConfig } from './config-record.js';
import type { DatabaseContext } from './database-context.js';
import { findPlugin } from './plugins.js';

/**
 * rotate-root: Coffer changes its own database password to one only it knows. The new password
 * goes to a WAL first; the config is saved with it once the database has taken it, and the pool is
 * reopened with it. Holds the config's lock exclusively, so no request uses the pool meanwhile.
 */
export function rotateRoot(ctx: DatabaseContext, name: string): Promise<void> {
  return ctx.connections.lock.write(name, async () => {
    const config = await ctx.store.config(name);
    if (!config) throw new CofferError('invalid_request', `failed to find entry for connection with name: "${name}"`);
    if (config.username === '') throw new CofferError('invalid_request', 'unable to rotate root credentials: no username in configuration');
    if (config.password === '') throw new CofferError('invalid_request', 'unable to rotate root credentials: no password in configuration');
    const password = await ctx.newPassword(config);
    await ctx.store.putWal('root', name, { password, startedAt: ctx.now() });
    const plugin = findPlugin(config.pluginName);
    if (!plugin) throw new CofferError('invalid_request', `unknown plugin "${config.pluginName}"`);
    // A pool of its own: the shared one is closed below either way, as Vault does.
    const connection = plugin.open(connectionSettings(config), ctx.deps.logger);
    try {
      await connection.setPassword(config.username, password, config.rootRotationStatements);
    } catch (error) {
      // Usually nothing changed (a transaction, or one ALTER USER); but if the answer was lost
      // after the change, only the new password works now and it must not be forgotten.
      if (!(await credentialsWork(ctx, config, password))) {
        await ctx.store.deleteWal('root', name);
        throw error;
      }
    } finally {
      await connection.close();
      await ctx.connections.close(name);
    }
    await ctx.store.putConfig({ ...config, password });
    await ctx.store.deleteWal('root', name);
  });
}

/**
 * After a crash between the database change and the config write, the WAL's password is either
 * the one that works now (save it) or not (the change never happened: drop the WAL). When the
 * database cannot be reached the WAL stays for the next try.
 */
export async function finishRootRotations(ctx: DatabaseContext): Promise<void> {
  for (const name of await ctx.store.listWals('root')) {
    await ctx.connections.lock.write(name, async () => {
      const wal = await ctx.store.wal('root', name);
      const config = await ctx.store.config(name);
      if (!wal || !config) {
        await ctx.store.deleteWal('root', name);
        return;
      }
      if (await credentialsWork(ctx, config, wal.password)) {
        await ctx.connections.close(name);
        await ctx.store.putConfig({ ...config, password: wal.password });
        await ctx.store.deleteWal('root', name);
      } else if (await credentialsWork(ctx, config, config.password)) {
        await ctx.store.deleteWal('root', name);
      }
    });
  }
}

async function credentialsWork(ctx: DatabaseContext, config: ConnectionConfig, password: string): Promise<boolean> {
  const plugin = findPlugin(config.pluginName);
  if (!plugin) return false;
  const connection = plugin.open(connectionSettings({ ...config, password }), ctx.deps.logger);
  try {
    await connection.verify();
    return true;
  } catch {
    return false;
  } finally {
    await connection.close();
  }
}
