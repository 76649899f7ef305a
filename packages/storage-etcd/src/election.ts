import { CofferError, type LeaderInfo, type Leadership, type Logger } from '@coffer/sdk';
import type { Etcd3, IRangeRequest } from 'etcd3';
import { EtcdLeadership, type EtcdLeadershipDeps } from './etcd-leadership.js';
import type { KeySpace } from './keys.js';
import { LeaseKeeper } from './lease-keeper.js';
import { coalesced, type LockObserver } from './lock-observer.js';
import { messageOf, untilAborted, type RequestRunner } from './request-runner.js';

export interface ElectionDeps {
  readonly client: Etcd3;
  readonly runner: RequestRunner;
  /** Where candidates' keys live: `<path>core/lock/`. */
  readonly lockKeys: KeySpace;
  readonly ttlSeconds: number;
  readonly observer: LockObserver;
  readonly log: Logger;
  readonly storage: EtcdLeadershipDeps['storage'];
}

type Standing = 'leading' | 'waiting' | 'gone';

/**
 * Leader election as etcd's own `concurrency.Election` does it: each candidate puts a key named
 * after its lease (`<path>core/lock/<lease hex>`, holding its LeaderInfo as JSON) and leads once no
 * key with a lower create revision is left. Keys only ever get higher revisions, so a leader stays
 * the lowest until its key goes, and that is exactly what the fence checks. Waiting candidates
 * re-check on every change the LockObserver reports (a watch, plus a poll), so a released or
 * expired key is taken over at once.
 */
export class Election {
  readonly #deps: ElectionDeps;
  readonly #leaderships = new Set<EtcdLeadership>();
  readonly #closing = new AbortController();

  constructor(deps: ElectionDeps) {
    this.#deps = deps;
  }

