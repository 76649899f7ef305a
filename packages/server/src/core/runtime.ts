import { randomBytes, randomUUID } from 'node:crypto';
import { CofferError, type Logger, type Storage } from '@coffer/sdk';
import type { AclSource } from './acl-cache.js';
import { AuditManager, type AuditDeviceSpec } from './audit/audit-manager.js';
import type { Barrier } from './barrier.js';
import { ExpirationManager } from './expiration/expiration-manager.js';
import type { LeaseEntry } from './expiration/lease-entry.js';
import type { Cubbyhole } from '../engines/cubbyhole/cubbyhole-engine.js';
import type { Metrics } from '../metrics/metrics.js';
import { PolicyStore } from './policy-store.js';
import { MountManager, type EngineRegistry, type MountRequest } from './mount-manager.js';
import type { MountTableName } from './mount-table.js';
import { handleRequest, type CoreRequest, type CoreResult } from './request-handler.js';
import { TokenStore } from './token-store.js';

/** What the built-in engines (sys, token) may reach: the runtime's parts, never the HTTP layer. */
export interface RuntimeHandles {
  barrier: Barrier;
  tokens: TokenStore;
  mounts: MountManager;
  expiration: ExpirationManager;
  acls: AclSource;
  policies: PolicyStore;
  audit: AuditManager;
  /** The node's Prometheus registry (sys/metrics), when the server keeps one. */
  metrics?: Metrics;
  /** Set when the cubbyhole mount is instantiated (response wrapping writes into it). */
  cubbyhole?: Cubbyhole;
  now: () => Date;
  /** Seals this node (sys/seal). */
  seal(): Promise<void>;
  /** Hands leadership to a standby (sys/step-down); a no-op without HA. */
  stepDown(): Promise<void>;
}

export interface RuntimeDeps {
  barrier: Barrier;
  logger: Logger;
  now: () => Date;
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
  registry: (handles: RuntimeHandles) => EngineRegistry;
  /** Mounts created on the very first unseal. */
  defaultMounts: Record<MountTableName, (MountRequest & { path: string })[]>;
  /** From the config; otherwise a name is generated once and kept. */
  clusterName?: string;
  /** Devices declared in the config, and whether sys/audit may add more. */
  audit: { devices: readonly AuditDeviceSpec[]; allowApi: boolean };
  metrics?: Metrics;
  seal(): Promise<void>;
  stepDown(): Promise<void>;
}

export interface ClusterInfo {
  name: string;
  id: string;
}

const CLUSTER_INFO_PATH = 'core/cluster/local/info';

/** Everything that exists only while the barrier is open: tokens, leases, policies, mounts, router. */
/** How often engines' periodic work runs, as Vault's rollback manager (every minute). */
const PERIODIC_MS = 60_000;

export class Runtime {
  readonly handles: RuntimeHandles;
  readonly cluster: ClusterInfo;
  readonly #logger: Logger;
  readonly #periodic: NodeJS.Timeout;
  #periodicRun: Promise<void> | undefined;

