import { CofferError, type Logger, type Storage } from '@coffer/sdk';
import { randomBase62 } from '../ids.js';
import {
  decodeLease,
  encodeLease,
  indexKey,
  isValidLeaseId,
  LEASE_PREFIX,
  leaseIdFromIndexKey,
  TOKEN_INDEX_PREFIX,
  type LeaseEntry,
} from './lease-entry.js';
import { LeaseSchedule } from './lease-schedule.js';
import { restoreLeases } from './restore.js';

export interface ExpirationDeps {
  storage: Storage;
  logger: Logger;
  now: () => Date;
  /**
   * Revokes the token behind a token lease (and, through the token store, its children and their
   * leases). When `onlyIfExpired`, returns a later due time instead if the token was renewed.
   */
  revokeToken(lease: LeaseEntry, onlyIfExpired: boolean): Promise<number | undefined>;
  /** Revokes a leased secret through the engine that issued it. */
  revokeSecret(lease: LeaseEntry): Promise<void>;
  /** Extends a leased secret through the engine that issued it. */
  renewSecret(lease: LeaseEntry, newExpireTime: Date): Promise<void>;
  /** Failed revocations are retried with exponential backoff, then marked irrevocable. */
  retry?: { baseMs: number; maxAttempts: number };
}

export interface NewSecretLease {
  path: string;
  mountAccessor: string;
  clientTokenHash?: string;
  ttlSeconds: number;
  maxTtlSeconds: number;
  renewable: boolean;
  internal?: Record<string, unknown>;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
const BATCH = 64;
const REVOKE_CONCURRENCY = 16;

/**
 * The one owner of everything with a TTL. Leases are persisted before they are handed out, kept in
 * a due-time heap in memory, restored in the background after unseal (batched, so a million leases
 * do not stampede storage), and revoked on time with retries that back off and are reported.
 */
export class ExpirationManager {
  readonly #deps: ExpirationDeps;
  readonly #schedule = new LeaseSchedule();
  /** Leases whose revocation failed for good: kept in storage for an operator, counted for alerts. */
  readonly #irrevocable = new Set<string>();
  /** Revocations under way, by lease id (see #revoke). */
  readonly #revoking = new Map<string, Promise<void>>();
  readonly #retry: { baseMs: number; maxAttempts: number };
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #draining: Promise<void> | undefined;
  readonly restored: Promise<void>;

