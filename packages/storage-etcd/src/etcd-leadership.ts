import type { Leadership, Logger } from '@coffer/sdk';
import type { Etcd3 } from 'etcd3';
import { FencedStorage, type FencedStorageDeps } from './fenced-storage.js';
import type { LeaseKeeper } from './lease-keeper.js';
import { coalesced, type LockObserver } from './lock-observer.js';
import { messageOf, type RequestRunner } from './request-runner.js';

export interface EtcdLeadershipDeps {
  readonly keeper: LeaseKeeper;
  /** The leader key and its create revision: the fence. */
  readonly key: Buffer;
  readonly createRevision: string;
  readonly client: Etcd3;
  readonly runner: RequestRunner;
  readonly observer: LockObserver;
  readonly log: Logger;
  /** What the fenced storage needs besides the fence. */
  readonly storage: Pick<FencedStorageDeps, 'reads' | 'keys' | 'checkedValue' | 'requestOps'>;
  /** Called once, when this leadership ends for any reason. */
  readonly onEnd: (leadership: EtcdLeadership) => void;
}

/**
 * Leadership held through one lease and one leader key. `lost` is the lease keeper's signal, fired
 * by whichever sees the loss first: the keeper (etcd says the lease is gone, or keepalives failed
 * until it may have expired), a fenced write etcd refused, the leader key vanishing from under us
 * (watch or poll), `resign()`, or closing the storage. On loss the lease is revoked, best effort,
 * so that if etcd still had it, the next node need not wait for the TTL.
 */
export class EtcdLeadership implements Leadership {
  readonly storage: FencedStorage;
  readonly #deps: EtcdLeadershipDeps;
  readonly #stopWatching: () => void;

  constructor(deps: EtcdLeadershipDeps) {
    this.#deps = deps;
    const { keeper } = deps;
    this.storage = new FencedStorage({
      ...deps.storage,
      client: deps.client,
      runner: deps.runner,
      fence: { key: deps.key, createRevision: deps.createRevision, leaseId: keeper.id },
      lost: keeper.lost,
      alive: () => keeper.alive(),
      onFenceFailed: () => keeper.lose('etcd refused a write: the leader key is gone'),
    });
    this.#stopWatching = deps.observer.subscribe(coalesced(() => this.#checkKey()));
    const ended = () => {
      this.#stopWatching();
      deps.log.info({ lease: keeper.hex, reason: messageOf(keeper.lost.reason) }, 'leadership ended');
      void keeper.revoke();
      deps.onEnd(this);
    };
    if (keeper.lost.aborted) ended();
    else keeper.lost.addEventListener('abort', ended, { once: true });
  }

  get lost(): AbortSignal {
    return this.#deps.keeper.lost;
  }

  async resign(): Promise<void> {
    await this.#deps.keeper.revoke('resigned');
  }

  /** The key can go without the lease (an operator's `etcdctl del`): then we no longer lead either. */
  async #checkKey(): Promise<void> {
    const { keeper, runner, client, key, createRevision } = this.#deps;
    if (keeper.lost.aborted) return;
    try {
      const res = await runner.run('leader key check', (deadline) => client.kv.range({ key, keys_only: true }, { deadline }), keeper.lost);
      if (res.kvs[0]?.create_revision !== createRevision) keeper.lose('the leader key was deleted');
    } catch {
      // Unreachable etcd is the keeper's to judge (by its keepalives), not ours.
    }
  }
}
