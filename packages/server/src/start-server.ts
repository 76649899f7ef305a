import { InMemoryStorage, isClosable, isHAStorage, type Logger, type Storage } from '@coffer/sdk';
import { createSeal, type AutoSeal, type SealConfig } from '@coffer/seal';
import { openEtcdStorage } from '@coffer/storage-etcd';
import { openFileStorage } from '@coffer/storage-file';
import type { FastifyInstance } from 'fastify';
import type { ListenerConfig, ServerConfig } from './config/server-config.js';
import { listenCluster } from './http/cluster-listener.js';
import { meteredStorage } from './metrics/metered-storage.js';
import { Metrics } from './metrics/metrics.js';
import { Core, type SealSet } from './core/core.js';
import { engineRegistry } from './engines/registry.js';
import { buildApp } from './http/app.js';
import { listen, type Listening } from './http/listener.js';
import { createServiceRegistration, type ServiceRegistration } from './service-registration/service-registration.js';
import { COFFER_VERSION, VERSION, BUILD_DATE } from './version.js';

export interface StartOptions {
  config: ServerConfig;
  logger: Logger;
  /** `server --dev`: initialise (one key share), unseal and mount KV v2 at secret/. */
  dev?: { rootTokenId?: string };
}

export interface RunningServer {
  core: Core;
  app: FastifyInstance;
  /** One per listener, e.g. `http://127.0.0.1:8200`. */
  addresses: string[];
  /** Only in dev mode. */
  dev?: { rootToken: string; unsealKey: string };
  /** SIGHUP: audit files are reopened (after logrotate moved them). */
  reopenAudit(): Promise<void>;
  close(): Promise<void>;
}

/** Opens storage, builds the core and the HTTP app, and starts every listener. */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  const { config, logger } = options;
  const metrics = new Metrics();
  const physical = meteredStorage(await openStorage(config, logger), metrics);
  const ha = isHAStorage(physical) ? haAddresses(config) : undefined;

  const now = () => new Date();
  const seals = await buildSeals(config.seals, logger);
  // Created before the core so that no role change is missed; it reads the core only when it runs.
  let registration: ServiceRegistration | undefined;
  const core: Core = new Core({
    metrics,
    seals,
    audit: config.audit,
    physical,
    logger: logger.child({ component: 'core' }),
    now,
    defaultLeaseTtl: config.defaultLeaseTtl,
    maxLeaseTtl: config.maxLeaseTtl,
    readCacheEntries: config.readCacheEntries,
    registry: engineRegistry(now),
    defaultMounts: {
      mounts: [
        { path: 'cubbyhole/', type: 'cubbyhole', description: 'per-token private secret storage' },
        { path: 'sys/', type: 'system', description: 'system endpoints used for control, policy and debugging' },
      ],
      auth: [{ path: 'token/', type: 'token', description: 'token based credentials' }],
    },
    ...(config.clusterName !== undefined ? { clusterName: config.clusterName } : {}),
    ...(ha ? { ha: { apiAddr: ha.apiAddr, clusterAddr: ha.clusterAddr, clusterHost: ha.clusterHost } } : {}),
    onRoleChange: () => registration?.notify(),
  });
  if (config.serviceRegistration) {
    registration = createServiceRegistration(config.serviceRegistration, {
      logger: logger.child({ component: 'service-registration' }),
      state: { role: () => core.role, initialized: () => core.initialized() },
      versions: { vault: VERSION, coffer: COFFER_VERSION },
    });
    registration.start();
  }

  let dev: RunningServer['dev'];
  if (options.dev) dev = await initialiseDev(core, options.dev.rootTokenId);
  else await core.start();

  const first = config.listeners[0];
  const app = await buildApp({
    core,
    metrics,
    logger: logger.child({ component: 'http' }),
    info: { version: VERSION, buildDate: BUILD_DATE, storageType: config.storage.type },
    maxRequestSize: first?.maxRequestSize ?? 32 * 1024 * 1024,
    maxRequestDuration: first?.maxRequestDurationSeconds ?? 90,
  });

  const listening: Listening[] = [];
  try {
    for (const listener of config.listeners) {
      listening.push(
        await listen(app.server, {
          host: listener.host,
          port: listener.port,
          tls: listener.tls
            ? {
                certFile: listener.tls.certFile,
                keyFile: listener.tls.keyFile,
                ...(listener.tls.minVersion ? { minVersion: listener.tls.minVersion } : {}),
              }
            : null,
          unauthenticatedMetrics: listener.unauthenticatedMetricsAccess,
        }),
      );
    }
    // Standbys forward to the active node's cluster address: mutual TLS with the cluster CA.
    if (ha) listening.push(await listenCluster(app.server, core, ha.bindHost, ha.clusterPort));
  } catch (error) {
    await Promise.all(listening.map((l) => l.close()));
    await registration?.stop();
    if (isClosable(physical)) await physical.close();
    throw error;
  }

  let closed: Promise<void> | undefined;
  return {
    core,
    app,
    addresses: listening.slice(0, config.listeners.length).map((l) => l.address),
    ...(dev ? { dev } : {}),
    reopenAudit: () => core.reopenAuditDevices(),
    close: () =>
      (closed ??= (async () => {
        // First, so that the Services stop routing here while the rest shuts down.
        const unregistered = registration?.stop();
        await Promise.all(listening.map((l) => l.close()));
        await app.close();
        await core.close();
        await unregistered;
        if (isClosable(physical)) await physical.close();
      })()),
  };
}

