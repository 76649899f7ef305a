import type { HAStorage, LeaderInfo, Leadership, Logger } from '@coffer/sdk';
import type { Etcd3 } from 'etcd3';
import type { EtcdStorageConfig } from './config.js';
import { Election } from './election.js';
import { EtcdStorage } from './etcd-storage.js';
import { KeySpace } from './keys.js';
import { LockObserver } from './lock-observer.js';

/**
 * Where candidates' keys live, under the storage path, as in Vault (`<path>core/lock/<lease hex>`).
 * Coffer stores nothing else there; a storage migration should skip it, as Vault's does.
 */
export const LEADER_KEY_PREFIX = 'core/lock/';

/** How often waiting candidates and leader watchers re-read, should the watch stall. */
const POLL_MS = 1000;

/** EtcdStorage with `ha_enabled`: the same storage, plus election with fenced writes. */
export class EtcdHAStorage extends EtcdStorage implements HAStorage {
  readonly haEnabled = true as const;
  readonly #election: Election;

  constructor(config: EtcdStorageConfig, client: Etcd3, logger: Logger) {
    super(config, client, logger);
    const lockKeys = new KeySpace(config.path + LEADER_KEY_PREFIX);
    this.#election = new Election({
      client,
      runner: this.runner,
      lockKeys,
      ttlSeconds: config.lockTimeoutSeconds,
      observer: new LockObserver(client, lockKeys.key(''), POLL_MS, logger),
      log: logger,
      storage: {
        reads: this,
        keys: this.keys,
        checkedValue: (raw, value) => this.checkedValue(raw, value),
        requestOps: (writes) => this.requestOps(writes),
      },
    });
  }

  campaign(node: LeaderInfo, signal: AbortSignal): Promise<Leadership> {
    return this.#election.campaign(node, signal);
  }

  leader(): Promise<LeaderInfo | undefined> {
    return this.#election.leader();
  }

  watchLeader(onChange: (leader: LeaderInfo | undefined) => void): () => void {
    return this.#election.watchLeader(onChange);
  }

  /** Resigns first, so another node takes over at once rather than after the lease's TTL. */
  override async close(): Promise<void> {
    await this.#election.close();
    await super.close();
  }
}
