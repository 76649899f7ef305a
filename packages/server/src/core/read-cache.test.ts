import { describe, expect, it } from 'vitest';
import { ReadCache } from './read-cache.js';

const LIMITS = { maxEntries: 100, maxBytes: 1 << 20 };
const bytes = (text: string) => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : new TextDecoder().decode(value));

/** A promise whose settlement the test controls. */
function deferred<T = void>() {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A backing store that counts loads. */
function backing(initial: Record<string, string> = {}) {
  const data = new Map(Object.entries(initial).map(([k, v]) => [k, bytes(v)]));
  let loads = 0;
  return {
    data,
    get loads() {
      return loads;
    },
    load: (key: string) => async () => {
      loads++;
      return data.get(key);
    },
  };
}

function enabledCache(limits = LIMITS): ReadCache {
  const cache = new ReadCache(limits);
  cache.reset(true);
  return cache;
}

describe('ReadCache', () => {
  it('answers a second read from memory, including "missing"', async () => {
    const store = backing({ a: '1' });
    const cache = enabledCache();
    expect(text(await cache.read('a', store.load('a')))).toBe('1');
    expect(text(await cache.read('a', store.load('a')))).toBe('1');
    expect(await cache.read('nope', store.load('nope'))).toBeUndefined();
    expect(await cache.read('nope', store.load('nope'))).toBeUndefined();
    expect(store.loads).toBe(2);
  });

  it('reads through when disabled (a standby) and after reset(false)', async () => {
    const store = backing({ a: '1' });
    const cache = new ReadCache(LIMITS);
    await cache.read('a', store.load('a'));
    await cache.read('a', store.load('a'));
    cache.reset(true);
    await cache.read('a', store.load('a'));
    cache.reset(false);
    await cache.read('a', store.load('a'));
    expect(store.loads).toBe(4);
    expect(cache.size).toBe(0);
  });

  it('remembers what a successful write stored, and forgets a key whose write failed', async () => {
    const store = backing({ a: '1' });
    const cache = enabledCache();
    await cache.read('a', store.load('a'));
    await cache.write('a', bytes('2'), async () => void store.data.set('a', bytes('2')));
    expect(text(await cache.read('a', store.load('a')))).toBe('2');
    expect(store.loads).toBe(1);

    await expect(cache.write('a', bytes('3'), async () => Promise.reject(new Error('fenced')))).rejects.toThrow('fenced');
    expect(text(await cache.read('a', store.load('a')))).toBe('2');
    expect(store.loads).toBe(2);

    await cache.write('a', undefined, async () => void store.data.delete('a'));
    expect(await cache.read('a', store.load('a'))).toBeUndefined();
    expect(store.loads).toBe(2);
  });

  it('does not store a read that a write to the same key overtook', async () => {
    const cache = enabledCache();
    const slowRead = deferred<Uint8Array | undefined>();
    const reading = cache.read('a', () => slowRead.promise);
    await cache.write('a', bytes('new'), async () => undefined);
    slowRead.resolve(bytes('old'));
    expect(text(await reading)).toBe('old');
    expect(text(await cache.read('a', async () => bytes('from storage')))).toBe('new');
  });

  it('does not store a read that ran while a write to the same key was in flight', async () => {
    const cache = enabledCache();
    const slowWrite = deferred();
    const writing = cache.write('a', bytes('new'), () => slowWrite.promise);
    expect(text(await cache.read('a', async () => bytes('old')))).toBe('old');
    slowWrite.reject(new Error('lost'));
    await expect(writing).rejects.toThrow('lost');
    expect(text(await cache.read('a', async () => bytes('storage')))).toBe('storage');
  });

  it('stores neither of two overlapping writes to one key: storage decides which won', async () => {
    const cache = enabledCache();
    const first = deferred();
    const second = deferred();
    const a = cache.write('k', bytes('first'), () => first.promise);
    const b = cache.write('k', bytes('second'), () => second.promise);
    second.resolve();
    first.resolve();
    await Promise.all([a, b]);
    expect(text(await cache.read('k', async () => bytes('winner')))).toBe('winner');
  });

  it('remembers every key of a successful batch, except one another write overlapped', async () => {
    const cache = enabledCache();
    const slowSingle = deferred();
    const single = cache.write('b', bytes('single'), () => slowSingle.promise);
    await cache.writeMany(
      [
        { key: 'a', value: bytes('A') },
        { key: 'b', value: bytes('B') },
        { key: 'gone', value: undefined },
      ],
      async () => undefined,
    );
    slowSingle.resolve();
    await single;
    const loads: string[] = [];
    const load = (key: string) => async () => {
      loads.push(key);
      return bytes(`stored ${key}`);
    };
    expect(text(await cache.read('a', load('a')))).toBe('A');
    expect(await cache.read('gone', load('gone'))).toBeUndefined();
    expect(text(await cache.read('b', load('b')))).toBe('stored b');
    expect(loads).toEqual(['b']);
  });

  it('keeps within its entry and byte limits, evicting the oldest entry first', async () => {
    const cache = enabledCache({ maxEntries: 2, maxBytes: 1 << 20 });
    const store = backing({ a: 'A', b: 'B', c: 'C' });
    await cache.read('a', store.load('a'));
    await cache.read('b', store.load('b'));
    await cache.read('a', store.load('a')); // a hit does not reorder
    await cache.read('c', store.load('c')); // evicts a, the first in
    expect(cache.size).toBe(2);
    const loads = store.loads;
    await cache.read('b', store.load('b'));
    await cache.read('c', store.load('c'));
    expect(store.loads).toBe(loads);
    await cache.read('a', store.load('a'));
    expect(store.loads).toBe(loads + 1);

    const small = enabledCache({ maxEntries: 100, maxBytes: 200 });
    await small.write('big', new Uint8Array(500), async () => undefined);
    expect(small.size).toBe(0);
    await small.write('x', new Uint8Array(50), async () => undefined);
    await small.write('y', new Uint8Array(50), async () => undefined);
    expect(small.size).toBe(1);
  });

  it('never serves a stale value under random interleavings of reads and writes', async () => {
    // A model storage whose operations take effect at a random moment of their own window; after
    // each burst settles, every key read through the cache must equal what storage holds.
    let seed = 12345;
    const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const tick = () => new Promise<void>((resolve) => setImmediate(resolve));
    const ticks = async (n: number) => {
      for (let i = 0; i < n; i++) await tick();
    };
    const storage = new Map<string, string>();
    const cache = enabledCache({ maxEntries: 6, maxBytes: 1 << 20 });
    const keys = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    const load = (key: string) => async () => {
      await ticks(Math.floor(random() * 4));
      const value = storage.get(key);
      await ticks(Math.floor(random() * 4));
      return value === undefined ? undefined : bytes(value);
    };
    let version = 0;
    for (let burst = 0; burst < 200; burst++) {
      const operations: Promise<unknown>[] = [];
      for (let i = 0; i < 12; i++) {
        const key = keys[Math.floor(random() * keys.length)] as string;
        const roll = random();
        if (roll < 0.5) {
          operations.push(cache.read(key, load(key)));
        } else {
          const value = roll < 0.85 ? `v${++version}` : undefined;
          const fails = random() < 0.1;
          const landsAnyway = fails && random() < 0.5;
          operations.push(
            cache
              .write(key, value === undefined ? undefined : bytes(value), async () => {
                await ticks(Math.floor(random() * 4));
                if (!fails || landsAnyway) {
                  if (value === undefined) storage.delete(key);
                  else storage.set(key, value);
                }
                await ticks(Math.floor(random() * 4));
                if (fails) throw new Error('write failed');
              })
              .catch(() => undefined),
          );
        }
        await ticks(Math.floor(random() * 2));
      }
      await Promise.all(operations);
      for (const key of keys) {
        expect(text(await cache.read(key, load(key))), `burst ${burst}, key ${key}`).toBe(storage.get(key));
      }
    }
  });
});
