import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchLifetime, type LeaseState, type WatchEnd } from './lifetime-watcher.js';

/** Runs a watch on fake timers until it ends; `random` is fixed at 0.5, so the grace is 15 % of the lease. */
async function run(options: Omit<Parameters<typeof watchLifetime>[0], 'signal' | 'random'> & { signal?: AbortSignal }): Promise<{ end: WatchEnd; at: number }> {
  const start = Date.now();
  let result: { end: WatchEnd; at: number } | undefined;
  void watchLifetime({ signal: undefined, random: () => 0.5, ...options }).then((end) => (result = { end, at: Date.now() - start }));
  for (let i = 0; i < 10_000 && !result; i++) await vi.advanceTimersByTimeAsync(50);
  if (!result) throw new Error('the watch never ended');
  return result;
}

describe('watchLifetime (Vault LifetimeWatcher timing)', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('renews at 2/3 of the TTL plus a third of the grace, and hands over before the max TTL ends', async () => {
    const start = Date.now();
    const renewals: number[] = [];
    const maxEnd = start + 10_000;
    const { end, at } = await run({
      initial: { durationSec: 3, renewable: true },
      onError: () => 'retry',
      renew: async (increment) => {
        renewals.push(Date.now() - start);
        return { durationSec: Math.min(increment, (maxEnd - Date.now()) / 1000), renewable: true };
      },
    });
    // grace = 450 ms; each sleep = 2000 + 150 ms.
    expect(renewals).toEqual([2150, 4300, 6450, 8600]);
    expect(end).toEqual({ reason: 'expiring' });
    expect(at).toBe(8600);
    expect(at).toBeLessThan(10_000);
  });

  it('waits on a lease that cannot be renewed until its grace period', async () => {
    const renew = vi.fn();
    const { end, at } = await run({ initial: { durationSec: 10, renewable: false }, onError: () => 'retry', renew });
    expect(renew).not.toHaveBeenCalled();
    expect(end).toEqual({ reason: 'expiring' });
    // Slept 2/3 + grace/3 (7.17 s); the next sleep would end inside the 1.5 s grace, so it hands over.
    expect(Math.round(at / 100)).toBe(72);
  });

  it('retries a renewal that failed for a retryable reason, and stops on another', async () => {
    let calls = 0;
    const retried = await run({
      initial: { durationSec: 30, renewable: true },
      onError: () => 'retry',
      renew: async (): Promise<LeaseState> => {
        calls++;
        if (calls < 3) throw new Error('connection refused');
        throw Object.assign(new Error('permission denied'), { stop: true });
      },
    });
    // Failed at 21.5 s, retried after 0.875 s and 1.75 s; the next retry would land in the 4.5 s grace.
    expect(retried.end.reason).toBe('expiring');
    expect(calls).toBe(3);

    const stopped = await run({
      initial: { durationSec: 30, renewable: true },
      onError: (error) => (error.message === 'permission denied' ? 'stop' : 'retry'),
      renew: async () => {
        throw new Error('permission denied');
      },
    });
    expect(stopped.end).toMatchObject({ reason: 'renew-failed', error: { message: 'permission denied' } });
  });

  it('ends with stopped when the signal fires', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 1000);
    const { end } = await run({ initial: { durationSec: 60, renewable: true }, onError: () => 'retry', renew: vi.fn(), signal: controller.signal });
    expect(end).toEqual({ reason: 'stopped' });
  });
});
