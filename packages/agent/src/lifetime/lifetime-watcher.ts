import { Backoff } from './backoff.js';
import { sleep } from './sleep.js';

export interface LeaseState {
  /** Seconds, as Vault reports `lease_duration`. */
  durationSec: number;
  renewable: boolean;
}

export type WatchEnd =
  | { reason: 'expiring' }
  | { reason: 'renew-failed'; error: Error }
  | { reason: 'stopped' };

export interface WatchOptions {
  initial: LeaseState;
  /** Renews with the given increment (seconds) and returns the new lease; throws on failure. */
  renew(incrementSec: number): Promise<LeaseState>;
  /**
   * What a failed renewal leads to. `retry`: tried again with backoff until the lease runs into
   * its grace period (Vault Agent does this for tokens; we also do it for leases when the server
   * is only unreachable or sealed, so a restart does not replace credentials). `stop`: the watch
   * ends so the caller starts over (consul-template does this for leases).
   */
  onError(error: Error): 'retry' | 'stop';
  signal: AbortSignal | undefined;
  onRenewed?(lease: LeaseState): void;
  onRenewError?(error: Error, retryInMs: number): void;
  random?: () => number;
  now?: () => number;
}

/**
 * Vault's LifetimeWatcher timing. A grace period of 10–20 % of the lease is drawn; the watcher
 * sleeps 2/3 of the remaining lease plus 1/3 of the grace (jitter), then renews. When a renewal
 * no longer extends the lease (max TTL reached) the remaining time shrinks, and once what is left
 * (or would be left after the next sleep) falls within the grace period the watch ends with
 * `expiring`, so the caller logs in again or fetches a new secret before the old one dies.
 * Departure: Vault renews once right away; a fresh lease needs no renewal, so we sleep first.
 */
export async function watchLifetime(options: WatchOptions): Promise<WatchEnd> {
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  let lease = options.initial;
  let startedAt = now();
  let prior = lease.durationSec * 1000;
  let grace = drawGrace(prior, random);
  let errorBackoff: Backoff | undefined;
  let retryIn = 0;
  for (;;) {
    const remaining = lease.durationSec * 1000 - (now() - startedAt);
    let wait: number;
    if (errorBackoff) {
      wait = Math.min(retryIn, Math.max(0, remaining - grace));
    } else {
      // While renewals keep extending the lease, the grace follows it; once they stop (max TTL), it stays.
      if (remaining > prior) grace = drawGrace(remaining, random);
      wait = (remaining * 2) / 3 + grace / 3;
    }
    prior = remaining;
    if (remaining <= grace || remaining - wait <= grace) return { reason: 'expiring' };
    if (!(await sleep(wait, options.signal))) return { reason: 'stopped' };
    // A lease that cannot be renewed is only waited on, until its grace period.
    if (!lease.renewable) continue;
    try {
      const renewed = await options.renew(lease.durationSec);
      if (options.signal?.aborted) return { reason: 'stopped' };
      lease = renewed;
      startedAt = now();
      errorBackoff = undefined;
      options.onRenewed?.(renewed);
    } catch (error) {
      if (options.signal?.aborted) return { reason: 'stopped' };
      if (options.onError(error as Error) === 'stop') return { reason: 'renew-failed', error: error as Error };
      errorBackoff ??= new Backoff(1000, 5 * 60_000, random);
      retryIn = errorBackoff.next();
      options.onRenewError?.(error as Error, retryIn);
    }
  }
}

/** 10–20 % of the lease: Vault's grace, the part of the lease never slept into. */
function drawGrace(leaseMs: number, random: () => number): number {
  if (leaseMs <= 0) return 0;
  return 0.1 * leaseMs + random() * 0.1 * leaseMs;
}
