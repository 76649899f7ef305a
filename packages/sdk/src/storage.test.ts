import { describe, expect, it } from 'vitest';
import { compareKeys, nextSegments } from './storage.js';
import { InMemoryStorage } from './memory-storage.js';
import { describeStorageConformance } from './testing/storage-conformance.js';

describeStorageConformance('in-memory', async () => ({ storage: new InMemoryStorage() }));

describe('compareKeys', () => {
  it('orders by code point, like UTF-8 bytes', () => {
    const keys = ['\uffff', '𝔸', 'a', 'B'];
    expect([...keys].sort(compareKeys)).toEqual(['B', 'a', '\uffff', '𝔸']);
    const utf8 = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    expect([...keys].sort(compareKeys)).toEqual(utf8);
  });
});

describe('nextSegments', () => {
  it('keeps the key and the folder of the same name apart', () => {
    expect(nextSegments('', ['a', 'a/b', 'a/c'])).toEqual(['a', 'a/']);
  });
});

describe('InMemoryStorage folder index', () => {
  it('lists exactly what a scan of every key would, for any prefix, through puts and deletes', async () => {
    const storage = new InMemoryStorage();
    const live = new Set<string>();
    // A fixed pseudo-random walk over a small alphabet, so folders, keys, "//" and partial prefixes collide.
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    const alphabet = ['a', 'b', '/', 'ab'];
    const randomKey = () => Array.from({ length: 1 + next(5) }, () => alphabet[next(alphabet.length)]).join('');
    const prefixes = ['', 'a', 'a/', 'ab', 'a/b', 'b/', '/', '//', 'a//', 'ab/a'];
    for (let step = 0; step < 2_000; step++) {
      const key = randomKey();
      if (next(3) === 0) {
        await storage.delete(key);
        live.delete(key);
      } else {
        await storage.put(key, new Uint8Array([step & 0xff]));
        live.add(key);
      }
      if (step % 50 === 0) {
        for (const prefix of [...prefixes, key.slice(0, next(key.length + 1))]) {
          expect(await storage.list(prefix), `list(${JSON.stringify(prefix)}) at step ${step}`).toEqual(nextSegments(prefix, live));
        }
      }
    }
    for (const key of live) await storage.delete(key);
    for (const prefix of prefixes) expect(await storage.list(prefix)).toEqual([]);
  });
});
