import { nextSegments } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { KeyIndex } from './key-index.js';

describe('KeyIndex', () => {
  it('lists exactly what the contract projection gives, through inserts and deletes', () => {
    const segments = ['a', 'b', 'a/', '', 'é', '🔑', 'x y', 'dir', 'dir/', '..'];
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const randomKey = () => {
      const parts = Array.from({ length: 1 + random(4) }, () => segments[random(segments.length)] ?? 'a');
      const key = parts.join('/');
      return key === '' ? 'a' : key;
    };
    const index = new KeyIndex();
    const keys = new Set<string>();
    for (let step = 0; step < 3000; step++) {
      const key = randomKey();
      if (random(3) === 0) {
        index.delete(key);
        keys.delete(key);
      } else {
        index.set(key, { offset: step, size: 1 });
        keys.add(key);
      }
      if (step % 50 === 0) {
        for (const prefix of ['', 'a', 'a/', 'a/b', 'dir/', 'dir//', '🔑/', 'x', '../', 'nothing/']) {
          expect(index.list(prefix)).toEqual(nextSegments(prefix, keys));
        }
      }
    }
    expect(index.size).toBe(keys.size);
    expect(index.liveBytes).toBe(keys.size);
  });

  it('tracks live bytes across overwrites and deletes', () => {
    const index = new KeyIndex();
    index.set('k', { offset: 0, size: 10 });
    index.set('k', { offset: 10, size: 30 });
    index.set('j', { offset: 40, size: 5 });
    expect(index.liveBytes).toBe(35);
    index.delete('k');
    index.delete('missing');
    expect(index.liveBytes).toBe(5);
    expect(index.list('')).toEqual(['j']);
  });
});