  private constructor(deps: ExpirationDeps) {
    this.#deps = deps;
    this.#retry = deps.retry ?? { baseMs: 10_000, maxAttempts: 6 };
    this.restored = restoreLeases(deps.storage, (entry) => {
      if (this.#stopped) return;
      if (entry.irrevocable) this.#irrevocable.add(entry.id);
      else this.#schedule.set(entry.id, entry.expireTime);
      this.#arm();
    }).then(
      (count) => {
        if (count > 0) deps.logger.info({ leases: count }, 'leases restored');
      },
      (error: unknown) => {
        deps.logger.error({ err: error }, 'lease restore failed; leases will be revoked only when touched');
      },
    );
  }

  static start(deps: ExpirationDeps): ExpirationManager {
    return new ExpirationManager(deps);
  }

  get scheduled(): number {
    return this.#schedule.size;
  }

  /**
   * For the metrics: scheduled leases of tokens (their ids start with the auth mount's path, as
   * Vault's do) and of secrets, and the leases given up as irrevocable. Counted at scrape time.
   */
  counts(): { tokens: number; secrets: number; irrevocable: number } {
    let tokens = 0;
    for (const id of this.#schedule.ids()) if (id.startsWith('auth/')) tokens++;
    return { tokens, secrets: this.#schedule.size - tokens, irrevocable: this.#irrevocable.size };
  }

  /** Registers the lease of a token with a TTL. The id names the creating path, as Vault's do. */
  async registerToken(input: { tokenHash: string; path: string; mountAccessor: string; expireTime: number; renewable: boolean }): Promise<string> {
    const now = this.#now();
    const entry: LeaseEntry = {
      id: tokenLeaseId(input.path, input.tokenHash),
      kind: 'token',
      path: input.path,
      mountAccessor: input.mountAccessor,
      tokenHash: input.tokenHash,
      issueTime: now,
      expireTime: input.expireTime,
      ttl: Math.round((input.expireTime - now) / 1000),
      renewable: input.renewable,
    };
    await this.#save(entry);
    return entry.id;
  }

  async registerSecret(input: NewSecretLease): Promise<LeaseEntry> {
    const now = this.#now();
    const entry: LeaseEntry = {
      id: `${input.path}/${randomBase62(24)}`,
      kind: 'secret',
      path: input.path,
      mountAccessor: input.mountAccessor,
      ...(input.clientTokenHash ? { clientTokenHash: input.clientTokenHash } : {}),
      issueTime: now,
      expireTime: now + input.ttlSeconds * 1000,
      maxExpireTime: now + input.maxTtlSeconds * 1000,
      ttl: input.ttlSeconds,
      renewable: input.renewable,
      ...(input.internal ? { internal: input.internal } : {}),
    };
    if (entry.clientTokenHash) await this.#deps.storage.put(indexKey(entry.clientTokenHash, entry.id), new Uint8Array(0));
    await this.#save(entry);
    return entry;
  }

  async lookup(id: string): Promise<LeaseEntry | undefined> {
    if (!isValidLeaseId(id)) return undefined;
    const raw = await this.#deps.storage.get(LEASE_PREFIX + id);
    return raw ? decodeLease(raw) : undefined;
  }

  /** Lease ids below a prefix, one level at a time (LIST sys/leases/lookup/<prefix>). */
  list(prefix: string): Promise<string[]> {
    return this.#deps.storage.list(LEASE_PREFIX + prefix);
  }

  /** Moves a token lease's expiry after the token was renewed. */
  async updateTokenExpiry(id: string, expireTime: number): Promise<void> {
    const entry = await this.lookup(id);
    if (!entry) return;
    await this.#save({ ...entry, expireTime, lastRenewal: this.#now() });
  }

  /**
   * Renews a secret lease by `increment` seconds from now (or its original TTL), capped at its max.
   * Tokens are renewed through auth/token/renew, as in Vault.
   */
  async renewSecret(id: string, incrementSeconds: number | undefined): Promise<{ entry: LeaseEntry; warnings: string[] }> {
    const entry = await this.lookup(id);
    if (!entry) throw new CofferError('invalid_request', 'lease not found');
    if (entry.kind === 'token') throw new CofferError('invalid_request', 'tokens cannot be renewed through this endpoint');
    const now = this.#now();
    if (entry.expireTime <= now) throw new CofferError('invalid_request', 'lease expired');
    if (!entry.renewable) throw new CofferError('invalid_request', 'lease is not renewable');
    const warnings: string[] = [];
    let expireTime = now + (incrementSeconds || entry.ttl) * 1000;
    if (entry.maxExpireTime !== undefined && expireTime > entry.maxExpireTime) {
      expireTime = entry.maxExpireTime;
      warnings.push('TTL of the lease exceeded its max TTL; the TTL value is capped accordingly');
    }
    await this.#deps.renewSecret(entry, new Date(expireTime));
    const renewed = { ...entry, expireTime, lastRenewal: now };
    await this.#save(renewed);
    return { entry: renewed, warnings };
  }

  /** Revokes one lease now. `force` forgets it even if the engine fails (revoke-force). */
  async revoke(id: string, options: { force?: boolean } = {}): Promise<void> {
    const entry = await this.lookup(id);
    if (!entry) return;
    await this.#revoke(entry, options.force ?? false, true, false);
  }

  /**
   * Revokes every lease whose id starts with the prefix (the "lost key card" case), a bounded
   * number at a time so a role's hundreds of database users go quickly without a stampede.
   */
  async revokePrefix(prefix: string, options: { force?: boolean } = {}): Promise<number> {
    const normalised = prefix.endsWith('/') || prefix === '' ? prefix : `${prefix}/`;
    if (!isValidLeaseId(normalised.slice(0, -1)) && normalised !== '') throw new CofferError('invalid_request', 'invalid prefix');
    const ids: string[] = [];
    const walk = async (folder: string): Promise<void> => {
      for (const name of await this.#deps.storage.list(LEASE_PREFIX + folder)) {
        if (name.endsWith('/')) await walk(folder + name);
        else ids.push(folder + name);
      }
    };
    await walk(normalised);
    let next = 0;
    const failures: unknown[] = [];
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++] as string;
        await this.revoke(id, options).catch((error: unknown) => failures.push(error));
      }
    };
    await Promise.all(Array.from({ length: Math.min(REVOKE_CONCURRENCY, ids.length) }, worker));
    if (failures.length) throw failures[0];
    return ids.length;
  }

  /** Called by the token store for every token it removes: drop its lease, revoke what it asked for. */
  async onTokenRevoked(token: { hash: string; leaseId?: string }): Promise<void> {
    if (token.leaseId) await this.#forget(token.leaseId);
    for (const segment of await this.#deps.storage.list(`${TOKEN_INDEX_PREFIX}${token.hash}/`)) {
      const entry = await this.lookup(leaseIdFromIndexKey(segment));
      if (entry) await this.#revoke(entry, false, false, false);
      await this.#deps.storage.delete(`${TOKEN_INDEX_PREFIX}${token.hash}/${segment}`);
    }
  }

  /** Removes index entries that point at nothing (sys/leases/tidy). */
  async tidy(): Promise<number> {
    let removed = 0;
    for (const token of await this.#deps.storage.list(TOKEN_INDEX_PREFIX)) {
      for (const segment of await this.#deps.storage.list(TOKEN_INDEX_PREFIX + token)) {
        if (!(await this.lookup(leaseIdFromIndexKey(segment)))) {
          await this.#deps.storage.delete(TOKEN_INDEX_PREFIX + token + segment);
          removed++;
        }
      }
    }
    return removed;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#schedule.clear();
    await this.#draining;
  }

