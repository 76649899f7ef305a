import { randomBytes, timingSafeEqual } from 'node:crypto';
import { CofferError, type SealedBlob, type Storage } from '@coffer/sdk';
import { combineShares, createShamirSeal, splitKey } from '@coffer/seal';
import type { Barrier } from './barrier.js';
import { newUuid } from './ids.js';

/**
 * Init, unseal and seal with Shamir key shares (Vault's KEK model): the combined shares form a
 * key-encryption key; it unwraps the root key, stored seal-wrapped outside the barrier; the root
 * key opens the barrier's keyring. Unseal progress is per node and kept only in memory.
 */
export const SEAL_CONFIG_PATH = 'core/seal-config';
export const SEALED_ROOT_KEY_PATH = 'core/sealed-root-key';
const ROOT_KEY_AAD = Buffer.from(SEALED_ROOT_KEY_PATH, 'utf8');

export interface SealConfig {
  type: 'shamir';
  secret_shares: number;
  secret_threshold: number;
}

export interface UnsealProgress {
  threshold: number;
  shares: number;
  progress: number;
  nonce: string;
}

export class SealManager {
  readonly #physical: Storage;
  readonly #barrier: Barrier;
  #config: SealConfig | undefined;
  #parts: Buffer[] = [];
  #nonce = '';
  /** Serialises unseal submissions so two concurrent shards cannot both complete the quorum. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(physical: Storage, barrier: Barrier) {
    this.#physical = physical;
    this.#barrier = barrier;
  }

  async config(): Promise<SealConfig | undefined> {
    if (this.#config) return this.#config;
    const raw = await this.#physical.get(SEAL_CONFIG_PATH);
    if (raw) this.#config = JSON.parse(Buffer.from(raw).toString('utf8')) as SealConfig;
    return this.#config;
  }

  async progress(): Promise<UnsealProgress> {
    const config = await this.config();
    return {
      threshold: config?.secret_threshold ?? 0,
      shares: config?.secret_shares ?? 0,
      progress: this.#parts.length,
      nonce: this.#nonce,
    };
  }

  /**
   * Generates a root key and a KEK, splits the KEK into shares, stores the sealed root key and the
   * seal config, and initialises the barrier (left unsealed so the caller can finish setting up).
   */
  async initialize(shares: number, threshold: number, now: Date): Promise<Uint8Array[]> {
    if (await this.config()) throw new CofferError('invalid_request', 'Vault is already initialized');
    const kek = randomBytes(32);
    const rootKey = randomBytes(32);
    try {
      const keyShares = await splitKey(kek, shares, threshold);
      const blob = await createShamirSeal(kek).wrap(rootKey, { aad: ROOT_KEY_AAD });
      await this.#barrier.initialize(rootKey, now);
      await this.#physical.put(SEALED_ROOT_KEY_PATH, Buffer.from(JSON.stringify(blob), 'utf8'));
      const config: SealConfig = { type: 'shamir', secret_shares: shares, secret_threshold: threshold };
      // Written last: a crash before this point leaves the node uninitialised, never half-initialised.
      await this.#physical.put(SEAL_CONFIG_PATH, Buffer.from(JSON.stringify(config), 'utf8'));
      this.#config = config;
      return keyShares;
    } finally {
      kek.fill(0);
      rootKey.fill(0);
    }
  }

  /** Adds one share; at the threshold, tries to unseal. Resolves true when the barrier is open. */
  submit(share: Uint8Array): Promise<boolean> {
    const run = this.#queue.then(() => this.#submit(Buffer.from(share)));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  reset(): void {
    for (const part of this.#parts) part.fill(0);
    this.#parts = [];
    this.#nonce = '';
  }

  async #submit(share: Buffer): Promise<boolean> {
    const config = await this.config();
    if (!config) throw new CofferError('invalid_request', 'Vault is not initialized');
    if (!this.#barrier.sealed) return true;
    const expectedLength = config.secret_shares === 1 ? 32 : 33;
    if (share.length !== expectedLength) {
      throw new CofferError('invalid_request', `invalid key: expected ${expectedLength} bytes, got ${share.length}`);
    }
    if (this.#parts.some((part) => part.length === share.length && timingSafeEqual(part, share))) {
      throw new CofferError('invalid_request', 'given key has already been provided during this unseal operation');
    }
    if (expectedLength === 33 && this.#parts.some((part) => part[32] === share[32])) {
      throw new CofferError('invalid_request', 'given key has the same share index as one already provided');
    }
    if (this.#parts.length === 0) this.#nonce = newUuid();
    this.#parts.push(share);
    if (this.#parts.length < config.secret_threshold) return false;

    const parts = this.#parts;
    this.#parts = [];
    this.#nonce = '';
    let kek: Uint8Array | undefined;
    try {
      kek = await combineShares(parts);
      const raw = await this.#physical.get(SEALED_ROOT_KEY_PATH);
      if (!raw) throw new CofferError('internal', 'sealed root key is missing from storage');
      const blob = JSON.parse(Buffer.from(raw).toString('utf8')) as SealedBlob;
      const rootKey = await unwrapRootKey(kek, blob);
      try {
        await this.#barrier.unseal(rootKey);
      } finally {
        rootKey.fill(0);
      }
      return true;
    } finally {
      kek?.fill(0);
      for (const part of parts) part.fill(0);
    }
  }
}

async function unwrapRootKey(kek: Uint8Array, blob: SealedBlob): Promise<Uint8Array> {
  try {
    return await createShamirSeal(kek).unwrap(blob, { aad: ROOT_KEY_AAD });
  } catch (cause) {
    throw new CofferError(
      'invalid_request',
      'unseal failed: the combined key shares do not decrypt the root key; unseal progress was reset',
      { cause },
    );
  }
}
