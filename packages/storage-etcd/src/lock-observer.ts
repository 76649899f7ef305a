import type { Logger } from '@coffer/sdk';
import type { Etcd3, Watcher } from 'etcd3';
import { messageOf } from './request-runner.js';

/**
 * Tells subscribers "the lock keys may have changed": on every watch event under the lock prefix,
 * on every watch (re)connection, and on a steady poll. The watch makes takeovers immediate; the
 * poll bounds the delay when a watch silently stalls (a member cut off from its cluster keeps its
 * watch streams open and quiet). Subscribers re-read what they need; one watch serves them all.
 */
export class LockObserver {
  readonly #client: Etcd3;
  readonly #prefix: Buffer;
  readonly #pollMs: number;
  readonly #log: Logger;
  readonly #listeners = new Set<() => void>();
  #watcher: Watcher | undefined;
  #poll: NodeJS.Timeout | undefined;
  #rewatch: NodeJS.Timeout | undefined;

  constructor(client: Etcd3, prefix: Buffer, pollMs: number, logger: Logger) {
    this.#client = client;
    this.#prefix = prefix;
    this.#pollMs = pollMs;
    this.#log = logger;
  }

  /** Calls `listener` on each possible change until the returned function is called. */
  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    if (this.#listeners.size === 1) this.#start();
    return () => {
      if (this.#listeners.delete(listener) && this.#listeners.size === 0) this.#stop();
    };
  }

  /** Drops every subscriber and stops watching and polling (the storage is closing). */
  close(): void {
    this.#listeners.clear();
    this.#stop();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  #start(): void {
    this.#poll = setInterval(() => this.#notify(), this.#pollMs);
    this.#watch();
  }

  #watch(): void {
    const watcher = this.#client.watch().prefix(this.#prefix).watcher();
    this.#watcher = watcher;
    watcher.on('put', () => this.#notify());
    watcher.on('delete', () => this.#notify());
    watcher.on('connected', () => this.#notify());
    watcher.on('disconnected', (error: Error) => this.#log.debug({ error: error.message }, 'lock watch disconnected'));
    // etcd cancelled the watch (say, its revision was compacted): start a fresh one shortly.
    watcher.on('error', (error: Error) => {
      this.#log.debug({ error: messageOf(error) }, 'lock watch cancelled; watching again');
      if (this.#watcher !== watcher) return;
      this.#watcher = undefined;
      void watcher.cancel().catch(() => undefined);
      this.#rewatch = setTimeout(() => {
        if (this.#listeners.size > 0 && this.#watcher === undefined) this.#watch();
      }, this.#pollMs);
    });
  }

  #stop(): void {
    clearInterval(this.#poll);
    clearTimeout(this.#rewatch);
    const watcher = this.#watcher;
    this.#watcher = undefined;
    void watcher?.cancel().catch(() => undefined);
  }
}

/**
 * Wraps an async check so that calls never overlap: a call during a run asks for one more run
 * after it, however many calls came in. Re-reading etcd after the latest event is all that matters.
 */
export function coalesced(check: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const run = async () => {
    running = true;
    try {
      do {
        again = false;
        await check().catch(() => undefined); // checks report their own failures
      } while (again);
    } finally {
      running = false;
    }
  };
  return () => {
    if (running) again = true;
    else void run();
  };
}
