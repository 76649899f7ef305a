import { describe, expect, it } from 'vitest';
import { KdfLimiter } from './kdf-limiter.js';
import { DEFAULT_KDF_PARAMS, PasswordHasher } from './password-hash.js';

describe('PasswordHasher', () => {
  it('hashes with the default cost (N=2^15, r=8, p=3) and verifies', async () => {
    const hasher = new PasswordHasher();
    expect(DEFAULT_KDF_PARAMS).toEqual({ ln: 15, r: 8, p: 3 });
    const hash = await hasher.hash('correct horse');
    expect(hash).toMatch(/^\$scrypt\$ln=15,r=8,p=3\$[\w-]{22}\$[\w-]{43}$/);
    expect(await hasher.verify('correct horse', hash)).toBe(true);
    expect(await hasher.verify('correct horsf', hash)).toBe(false);
  });

  it('verifies hashes made with other parameters, so the cost can be raised later', async () => {
    const old = await new PasswordHasher({ ln: 10, r: 8, p: 1 }).hash('pw');
    const current = new PasswordHasher({ ln: 11, r: 8, p: 2 });
    expect(await current.verify('pw', old)).toBe(true);
    expect(await current.hash('pw')).toMatch(/^\$scrypt\$ln=11,r=8,p=2\$/);
  });

  it('answers false, after a full run, when there is no stored hash', async () => {
    const hasher = new PasswordHasher({ ln: 10, r: 8, p: 1 });
    expect(await hasher.verify('', undefined)).toBe(false);
    expect(await hasher.verify('anything', undefined)).toBe(false);
  });

  it('treats a malformed or overpriced stored hash as an internal error', async () => {
    const hasher = new PasswordHasher({ ln: 10, r: 8, p: 1 });
    await expect(hasher.verify('pw', 'plain-text')).rejects.toMatchObject({ code: 'internal' });
    const good = await hasher.hash('pw');
    await expect(hasher.verify('pw', good.replace('ln=10', 'ln=30'))).rejects.toMatchObject({ code: 'internal' });
    expect(() => new PasswordHasher({ ln: 8, r: 8, p: 1 })).toThrow();
  });
});

describe('KdfLimiter', () => {
  const gate = () => {
    let open!: () => void;
    const promise = new Promise<void>((resolve) => (open = resolve));
    return { promise, open };
  };

  it('runs at most maxConcurrent tasks, then the queue in arrival order', async () => {
    const limiter = new KdfLimiter({ maxConcurrent: 2, maxQueued: 10 });
    const gates = Array.from({ length: 5 }, gate);
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      limiter.run(async () => {
        started.push(i);
        await g.promise;
      }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1]);
    expect([limiter.active, limiter.queued]).toEqual([2, 3]);
    gates[1]?.open();
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    for (const g of gates) g.open();
    await Promise.all(runs);
    expect(started).toEqual([0, 1, 2, 3, 4]);
    expect([limiter.active, limiter.queued]).toEqual([0, 0]);
  });

  it('refuses beyond the queue, and frees the slot when a task fails', async () => {
    const limiter = new KdfLimiter({ maxConcurrent: 1, maxQueued: 1 });
    const g = gate();
    const first = limiter.run(() => g.promise);
    const second = limiter.run(async () => {
      throw new Error('boom');
    });
    await expect(limiter.run(async () => 1)).rejects.toMatchObject({ code: 'too_many_requests', retryable: true });
    g.open();
    await first;
    await expect(second).rejects.toThrow('boom');
    expect(await limiter.run(async () => 42)).toBe(42);
    expect(limiter.active).toBe(0);
  });

  it('refuses an already-cancelled request without queueing it', async () => {
    const limiter = new KdfLimiter({ maxConcurrent: 1, maxQueued: 1 });
    await expect(limiter.run(async () => 1, AbortSignal.abort())).rejects.toMatchObject({ code: 'unavailable' });
    expect([limiter.active, limiter.queued]).toEqual([0, 0]);
  });
});
