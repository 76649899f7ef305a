import { CofferError } from '@coffer/sdk';
import { KeyedLock } from '../../util/keyed-lock.js';
import { roleAllowed } from './config-record.js';
import { configFor, type DatabaseContext } from './database-context.js';
import { nextRotationAfter, type StaticRoleRecord } from './static-role-record.js';

/** Vault retries a failed scheduled rotation after 10 seconds. */
const RETRY_MS = 10_000;

/**
 * Rotates static roles' passwords: at creation, on rotate-role, and when due. What is due is
 * kept in memory (loaded at setup, updated on every write), the truth is in storage: each
 * rotation writes its new password to a WAL before touching the database, then saves the role
 * with its password and next due time in one write, then drops the WAL. So a restart never
 * rotates twice for one due time, never forgets a due rotation (it runs once, late), and a crash
 * mid-rotation is finished with the WAL's password instead of a new one.
 */
export class StaticRotations {
  readonly #ctx: DatabaseContext;
  readonly #due = new Map<string, number>();
  readonly #retryAt = new Map<string, number>();
  readonly #lock = new KeyedLock();
  #ticking: Promise<void> | undefined;
  #stopped = false;

  constructor(ctx: DatabaseContext) {
    this.#ctx = ctx;
  }

  /** Reads every static role's due time; roles with a rotation in flight are due now. */
  async load(): Promise<void> {
    for (const name of await this.#ctx.store.listStaticRoles()) {
      const role = await this.#ctx.store.staticRole(name);
      if (role) this.#due.set(name, role.nextRotation);
    }
    for (const name of await this.#ctx.store.listWals('static')) this.#due.set(name, 0);
  }

  /** Creates or updates a role; creation rotates at once (Vault), so Coffer knows the password. */
  save(name: string, role: StaticRoleRecord, create: boolean): Promise<void> {
    return this.#lock.write(name, async () => {
      if (create) {
        await this.#rotate(name, role, true);
        return;
      }
      const updated = { ...role, nextRotation: nextRotationAfter(role, role.lastVaultRotation || this.#ctx.now()) };
      await this.#ctx.store.putStaticRole(name, updated);
      this.#due.set(name, updated.nextRotation);
    });
  }

  delete(name: string): Promise<void> {
    return this.#lock.write(name, async () => {
      await this.#ctx.store.deleteStaticRole(name);
      await this.#ctx.store.deleteWal('static', name);
      this.#due.delete(name);
      this.#retryAt.delete(name);
    });
  }

  /** rotate-role: now, whatever the schedule says. */
  rotateNow(name: string): Promise<StaticRoleRecord> {
    return this.#lock.write(name, async () => {
      const role = await this.#ctx.store.staticRole(name);
      if (!role) throw new CofferError('invalid_request', 'no static role found for role name');
      try {
        return await this.#rotate(name, role, false);
      } catch (error) {
        // Retried in the background too (with the WAL's password), as Vault re-queues it.
        this.#due.set(name, this.#ctx.now());
        this.#retryAt.set(name, this.#ctx.now() + RETRY_MS);
        throw error;
      }
    });
  }

  /** Rotates every role that is due; one pass at a time. Failures are logged and retried later. */
  tick(): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    this.#ticking ??= this.#rotateDue().finally(() => (this.#ticking = undefined));
    return this.#ticking;
  }

  /** No new passes; resolves when the current one is done (unmount, seal). */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#ticking;
  }

  async #rotateDue(): Promise<void> {
    const now = this.#ctx.now();
    const due = [...this.#due].filter(([name, at]) => at <= now && (this.#retryAt.get(name) ?? 0) <= now).map(([name]) => name);
    for (const name of due) {
      if (this.#stopped) return;
      try {
        await this.#lock.write(name, () => this.#rotateIfDue(name));
      } catch (error) {
        this.#retryAt.set(name, this.#ctx.now() + RETRY_MS);
        this.#ctx.deps.logger.warn({ role: name, reason: (error as Error).message }, 'static role rotation failed; will retry');
      }
    }
  }

  async #rotateIfDue(name: string): Promise<void> {
    const role = await this.#ctx.store.staticRole(name);
    if (!role) {
      this.#due.delete(name);
      return;
    }
    const now = this.#ctx.now();
    const pending = (await this.#ctx.store.wal('static', name)) !== undefined;
    if (!pending && role.nextRotation > now) {
      this.#due.set(name, role.nextRotation);
      return;
    }
    // A scheduled rotation missed by more than its window waits for the next scheduled time.
    if (!pending && role.rotationWindow > 0 && now > role.nextRotation + role.rotationWindow * 1000) {
      const skipped = { ...role, nextRotation: nextRotationAfter(role, now) };
      await this.#ctx.store.putStaticRole(name, skipped);
      this.#due.set(name, skipped.nextRotation);
      this.#ctx.deps.logger.warn({ role: name }, 'static role rotation window missed; waiting for the next scheduled time');
      return;
    }
    await this.#rotate(name, role, false);
  }

  /** The caller holds the role's lock. */
  async #rotate(name: string, role: StaticRoleRecord, create: boolean): Promise<StaticRoleRecord> {
    const { store, connections } = this.#ctx;
    const config = await configFor(this.#ctx, role.dbName);
    if (!roleAllowed(config, name)) throw new CofferError('invalid_request', `"${name}" is not an allowed role`);
    const wal = create ? undefined : await store.wal('static', name);
    const password = wal?.password ?? (await this.#ctx.newPassword(config));
    if (!wal) await store.putWal('static', name, { password, startedAt: this.#ctx.now() });
    try {
      await connections.use(config, ({ connection }) => connection.setPassword(role.username, password, role.rotationStatements));
    } catch (error) {
      // A role that never existed has nothing to finish later.
      if (create) await store.deleteWal('static', name);
      throw error;
    }
    const now = this.#ctx.now();
    const rotated: StaticRoleRecord = { ...role, password, lastVaultRotation: now, nextRotation: nextRotationAfter(role, now) };
    await store.putStaticRole(name, rotated);
    await store.deleteWal('static', name);
    this.#due.set(name, rotated.nextRotation);
    this.#retryAt.delete(name);
    return rotated;
  }
}
