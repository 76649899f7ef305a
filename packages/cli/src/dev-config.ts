import type { ServerConfig } from '@coffer/server';
import { usageError } from './exit-codes.js';

export const DEV_LISTEN_ADDRESS = '127.0.0.1:8200';
const LEASE_TTL_SECONDS = 768 * 3600;

/** `host:port`, IPv6 in brackets; port 0 picks a free one. */
export function parseListenAddress(address: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(address.trim());
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw usageError(`Error parsing -dev-listen-address "${address}": must be host:port, such as 127.0.0.1:8200`);
  }
  return { host: match[1] ?? match[2] ?? '127.0.0.1', port };
}

/**
 * `server -dev`: what Vault's dev mode runs on, built in code: in-memory storage and one plain
 * HTTP listener. The server itself initialises, unseals and mounts KV v2 at secret/.
 */
export function devServerConfig(listenAddress: string, logLevel: ServerConfig['logLevel']): ServerConfig {
  const { host, port } = parseListenAddress(listenAddress);
  return {
    storage: { type: 'inmem' },
    // No seal stanza: dev mode uses Shamir, unsealed by the server itself.
    seals: [],
    audit: { devices: [], allowApi: true },
    listeners: [
      {
        type: 'tcp',
        address: listenAddress,
        host,
        port,
        tls: null,
        maxRequestSize: 32 * 1024 * 1024,
        maxRequestDurationSeconds: 90,
        unauthenticatedMetricsAccess: false,
      },
    ],
    defaultLeaseTtl: LEASE_TTL_SECONDS,
    maxLeaseTtl: LEASE_TTL_SECONDS,
    logLevel,
    logFormat: 'standard',
    ui: false,
    readCacheEntries: 131_072,
  };
}