  async campaign(node: LeaderInfo, signal: AbortSignal): Promise<Leadership> {
    const value = Buffer.from(JSON.stringify(checkedInfo(node)));
    const stop = AbortSignal.any([signal, this.#closing.signal]);
    const { client, runner, log } = this.#deps;
    for (let failures = 0; ; ) {
      stop.throwIfAborted();
      let keeper: LeaseKeeper | undefined;
      try {
        keeper = await LeaseKeeper.grant(client, runner, log, this.#deps.ttlSeconds, stop);
        const key = this.#deps.lockKeys.key(keeper.hex);
        const lease = keeper.id;
        const res = await runner.run('campaign', (deadline) => client.kv.put({ key, value, lease, prev_kv: true }, { deadline }), stop);
        // A retried put (first answer lost) finds its own earlier put: that one created the key.
        const createRevision = res.prev_kv?.create_revision ?? res.header.revision;
        failures = 0;
        if (await this.#waitTurn(keeper, key, createRevision, stop)) {
          log.info({ lease: keeper.hex, id: node.id }, 'elected leader');
          const leadership: EtcdLeadership = new EtcdLeadership({
            ...this.#deps,
            keeper,
            key,
            createRevision,
            onEnd: (ended) => this.#leaderships.delete(ended),
          });
          if (!leadership.lost.aborted) this.#leaderships.add(leadership);
          return leadership;
        }
        log.warn({ lease: keeper.hex }, 'lost the lease while waiting to lead; campaigning again');
        void keeper.revoke('lease lost while waiting');
      } catch (error) {
        void keeper?.revoke('campaign ended');
        if (stop.aborted) throw stop.reason;
        // etcd down, out of space, ...: campaigning goes on until the caller gives up.
        if (failures++ === 0) log.warn({ error: messageOf(error) }, 'campaign failed; retrying');
        else log.debug({ error: messageOf(error) }, 'campaign failed again; retrying');
        const pause = Math.min(5000, 250 * 2 ** Math.min(failures, 5));
        await untilAborted(new Promise((resolve) => setTimeout(resolve, pause)), stop);
      }
    }
  }

  /** One linearizable read of the lowest candidate key. */
  async leader(signal?: AbortSignal): Promise<LeaderInfo | undefined> {
    const { client, runner } = this.#deps;
    const res = await runner.run('leader', (deadline) => client.kv.range(this.#firstCandidate(false), { deadline }), signal);
    const kv = res.kvs[0];
    return kv === undefined ? undefined : this.#parse(kv.value);
  }

  watchLeader(onChange: (leader: LeaderInfo | undefined) => void): () => void {
    let stopped = false;
    let last: string | undefined;
    const refresh = coalesced(async () => {
      if (stopped) return;
      let current: LeaderInfo | undefined;
      try {
        current = await this.leader();
      } catch (error) {
        // Not knowing is not "no leader": keep the last answer until etcd answers again.
        this.#deps.log.debug({ error: messageOf(error) }, 'leader lookup failed');
        return;
      }
      const seen = current === undefined ? '' : JSON.stringify(current);
      if (stopped || seen === last) return;
      last = seen;
      onChange(current);
    });
    const unsubscribe = this.#deps.observer.subscribe(refresh);
    refresh();
    return () => {
      stopped = true;
      unsubscribe();
    };
  }

  /** Ends pending campaigns and gives up every leadership held, so others take over at once. */
  async close(): Promise<void> {
    this.#closing.abort(new CofferError('unavailable', 'storage unavailable: the etcd storage is closed'));
    await Promise.all([...this.#leaderships].map((l) => l.resign()));
    this.#deps.observer.close();
  }

  #waitTurn(keeper: LeaseKeeper, key: Buffer, createRevision: string, signal: AbortSignal): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      let done = false;
      let unsubscribe = () => {};
      const finish = (settle: () => void) => {
        if (done) return;
        done = true;
        unsubscribe();
        keeper.lost.removeEventListener('abort', onLost);
        signal.removeEventListener('abort', onAbort);
        settle();
      };
      const onLost = () => finish(() => resolve(false));
      const onAbort = () => finish(() => reject(signal.reason));
      const check = coalesced(async () => {
        if (done) return;
        try {
          const standing = await this.#standing(key, createRevision, signal);
          if (standing === 'leading') finish(() => resolve(keeper.alive()));
          else if (standing === 'gone') finish(() => resolve(false));
        } catch (error) {
          if (signal.aborted) onAbort();
          else this.#deps.log.debug({ error: messageOf(error) }, 'election check failed; will check again');
        }
      });
      if (keeper.lost.aborted) return resolve(false);
      keeper.lost.addEventListener('abort', onLost, { once: true });
      signal.addEventListener('abort', onAbort, { once: true });
      unsubscribe = this.#deps.observer.subscribe(check);
      check();
    });
  }

  /** Our key and the lowest candidate, read together in one transaction. */
  async #standing(key: Buffer, createRevision: string, signal: AbortSignal): Promise<Standing> {
    const { client, runner } = this.#deps;
    const res = await runner.run(
      'election check',
      (deadline) =>
        client.kv.txn(
          { success: [{ request_range: this.#firstCandidate(true) }, { request_range: { key, keys_only: true } }] },
          { deadline },
        ),
      signal,
    );
    const first = res.responses[0]?.response_range?.kvs[0];
    const mine = res.responses[1]?.response_range?.kvs[0];
    if (mine?.create_revision !== createRevision) return 'gone';
    return first !== undefined && first.key.equals(key) ? 'leading' : 'waiting';
  }

  #firstCandidate(keysOnly: boolean): IRangeRequest {
    return { ...this.#deps.lockKeys.range(''), sort_target: 'Create', sort_order: 'Ascend', limit: 1, keys_only: keysOnly };
  }

  #parse(value: Buffer): LeaderInfo | undefined {
    try {
      return checkedInfo(JSON.parse(value.toString('utf8')));
    } catch {
      this.#deps.log.warn('the leader key holds no Coffer leader information; is another program using this path?');
      return undefined;
    }
  }
}

function checkedInfo(info: unknown): LeaderInfo {
  const { id, apiAddr, clusterAddr } = (info ?? {}) as Partial<Record<keyof LeaderInfo, unknown>>;
  if (typeof id !== 'string' || typeof apiAddr !== 'string' || typeof clusterAddr !== 'string') {
    throw new TypeError('leader information needs string id, apiAddr and clusterAddr');
  }
  return { id, apiAddr, clusterAddr };
}
