import { describe, expect, it } from 'vitest';
import { KeyedLock } from './keyed-lock.js';

/** Resolves after a few turns of the event loop, so other holders get a chance to interleave. */
const yieldTurns = async (turns = 5) => {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
};

describe('KeyedLock', () => {
  it('runs writers on one key one at a time, in arrival order', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const writer = (name: string) =>
      lock.write('k', async () => {
        events.push(`${name}:in`);
        await yieldTurns();
        events.push(`${name}:out`);
      });
    await Promise.all([writer('a'), writer('b'), writer('c')]);
    expect(events).toEqual(['a:in', 'a:out', 'b:in', 'b:out', 'c:in', 'c:out']);
    expect(lock.activeKeys).toBe(0);
  });

  it('lets readers share a key but not with a writer', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    const reader = (name: string) =>
      lock.read('k', async () => {
        events.push(`${name}:in`);
        await yieldTurns();
        events.push(`${name}:out`);
      });
    const writer = lock.write('k', async () => {
      events.push('w:in');
      await yieldTurns();
      events.push('w:out');
    });
    await Promise.all([writer, reader('r1'), reader('r2')]);
    expect(events.slice(0, 2)).toEqual(['w:in', 'w:out']);
    expect(events.slice(2, 4).sort()).toEqual(['r1:in', 'r2:in']);
  });

  it('does not block other keys', async () => {
    const lock = new KeyedLock();
    const events: string[] = [];
    await Promise.all([
      lock.write('a', async () => {
        events.push('a:in');
        await yieldTurns();
        events.push('a:out');
      }),
      lock.write('b', async () => {
        events.push('b:in');
        await yieldTurns();
        events.push('b:out');
      }),
    ]);
    expect(events.slice(0, 2)).toEqual(['a:in', 'b:in']);
  });

  it('releases the key when the holder throws', async () => {
    const lock = new KeyedLock();
    await expect(lock.write('k', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await lock.write('k', async () => 'next')).toBe('next');
    expect(lock.activeKeys).toBe(0);
  });
});
