import { CofferError, type HAStorage, type LeaderInfo, type Leadership, type Logger, type Storage } from '@coffer/sdk';
import type { Barrier } from '../barrier.js';
import { clusterCa, issueNodeIdentity, type ClusterIdentity } from './cluster-tls.js';
import { HaCoordinator } from './ha-coordinator.js';

export interface HaNodeDeps {
  storage: HAStorage;
  node: LeaderInfo;
  /** The host of this node's cluster address, named in its certificate. */
  clusterHost: string;
  barrier: Barrier;
  logger: Logger;
  /** Builds the runtime (mounts, tokens, leases) from storage: this node now serves. */
  startRuntime(): Promise<void>;
  stopRuntime(): Promise<void>;
  stepDownBackoffMs?: number;
}

/** A standby never writes: if anything tries, it fails loudly instead of racing the active node. */
const STANDBY_WRITER: Pick<Storage, 'put' | 'delete'> & Storage = {
  get: async () => undefined,
  list: async () => [],
  put: async () => {
    throw new CofferError('unavailable', 'this node is a standby and does not write');
  },
  delete: async () => {
    throw new CofferError('unavailable', 'this node is a standby and does not write');
  },
};

/**
 * One unsealed node of an HA cluster: a standby until it wins the election, then active with every
 * barrier write fenced by its leadership; back to standby the moment leadership is lost. Holds the
 * node's cluster identity for forwarding.
 */
export class HaNode {
  readonly #deps: HaNodeDeps;
  readonly #coordinator: HaCoordinator;
  /**
   * Single-flight: concurrent first forwards share one certificate. Issuing one per caller gave the
   * forwarder a new identity mid-flight, and it dropped the connections of requests still running.
   */
  #identity: Promise<ClusterIdentity | undefined> | undefined;

  constructor(deps: HaNodeDeps) {
    this.#deps = deps;
    this.#coordinator = new HaCoordinator({
      storage: deps.storage,
      node: deps.node,
      logger: deps.logger,
      becomeActive: (leadership) => this.#becomeActive(leadership),
      becomeStandby: () => this.#becomeStandby(),
      ...(deps.stepDownBackoffMs !== undefined ? { stepDownBackoffMs: deps.stepDownBackoffMs } : {}),
    });
  }

  get isActive(): boolean {
    return this.#coordinator.isActive;
  }

  get activeSince(): Date | undefined {
    return this.#coordinator.activeSince;
  }

  get leader(): LeaderInfo | undefined {
    return this.#coordinator.leader;
  }

  get node(): LeaderInfo {
    return this.#deps.node;
  }

  /** Called once the barrier is open: join the cluster as a standby and campaign. */
  start(): void {
    this.#deps.barrier.setWriter(STANDBY_WRITER, false);
    void this.identity().catch(() => undefined);
    this.#coordinator.start();
  }

  stepDown(): Promise<void> {
    return this.#coordinator.stepDown();
  }

  async stop(): Promise<void> {
    await this.#coordinator.stop();
    this.#identity = undefined;
  }

  /**
   * This node's certificate from the cluster CA. Created with the CA by the first active node;
   * a standby reads the CA behind the barrier, so it must be unsealed to forward.
   */
  identity(): Promise<ClusterIdentity | undefined> {
    this.#identity ??= this.#issueIdentity(false);
    return this.#identity;
  }

  /** Reads (or, on the active node, creates) the cluster CA and issues this node's certificate. */
  #issueIdentity(createCa: boolean): Promise<ClusterIdentity | undefined> {
    const issuing = (async () => {
      const ca = await clusterCa(this.#deps.barrier, createCa);
      return ca ? issueNodeIdentity(ca, this.#deps.clusterHost) : undefined;
    })();
    // A failure or "no CA yet" is not remembered: the next caller tries again.
    void issuing.then(
      (identity) => {
        if (!identity && this.#identity === issuing) this.#identity = undefined;
      },
      () => {
        if (this.#identity === issuing) this.#identity = undefined;
      },
    );
    return issuing;
  }

  async #becomeActive(leadership: Leadership): Promise<void> {
    this.#deps.barrier.setWriter(leadership.storage, true);
    // Terms the old leader added (sys/rotate) are picked up before anything is written.
    await this.#deps.barrier.reload();
    if (!(await this.#identity?.catch(() => undefined))) this.#identity = this.#issueIdentity(true);
    await this.#identity;
    await this.#deps.startRuntime();
  }

  async #becomeStandby(): Promise<void> {
    this.#deps.barrier.setWriter(STANDBY_WRITER, false);
    await this.#deps.stopRuntime();
  }
}
