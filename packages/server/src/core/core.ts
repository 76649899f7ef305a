import { CofferError, type Logger, type Storage } from '@coffer/sdk';
import { Barrier } from './barrier.js';
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
}

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
  /** sys/generate-root, sys/rekey and sys/rekey-recovery-key: quorum operations on a running node. */
  readonly generateRoot: GenerateRoot;
  readonly rekey: { barrier: Rekey; recovery: Rekey };

  constructor(options: CoreOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#barrier = new Barrier(options.physical);
    this.#seal = new SealManager(options.physical, this.#barrier, options.seals ?? { active: undefined }, options.logger);
    this.generateRoot = new GenerateRoot(this.#seal, () => this.#mintRootToken());
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
        if (!this.#runtime && !this.#barrier.sealed) await this.#startRuntimeOrReseal();
      }),
      seal.describe(),
      this.#options.logger,
    );
    this.#autoUnseal = loop;
    void loop.done.finally(() => {
      if (this.#autoUnseal === loop) this.#autoUnseal = undefined;
    });
  }

  async #startRuntimeOrReseal(): Promise<void> {
    try {
      this.#runtime = await this.#startRuntime();
      this.#options.logger.info('vault is unsealed');
    } catch (error) {
      this.#barrier.seal();
      throw error;
    }
  }

  get sealed(): boolean {
    return this.#runtime === undefined;
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
      const runtime = this.#runtime;
      this.#runtime = undefined;
      this.#barrier.seal();
      this.#seal.resetProgress();
      await runtime?.stop();
      if (runtime) this.#options.logger.info('vault is sealed');
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
    if (!this.#runtime) return Promise.reject(new CofferError('sealed', 'Vault is sealed'));
    return this.#runtime.handle(request);
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
      ...(this.#options.clusterName !== undefined ? { clusterName: this.#options.clusterName } : {}),
      // sys/seal runs inside a request; sealing waits for other transitions but not for that request.
      seal: () => this.seal(),
    });
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
