import type { SealConfig } from '@coffer/seal';
import type { EtcdStorageConfig } from '@coffer/storage-etcd';
import type { AuditDeviceSpec } from '../core/audit/audit-manager.js';

/** The server's configuration after parsing and validation: camelCase, defaults filled, frozen. */
export interface ServerConfig {
  storage: StorageConfig;
  /** At least one, in file order. */
  listeners: ListenerConfig[];
  /** None means Shamir. Two only during a seal migration, one of them `disabled`. */
  seals: SealConfig[];
  /** Audit devices declared here, and whether sys/audit may enable more. */
  audit: { devices: AuditDeviceSpec[]; allowApi: boolean };
  apiAddr?: string;
  clusterAddr?: string;
  clusterName?: string;
  /** Seconds. */
  defaultLeaseTtl: number;
  /** Seconds. */
  maxLeaseTtl: number;
  logLevel: LogLevel;
  logFormat: LogFormat;
  ui: boolean;
  /** Entries in the read cache of stored values; 0 when `disable_cache` is set. */
  readCacheEntries: number;
  pidFile?: string;
  /** `service_registration "kubernetes"`: the pod labels itself with its role. */
  serviceRegistration?: ServiceRegistrationConfig;
}

/**
 * Where this node's pod is and how to reach the API server. `namespace`/`podName` are Vault's;
 * the host and file paths are Coffer additions (in a pod they default to the in-cluster values).
 */
export interface ServiceRegistrationConfig {
  type: 'kubernetes';
  namespace: string;
  podName: string;
  /** `https://host:port` of the API server. */
  kubernetesHost: string;
  tokenPath: string;
  caCertPath: string;
}

export type StorageConfig = { type: 'file'; path: string } | { type: 'inmem' } | { type: 'etcd'; etcd: EtcdStorageConfig };

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'standard' | 'json';

export interface ListenerConfig {
  type: 'tcp';
  /** As written (or the default), for messages: `127.0.0.1:8200`, `[::1]:8200`. */
  address: string;
  /** For `listen()`: an IP or a host name, IPv6 without brackets. */
  host: string;
  /** 0 asks the OS for a free port. */
  port: number;
  /** null when `tls_disable` is set. */
  tls: ListenerTls | null;
  /** Bytes. */
  maxRequestSize: number;
  maxRequestDurationSeconds: number;
  /** `telemetry { unauthenticated_metrics_access = true }`: sys/metrics without a token on this listener. */
  unauthenticatedMetricsAccess: boolean;
}

export interface ListenerTls {
  certFile: string;
  keyFile: string;
  /** In Node's spelling, ready for `tls.createSecureContext`. */
  minVersion: 'TLSv1.2' | 'TLSv1.3';
}
