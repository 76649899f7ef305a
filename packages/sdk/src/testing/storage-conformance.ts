import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareKeys, MAX_BATCH_WRITES, writeBatch, type Storage } from '../storage.js';

export interface StorageUnderTest {
  storage: Storage;
  /** Stops the backend and removes what it created. */
  cleanup?: () => Promise<void>;
}

export interface StorageConformanceOptions {
  /** The largest value the backend must accept; etcd's request limit is lower than a file's. */
  largeValueBytes?: number;
}

/**
 * The behaviour every Storage must have (see the contract in storage.ts). Each backend's test file
 * calls this with a factory; each test works under its own key prefix so one backend instance serves
 * the whole suite.
 */
export function describeStorageConformance(
  name: string,
  create: () => Promise<StorageUnderTest>,
  options: StorageConformanceOptions = {},
): void {
  describe(`Storage conformance: ${name}`, () => {
    let under: StorageUnderTest;
    let s: Storage;
    let n = 0;
    const ns = () => `t${n++}/`;
    const bytes = (text: string) => new TextEncoder().encode(text);
    const text = (value: Uint8Array | undefined) => (value === undefined ? undefined : new TextDecoder().decode(value));

    beforeAll(async () => {
      under = await create();
      s = under.storage;
    });
    afterAll(async () => {
      await under?.cleanup?.();
    });

    it('reads a missing key as undefined', async () => {
      expect(await s.get(`${ns()}missing`)).toBeUndefined();
    });

    it('stores, overwrites and reads back a value', async () => {
      const p = ns();
      await s.put(`${p}k`, bytes('one'));
      expect(text(await s.get(`${p}k`))).toBe('one');
      await s.put(`${p}k`, bytes('two'));
      expect(text(await s.get(`${p}k`))).toBe('two');
    });

    it('deletes, and deleting a missing key succeeds', async () => {
      const p = ns();
      await s.put(`${p}k`, bytes('v'));
      await s.delete(`${p}k`);
      expect(await s.get(`${p}k`)).toBeUndefined();
      await expect(s.delete(`${p}k`)).resolves.toBeUndefined();
      await expect(s.delete(`${p}never`)).resolves.toBeUndefined();
    });

    it('keeps an empty value distinct from a missing one', async () => {
      const p = ns();
      await s.put(`${p}empty`, new Uint8Array(0));
      const got = await s.get(`${p}empty`);
      expect(got).toBeInstanceOf(Uint8Array);
      expect(got?.length).toBe(0);
      expect(await s.list(p)).toEqual(['empty']);
    });

    it('round-trips every byte value', async () => {
      const p = ns();
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      await s.put(`${p}bin`, all);
      expect(Buffer.from((await s.get(`${p}bin`)) ?? []).equals(Buffer.from(all))).toBe(true);
    });

    it('stores a large value', async () => {
      const p = ns();
      const size = options.largeValueBytes ?? 4 * 1024 * 1024;
      const big = new Uint8Array(size);
      for (let i = 0; i < size; i += 4096) big[i] = (i / 4096) % 251;
      await s.put(`${p}big`, big);
      const got = await s.get(`${p}big`);
      expect(got?.length).toBe(size);
      expect(Buffer.from(got ?? []).equals(Buffer.from(big))).toBe(true);
    });

    it('does not let callers mutate stored values through their buffers', async () => {
      const p = ns();
      const value = bytes('abc');
      await s.put(`${p}k`, value);
      value[0] = 0x7a;
      const got = await s.get(`${p}k`);
      expect(text(got)).toBe('abc');
      if (got) got[0] = 0x7a;
      expect(text(await s.get(`${p}k`))).toBe('abc');
    });

    it('handles Unicode and unusual keys', async () => {
      const p = ns();
      const keys = ['ключ', '秘密/値', '🔑', 'a b', 'x%2Fy', '..', '.hidden', 'a/../b', 'tab\there', 'CON', 'caf\u00e9', 'cafe\u0301'];
      for (const [i, key] of keys.entries()) await s.put(`${p}${key}`, bytes(String(i)));
      for (const [i, key] of keys.entries()) expect(text(await s.get(`${p}${key}`))).toBe(String(i));
      const expected = [...new Set(keys.map((k) => (k.includes('/') ? k.slice(0, k.indexOf('/') + 1) : k)))].sort(
        compareKeys,
      );
      expect(await s.list(p)).toEqual(expected);
    });

    it('lists the next segment of each key, sorted, without duplicates', async () => {
      const p = ns();
      for (const key of ['b', 'a', 'dir/x', 'dir/y/z', 'dir/y/w', 'c/', 'same', 'same/child', 'Z', '~', '𝔸', '\uffff']) {
        await s.put(`${p}${key}`, bytes(key));
      }
      expect(await s.list(p)).toEqual(['Z', 'a', 'b', 'c/', 'dir/', 'same', 'same/', '~', '\uffff', '𝔸']);
      expect(await s.list(`${p}dir/`)).toEqual(['x', 'y/']);
      expect(await s.list(`${p}dir/y/`)).toEqual(['w', 'z']);
      expect(await s.list(`${p}nothing/`)).toEqual([]);
    });

    it('treats the list prefix literally, not only at folder boundaries', async () => {
      const p = ns();
      for (const key of ['foo', 'fob/x', 'fa', 'f']) await s.put(`${p}${key}`, bytes(key));
      expect(await s.list(`${p}fo`)).toEqual(['b/', 'o']);
    });

    it('drops deleted keys and emptied folders from listings', async () => {
      const p = ns();
      await s.put(`${p}dir/only`, bytes('x'));
      await s.put(`${p}keep`, bytes('x'));
      await s.delete(`${p}dir/only`);
      expect(await s.list(p)).toEqual(['keep']);
    });

    it('lists a whole namespace from the root', async () => {
      const p = ns();
      await s.put(`${p}k`, bytes('x'));
      expect(await s.list('')).toContain(p);
    });

    it('survives concurrent writers on distinct and shared keys', async () => {
      const p = ns();
      const writes = Array.from({ length: 100 }, (_, i) => s.put(`${p}k${i}`, bytes(`v${i}`)));
      const shared = Array.from({ length: 50 }, (_, i) => s.put(`${p}shared`, bytes(`w${i}`)));
      await Promise.all([...writes, ...shared]);
      for (let i = 0; i < 100; i++) expect(text(await s.get(`${p}k${i}`))).toBe(`v${i}`);
      expect(text(await s.get(`${p}shared`))).toMatch(/^w\d+$/);
      expect((await s.list(p)).length).toBe(101);
    });

    it('interleaves concurrent puts, deletes and reads consistently', async () => {
      const p = ns();
      const ops: Promise<unknown>[] = [];
      for (let i = 0; i < 50; i++) {
        ops.push(s.put(`${p}x${i}`, bytes('1')));
        ops.push(s.get(`${p}x${i}`));
      }
      await Promise.all(ops);
      await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? s.delete(`${p}x${i}`) : Promise.resolve())));
      const listed = await s.list(p);
      expect(listed).toEqual(
        Array.from({ length: 25 }, (_, i) => `x${i * 2}`).sort(compareKeys),
      );
    });

    it('rejects empty keys', async () => {
      await expect(s.put('', bytes('x'))).rejects.toThrow();
      await expect(s.get('')).rejects.toThrow();
    });

    it('applies a batch of puts and deletes (through writeBatch, with or without batch support)', async () => {
      const p = ns();
      await s.put(`${p}old`, bytes('gone soon'));
      await writeBatch(s, [
        { key: `${p}a`, value: bytes('1') },
        { key: `${p}dir/b`, value: bytes('') },
        { key: `${p}old`, value: undefined },
        { key: `${p}never-there`, value: undefined },
      ]);
      expect(text(await s.get(`${p}a`))).toBe('1');
      expect(text(await s.get(`${p}dir/b`))).toBe('');
      expect(await s.get(`${p}old`)).toBeUndefined();
      expect(await s.list(p)).toEqual(['a', 'dir/']);
    });

    it('refuses a batch that writes one key twice, or holds too many writes, and changes nothing', async () => {
      const p = ns();
      const twice = [
        { key: `${p}k`, value: bytes('1') },
        { key: `${p}k`, value: bytes('2') },
      ];
      await expect(writeBatch(s, twice)).rejects.toThrow(/twice/);
      if (s.batch) await expect(s.batch(twice)).rejects.toThrow(/twice/);
      const many = Array.from({ length: MAX_BATCH_WRITES + 1 }, (_, i) => ({ key: `${p}m${i}`, value: bytes('x') }));
      await expect(writeBatch(s, many)).rejects.toThrow(/at most/);
      expect(await s.list(p)).toEqual([]);
    });
  });
}