async function initialiseDev(core: Core, rootTokenId: string | undefined): Promise<{ rootToken: string; unsealKey: string }> {
  const { keys, rootToken } = await core.initialize(
    { secretShares: 1, secretThreshold: 1, recoveryShares: 0, recoveryThreshold: 0 },
    rootTokenId,
  );
  const key = keys[0] as Uint8Array;
  await core.submitUnsealKey(key);
  await core.handle({
    id: 'dev-setup',
    operation: 'update',
    path: 'sys/mounts/secret',
    data: { type: 'kv', options: { version: '2' }, description: 'key/value secret storage' },
    token: rootToken,
  });
  return { rootToken, unsealKey: Buffer.from(key).toString('base64') };
}

/**
 * The seals the config names: the one in use, and during a migration the one being left (its
 * stanza says `disabled = "true"`; leaving Shamir needs no stanza). Nothing is contacted here, so a
 * KMS that is down does not stop the server from starting, sealed.
 */
async function buildSeals(configs: readonly SealConfig[], logger: Logger): Promise<SealSet> {
  const make = async (config: SealConfig): Promise<AutoSeal | undefined> =>
    config.type === 'shamir' ? undefined : createSeal(config.type, config, { logger: logger.child({ component: 'seal' }) });
  const enabled = configs.find((c) => !c.disabled);
  const disabled = configs.find((c) => c.disabled);
  const active = enabled ? await make(enabled) : undefined;
  if (!disabled) return { active };
  return { active, previous: disabled.type === 'shamir' ? 'shamir' : ((await make(disabled)) as AutoSeal) };
}

async function openStorage(config: ServerConfig, logger: Logger): Promise<Storage> {
  switch (config.storage.type) {
    case 'file':
      return openFileStorage({ path: config.storage.path, logger });
    case 'etcd':
      return openEtcdStorage(config.storage.etcd, { logger: logger.child({ component: 'storage-etcd' }) });
    case 'inmem':
      return new InMemoryStorage();
  }
}

/**
 * Where this node is reached: `api_addr` for clients (redirects), `cluster_addr` for the other
 * nodes (forwarding). Vault's defaults: the first listener, and the API port + 1 over https.
 */
function haAddresses(config: ServerConfig): { apiAddr: string; clusterAddr: string; clusterHost: string; clusterPort: number; bindHost: string } {
  const listener = config.listeners[0] as ListenerConfig;
  const advertisedHost = listener.host === '0.0.0.0' || listener.host === '::' ? '127.0.0.1' : listener.host;
  const hostPart = advertisedHost.includes(':') ? `[${advertisedHost}]` : advertisedHost;
  const apiAddr = config.apiAddr ?? `${listener.tls ? 'https' : 'http'}://${hostPart}:${listener.port}`;
  const api = new URL(apiAddr);
  const apiPort = Number(api.port || (api.protocol === 'https:' ? 443 : 80));
  const clusterAddr = config.clusterAddr ?? `https://${api.hostname}:${apiPort + 1}`;
  const cluster = new URL(clusterAddr);
  return {
    apiAddr,
    clusterAddr,
    clusterHost: cluster.hostname.replace(/^\[|\]$/g, ''),
    clusterPort: Number(cluster.port || 8201),
    bindHost: listener.host,
  };
}
