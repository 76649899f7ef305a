import { api } from '../coffer-process.js';
import { valueFor } from './kv-ledger.js';

export interface WriteLoadOptions {
  token: string;
  /** The KV v2 mount, e.g. `secret`. */
  mount: string;
  /** Keys are `${prefix}w${writer}-n${n}`; end it with `/` to list them as one folder. */
  prefix: string;
  writers: number;
  /** The node a writer sends its n-th write to (one address, or round robin over HA nodes). */
  target: (writer: number, n: number) => string;
}

/**
 * Closed-loop KV v2 writers, each key written once and never retried: a key answered 200 is
 * acknowledged; any other outcome (an error status, a connection dying with the server) leaves it
 * unconfirmed — it may or may not have been applied, but never half or twice.
 */
export class WriteLoad {
  readonly acknowledged = new Set<string>();
  readonly unconfirmed = new Set<string>();
  readonly #options: WriteLoadOptions;
  #stopping = false;
  #loops: Promise<void>[] = [];
  #next: number[] = [];

  constructor(options: WriteLoadOptions) {
    this.#options = options;
  }

  start(): void {
    this.#stopping = false;
    this.#loops = Array.from({ length: this.#options.writers }, (_, w) => this.#loop(w));
  }

  /** Stops every writer after its current request and waits for them. */
  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#loops);
  }

  /** Resolves once `count` writes in total have been acknowledged (bounded, so a hang fails). */
  async waitForAcknowledged(count: number, what = 'acknowledged writes'): Promise<void> {
    for (let i = 0; i < 6000; i++) {
      if (this.acknowledged.size >= count) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`write load stalled: ${this.acknowledged.size} of ${count} ${what}`);
  }

  async #loop(writer: number): Promise<void> {
    const { token, mount, prefix, target } = this.#options;
    while (!this.#stopping) {
      const n = (this.#next[writer] = (this.#next[writer] ?? -1) + 1);
      const key = `${prefix}w${writer}-n${n}`;
      this.unconfirmed.add(key);
      try {
        const res = await api(target(writer, n), 'POST', `${mount}/data/${key}`, {
          token,
          body: { data: { value: valueFor(key) } },
          // A request stuck on a half-dead node must not hold the loop (and stop()) forever.
          signal: AbortSignal.timeout(15_000),
        });
        if (res.status === 200) {
          this.unconfirmed.delete(key);
          this.acknowledged.add(key);
          continue;
        }
      } catch {
        // The server died under the request, or is not listening yet: the key stays unconfirmed.
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
