import { randomBytes } from 'node:crypto';
import { open, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes, rejectionCode, tempStore, text } from '../test/support.js';
import { LOCK_FILE, LOG_FILE, MAX_KEY_BYTES, MAX_VALUE_BYTES, openFileStorage, type FileStorage } from './index.js';

describe('FileStorage', () => {
  let store: string;
  let remove: () => Promise<void>;
  const opened: FileStorage[] = [];
  const openStore = async (options: Partial<Parameters<typeof openFileStorage>[0]> = {}) => {
    const storage = await openFileStorage({ path: store, ...options });
    opened.push(storage);
    return storage;
  };

  beforeEach(async () => {
    ({ store, remove } = await tempStore());
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((storage) => storage.close()));
    await remove();
  });

  it('keeps values, overwrites and deletes across close and reopen', async () => {
    const first = await openStore();
    await first.put('a', bytes('1'));
    await first.put('b/c', bytes('2'));
    await first.put('b/c', bytes('3'));
    await first.put('gone', bytes('x'));
    await first.delete('gone');
    await first.put('empty', new Uint8Array(0));
    await first.close();

    const second = await openStore();
    expect(text(await second.get('a'))).toBe('1');
    expect(text(await second.get('b/c'))).toBe('3');
    expect(await second.get('gone')).toBeUndefined();
    expect((await second.get('empty'))?.length).toBe(0);
    expect(await second.list('')).toEqual(['a', 'b/', 'empty']);
    expect(second.stats().keys).toBe(3);
  });

  it('keeps a 32 MiB value across reopen', async () => {
    const big = randomBytes(32 * 1024 * 1024);
    const first = await openStore();
    await first.put('big', big);
    await first.close();
    const second = await openStore();
    expect(Buffer.from((await second.get('big')) ?? []).equals(big)).toBe(true);
  });

  it('compaction keeps every live value, drops the garbage, and survives reopen', async () => {
    const storage = await openStore({ compaction: { minGarbageBytes: Infinity } });
    const expected = new Map<string, string>();
    for (let i = 0; i < 500; i++) {
      await storage.put(`k/${i}`, bytes(`v${i}-0`));
      expected.set(`k/${i}`, `v${i}-0`);
    }
    await Promise.all(
      Array.from({ length: 500 }, async (_, i) => {
        if (i % 4 === 0) {
          await storage.delete(`k/${i}`);
          expected.delete(`k/${i}`);
        } else if (i % 2 === 0) {
          await storage.put(`k/${i}`, bytes(`v${i}-1`));
          expected.set(`k/${i}`, `v${i}-1`);
        }
      }),
    );
    const before = storage.stats();
    expect(before.garbageBytes).toBeGreaterThan(0);

    const result = await storage.compact();
    const after = storage.stats();
    expect(result?.bytesAfter).toBe(after.fileBytes);
    expect(after.fileBytes).toBeLessThan(before.fileBytes);
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(after.compactions).toBe(1);
    expect((await stat(join(store, LOG_FILE))).size).toBe(after.fileBytes);
    expect(await readdir(store)).toEqual([LOCK_FILE, LOG_FILE].sort());

    const check = async (s: FileStorage) => {
      for (const [key, value] of expected) expect(text(await s.get(key))).toBe(value);
      expect((await s.list('k/')).length).toBe(expected.size);
    };
    await check(storage);
    await storage.put('after', bytes('compaction'));
    await storage.close();
    const reopened = await openStore();
    await check(reopened);
    expect(text(await reopened.get('after'))).toBe('compaction');
  });

  it('compaction runs while writers keep writing and deleting', async () => {
    const storage = await openStore({ compaction: { minGarbageBytes: Infinity } });
    const expected = new Map<string, string>();
    const value = (key: string, round: number) => `${key}:${round}:${'x'.repeat(500)}`;
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: 400 }, async (_, i) => {
          await storage.put(`w/${i}`, bytes(value(`w/${i}`, round)));
          expected.set(`w/${i}`, value(`w/${i}`, round));
        }),
      );
    }
    const writes: Promise<void>[] = [];
    const compaction = storage.compact();
    let issuedWhileCompacting = 0;
    for (let i = 0; i < 400; i++) {
      const key = `w/${i}`;
      if (storage.stats().compacting) issuedWhileCompacting++;
      if (i % 5 === 0) {
        writes.push(storage.delete(key).then(() => void expected.delete(key)));
      } else {
        writes.push(storage.put(key, bytes(value(key, 9))).then(() => void expected.set(key, value(key, 9))));
      }
      // Spread the writes over the compaction's phases rather than one tick.
      if (i % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all([compaction, ...writes]);
    expect(storage.stats().compactions).toBe(1);
    expect(issuedWhileCompacting).toBeGreaterThan(50);

    const check = async (s: FileStorage) => {
      for (let i = 0; i < 400; i++) expect(text(await s.get(`w/${i}`))).toBe(expected.get(`w/${i}`));
      expect((await s.list('w/')).length).toBe(expected.size);
    };
    await check(storage);
    await storage.close();
    await check(await openStore());
  });

  it('compacts on its own once garbage passes the policy', async () => {
    const storage = await openStore({ compaction: { minGarbageBytes: 16 * 1024, garbageRatio: 0.5 } });
    let sawCompaction = false;
    for (let i = 0; i < 200; i++) {
      await storage.put('hot', bytes(`${i}:${'y'.repeat(400)}`));
      sawCompaction ||= storage.stats().compacting;
    }
    if (storage.stats().compacting) await storage.compact();
    expect(sawCompaction).toBe(true);
    expect(storage.stats().compactions).toBeGreaterThanOrEqual(1);
    expect(text(await storage.get('hot'))?.startsWith('199:')).toBe(true);
  });

  it('creates the directory and its files for the owner only', async () => {
    const storage = await openStore();
    await storage.put('k', bytes('v'));
    expect((await stat(store)).mode & 0o777).toBe(0o700);
    expect((await stat(join(store, LOG_FILE))).mode & 0o777).toBe(0o600);
    expect((await stat(join(store, LOCK_FILE))).mode & 0o777).toBe(0o600);
    await storage.compact();
    expect((await stat(join(store, LOG_FILE))).mode & 0o777).toBe(0o600);
  });

  it('refuses keys and values it cannot store with invalid_request', async () => {
    const storage = await openStore();
    expect(await rejectionCode(storage.put('', bytes('x')))).toBe('invalid_request');
    expect(await rejectionCode(storage.get('\ud800'))).toBe('invalid_request');
    expect(await rejectionCode(storage.delete('a\udc00b'))).toBe('invalid_request');
    expect(await rejectionCode(storage.put('k'.repeat(MAX_KEY_BYTES + 1), bytes('x')))).toBe('invalid_request');
    expect(await rejectionCode(storage.put('k', 'text' as unknown as Uint8Array))).toBe('invalid_request');
    expect(await rejectionCode(storage.put('k', new Uint8Array(MAX_VALUE_BYTES + 1)))).toBe('invalid_request');
    expect(storage.stats().keys).toBe(0);
  });

  it('answers unavailable after close, and close is idempotent', async () => {
    const storage = await openStore();
    await storage.put('k', bytes('v'));
    await Promise.all([storage.close(), storage.close()]);
    expect(await rejectionCode(storage.get('k'))).toBe('unavailable');
    expect(await rejectionCode(storage.put('k', bytes('v')))).toBe('unavailable');
    expect(await rejectionCode(storage.list(''))).toBe('unavailable');
    expect(await rejectionCode(storage.compact())).toBe('unavailable');
    expect(await readdir(store)).toEqual([LOG_FILE]);
  });

  it('finishes writes accepted before close', async () => {
    const storage = await openStore();
    const writes = Array.from({ length: 50 }, (_, i) => storage.put(`k${i}`, bytes(`${i}`)));
    await storage.close();
    await Promise.all(writes);
    const reopened = await openStore();
    expect((await reopened.list('')).length).toBe(50);
  });

  it('reports a value damaged on disk as internal instead of returning it', async () => {
    const storage = await openStore();
    await storage.put('k', bytes('the value'));
    const log = await open(join(store, LOG_FILE), 'r+');
    const { size } = await log.stat();
    await log.write(Buffer.from('X'), 0, 1, size - 2);
    await log.close();
    expect(await rejectionCode(storage.get('k'))).toBe('internal');
  });
});
