import { CofferError, type Logger, type Storage } from '@coffer/sdk';
import { Barrier } from './barrier.js';
import type { EngineRegistry, MountManager, MountRequest } from './mount-manager.js';
import type { NewToken } from './token-store.js';
import type { MountTableName } from './mount-table.js';
import type { CoreRequest, CoreResult } from './request-handler.js';
import { Runtime, type ClusterInfo, type RuntimeHandles } from './runtime.js';
import { SealManager } from './seal-manager.js';

export interface CoreOptions {
  physical: Storage;
  logger: Logger;
  now?: () => Date;
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
  registry: (handles: RuntimeHandles) => EngineRegistry;
  defaultMounts: Record<MountTableName, (MountRequest & { path: string })[]>;
  clusterName?: string;
}

export interface SealStatus {
  type: 'shamir';
  initialized: boolean;
  sealed: boolean;
  t: number;
  n: number;
  progress: number;
  nonce: string;
}

export interface InitResult {
  keys: Uint8Array[];
  rootToken: string;
}

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

  constructor(options: CoreOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    this.#barrier = new Barrier(options.physical);
    this.#seal = new SealManager(options.physical, this.#barrier);
  }

  get sealed(): boolean {
    return this.#runtime === undefined;
  }

  async initialized(): Promise<boolean> {
    return (await this.#seal.config()) !== undefined;
  }

  async status(): Promise<SealStatus> {
    const p = await this.#seal.progress();
    return {
      type: 'shamir',
      initialized: await this.initialized(),
      sealed: this.sealed,
      t: p.threshold,
      n: p.shares,
      progress: p.progress,
      nonce: p.nonce,
    };
  }

  /**
   * Initialises storage: barrier keyring, default mounts and a root token, then seals again, as
   * Vault leaves a Shamir-sealed node. `rootTokenId` is only for dev mode.
   */
  initialize(shares: number, threshold: number, rootTokenId?: string): Promise<InitResult> {
    return this.#exclusive(async () => {
      const keys = await this.#seal.initialize(shares, threshold, this.#now());
      try {
        const runtime = await this.#startRuntime();
        const { token } = await runtime.tokens.create(rootTokenSpec(runtime.handles.mounts, rootTokenId));
        await runtime.stop();
        return { keys, rootToken: token };
      } finally {
        this.#barrier.seal();
      }
    });
  }

  /** Submits one unseal key share; the returned status reports progress or the unsealed state. */
  submitUnsealKey(share: Uint8Array): Promise<SealStatus> {
    return this.#exclusive(async () => {
      if (!(await this.initialized())) throw new CofferError('invalid_request', 'Vault is not initialized');
      if (!this.sealed) return this.status();
      if (await this.#seal.submit(share)) {
        try {
          this.#runtime = await this.#startRuntime();
          this.#options.logger.info('vault is unsealed');
        } catch (error) {
          this.#barrier.seal();
          throw error;
        }
      }
      return this.status();
    });
  }

  resetUnseal(): void {
    this.#seal.reset();
  }

  seal(): Promise<void> {
    return this.#exclusive(async () => {
      const runtime = this.#runtime;
      this.#runtime = undefined;
      this.#barrier.seal();
      this.#seal.reset();
      await runtime?.stop();
      if (runtime) this.#options.logger.info('vault is sealed');
    });
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
