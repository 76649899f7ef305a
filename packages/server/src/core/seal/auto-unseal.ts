import { isCofferError, type Logger } from '@coffer/sdk';

export interface AutoUnsealLoop {
  /** Resolves once unsealed, or when stopped. */
  readonly done: Promise<void>;
  stop(): void;
}

const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 5_000;

/**
 * Keeps trying to unseal through the KMS until it works: one clear log line per failed attempt
 * (which seal, which key, what the cloud said — never a secret), with a capped backoff so a KMS
 * that comes back is noticed within seconds.
 */
export function startAutoUnseal(attempt: () => Promise<void>, seal: Readonly<Record<string, string>>, logger: Logger): AutoUnsealLoop {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });
  const done = (async () => {
    for (let delay = FIRST_DELAY_MS, tries = 1; !stopped; delay = Math.min(delay * 2, MAX_DELAY_MS), tries++) {
      try {
        await attempt();
        logger.info({ seal }, 'unsealed by the auto seal');
        return;
      } catch (error) {
        if (stopped) return;
        const reason = isCofferError(error) ? error.message : 'unexpected error';
        logger.warn({ seal, attempt: tries, retryInMs: delay, reason }, 'auto-unseal failed; staying sealed and retrying');
      }
      await sleep(delay);
    }
  })();
  return {
    done,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      wake?.();
    },
  };
}
