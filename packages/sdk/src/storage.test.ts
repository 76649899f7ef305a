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
