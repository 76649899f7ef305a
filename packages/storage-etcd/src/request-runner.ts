import { CofferError, type Logger } from '@coffer/sdk';
import { judgeEtcdError } from './etcd-errors.js';

/**
 * Runs one logical etcd request within `request_timeout`: each attempt gets a gRPC deadline, a
 * transient failure is retried after a short, growing, jittered pause (the client picks a member
 * again, skipping ones whose circuit is open), and when the budget is spent the caller gets a
 * 503-class `unavailable`. The caller's AbortSignal ends the wait at once with its reason; an
 * attempt already sent may still complete inside etcd, as with any cancelled RPC.
 */
export class RequestRunner {
  readonly #timeoutMs: number;
  readonly #log: Logger;

  constructor(requestTimeoutMs: number, logger: Logger) {
    this.#timeoutMs = requestTimeoutMs;
    this.#log = logger;
  }

  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  async run<T>(what: string, attempt: (deadline: Date) => Promise<T>, signal?: AbortSignal): Promise<T> {
    signal?.throwIfAborted();
    const end = Date.now() + this.#timeoutMs;
    // One attempt may not eat the whole budget: a member that hangs (partitioned, stopped) must
    // leave time to try another.
    const attemptMs = Math.max(1000, this.#timeoutMs / 2);
    let lastError: unknown;
    for (let n = 0; ; n++) {
      const deadline = new Date(Math.min(end, Date.now() + attemptMs));
      try {
        return await untilAborted(attempt(deadline), signal);
      } catch (error) {
        if (signal?.aborted) throw signal.reason;
        const verdict = judgeEtcdError(error);
        if (!verdict.retry) throw verdict.error;
        lastError = error;
      }
      const pause = Math.min(500, 25 * 2 ** n) * (0.5 + Math.random() / 2);
      if (Date.now() + pause >= end) break;
      this.#log.debug({ what, attempt: n + 1, error: messageOf(lastError) }, 'etcd request failed; retrying');
      await untilAborted(new Promise((resolve) => setTimeout(resolve, pause)), signal);
    }
    this.#log.warn({ what, timeoutMs: this.#timeoutMs, error: messageOf(lastError) }, 'etcd did not answer in time');
    throw new CofferError('unavailable', `storage unavailable: etcd did not answer within ${this.#timeoutMs} ms`, {
      cause: lastError,
      retryable: true,
    });
  }
}

/** Settles with `promise`, or rejects with the signal's reason as soon as it aborts. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
