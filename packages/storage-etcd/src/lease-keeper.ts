import { CofferError, type Logger } from '@coffer/sdk';
import type { Etcd3 } from 'etcd3';
import { messageOf, type RequestRunner } from './request-runner.js';

/** After a failed keepalive, try again this soon (another member, probably). */
const RETRY_MS = 200;

/**
 * One etcd lease, kept alive by this process, with a conservative local view of its life.
 *
 * etcd restarts a lease's TTL when it handles a keepalive, which is after we sent it; so "sent at
 * + TTL" is a moment by which the lease cannot have expired yet, and we stop trusting it a little
 * earlier still (a quarter of the TTL, at most a second, for clock-rate differences). `lost` fires
 * when etcd says the lease is gone, or when no keepalive has succeeded until that moment — a
 * single failed keepalive (one member down) is retried at once, not treated as loss. A process
 * paused past that moment (SIGSTOP, GC) finds it passed on waking: `alive()` is then false before
 * any timer has even run.
 */
export class LeaseKeeper {
  readonly id: string;
  readonly ttlMs: number;
  readonly #client: Etcd3;
  readonly #runner: RequestRunner;
  readonly #log: Logger;
  readonly #lost = new AbortController();
  #validUntil: number;
  #renewTimer: NodeJS.Timeout | undefined;
  #expiryTimer: NodeJS.Timeout | undefined;
  #revoking: Promise<void> | undefined;

  private constructor(client: Etcd3, runner: RequestRunner, logger: Logger, id: string, ttlMs: number, sentAt: number) {
    this.#client = client;
    this.#runner = runner;
    this.#log = logger;
    this.id = id;
    this.ttlMs = ttlMs;
    this.#validUntil = sentAt + ttlMs - this.#margin();
    this.#armExpiry();
    this.#scheduleRenew(this.ttlMs / 3);
  }

  /** Grants a lease of `ttlSeconds` (etcd may raise it to its minimum) and starts keeping it alive. */
  static async grant(client: Etcd3, runner: RequestRunner, logger: Logger, ttlSeconds: number, signal?: AbortSignal): Promise<LeaseKeeper> {
    const sentAt = Date.now();
    const res = await runner.run('lease grant', (deadline) => client.leaseClient.leaseGrant({ TTL: ttlSeconds }, { deadline }), signal);
    return new LeaseKeeper(client, runner, logger, res.ID, Number(res.TTL) * 1000, sentAt);
  }

  /** The lease id in hex, as etcdctl and Vault's lock keys show it. */
  get hex(): string {
    return BigInt(this.id).toString(16);
  }

  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  /** True while the lease is certainly alive by the local clock; once false, `lost` has fired. */
  alive(): boolean {
    if (this.#lost.signal.aborted) return false;
    if (Date.now() < this.#validUntil) return true;
    this.lose('no keepalive succeeded in time; the lease may have expired');
    return false;
  }

  /** Stops keeping the lease alive and fires `lost` (idempotent). */
  lose(reason: string): void {
    if (this.#lost.signal.aborted) return;
    clearTimeout(this.#renewTimer);
    clearTimeout(this.#expiryTimer);
    this.#lost.abort(new CofferError('unavailable', `leadership lost: ${reason}`));
  }

  /** Gives the lease back, deleting its keys now rather than at expiry. Never throws; once only. */
  revoke(reason = 'resigned'): Promise<void> {
    this.lose(reason);
    this.#revoking ??= this.#revoke();
    return this.#revoking;
  }

  async #revoke(): Promise<void> {
    try {
      await this.#runner.run('lease revoke', (deadline) => this.#client.leaseClient.leaseRevoke({ ID: this.id }, { deadline }));
    } catch (error) {
      // "lease not found" means it is already gone; otherwise it expires within its TTL anyway.
      this.#log.debug({ lease: this.hex, error: messageOf(error) }, 'lease revoke failed; it will expire on its own');
    }
  }

  #margin(): number {
    return Math.min(1000, this.ttlMs / 4);
  }

  #armExpiry(): void {
    clearTimeout(this.#expiryTimer);
    this.#expiryTimer = setTimeout(() => this.alive(), Math.max(0, this.#validUntil - Date.now()));
  }

  #scheduleRenew(delayMs: number): void {
    clearTimeout(this.#renewTimer);
    if (!this.#lost.signal.aborted) this.#renewTimer = setTimeout(() => void this.#renew(), delayMs);
  }

  async #renew(): Promise<void> {
    if (!this.alive()) return;
    const sentAt = Date.now();
    try {
      const ttlSeconds = await this.#keepaliveOnce(new Date(sentAt + Math.max(500, this.ttlMs / 3)));
      if (this.#lost.signal.aborted) return;
      if (ttlSeconds <= 0) {
        this.lose('etcd says the lease has expired');
        return;
      }
      this.#validUntil = Math.max(this.#validUntil, sentAt + ttlSeconds * 1000 - this.#margin());
      this.#armExpiry();
      this.#scheduleRenew(this.ttlMs / 3);
    } catch (error) {
      if (messageOf(error).includes('requested lease not found')) {
        this.lose('etcd says the lease no longer exists');
        return;
      }
      this.#log.debug({ lease: this.hex, error: messageOf(error) }, 'lease keepalive failed; retrying');
      this.#scheduleRenew(RETRY_MS);
    }
  }

  /** One keepalive on a short-lived stream, so each renewal may land on any live member. */
  async #keepaliveOnce(deadline: Date): Promise<number> {
    const stream = await this.#client.leaseClient.leaseKeepAlive({ deadline });
    return new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        stream.cancel();
        reject(new Error('keepalive got no answer in time'));
      }, Math.max(0, deadline.getTime() - Date.now()));
      stream.on('data', (res) => {
        clearTimeout(timer);
        stream.end();
        resolve(Number(res.TTL));
      });
      stream.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      stream.on('end', () => {
        clearTimeout(timer);
        reject(new Error('keepalive stream ended without an answer'));
      });
      stream.write({ ID: this.id });
    });
  }
}
