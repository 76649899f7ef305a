import type { SealedBlob, Storage } from '@coffer/sdk';

/**
 * The seal's entries, outside the barrier (it cannot open the barrier without them):
 * - `core/seal-config`: which seal wrapped the root key, and for Shamir the shares and threshold;
 * - `core/recovery-config`: the recovery shares and threshold, with an auto seal;
 * - `core/sealed-root-key`: the root key, wrapped by the seal its `type` names;
 * - `core/recovery-key`: with an auto seal, the recovery key wrapped by that seal — it only
 *   verifies recovery shares, it never decrypts anything.
 */
export const SEAL_CONFIG_PATH = 'core/seal-config';
export const RECOVERY_CONFIG_PATH = 'core/recovery-config';
export const SEALED_ROOT_KEY_PATH = 'core/sealed-root-key';
export const RECOVERY_KEY_PATH = 'core/recovery-key';

/** Bound into the wrapping of each secret, so one blob cannot be swapped for the other. */
export const ROOT_KEY_AAD = Buffer.from(SEALED_ROOT_KEY_PATH, 'utf8');
export const RECOVERY_KEY_AAD = Buffer.from(RECOVERY_KEY_PATH, 'utf8');

export interface StoredSealConfig {
  type: string;
  secret_shares: number;
  secret_threshold: number;
  stored_shares?: number;
}

export interface StoredRecoveryConfig {
  type: 'shamir';
  secret_shares: number;
  secret_threshold: number;
}

export class SealStore {
  readonly #physical: Storage;
  #config: StoredSealConfig | undefined;

  constructor(physical: Storage) {
    this.#physical = physical;
  }

  async config(): Promise<StoredSealConfig | undefined> {
    this.#config ??= await this.#read<StoredSealConfig>(SEAL_CONFIG_PATH);
    return this.#config;
  }

  recoveryConfig(): Promise<StoredRecoveryConfig | undefined> {
    return this.#read(RECOVERY_CONFIG_PATH);
  }

  rootKeyBlob(): Promise<SealedBlob | undefined> {
    return this.#read(SEALED_ROOT_KEY_PATH);
  }

  recoveryKeyBlob(): Promise<SealedBlob | undefined> {
    return this.#read(RECOVERY_KEY_PATH);
  }

  /** The shares and threshold operators hold: unseal keys with Shamir, recovery keys otherwise. */
  async quorum(): Promise<{ shares: number; threshold: number } | undefined> {
    const config = await this.config();
    if (!config) return undefined;
    if (config.type === 'shamir') return { shares: config.secret_shares, threshold: config.secret_threshold };
    const recovery = await this.recoveryConfig();
    return recovery && { shares: recovery.secret_shares, threshold: recovery.secret_threshold };
  }

  async writeConfig(config: StoredSealConfig): Promise<void> {
    await this.#write(SEAL_CONFIG_PATH, config);
    this.#config = config;
  }

  writeRecoveryConfig(config: StoredRecoveryConfig): Promise<void> {
    return this.#write(RECOVERY_CONFIG_PATH, config);
  }

  writeRootKeyBlob(blob: SealedBlob): Promise<void> {
    return this.#write(SEALED_ROOT_KEY_PATH, blob);
  }

  writeRecoveryKeyBlob(blob: SealedBlob): Promise<void> {
    return this.#write(RECOVERY_KEY_PATH, blob);
  }

  async dropRecovery(): Promise<void> {
    await this.#physical.delete(RECOVERY_KEY_PATH);
    await this.#physical.delete(RECOVERY_CONFIG_PATH);
  }

  /** True when anything at all is stored: an interrupted initialisation leaves such leftovers. */
  async hasAnyData(): Promise<boolean> {
    return (await this.#physical.list('')).length > 0;
  }

  async #read<T>(path: string): Promise<T | undefined> {
    const raw = await this.#physical.get(path);
    return raw ? (JSON.parse(Buffer.from(raw).toString('utf8')) as T) : undefined;
  }

  async #write(path: string, value: object): Promise<void> {
    await this.#physical.put(path, Buffer.from(JSON.stringify(value), 'utf8'));
  }
}