  async #save(entry: LeaseEntry): Promise<void> {
    await this.#deps.storage.put(LEASE_PREFIX + entry.id, encodeLease(entry));
    if (!entry.irrevocable) this.#schedule.set(entry.id, entry.expireTime);
    this.#arm();
  }

  async #forget(id: string): Promise<void> {
    this.#schedule.delete(id);
    this.#irrevocable.delete(id);
    const entry = await this.lookup(id);
    if (entry?.clientTokenHash) await this.#deps.storage.delete(indexKey(entry.clientTokenHash, id));
    await this.#deps.storage.delete(LEASE_PREFIX + id);
  }

  /**
   * One revocation per lease at a time. Expiry, revoke-prefix, a token's revocation and an explicit
   * revoke can reach the same lease together; two DROP ROLEs racing each other fail one of them, and
   * the failure's bookkeeping would write the lease back after the winner forgot it. A caller that
   * finds one running waits for it, then acts on what is left (nothing, when it succeeded).
   */
  async #revoke(entry: LeaseEntry, force: boolean, throwOnFailure: boolean, expiring: boolean): Promise<void> {
    let current: LeaseEntry | undefined = entry;
    for (let running = this.#revoking.get(entry.id); running; running = this.#revoking.get(entry.id)) {
      await running.catch(() => undefined);
      current = await this.lookup(entry.id);
      if (!current) return;
    }
    const attempt = this.#revokeOnce(current, force, throwOnFailure, expiring);
    this.#revoking.set(entry.id, attempt);
    try {
      await attempt;
    } finally {
      if (this.#revoking.get(entry.id) === attempt) this.#revoking.delete(entry.id);
    }
  }

  async #revokeOnce(entry: LeaseEntry, force: boolean, throwOnFailure: boolean, expiring: boolean): Promise<void> {
    try {
      if (entry.kind === 'token') {
        const later = await this.#deps.revokeToken(entry, expiring);
        if (later !== undefined && later > this.#now()) {
          await this.#save({ ...entry, expireTime: later });
          return;
        }
      } else {
        await this.#deps.revokeSecret(entry);
      }
    } catch (error) {
      if (!force) {
        await this.#recordFailure(entry, error);
        if (throwOnFailure) {
          throw new CofferError('upstream', `failed to revoke lease ${entry.id}: ${(error as Error).message}`, { cause: error });
        }
        return;
      }
      this.#deps.logger.warn({ leaseId: entry.id, err: error }, 'revoke-force: engine failed; lease forgotten anyway');
    }
    await this.#forget(entry.id);
  }

  async #recordFailure(entry: LeaseEntry, error: unknown): Promise<void> {
    const attempts = (entry.revokeAttempts ?? 0) + 1;
    const irrevocable = attempts >= this.#retry.maxAttempts;
    const message = error instanceof CofferError ? error.message : 'revocation failed';
    const next = this.#now() + Math.min(this.#retry.baseMs * 2 ** (attempts - 1), 10 * 60_000);
    const updated: LeaseEntry = {
      ...entry,
      revokeAttempts: attempts,
      lastRevokeError: message,
      ...(irrevocable ? { irrevocable: true } : { expireTime: next }),
    };
    if (irrevocable) {
      this.#schedule.delete(entry.id);
      this.#irrevocable.add(entry.id);
    }
    await this.#save(updated);
    const log = irrevocable ? this.#deps.logger.error : this.#deps.logger.warn;
    log({ leaseId: entry.id, attempts, err: error }, irrevocable ? 'lease is irrevocable after repeated failures' : 'lease revocation failed; will retry');
  }

  /** One timer, set for the earliest due lease. */
  #arm(): void {
    if (this.#stopped || this.#draining) return;
    const next = this.#schedule.next();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    if (next === undefined) return;
    const delay = Math.max(0, Math.min(next - this.#now(), MAX_TIMER_MS));
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#draining = this.#drain().finally(() => {
        this.#draining = undefined;
        this.#arm();
      });
    }, delay);
    this.#timer.unref();
  }

  async #drain(): Promise<void> {
    for (;;) {
      if (this.#stopped) return;
      const due = this.#schedule.popDue(this.#now(), BATCH);
      if (due.length === 0) return;
      await Promise.all(
        due.map(async (id) => {
          try {
            const entry = await this.lookup(id);
            if (!entry || entry.irrevocable) return;
            if (entry.expireTime > this.#now()) {
              this.#schedule.set(id, entry.expireTime);
              return;
            }
            await this.#revoke(entry, false, false, true);
          } catch (error) {
            if (!this.#stopped) this.#deps.logger.error({ leaseId: id, err: error }, 'lease expiry failed');
          }
        }),
      );
    }
  }

  #now(): number {
    return this.#deps.now().getTime();
  }
}

/** A token's lease id: the path that created it and the token's hash, known before either is stored. */
export function tokenLeaseId(path: string, tokenHash: string): string {
  return `${path}/h${tokenHash}`;
}
