export { ETCD_DEFAULT_MAX_REQUEST_BYTES, ETCD_STORAGE_OPTIONS, parseEtcdStorageConfig } from './config.js';
export type { EtcdEnvironment, EtcdStorageConfig } from './config.js';
export { EtcdConfigError } from './etcd-config-error.js';
export type { EtcdConfigProblem } from './etcd-config-error.js';
export { EtcdStorage } from './etcd-storage.js';
export { EtcdHAStorage, LEADER_KEY_PREFIX } from './etcd-ha-storage.js';
export { openEtcdStorage } from './open-etcd-storage.js';
export type { EtcdStorageDeps } from './open-etcd-storage.js';
