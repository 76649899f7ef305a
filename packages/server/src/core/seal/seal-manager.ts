import { randomBytes, timingSafeEqual } from 'node:crypto';
import { CofferError, type Logger, type Seal, type SealedBlob, type Storage } from '@coffer/sdk';
import { combineShares, createShamirSeal, splitKey, type AutoSeal } from '@coffer/seal';
import type { Barrier } from '../barrier.js';
import { completeMigration } from './migration.js';
import { RECOVERY_KEY_AAD, ROOT_KEY_AAD, SealStore } from './seal-store.js';
import { ShareCollector } from './share-collector.js';

/**
 * The seals the configuration names: the active one (undefined = Shamir) and, during a migration,
 * the one being left (a `disabled = "true"` stanza; 'shamir' when leaving Shamir).
 */
export interface SealSet {
  active: AutoSeal | undefined;
  previous?: AutoSeal | 'shamir';
}

export interface InitRequest {
  secretShares: number;
  secretThreshold: number;
  recoveryShares: number;
  recoveryThreshold: number;
}

export interface SealStatusView {
  type: string;
  initialized: boolean;
  threshold: number;
  shares: number;
  progress: number;
  nonce: string;
  migration: boolean;
  recoverySeal: boolean;
}

/**
 * Init, unseal, auto-unseal and seal migration. Operators hold one quorum secret split into shares:
 * with Shamir it is the key-encryption key that unwraps the root key; with an auto seal it is the
 * recovery key, which the seal also wraps so shares can be checked, but which decrypts nothing.
 * A migration keeps the same shares and changes only what wraps the root key, so an interrupted
 * migration still unseals with the old seal or the new one.
 */
export class SealManager {
  readonly #store: SealStore;
  readonly #barrier: Barrier;
  readonly #seals: SealSet;
  readonly #logger: Logger;
  readonly #collector = new ShareCollector();
  #queue: Promise<unknown> = Promise.resolve();

  constructor(physical: Storage, barrier: Barrier, seals: SealSet, logger: Logger) {
    this.#store = new SealStore(physical);
    this.#barrier = barrier;
    this.#seals = seals;
    this.#logger = logger;
  }

  get store(): SealStore {
    return this.#store;
  }

  /** The configured seal's type name. */
  get activeType(): string {
    return this.#seals.active?.type ?? 'shamir';
  }

  get autoSeal(): AutoSeal | undefined {
    return this.#seals.active;
  }