  private constructor(handles: RuntimeHandles, cluster: ClusterInfo, logger: Logger) {
    this.handles = handles;
    this.cluster = cluster;
    this.#logger = logger;
    this.#periodic = setInterval(() => {
      this.#periodicRun ??= handles.mounts.runPeriodic().finally(() => (this.#periodicRun = undefined));
    }, PERIODIC_MS);
    this.#periodic.unref();
  }

  get tokens(): TokenStore {
    return this.handles.tokens;
  }

  static async start(deps: RuntimeDeps): Promise<Runtime> {
    const storage: Storage = deps.barrier;
    const logger = deps.logger;
    // The token store and the expiration manager call each other (revoking a token drops its
    // lease; an expired lease revokes its token), so each is reached through `parts`.
    const parts = {} as { tokens: TokenStore; expiration: ExpirationManager; mounts: MountManager };
    // Filled in below; the token store's hook reads it when a token is revoked.
    let handles = {} as RuntimeHandles;
    parts.tokens = await TokenStore.open(storage, deps.now, {
      onRevoked: async (entry) => {
        await parts.expiration.onTokenRevoked(entry);
        await handles.cubbyhole?.destroy(entry.accessor);
      },
    });
    parts.expiration = ExpirationManager.start({
      storage,
      logger: logger.child({ component: 'expiration' }),
      now: deps.now,
      revokeToken: (lease, onlyIfExpired) => revokeTokenLease(parts.tokens, lease, onlyIfExpired, deps.now),
      revokeSecret: async (lease) => {
        const mount = parts.mounts.byAccessor(lease.mountAccessor);
        // The mount is gone: unmounting revoked what it could; nothing is left to call.
        if (!mount) return;
        await mount.engine.engine.revokeSecret?.(leaseInfo(lease, mount.mountPoint));
      },
      renewSecret: async (lease, newExpireTime) => {
        const mount = parts.mounts.byAccessor(lease.mountAccessor);
        if (!mount) throw new CofferError('invalid_request', 'the mount that issued this lease is gone');
        await mount.engine.engine.renewSecret?.(leaseInfo(lease, mount.mountPoint), newExpireTime);
      },
    });
    const policies = await PolicyStore.open(storage);
    const acls = policies.aclSource();
    const audit = await AuditManager.start({ storage, logger, configDevices: deps.audit.devices, allowApi: deps.audit.allowApi });
    handles = {
      barrier: deps.barrier,
      tokens: parts.tokens,
      expiration: parts.expiration,
      acls,
      policies,
      audit,
      ...(deps.metrics ? { metrics: deps.metrics } : {}),
      now: deps.now,
      seal: deps.seal,
      stepDown: deps.stepDown,
    } as RuntimeHandles;
    parts.mounts = new MountManager({
      barrier: storage,
      registry: deps.registry(handles),
      logger,
      now: deps.now,
      systemDefaultLeaseTtl: deps.defaultLeaseTtl,
      systemMaxLeaseTtl: deps.maxLeaseTtl,
      beforeUnmount: async (mountPoint) => {
        await parts.expiration.revokePrefix(mountPoint.slice(0, -1), { force: true });
      },
    });
    handles.mounts = parts.mounts;
    await parts.mounts.load(deps.defaultMounts);
    const cluster = await loadClusterInfo(storage, deps.clusterName);
    return new Runtime(handles, cluster, logger);
  }

  handle(request: CoreRequest): Promise<CoreResult> {
    const h = this.handles;
    return handleRequest(
      {
        mounts: h.mounts,
        tokens: h.tokens,
        expiration: h.expiration,
        acls: h.acls,
        audit: h.audit,
        cubbyhole: () => h.cubbyhole,
        logger: this.#logger,
        now: h.now,
      },
      request,
    );
  }

  async stop(): Promise<void> {
    clearInterval(this.#periodic);
    await this.#periodicRun;
    await this.handles.expiration.stop();
    await this.handles.mounts.cleanupAll();
    await this.handles.audit.close();
  }
}

/** An expired token lease revokes its token, unless the token was renewed meanwhile. */
async function revokeTokenLease(
  tokens: TokenStore,
  lease: LeaseEntry,
  onlyIfExpired: boolean,
  now: () => Date,
): Promise<number | undefined> {
  const entry = lease.tokenHash ? await tokens.byHash(lease.tokenHash) : undefined;
  if (!entry) return undefined;
  if (onlyIfExpired && entry.expireTime > now().getTime()) return entry.expireTime;
  await tokens.revoke(entry);
  return undefined;
}

function leaseInfo(lease: LeaseEntry, mountPoint: string) {
  return {
    leaseId: lease.id,
    path: lease.path.startsWith(mountPoint) ? lease.path.slice(mountPoint.length) : lease.path,
    issueTime: new Date(lease.issueTime),
    expireTime: new Date(lease.expireTime),
    internal: lease.internal ?? {},
  };
}

async function loadClusterInfo(storage: Storage, configuredName: string | undefined): Promise<ClusterInfo> {
  const raw = await storage.get(CLUSTER_INFO_PATH);
  let info: ClusterInfo;
  if (raw) {
    info = JSON.parse(Buffer.from(raw).toString('utf8')) as ClusterInfo;
  } else {
    info = { name: `vault-cluster-${randomBytes(4).toString('hex')}`, id: randomUUID() };
    await storage.put(CLUSTER_INFO_PATH, Buffer.from(JSON.stringify(info), 'utf8'));
  }
  return configuredName ? { ...info, name: configuredName } : info;
}
