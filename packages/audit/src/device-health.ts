import type { Logger } from '@coffer/sdk';

/** Counters of one device, for metrics and `sys/audit` health. */
export interface AuditDeviceStats {
  path: string;
  type: string;
  /** Entries written. */
  writes: number;
  /** Entries that failed (timeouts included). */
  failures: number;
  timeouts: number;
  /** Failures since the last success: > 0 means the device is failing now. */
  consecutiveFailures: number;
  lastError: string | undefined;
  /** Epoch ms of the last failure. */
  lastFailureAt: number | undefined;
}

interface Burst {
  loggedAt: number;
  suppressed: number;
}

/**
 * Keeps each device's counters and tells the operator about failures without flooding the log: a
 * burst of failures is logged when it starts, then at most once per interval with the number of
 * failures left unlogged, and its end ("recovered") once. Log lines name the device and the reason,
 * never the entry.
 */
export class DeviceHealth {
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #clock: () => number;
  readonly #stats = new Map<string, AuditDeviceStats>();
  readonly #bursts = new Map<string, Burst>();

  constructor(logger: Logger, intervalMs: number, clock: () => number) {
    this.#logger = logger;
    this.#intervalMs = intervalMs;
    this.#clock = clock;
  }

  track(path: string, type: string): void {
    this.#stats.set(path, {
      path,
      type,
      writes: 0,
      failures: 0,
      timeouts: 0,
      consecutiveFailures: 0,
      lastError: undefined,
      lastFailureAt: undefined,
    });
    this.#bursts.delete(path);
  }

  forget(path: string): void {
    this.#stats.delete(path);
    this.#bursts.delete(path);
  }

  success(path: string): void {
    const stats = this.#stats.get(path);
    if (!stats) return;
    stats.writes += 1;
    if (stats.consecutiveFailures > 0) {
      this.#logger.warn(
        { device: path, type: stats.type, failedWrites: stats.consecutiveFailures },
        'audit device recovered',
      );
    }
    stats.consecutiveFailures = 0;
    this.#bursts.delete(path);
  }

  failure(path: string, reason: string, timedOut: boolean): void {
    const stats = this.#stats.get(path);
    if (!stats) return;
    const now = this.#clock();
    stats.failures += 1;
    if (timedOut) stats.timeouts += 1;
    stats.consecutiveFailures += 1;
    stats.lastError = reason;
    stats.lastFailureAt = now;
    this.#rateLimited(path, now, (suppressed) =>
      this.#logger.error(
        { device: path, type: stats.type, reason, consecutiveFailures: stats.consecutiveFailures, suppressed },
        'audit device failed to write an entry',
      ),
    );
  }

  /** Logs through `log` at the start of a burst for `key`, then at most once per interval. */
  #rateLimited(key: string, now: number, log: (suppressed: number) => void): void {
    const burst = this.#bursts.get(key);
    if (burst && now - burst.loggedAt < this.#intervalMs) {
      burst.suppressed += 1;
      return;
    }
    log(burst?.suppressed ?? 0);
    this.#bursts.set(key, { loggedAt: now, suppressed: 0 });
  }

  /** A refused request or response: logged with the same burst rule, keyed apart from devices. */
  refused(kind: 'request' | 'response', reasons: readonly string[]): void {
    this.#rateLimited(`refused:${kind}`, this.#clock(), (suppressed) =>
      this.#logger.error({ kind, reasons, suppressed }, `no audit device recorded the ${kind}; refusing it`),
    );
  }

  /** Ends the refusal burst once an entry gets through again. */
  accepted(kind: 'request' | 'response'): void {
    this.#bursts.delete(`refused:${kind}`);
  }

  snapshot(): AuditDeviceStats[] {
    return [...this.#stats.values()].map((stats) => ({ ...stats }));
  }
}
