import type { Logger } from '@coffer/sdk';
import { describeError, isRetryable } from '../client/error-kinds.js';
import type { VaultClient } from '../client/vault-client.js';
import { Backoff } from '../lifetime/backoff.js';
import { watchLifetime, type LeaseState } from '../lifetime/lifetime-watcher.js';
import { sleep } from '../lifetime/sleep.js';
import { isRenewable, refreshAfterMs, type TimingSettings } from './lease-timing.js';
import type { Fetched, VaultDependency } from './vault-dependency.js';

/** The set was stopped (new token, shutdown) while a fetch was waiting. */
export class StoppedError extends Error {
  override readonly name = 'StoppedError';
}

export interface DependencySetOptions {
  client: VaultClient;
  token: string;
  logger: Logger;
  timing: TimingSettings;
  /** Retries after a failed fetch (Vault's retry.num_retries); backoff 250 ms doubling to 1 m. */
  numRetries: number;
  /** Called after every re-fetch, so the templates using the dependency render again. */
  onRefresh(dependency: VaultDependency): void;
  /** A background re-fetch used up its retries and exit_on_retry_failure is set. */
  onFatal(error: Error): void;
  exitOnRetryFailure: boolean;
  random?: () => number;
}

interface Entry {
  dependency: VaultDependency;
  first: Promise<Fetched>;
  current: Fetched | undefined;
  controller: AbortController;
}

/**
 * The fetched secrets of one token's lifetime (consul-template's "brain" plus its watchers). The
 * first template call of a dependency fetches it; then a watcher keeps it fresh: renewable leases
 * are renewed (sys/leases/renew) and fetched again when they cannot be renewed any further;
 * other secrets are fetched again after their lease's threshold, or every static render interval
 * when they have no lease (KV).
 */
export class DependencySet {
  readonly #entries = new Map<string, Entry>();
  readonly #controller = new AbortController();

  constructor(private readonly options: DependencySetOptions) {}

  get stopped(): boolean {
    return this.#controller.signal.aborted;
  }

  /** The dependency's current value; the first call waits for the first fetch (with retries). */
  async value(dependency: VaultDependency): Promise<unknown> {
    if (this.stopped) throw new StoppedError('stopped');
    let entry = this.#entries.get(dependency.key);
    if (!entry) {
      const controller = new AbortController();
      this.#controller.signal.addEventListener('abort', () => controller.abort(), { once: true });
      const created: Entry = { dependency, current: undefined, controller, first: this.#fetch(dependency, controller.signal, false) };
      entry = created;
      this.#entries.set(dependency.key, created);
      created.first.then(
        (fetched) => {
          created.current = fetched;
          void this.#watch(created);
        },
        // A failed first fetch is forgotten, so the next render tries again from scratch.
        () => this.#entries.get(dependency.key) === created && this.#entries.delete(dependency.key),
      );
    }
    const first = await entry.first;
    return (entry.current ?? first).value;
  }

  /** Stops watching every dependency whose key is not in `keys` (no template uses it any more). */
  retain(keys: ReadonlySet<string>): void {
    for (const [key, entry] of this.#entries) {
      if (keys.has(key)) continue;
      entry.controller.abort();
      this.#entries.delete(key);
    }
  }

  stop(): void {
    this.#controller.abort();
    this.#entries.clear();
  }

  async #watch(entry: Entry): Promise<void> {
    const { dependency, controller } = entry;
    const { logger, timing } = this.options;
    const random = this.options.random ?? Math.random;
    while (!controller.signal.aborted) {
      const current = entry.current as Fetched;
      const record = current.record;
      const leaseSec = record ? (record.auth ? record.auth.leaseDuration : record.leaseDuration) : 0;
      if (record && isRenewable(record) && leaseSec > 0) {
        const end = await watchLifetime({
          initial: { durationSec: leaseSec, renewable: true },
          renew: (increment) => this.#renew(current, increment),
          onError: (error) => (isRetryable(error) ? 'retry' : 'stop'),
          signal: controller.signal,
          random,
          onRenewed: (lease) => logger.info({ dependency: String(dependency), ttl: `${lease.durationSec}s` }, 'renewed lease'),
          onRenewError: (error, retryIn) =>
            logger.warn({ dependency: String(dependency), error: describeError(error), retry_in: `${(retryIn / 1000).toFixed(1)}s` }, 'renewing the lease failed; retrying'),
        });
        if (end.reason === 'stopped') return;
        if (end.reason === 'renew-failed') logger.warn({ dependency: String(dependency), error: describeError(end.error) }, 'the lease can no longer be renewed; fetching a new secret');
        else logger.info({ dependency: String(dependency) }, 'the lease is near its end; fetching a new secret');
      } else {
        const wait = record ? refreshAfterMs(record, timing, random) : timing.defaultLeaseMs;
        if (!(await sleep(wait, controller.signal))) return;
      }
      try {
        entry.current = await this.#fetch(dependency, controller.signal, !this.options.exitOnRetryFailure);
      } catch (error) {
        if (error instanceof StoppedError) return;
        this.options.onFatal(error as Error);
        return;
      }
      if (!controller.signal.aborted) this.options.onRefresh(dependency);
    }
  }

  async #renew(current: Fetched, increment: number): Promise<LeaseState> {
    const { client, token } = this.options;
    const record = current.record;
    if (record?.auth && current.clientToken) {
      const body = (await client.request({ method: 'PUT', path: 'auth/token/renew', token, body: { token: current.clientToken, increment } })) as {
        auth?: { lease_duration?: number; renewable?: boolean };
      };
      return { durationSec: body?.auth?.lease_duration ?? 0, renewable: body?.auth?.renewable === true };
    }
    const body = (await client.request({
      method: 'PUT',
      path: 'sys/leases/renew',
      token,
      body: { lease_id: record?.leaseId, increment },
    })) as { lease_duration?: number; renewable?: boolean };
    return { durationSec: body?.lease_duration ?? 0, renewable: body?.renewable === true };
  }

  /** Fetches with retries; `forever` keeps trying at the longest backoff once the retries are used up. */
  async #fetch(dependency: VaultDependency, signal: AbortSignal, forever: boolean): Promise<Fetched> {
    const { client, token, logger, numRetries } = this.options;
    const backoff = new Backoff(250, 60_000, this.options.random);
    for (let attempt = 1; ; attempt++) {
      if (signal.aborted) throw new StoppedError('stopped');
      try {
        return await dependency.fetch({ client, token, logger });
      } catch (error) {
        if (signal.aborted) throw new StoppedError('stopped');
        const exhausted = attempt > numRetries;
        if (exhausted && !forever) {
          throw new Error(`${dependency}: ${describeError(error)} (after ${attempt} attempts)`, { cause: error });
        }
        const wait = backoff.next();
        logger.warn(
          { dependency: String(dependency), error: describeError(error), attempt: `${attempt}/${numRetries + 1}`, retry_in: `${(wait / 1000).toFixed(1)}s` },
          'fetching a secret failed; retrying',
        );
        if (!(await sleep(wait, signal))) throw new StoppedError('stopped');
      }
    }
  }
}
