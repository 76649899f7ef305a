import type { Logger } from '@coffer/sdk';
import { VaultResponseError, type VaultClient } from '../client/vault-client.js';
import type { AutoAuthConfig } from '../config/agent-config.js';
import { Backoff } from '../lifetime/backoff.js';
import { watchLifetime, type LeaseState } from '../lifetime/lifetime-watcher.js';
import { sleep } from '../lifetime/sleep.js';
import { describeError, isRetryable } from '../client/error-kinds.js';
import { LoginMethod } from './login-methods.js';

export interface TokenGrant {
  token: string;
  durationSec: number;
  renewable: boolean;
}

/** exit_on_err: the first failed login ends the agent. */
export class AuthFailedError extends Error {
  override readonly name = 'AuthFailedError';
}

/**
 * Vault Agent's auth handler: logs in with backoff between `min_backoff` and `max_backoff`, then
 * keeps the token alive with renew-self at about 2/3 of its TTL; when the token can no longer be
 * renewed (max TTL, not renewable, revoked) the caller logs in again. Tokens never reach the logs.
 */
export class AutoAuth {
  readonly #method: LoginMethod;

  constructor(
    private readonly client: VaultClient,
    private readonly config: AutoAuthConfig,
    private readonly logger: Logger,
    private readonly signal: AbortSignal | undefined,
    private readonly random: () => number = Math.random,
  ) {
    this.#method = new LoginMethod(config.method);
  }

  /** Logs in, retrying until it works; undefined when stopped first. */
  async authenticate(): Promise<TokenGrant | undefined> {
    const { method } = this.config;
    const backoff = new Backoff(method.minBackoffMs, method.maxBackoffMs, this.random);
    const where = { method: method.type, mount_path: method.mountPath };
    for (;;) {
      if (this.signal?.aborted) return undefined;
      try {
        this.logger.info(where, 'authenticating');
        const request = await this.#method.request();
        const response = await this.client.request({
          method: 'PUT',
          path: request.path,
          body: request.body,
          ...(method.namespace ? { namespace: method.namespace } : {}),
        });
        const grant = grantOf(response);
        this.logger.info({ ...where, ttl: `${grant.durationSec}s`, renewable: grant.renewable }, 'authentication successful');
        return grant;
      } catch (error) {
        if (method.exitOnErr) throw new AuthFailedError(`authentication failed (${method.type} at ${method.mountPath}): ${describeError(error)}`);
        const wait = backoff.next();
        this.logger.error({ ...where, error: describeError(error), retry_in: `${(wait / 1000).toFixed(1)}s` }, 'authentication failed');
        if (!(await sleep(wait, this.signal))) return undefined;
      }
    }
  }

  /** Renews the token until it needs replacing ('relogin') or the agent stops ('stopped'). */
  async keepAlive(grant: TokenGrant): Promise<'relogin' | 'stopped'> {
    if (grant.durationSec === 0) {
      // A token without TTL (e.g. a root token through some method) never needs renewing.
      this.logger.info('the token has no TTL; not renewing it');
      await sleep(2 ** 31 - 1, this.signal);
      return 'stopped';
    }
    const end = await watchLifetime({
      initial: grant,
      onError: (error) => (isRetryable(error) ? 'retry' : 'stop'),
      signal: this.signal,
      random: this.random,
      renew: async (increment) => {
        const response = await this.client.request({ method: 'PUT', path: 'auth/token/renew-self', token: grant.token, body: { increment } });
        const renewed = grantOf(response);
        return { durationSec: renewed.durationSec, renewable: renewed.renewable } satisfies LeaseState;
      },
      onRenewed: (lease) => this.logger.info({ ttl: `${lease.durationSec}s` }, 'renewed auth token'),
      onRenewError: (error, retryIn) =>
        this.logger.warn({ error: describeError(error), retry_in: `${(retryIn / 1000).toFixed(1)}s` }, 'renewing the auth token failed; retrying'),
    });
    if (end.reason === 'stopped') return 'stopped';
    if (end.reason === 'renew-failed') {
      this.logger.warn({ error: describeError(end.error) }, 'the auth token can no longer be renewed; logging in again');
    } else {
      this.logger.info(grant.renewable ? 'the auth token reached its maximum TTL; logging in again' : 'the auth token is not renewable and expires soon; logging in again');
    }
    return 'relogin';
  }
}

function grantOf(response: unknown): TokenGrant {
  const auth = (response as { auth?: Record<string, unknown> } | undefined)?.auth;
  const token = auth?.client_token;
  if (typeof token !== 'string' || token === '') {
    throw new VaultResponseError('PUT', 'login', 200, ['the response carries no client token'], undefined);
  }
  return {
    token,
    durationSec: typeof auth?.lease_duration === 'number' ? auth.lease_duration : 0,
    renewable: auth?.renewable === true,
  };
}
