/**
 * Exponential backoff with jitter, as Vault Agent's auto-auth and template retries use it: each
 * wait is 75–100 % of the current step, and the step doubles up to the maximum.
 */
export class Backoff {
  #current: number;

  constructor(
    readonly minMs: number,
    readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {
    this.#current = minMs;
  }

  /** The next wait in milliseconds; the step after it doubles. */
  next(): number {
    const wait = this.#current * (0.75 + 0.25 * this.random());
    this.#current = Math.min(this.#current * 2, this.maxMs);
    return Math.round(wait);
  }

  reset(): void {
    this.#current = this.minMs;
  }
}
