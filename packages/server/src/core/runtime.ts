import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger, Storage } from '@coffer/sdk';
import { builtinPolicies } from './acl.js';
import type { Barrier } from './barrier.js';
import { MountManager, type EngineRegistry, type MountRequest } from './mount-manager.js';
import type { MountTableName } from './mount-table.js';
import { handleRequest, type CoreRequest, type CoreResult } from './request-handler.js';
import { TokenStore } from './token-store.js';

/** What the built-in engines (sys, token) may reach: the runtime's parts, never the HTTP layer. */
export interface RuntimeHandles {
  barrier: Barrier;
  tokens: TokenStore;
  mounts: MountManager;
  /** Seals this node (sys/seal). */
  seal(): Promise<void>;
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
  seal(): Promise<void>;
}

export interface ClusterInfo {
  name: string;
  id: string;
}

const CLUSTER_INFO_PATH = 'core/cluster/local/info';

/** Everything that exists only while the barrier is open: token store, mounts, router. */
export class Runtime {
  readonly tokens: TokenStore;
  readonly mounts: MountManager;
  readonly cluster: ClusterInfo;
  readonly #logger: Logger;

  private constructor(tokens: TokenStore, mounts: MountManager, cluster: ClusterInfo, logger: Logger) {
    this.tokens = tokens;
    this.mounts = mounts;
    this.cluster = cluster;
    this.#logger = logger;
  }

  static async start(deps: RuntimeDeps): Promise<Runtime> {
    const storage: Storage = deps.barrier;
    const tokens = await TokenStore.open(storage, deps.now);
    const handles = {} as RuntimeHandles;
    const mounts = new MountManager({
      barrier: storage,
      registry: deps.registry(handles),
      logger: deps.logger,
      now: deps.now,
      systemDefaultLeaseTtl: deps.defaultLeaseTtl,
      systemMaxLeaseTtl: deps.maxLeaseTtl,
    });
    Object.assign(handles, { barrier: deps.barrier, tokens, mounts, seal: deps.seal });
    await mounts.load(deps.defaultMounts);
    const cluster = await loadClusterInfo(storage, deps.clusterName);
    return new Runtime(tokens, mounts, cluster, deps.logger);
  }

  handle(request: CoreRequest): Promise<CoreResult> {
    return handleRequest({ mounts: this.mounts, tokens: this.tokens, policies: builtinPolicies, logger: this.#logger }, request);
  }

  async stop(): Promise<void> {
    await this.mounts.cleanupAll();
  }
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
