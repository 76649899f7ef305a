import { setMaxListeners } from 'node:events';

/**
 * Deadlines for device writes, shared by the writes that start close together: one timer and one
 * signal per slice of time (a tenth of the timeout, at most 100 ms) instead of an AbortController
 * and a timer for every audit entry, which the profile of an audited read showed on the hot path.
 * A write's deadline is its timeout plus at most one slice.
 */
export class SharedDeadlines {
  readonly #slices = new Map<number, { until: number; controller: AbortController }>();
  readonly #reason: (timeoutMs: number) => Error;
  readonly #clock: () => number;

  constructor(reason: (timeoutMs: number) => Error, clock: () => number = Date.now) {
    this.#reason = reason;
    this.#clock = clock;
  }

  /** A signal that aborts (with `reason(timeoutMs)`) between `timeoutMs` and one slice later. */
  signal(timeoutMs: number): AbortSignal {
    const now = this.#clock();
    const current = this.#slices.get(timeoutMs);
    if (current && now < current.until) return current.controller.signal;
    const slice = Math.max(1, Math.min(100, Math.ceil(timeoutMs / 10)));
    const controller = new AbortController();
    // Every write in flight in the slice listens to the one signal.
    setMaxListeners(0, controller.signal);
    setTimeout(() => controller.abort(this.#reason(timeoutMs)), timeoutMs + slice).unref();
    this.#slices.set(timeoutMs, { until: now + slice, controller });
    return controller.signal;
  }
}
