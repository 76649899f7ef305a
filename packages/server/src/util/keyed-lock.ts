/**
 * A readers-writer lock per key, in process. KV v2 reads a key's metadata, decides (check-and-set,
 * version numbering) and writes it back; two writers interleaving between those steps would both
 * win a `cas`. The server has one active node, so serializing writers per key in memory is enough,
 * as Vault's `locksutil` does. Readers share the lock so a hot key's reads stay concurrent, but never
 * see a destroy half done. Waiters are served in arrival order, so writers are not starved.
 */
export class KeyedLock {
  readonly #states = new Map<string, LockState>();

  async read<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.#run(key, 'read', fn);
  }

  async write<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.#run(key, 'write', fn);
  }

  /** Keys with a holder or a waiter, for tests that check nothing leaks. */
  get activeKeys(): number {
    return this.#states.size;
  }

  async #run<T>(key: string, mode: Mode, fn: () => Promise<T>): Promise<T> {
    await this.#acquire(key, mode);
    try {
      return await fn();
    } finally {
      this.#release(key, mode);
    }
  }

  #acquire(key: string, mode: Mode): Promise<void> {
    let state = this.#states.get(key);
    if (!state) {
      state = { readers: 0, writer: false, queue: [] };
      this.#states.set(key, state);
    }
    if (state.queue.length === 0 && canGrant(state, mode)) {
      grant(state, mode);
      return Promise.resolve();
    }
    const queue = state.queue;
    return new Promise((resolve) => queue.push({ mode, resolve }));
  }

  #release(key: string, mode: Mode): void {
    const state = this.#states.get(key);
    if (!state) return;
    if (mode === 'write') state.writer = false;
    else state.readers--;
    for (let next = state.queue[0]; next && canGrant(state, next.mode); next = state.queue[0]) {
      state.queue.shift();
      grant(state, next.mode);
      next.resolve();
    }
    if (state.readers === 0 && !state.writer && state.queue.length === 0) this.#states.delete(key);
  }
}

type Mode = 'read' | 'write';

interface LockState {
  readers: number;
  writer: boolean;
  queue: { mode: Mode; resolve: () => void }[];
}

function canGrant(state: LockState, mode: Mode): boolean {
  return mode === 'read' ? !state.writer : !state.writer && state.readers === 0;
}

function grant(state: LockState, mode: Mode): void {
  if (mode === 'write') state.writer = true;
  else state.readers++;
}
