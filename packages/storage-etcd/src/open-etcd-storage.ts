import { silentLogger, type Logger } from '@coffer/sdk';
import type { EtcdStorageConfig } from './config.js';
import { createEtcdClient } from './etcd-client.js';
import { EtcdHAStorage } from './etcd-ha-storage.js';
import { EtcdStorage } from './etcd-storage.js';

export interface EtcdStorageDeps {
  logger?: Logger;
}

/**
 * Opens etcd storage from a parsed config: an `EtcdHAStorage` (an HAStorage, see `isHAStorage`)
 * when `ha_enabled`, else a plain `EtcdStorage`. It reads the TLS files but does not contact
 * etcd: an etcd that is not up yet makes calls fail with `unavailable`, not the server's start.
 */
export async function openEtcdStorage(config: EtcdStorageConfig, deps: EtcdStorageDeps = {}): Promise<EtcdStorage> {
  const logger = (deps.logger ?? silentLogger).child({ component: 'storage-etcd' });
  const client = await createEtcdClient(config);
  logger.debug({ endpoints: config.endpoints, path: config.path, haEnabled: config.haEnabled }, 'etcd storage opened');
  return config.haEnabled ? new EtcdHAStorage(config, client, logger) : new EtcdStorage(config, client, logger);
}
