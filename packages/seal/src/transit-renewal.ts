import type { Logger } from '@coffer/sdk';
import { networkFailure } from './seal-error.js';
import type { TransitClient } from './transit-client.js';

/** Wait after a failed renewal the transit server may recover from (network, 5xx, 429). */
const RETRY_MS = 10_000;
/** Never renew more often than this, whatever the TTL. */
const MIN_INTERVAL_MS = 1_000;

export interface TokenRenewal {
  stop(): void;
}

/**
 * Keeps the transit seal's token alive as Vault's lifetime watcher does: renew-self at once, then
 * again after two thirds of each granted TTL. A token that does not expire, is not renewable or
 * may not renew itself stops the loop (Vault's "unable to renew token, disabling renewal"); a
 * transit server that cannot be reached is retried. Timers are unref'd: renewal never keeps the
 * process alive.
 */
export function startTokenRenewal(client: TransitClient, logger: Logger): TokenRenewal {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const schedule = (ms: number) => {
    if (stopped) return;
    timer = setTimeout(() => void renew(), ms);
    timer.unref();
  };

  const renew = async () => {
    let reply;
    try {
      reply = await client.post('auth/token/renew-self', {});
    } catch (error) {
      if (stopped) return;
      logger.warn(
        { seal: 'transit', error: networkFailure(error) ?? 'request failed' },
        'transit seal: token renewal failed; will retry',
      );
      return schedule(RETRY_MS);
    }
    if (stopped) return;
    if (reply.status === 429 || reply.status >= 500) {
      logger.warn({ seal: 'transit', status: reply.status }, 'transit seal: token renewal failed; will retry');
      return schedule(RETRY_MS);
    }
    if (reply.status !== 200) {
      logger.warn(
        { seal: 'transit', status: reply.status },
        'transit seal: the token may not renew itself; renewal stopped',
      );
      return;
    }
    const auth = reply.body['auth'] as { lease_duration?: unknown; renewable?: unknown } | undefined;
    const ttl = typeof auth?.lease_duration === 'number' ? auth.lease_duration : 0;
    if (auth?.renewable !== true || ttl <= 0) {
      logger.info({ seal: 'transit' }, 'transit seal: the token does not expire or is not renewable; renewal stopped');
      return;
    }
    logger.debug({ seal: 'transit', ttl }, 'transit seal: token renewed');
    schedule(Math.max(MIN_INTERVAL_MS, Math.floor((ttl * 1000 * 2) / 3)));
  };

  void renew();
  return {
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
