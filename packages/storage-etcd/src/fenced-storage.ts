import { assertValidKey, CofferError, type Storage, type StorageCallOptions, type StorageWrite } from '@coffer/sdk';
import type { Etcd3, ICompare, IRequestOp } from 'etcd3';
import type { KeySpace } from './keys.js';
import type { RequestRunner } from './request-runner.js';

/**
 * What a write must prove: the leader key it was elected with still exists with the same create
 * revision, on the same lease. A key deleted (lease expired or revoked, resigned) fails the first
 * compare forever: a later key of the same name would have a later create revision.
 */
export interface Fence {
  readonly key: Buffer;
  readonly createRevision: string;
  readonly leaseId: string;
}

export interface FencedStorageDeps {
  /** Unfenced storage for reads: a deposed leader reading is harmless. */
  readonly reads: Storage;
  readonly client: Etcd3;
  readonly keys: KeySpace;
  readonly runner: RequestRunner;
  /** Size check and copy of a value (the plain storage's rules). */
  readonly checkedValue: (rawKey: Buffer, value: Uint8Array) => Buffer;
  /** A batch as transaction operations, checked (the plain storage's rules). */
  readonly requestOps: (writes: readonly StorageWrite[]) => IRequestOp[];
  readonly fence: Fence;
  /** Fires once leadership is lost; writes after it are refused without asking etcd. */
  readonly lost: AbortSignal;
  /** False once the lease may have expired by the local clock (and then `lost` has fired). */
  readonly alive: () => boolean;
  /** Called when etcd refused a write on the fence: leadership is certainly gone. */
  readonly onFenceFailed: () => void;
}

/**
 * The active node's storage: every put and delete is one etcd transaction that applies only if
 * the fence holds at the moment etcd applies it. A write that left before leadership was lost and
 * arrives after (a paused process, a slow network) is refused by etcd itself and changes nothing.
 */
export class FencedStorage implements Storage {
  readonly #deps: FencedStorageDeps;
  readonly #compare: ICompare[];

  constructor(deps: FencedStorageDeps) {
    this.#deps = deps;
    const { key, createRevision, leaseId } = deps.fence;
    this.#compare = [
      { key, target: 'Create', result: 'Equal', create_revision: createRevision },
      { key, target: 'Lease', result: 'Equal', lease: leaseId },
    ];
  }

  get(key: string, options?: StorageCallOptions): Promise<Uint8Array | undefined> {
    return this.#deps.reads.get(key, options);
  }

  list(prefix: string, options?: StorageCallOptions): Promise<string[]> {
    return this.#deps.reads.list(prefix, options);
  }

  async put(key: string, value: Uint8Array, options: StorageCallOptions = {}): Promise<void> {
    assertValidKey(key);
    const raw = this.#deps.keys.key(key);
    const bytes = this.#deps.checkedValue(raw, value);
    await this.#write('fenced put', { request_put: { key: raw, value: bytes } }, options.signal);
  }

  async delete(key: string, options: StorageCallOptions = {}): Promise<void> {
    assertValidKey(key);
    await this.#write('fenced delete', { request_delete_range: { key: this.#deps.keys.key(key) } }, options.signal);
  }

  /** Every write of the batch in the one fenced transaction: all land, or none. */
  async batch(writes: readonly StorageWrite[], options: StorageCallOptions = {}): Promise<void> {
    await this.#write('fenced batch', this.#deps.requestOps(writes), options.signal);
  }

  async #write(what: string, op: IRequestOp | IRequestOp[], signal: AbortSignal | undefined): Promise<void> {
    const { lost, alive, runner, client } = this.#deps;
    if (lost.aborted || !alive()) {
      throw lost.aborted ? lost.reason : new CofferError('unavailable', 'leadership lost: the lease may have expired');
    }
    // Losing leadership ends the wait too: the caller learns at once, and whatever was already
    // sent is judged by etcd against the fence.
    const stop = signal ? AbortSignal.any([signal, lost]) : lost;
    const res = await runner.run(what, (deadline) => client.kv.txn({ compare: this.#compare, success: Array.isArray(op) ? op : [op] }, { deadline }), stop);
    if (!res.succeeded) {
      this.#deps.onFenceFailed();
      throw new CofferError('unavailable', 'leadership lost: etcd refused the write because the leader key is gone');
    }
  }
}
