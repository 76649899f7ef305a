import { describe, expect, it } from 'vitest';
import { SharedDeadlines } from './shared-deadlines.js';

describe('SharedDeadlines', () => {
  it('gives writes that start in the same slice one signal, and later ones a new one', async () => {
    let now = 1_000;
    const deadlines = new SharedDeadlines((ms) => new Error(`timed out after ${ms} ms`), () => now);
    const first = deadlines.signal(1000);
    now += 50;
    expect(deadlines.signal(1000)).toBe(first);
    now += 60; // past the 100 ms slice
    const second = deadlines.signal(1000);
    expect(second).not.toBe(first);
    expect(deadlines.signal(200)).not.toBe(second); // another timeout, another slice
  });

  it('aborts after the timeout (and at most one slice more), with the reason it was given', async () => {
    const deadlines = new SharedDeadlines((ms) => new Error(`timed out after ${ms} ms`));
    const started = Date.now();
    const signal = deadlines.signal(50);
    const reason = await new Promise<unknown>((resolve) => signal.addEventListener('abort', () => resolve(signal.reason), { once: true }));
    expect(Date.now() - started).toBeGreaterThanOrEqual(49);
    expect((reason as Error).message).toBe('timed out after 50 ms');
  });
});