  async initialized(): Promise<boolean> {
    return (await this.#store.config()) !== undefined;
  }

  /** Stored under a different seal than the configured one: the operator must unseal with `migrate`. */
  async migrationPending(): Promise<boolean> {
    const config = await this.#store.config();
    if (!config) return false;
    const blob = await this.#store.rootKeyBlob();
    return config.type !== this.activeType || (blob !== undefined && blob.type !== this.activeType);
  }

  async status(): Promise<SealStatusView> {
    const quorum = await this.#store.quorum();
    return {
      type: this.activeType,
      initialized: await this.initialized(),
      threshold: quorum?.threshold ?? 0,
      shares: quorum?.shares ?? 0,
      progress: this.#collector.progress,
      nonce: this.#collector.nonce,
      migration: await this.migrationPending(),
      recoverySeal: this.#seals.active !== undefined,
    };
  }

  /**
   * Generates the root key and the quorum secret, stores what the seal wrapped and initialises the
   * barrier (left unsealed for the caller to finish). Returns the shares: unseal keys with Shamir,
   * recovery keys with an auto seal.
   */
  async initialize(request: InitRequest, now: Date): Promise<{ keys: Uint8Array[]; recoveryKeys: Uint8Array[] }> {
    if (await this.initialized()) throw new CofferError('invalid_request', 'Vault is already initialized');
    if (await this.#store.hasAnyData()) {
      throw new CofferError(
        'invalid_request',
        'the storage holds data but no seal configuration (an interrupted initialisation?); clear it to initialise',
      );
    }
    const active = this.#seals.active;
    const rootKey = randomBytes(32);
    const secret = randomBytes(32);
    try {
      if (!active) {
        const keys = await splitKey(secret, request.secretShares, request.secretThreshold);
        await this.#store.writeRootKeyBlob(await createShamirSeal(secret).wrap(rootKey, { aad: ROOT_KEY_AAD }));
        await this.#barrier.initialize(rootKey, now);
        // Written last: a crash before this leaves the node uninitialised, never half-initialised.
        await this.#store.writeConfig({ type: 'shamir', secret_shares: request.secretShares, secret_threshold: request.secretThreshold });
        return { keys, recoveryKeys: [] };
      }
      const recoveryKeys = await splitKey(secret, request.recoveryShares, request.recoveryThreshold);
      await this.#store.writeRecoveryKeyBlob(await active.wrap(secret, { aad: RECOVERY_KEY_AAD }));
      await this.#store.writeRecoveryConfig({
        type: 'shamir',
        secret_shares: request.recoveryShares,
        secret_threshold: request.recoveryThreshold,
      });
      await this.#store.writeRootKeyBlob(await active.wrap(rootKey, { aad: ROOT_KEY_AAD }));
      await this.#barrier.initialize(rootKey, now);
      await this.#store.writeConfig({ type: active.type, secret_shares: 1, secret_threshold: 1, stored_shares: 1 });
      return { keys: [], recoveryKeys };
    } finally {
      rootKey.fill(0);
      secret.fill(0);
    }
  }

  /**
   * Unseals with the configured auto seal alone (at start, after init). Throws the seal's error
   * (denied, unreachable...) for the caller to log and retry.
   */
  autoUnseal(): Promise<void> {
    return this.#serial(async () => {
      const active = this.#seals.active;
      if (!active || !this.#barrier.sealed) return;
      const blob = await this.#store.rootKeyBlob();
      if (!blob) throw new CofferError('internal', 'sealed root key is missing from storage');
      const rootKey = await active.unwrap(blob, { aad: ROOT_KEY_AAD });
      await this.#openBarrier(rootKey);
    });
  }

  /** Adds one operator share; at the threshold, checks them, migrates if asked, and unseals. */
  submit(share: Uint8Array, options: { migrate: boolean }): Promise<boolean> {
    return this.#serial(async () => {
      const quorum = await this.#store.quorum();
      if (!quorum) throw new CofferError('invalid_request', 'Vault is not initialized');
      if (!this.#barrier.sealed) return true;
      const pending = await this.migrationPending();
      if (pending && !options.migrate) {
        throw new CofferError('invalid_request', 'migrate option not provided and seal migration is pending');
      }
      if (!pending && options.migrate) throw new CofferError('invalid_request', 'seal migration is not in progress');
      const parts = this.#collector.add(share, quorum.threshold, quorum.shares === 1);
      if (!parts) return false;
      const { secret, rootKey } = await this.verify(parts);
      try {
        if (pending) {
          await completeMigration(this.#store, this.#seals.active, secret, rootKey, quorum);
          this.#logger.info({ to: this.activeType }, 'seal migration completed');
        }
        await this.#openBarrier(rootKey);
      } finally {
        secret.fill(0);
      }
      return true;
    });
  }

  resetProgress(): void {
    this.#collector.reset();
  }

  /**
   * Combines shares and proves them: with a Shamir-wrapped root key, by unwrapping it; otherwise by
   * comparing with the recovery key the seal wrapped. Returns the secret and the root key (the
   * caller must wipe both). Wrong shares are `invalid_request`; a KMS failure is the seal's error.
   */
  async verify(parts: Buffer[]): Promise<{ secret: Buffer; rootKey: Buffer }> {
    const secret = Buffer.from(await combineShares(parts));
    for (const part of parts) part.fill(0);
    const blob = await this.#store.rootKeyBlob();
    if (!blob) throw new CofferError('internal', 'sealed root key is missing from storage');
    if (blob.type === 'shamir') {
      try {
        return { secret, rootKey: Buffer.from(await createShamirSeal(secret).unwrap(blob, { aad: ROOT_KEY_AAD })) };
      } catch (cause) {
        secret.fill(0);
        throw new CofferError('invalid_request', 'unseal failed: the combined key shares do not decrypt the root key; progress was reset', {
          cause,
        });
      }
    }
    const recoveryBlob = await this.#store.recoveryKeyBlob();
    if (!recoveryBlob) throw new CofferError('internal', 'recovery key is missing from storage');
    const recoveryKey = Buffer.from(await this.#sealFor(recoveryBlob).unwrap(recoveryBlob, { aad: RECOVERY_KEY_AAD }));
    const matches = recoveryKey.length === secret.length && timingSafeEqual(recoveryKey, secret);
    recoveryKey.fill(0);
    if (!matches) {
      secret.fill(0);
      throw new CofferError('invalid_request', 'recovery key verification failed: the combined shares are not the recovery key; progress was reset');
    }
    return { secret, rootKey: Buffer.from(await this.#sealFor(blob).unwrap(blob, { aad: ROOT_KEY_AAD })) };
  }

  async #openBarrier(rootKey: Uint8Array): Promise<void> {
    try {
      await this.#barrier.unseal(rootKey);
    } finally {
      rootKey.fill(0);
    }
  }

  /** The configured seal that wrapped a blob (the active one, or the one being migrated from). */
  #sealFor(blob: SealedBlob): Seal {
    const { active, previous } = this.#seals;
    if (active?.type === blob.type) return active;
    if (previous && previous !== 'shamir' && previous.type === blob.type) return previous;
    throw new CofferError(
      'invalid_request',
      `the stored keys are sealed with "${blob.type}", which the configuration does not name; add its seal stanza (disabled = "true" to migrate away from it)`,
    );
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
