import { CofferError } from '@coffer/sdk';

export interface KdfLimits {
  /** KDF runs in flight. Keep it below libuv's thread pool size (4 by default), which file I/O shares. */
  maxConcurrent: number;
  /** Runs waiting for a slot; beyond this, callers are refused at once with 429. */
  maxQueued: number;
}

/**
 * Bounds concurrent password hashing. scrypt runs on libuv's thread pool, off the event loop, but
 * that pool is small and shared with file I/O: an unbounded login flood would fill it and stall
 * every other request's storage access. Waiters are served in arrival order; a full queue sheds
 * load instead of growing memory and latency without bound.
 */
export class KdfLimiter {
  readonly #limits: KdfLimits;
  #active = 0;
  readonly #queue: Waiter[] = [];

  constructor(limits: KdfLimits) {
    if (limits.maxConcurrent < 1 || limits.maxQueued < 0) throw new RangeError('KDF limits must allow at least one run');
    this.#limits = limits;
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.length;
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await task();
    } finally {
      this.#release();
    }
  }

  #acquire(signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) return Promise.reject(cancelled());
    if (this.#active < this.#limits.maxConcurrent && this.#queue.length === 0) {
      this.#active++;
      return Promise.resolve();
    }
    if (this.#queue.length >= this.#limits.maxQueued) {
      return Promise.reject(new CofferError('too_many_requests', 'too many password checks in progress; retry later', { retryable: true }));
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const index = this.#queue.indexOf(waiter);
        if (index !== -1) this.#queue.splice(index, 1);
        reject(cancelled());
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.#queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #release(): void {
    const next = this.#queue.shift();
    // The slot passes straight to the next waiter, so a newcomer cannot jump the queue.
    if (next) next.grant();
    else this.#active--;
  }
}

interface Waiter {
  grant(): void;
}

function cancelled(): CofferError {
  return new CofferError('unavailable', 'request cancelled');
}
