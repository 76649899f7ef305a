import { CofferError, isHAStorage, type LeaderInfo, type Logger, type Storage } from '@coffer/sdk';
import type { Metrics } from '../metrics/metrics.js';
import type { AuditDeviceSpec } from './audit/audit-manager.js';
import { Barrier, DEFAULT_CACHE_LIMITS } from './barrier.js';
import type { ClusterIdentity } from './ha/cluster-tls.js';
import { HaNode } from './ha/ha-node.js';
import { newUuid } from './ids.js';
import type { EngineRegistry, MountManager, MountRequest } from './mount-manager.js';
import type { NewToken } from './token-store.js';
import type { MountTableName } from './mount-table.js';
import type { CoreRequest, CoreResult } from './request-handler.js';
import { Runtime, type ClusterInfo, type RuntimeHandles } from './runtime.js';
import { startAutoUnseal, type AutoUnsealLoop } from './seal/auto-unseal.js';
import { GenerateRoot } from './seal/generate-root.js';
import { Rekey } from './seal/rekey.js';
import { SealManager, type InitRequest, type SealSet } from './seal/seal-manager.js';

export interface CoreOptions {
  physical: Storage;
  logger: Logger;
  now?: () => Date;
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
  registry: (handles: RuntimeHandles) => EngineRegistry;
  defaultMounts: Record<MountTableName, (MountRequest & { path: string })[]>;
  clusterName?: string;
  /** The configured seals; Shamir when absent. */
  seals?: SealSet;
  /** Audit devices declared in the config, and whether sys/audit may add more (Vault: yes). */
  audit?: { devices: readonly AuditDeviceSpec[]; allowApi: boolean };
  /** The node's Prometheus registry; the core reports seal state, role, leases and audit failures. */
  metrics?: Metrics;
  /** With HA storage: this node's advertised addresses (the leader key holds them). */
  ha?: { apiAddr: string; clusterAddr: string; clusterHost: string; stepDownBackoffMs?: number };
  /**
   * Called after every change of role or seal state, and after initialisation (service
   * registration relabels the pod). It must return at once; the new state is read from the core.
   */
  onRoleChange?: () => void;
  /** Entries in the read cache of stored values (Vault's `cache_size`); 0 disables it. */
  readCacheEntries?: number;
}

export type NodeRole = 'sealed' | 'standby' | 'active';

export interface SealStatus {
  type: string;
  initialized: boolean;
  sealed: boolean;
  t: number;
  n: number;
  progress: number;
  nonce: string;
  migration: boolean;
  /** An auto seal: t and n describe the recovery keys. */
  recoverySeal: boolean;
}

export interface InitResult {
  keys: Uint8Array[];
  recoveryKeys: Uint8Array[];
  rootToken: string;
}

export type { InitRequest, SealSet } from './seal/seal-manager.js';

/**
 * The node's lifecycle: uninitialised → sealed ⇄ unsealed. Composes the barrier, the seal manager
 * and, while unsealed, the runtime. Every logical request enters through `handle`.
 */
export class Core {
  readonly #options: CoreOptions;
  readonly #barrier: Barrier;
  readonly #seal: SealManager;
  readonly #now: () => Date;
  #runtime: Runtime | undefined;
  #transition: Promise<unknown> = Promise.resolve();
  #autoUnseal: AutoUnsealLoop | undefined;
  #ha: HaNode | undefined;
  #activeSince: Date | undefined;
  /** sys/generate-root, sys/rekey and sys/rekey-recovery-key: quorum operations on a running node. */
  readonly generateRoot: GenerateRoot;
  readonly rekey: { barrier: Rekey; recovery: Rekey };

