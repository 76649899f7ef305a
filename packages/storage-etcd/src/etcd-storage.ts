import {
  assertValidKey,
  checkBatch,
  CofferError,
  nextSegments,
  type ClosableStorage,
  type Logger,
  type StorageCallOptions,
  type StorageWrite,
} from '@coffer/sdk';
import type { Etcd3, IRangeResponse, IRequestOp } from 'etcd3';
import type { EtcdStorageConfig } from './config.js';
import { keyAfter, KeySpace, prefixEnd } from './keys.js';
import { RequestRunner } from './request-runner.js';

/** Keys per LIST page: keys only, so even long keys keep a page far below gRPC's 4 MiB. */
const LIST_PAGE = 2000;
/** Room left in a request for framing and the fence's compares, besides the key and the path. */
const REQUEST_OVERHEAD_BYTES = 512;

/**
 * Storage on etcd v3: each key is `<path><key>`, each value the raw bytes. LIST reads keys only,
 * page by page at one revision (a consistent snapshot), and jumps over a folder's remaining keys
 * once it has seen the folder. Every call runs under `request_timeout` with retries.
 */
export class EtcdStorage implements ClosableStorage {
  readonly config: EtcdStorageConfig;
  protected readonly client: Etcd3;
  protected readonly keys: KeySpace;
  protected readonly runner: RequestRunner;
  protected readonly log: Logger;
  #closed = false;

  constructor(config: EtcdStorageConfig, client: Etcd3, logger: Logger) {
    this.config = config;
    this.client = client;
    this.keys = new KeySpace(config.path);
    this.runner = new RequestRunner(config.requestTimeoutMs, logger);
    this.log = logger;
  }

  async get(key: string, options: StorageCallOptions = {}): Promise<Uint8Array | undefined> {
    assertValidKey(key);
    const raw = this.keys.key(key);
    const res = await this.runner.run('get', (deadline) => this.client.kv.range({ key: raw }, { deadline }), options.signal);
    const value = res.kvs[0]?.value;
    // A copy: the decoded buffer may be a view into a larger gRPC message.
    return value === undefined ? undefined : new Uint8Array(value);
  }

  async put(key: string, value: Uint8Array, options: StorageCallOptions = {}): Promise<void> {
    assertValidKey(key);
    const raw = this.keys.key(key);
    const bytes = this.checkedValue(raw, value);
    await this.runner.run('put', (deadline) => this.client.kv.put({ key: raw, value: bytes }, { deadline }), options.signal);
  }

  async delete(key: string, options: StorageCallOptions = {}): Promise<void> {
    assertValidKey(key);
    const raw = this.keys.key(key);
    await this.runner.run('delete', (deadline) => this.client.kv.deleteRange({ key: raw }, { deadline }), options.signal);
  }

  /** One transaction with no condition: every write lands, or (an error) none does. */
  async batch(writes: readonly StorageWrite[], options: StorageCallOptions = {}): Promise<void> {
    const ops = this.requestOps(writes);
    await this.runner.run('batch', (deadline) => this.client.kv.txn({ compare: [], success: ops }, { deadline }), options.signal);
  }

  async list(prefix: string, options: StorageCallOptions = {}): Promise<string[]> {
    const { key: first, range_end } = this.keys.range(prefix);
    const found: string[] = [];
    let start = first;
    let revision: string | undefined;
    for (let restarts = 0; ; ) {
      let page: IRangeResponse;
      try {
        page = await this.runner.run(
          'list',
          (deadline) =>
            this.client.kv.range(
              { key: start, range_end, keys_only: true, limit: LIST_PAGE, ...(revision ? { revision } : {}) },
              { deadline },
            ),
          options.signal,
        );
      } catch (error) {
        // etcd compacted our snapshot's revision between two pages: start over at a new one.
        if (revision === undefined || restarts++ >= 3 || !String(errorCause(error)).includes('has been compacted')) throw error;
        found.length = 0;
        start = first;
        revision = undefined;
        continue;
      }
      revision ??= page.header.revision;
      for (const kv of page.kvs) found.push(this.keys.unkey(kv.key));
      const last = page.kvs.at(-1);
      if (!page.more || last === undefined) break;
      // Continue after the last key, or after its whole folder: its other keys add nothing.
      const rest = this.keys.unkey(last.key).slice(prefix.length);
      const slash = rest.indexOf('/');
      start = slash === -1 ? keyAfter(last.key) : prefixEnd(this.keys.key(prefix + rest.slice(0, slash + 1)));
      if (Buffer.compare(start, range_end) >= 0 && !(range_end.length === 1 && range_end[0] === 0)) break;
    }
    return nextSegments(prefix, found);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.client.close();
  }

  /** The largest value a put of `rawKey` may carry. */
  maxValueBytes(rawKey: Buffer): number {
    const limit = Math.min(this.config.maxRequestBytes, this.config.maxReceiveBytes ?? Number.POSITIVE_INFINITY);
    // A fenced write also names the leader key (under the same path) twice.
    return limit - rawKey.length - 2 * Buffer.byteLength(this.config.path) - REQUEST_OVERHEAD_BYTES;
  }

  /**
   * A batch as transaction operations, after the same checks as single writes, and one more: the
   * whole request must fit etcd's request limit, not only each value.
   */
  requestOps(writes: readonly StorageWrite[]): IRequestOp[] {
    checkBatch(writes);
    let total = 0;
    const ops = writes.map(({ key, value }): IRequestOp => {
      const raw = this.keys.key(key);
      total += raw.length + (value?.length ?? 0);
      return value === undefined
        ? { request_delete_range: { key: raw } }
        : { request_put: { key: raw, value: this.checkedValue(raw, value) } };
    });
    const max = this.maxValueBytes(Buffer.alloc(0));
    if (total > max) {
      throw new CofferError('invalid_request', `batch too large for etcd storage: ${total} bytes, the limit is ${max} bytes`);
    }
    return ops;
  }

  /**
   * Refuses a value etcd would refuse anyway (after it crossed the network), and copies it, so a
   * caller reusing its buffer while the put is in flight cannot change what a retry sends.
   */
  protected checkedValue(rawKey: Buffer, value: Uint8Array): Buffer {
    const max = this.maxValueBytes(rawKey);
    if (value.length > max) {
      throw new CofferError(
        'invalid_request',
        `value too large for etcd storage: ${value.length} bytes, the limit is ${max} bytes ` +
          '(etcd --max-request-bytes, set as max_send_size)',
      );
    }
    return Buffer.from(value);
  }
}

function errorCause(error: unknown): unknown {
  return error instanceof CofferError && error.cause !== undefined ? error.cause : error;
}
