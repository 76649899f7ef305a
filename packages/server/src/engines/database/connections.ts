import { CofferError, type Logger } from '@coffer/sdk';
import { KeyedLock } from '../../util/keyed-lock.js';
import { connectionSettings, type ConnectionConfig } from './config-record.js';
import type { DatabaseConnection, DatabasePlugin } from './database-plugin.js';
import { databaseError } from './database-error.js';
import { findPlugin } from './plugins.js';

export interface OpenConnection {
  plugin: DatabasePlugin;
  connection: DatabaseConnection;
}

/**
 * One pool per config, opened on first use (after a restart nothing is open) and closed on
 * reset, delete, rotate-root, unmount and seal. Work that uses a pool holds the config's lock
 * shared; replacing or closing the pool holds it exclusively, so no pool closes under a query.
 */
export class ConnectionRegistry {
  readonly #open = new Map<string, Promise<OpenConnection>>();
  readonly #logger: Logger;
  readonly lock = new KeyedLock();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Runs `work` with the config's pool, opening it if needed. */
  use<T>(config: ConnectionConfig, work: (open: OpenConnection) => Promise<T>): Promise<T> {
    return this.lock.read(config.name, async () => work(await this.#get(config)));
  }

  /**
   * Opens a pool for `config` (verifying it when asked) and puts it in place of the old one.
   * Nothing changes when opening fails. The caller holds the config's lock exclusively.
   */
  async replace(config: ConnectionConfig, verify: boolean): Promise<void> {
    const fresh = openConnection(config, this.#logger);
    if (verify) {
      try {
        await fresh.connection.verify();
      } catch (error) {
        await fresh.connection.close();
        // A config that cannot reach its database is the caller's to fix (Vault: 400).
        const reason = databaseError(error, 'error', [config.password]).message;
        throw new CofferError('invalid_request', `error creating database object: ${reason}`);
      }
    }
    const old = this.#open.get(config.name);
    this.#open.set(config.name, Promise.resolve(fresh));
    await old?.then((o) => o.connection.close(), () => undefined);
  }

  /** Closes the config's pool; the caller holds the config's lock exclusively. */
  async close(name: string): Promise<void> {
    const old = this.#open.get(name);
    this.#open.delete(name);
    await old?.then((o) => o.connection.close(), () => undefined);
  }

  async closeAll(): Promise<void> {
    const all = [...this.#open.keys()];
    await Promise.all(all.map((name) => this.lock.write(name, () => this.close(name))));
  }

  #get(config: ConnectionConfig): Promise<OpenConnection> {
    let open = this.#open.get(config.name);
    if (!open) {
      open = Promise.resolve().then(() => openConnection(config, this.#logger));
      this.#open.set(config.name, open);
      // A pool that could not even be built is forgotten, so the next call tries again.
      open.catch(() => this.#open.get(config.name) === open && this.#open.delete(config.name));
    }
    return open;
  }
}

function openConnection(config: ConnectionConfig, logger: Logger): OpenConnection {
  const plugin = findPlugin(config.pluginName);
  if (!plugin) throw new CofferError('invalid_request', `unknown plugin "${config.pluginName}"`);
  return { plugin, connection: plugin.open(connectionSettings(config), logger.child({ connection: config.name })) };
}