  constructor(options: CoreOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#barrier = new Barrier(options.physical, {
      ...DEFAULT_CACHE_LIMITS,
      ...(options.readCacheEntries !== undefined ? { maxEntries: options.readCacheEntries } : {}),
    });
    this.#seal = new SealManager(options.physical, this.#barrier, options.seals ?? { active: undefined }, options.logger);
    this.generateRoot = new GenerateRoot(this.#seal, () => this.#mintRootToken());
    options.metrics?.attach({
      sealed: () => this.sealed,
      active: () => this.role === 'active',
      leases: () => this.#runtime?.handles.expiration.counts() ?? { tokens: 0, secrets: 0, irrevocable: 0 },
      auditFailures: () => this.#runtime?.handles.audit.failures() ?? [],
    });
    this.rekey = { barrier: new Rekey(this.#seal, 'barrier'), recovery: new Rekey(this.#seal, 'recovery') };
  }

  async #mintRootToken(): Promise<string> {
    const runtime = this.#runtime;
    if (!runtime) throw new CofferError('sealed', 'Vault is sealed');
    const { token } = await runtime.tokens.create(rootTokenSpec(runtime.handles.mounts, undefined));
    this.#options.logger.warn('a new root token was generated with a quorum of key shares');
    return token;
  }

  /** The seal manager, for the quorum operations (generate-root, rekey). */
  get sealManager(): SealManager {
    return this.#seal;
  }

  /**
   * Starts unsealing through the auto seal when one is configured and the node is initialised and
   * not migrating. Resolves at once; the loop retries in the background until it succeeds.
   */
  async start(): Promise<void> {
    if (!this.#seal.autoSeal || !(await this.initialized()) || (await this.#seal.migrationPending())) return;
    this.#beginAutoUnseal();
  }

  /** Resolves when a running auto-unseal loop has finished (for tests and startup banners). */
  get autoUnsealed(): Promise<void> {
    return this.#autoUnseal?.done ?? Promise.resolve();
  }

  #beginAutoUnseal(): void {
    const seal = this.#seal.autoSeal;
    if (!seal || this.#autoUnseal) return;
    const loop = startAutoUnseal(
      () => this.#exclusive(async () => {
        await this.#seal.autoUnseal();
        if (!this.#runtime && !this.#ha && !this.#barrier.sealed) await this.#startRuntimeOrReseal();
      }),
      seal.describe(),
      this.#options.logger,
    );
    this.#autoUnseal = loop;
    void loop.done.finally(() => {
      if (this.#autoUnseal === loop) this.#autoUnseal = undefined;
    });
  }

  /** After the barrier opened: serve at once, or (HA) join the cluster as a standby and campaign. */
  async #startRuntimeOrReseal(): Promise<void> {
    const physical = this.#options.physical;
    const ha = this.#options.ha;
    if (ha && isHAStorage(physical)) {
      this.#ha = new HaNode({
        storage: physical,
        node: { id: newUuid(), apiAddr: ha.apiAddr, clusterAddr: ha.clusterAddr },
        clusterHost: ha.clusterHost,
        barrier: this.#barrier,
        logger: this.#options.logger.child({ component: 'ha' }),
        startRuntime: async () => {
          this.#runtime = await this.#startRuntime();
          this.#activeSince = this.#now();
          this.#roleChanged();
        },
        stopRuntime: async () => {
          const runtime = this.#runtime;
          this.#runtime = undefined;
          this.#activeSince = undefined;
          this.#roleChanged();
          await runtime?.stop();
        },
        ...(ha.stepDownBackoffMs !== undefined ? { stepDownBackoffMs: ha.stepDownBackoffMs } : {}),
      });
      this.#ha.start();
      this.#roleChanged();
      this.#options.logger.info('vault is unsealed; joining the cluster as a standby');
      return;
    }
    try {
      this.#runtime = await this.#startRuntime();
      this.#activeSince = this.#now();
      this.#roleChanged();
      this.#options.logger.info('vault is unsealed');
    } catch (error) {
      this.#barrier.seal();
      throw error;
    }
  }

  /**
   * Sealed until the node can serve: without HA the runtime must be up (the barrier opens a moment
   * before it), with HA the node must have joined the cluster (as a standby or active).
   */
  get sealed(): boolean {
    return this.#barrier.sealed || (!this.#ha && !this.#runtime);
  }

  /** sealed, standby (unsealed, another node is active) or active. */
  get role(): NodeRole {
    if (this.sealed) return 'sealed';
    return this.#runtime ? 'active' : 'standby';
  }

  /** HA only: the active node as last seen, and this node's own advertisement. */
  haState(): { enabled: boolean; self?: LeaderInfo; leader?: LeaderInfo; activeSince?: Date } {
    if (!this.#ha) return { enabled: this.#options.ha !== undefined && isHAStorage(this.#options.physical) };
    return {
      enabled: true,
      self: this.#ha.node,
      ...(this.#ha.leader ? { leader: this.#ha.leader } : {}),
      ...(this.#activeSince ? { activeSince: this.#activeSince } : {}),
    };
  }

  /** This node's cluster certificate (HA forwarding); undefined until the cluster CA exists. */
  clusterIdentity(): Promise<ClusterIdentity | undefined> {
    return this.#ha?.identity() ?? Promise.resolve(undefined);
  }

  /** sys/step-down: hands leadership to a standby. */
  async stepDown(): Promise<void> {
    await this.#ha?.stepDown();
  }

  async initialized(): Promise<boolean> {
    return this.#seal.initialized();
  }

  async status(): Promise<SealStatus> {
    const s = await this.#seal.status();
    return {
      type: s.type,
      initialized: s.initialized,
      sealed: this.sealed,
      t: s.threshold,
      n: s.shares,
      progress: s.progress,
      nonce: s.nonce,
      migration: s.migration,
      recoverySeal: s.recoverySeal,
    };
  }

  /**
   * Initialises storage: barrier keyring, default mounts and a root token, then seals again, as
   * Vault leaves a Shamir-sealed node; an auto-sealed node then unseals itself at once.
   * `rootTokenId` is only for dev mode.
   */
  async initialize(request: InitRequest, rootTokenId?: string): Promise<InitResult> {
    const result = await this.#exclusive(async () => {
      const { keys, recoveryKeys } = await this.#seal.initialize(request, this.#now());
      try {
        const runtime = await this.#startRuntime();
        const { token } = await runtime.tokens.create(rootTokenSpec(runtime.handles.mounts, rootTokenId));
        await runtime.stop();
        return { keys, recoveryKeys, rootToken: token };
      } finally {
        this.#barrier.seal();
      }
    });
    this.#roleChanged();
    if (this.#seal.autoSeal) this.#beginAutoUnseal();
    return result;
  }

  /**
   * Submits one key share (unseal keys with Shamir; recovery keys with an auto seal, as after a
   * manual seal or for a migration); the returned status reports progress or the unsealed state.
   */
  submitUnsealKey(share: Uint8Array, options: { migrate?: boolean } = {}): Promise<SealStatus> {
    return this.#exclusive(async () => {
      if (!(await this.initialized())) throw new CofferError('invalid_request', 'Vault is not initialized');
      if (!this.sealed) return this.status();
      if (await this.#seal.submit(share, { migrate: options.migrate ?? false })) await this.#startRuntimeOrReseal();
      return this.status();
    });
  }

  resetUnseal(): void {
    this.#seal.resetProgress();
  }

  /** Seals this node. With an auto seal it stays sealed until an operator unseals it with recovery keys. */
  seal(): Promise<void> {
    this.#autoUnseal?.stop();
    return this.#exclusive(async () => {
      const wasUnsealed = !this.#barrier.sealed;
      // Resigning first lets a standby take over at once (SIGTERM, sys/seal on the active node).
      const ha = this.#ha;
      this.#ha = undefined;
      await ha?.stop();
      const runtime = this.#runtime;
      this.#runtime = undefined;
      this.#activeSince = undefined;
      this.#barrier.seal();
      this.#seal.resetProgress();
      this.#roleChanged();
      await runtime?.stop();
      if (wasUnsealed) this.#options.logger.info('vault is sealed');
    });
  }

  /** Seals and releases the seals' clients (transit token renewal), for shutdown. */
  async close(): Promise<void> {
    await this.seal();
    const { active, previous } = this.#options.seals ?? { active: undefined };
    await active?.close();
    if (previous && previous !== 'shamir') await previous.close();
  }

  /** Cluster name and id, known only while unsealed. */
  cluster(): ClusterInfo | undefined {
    return this.#runtime?.cluster;
  }

  handle(request: CoreRequest): Promise<CoreResult> {
    if (!this.#runtime) {
      return Promise.reject(
        this.sealed
          ? new CofferError('sealed', 'Vault is sealed')
          : new CofferError('unavailable', 'this node is a standby and no active node could be reached'),
      );
    }
    return this.#runtime.handle(request);
  }

  /** SIGHUP: audit file sinks reopen their files (log rotation). */
  async reopenAuditDevices(): Promise<void> {
    await this.#runtime?.handles.audit.reopen();
  }

  /** When this node became active (the leader's `active_time`). */
  get activeSince(): Date | undefined {
    return this.#activeSince;
  }

  #startRuntime(): Promise<Runtime> {
    return Runtime.start({
      barrier: this.#barrier,
      logger: this.#options.logger,
      now: this.#now,
      defaultLeaseTtl: this.#options.defaultLeaseTtl,
      maxLeaseTtl: this.#options.maxLeaseTtl,
      registry: this.#options.registry,
      defaultMounts: this.#options.defaultMounts,
      audit: this.#options.audit ?? { devices: [], allowApi: true },
      ...(this.#options.metrics ? { metrics: this.#options.metrics } : {}),
      ...(this.#options.clusterName !== undefined ? { clusterName: this.#options.clusterName } : {}),
      // sys/seal runs inside a request; sealing waits for other transitions but not for that request.
      seal: () => this.seal(),
      // sys/step-down answers first; the hand-over happens right after the response.
      stepDown: async () => {
        setImmediate(() => void this.stepDown().catch(() => undefined));
      },
    });
  }

  #roleChanged(): void {
    try {
      this.#options.onRoleChange?.();
    } catch (error) {
      this.#options.logger.warn({ err: error }, 'a role-change listener failed');
    }
  }

  /** Init, unseal and seal never overlap. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#transition.then(work);
    this.#transition = run.catch(() => undefined);
    return run;
  }
}

/** The root token sys/init returns: root policy, no TTL, issued by the token auth mount. */
function rootTokenSpec(mounts: MountManager, id: string | undefined): NewToken {
  return {
    policies: ['root'],
    path: 'auth/token/root',
    mountAccessor: mounts.find('auth', 'token/')?.accessor ?? '',
    meta: {},
    displayName: 'root',
    ttl: 0,
    expireTime: 0,
    maxTtl: 0,
    explicitMaxTtl: 0,
    period: 0,
    numUses: 0,
    renewable: false,
    boundCidrs: [],
    internal: {},
    type: 'service',
    ...(id !== undefined ? { id } : {}),
  };
}
