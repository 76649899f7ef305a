import { randomBytes } from 'node:crypto';
import { CofferError } from '@coffer/sdk';
import { createShamirSeal, splitKey } from '@coffer/seal';
import type { SealManager } from './seal-manager.js';
import { RECOVERY_KEY_AAD, ROOT_KEY_AAD } from './seal-store.js';
import { ShareCollector } from './share-collector.js';

export type RekeyTarget = 'barrier' | 'recovery';

export interface RekeyStatus {
  nonce: string;
  started: boolean;
  t: number;
  n: number;
  progress: number;
  required: number;
  pgp_fingerprints: null;
  backup: boolean;
  verification_required: boolean;
}

export interface RekeyResult {
  complete: true;
  keys: string[];
  keys_base64: string[];
  nonce: string;
  pgp_fingerprints: null;
  backup: false;
  verification_required: false;
}

/**
 * sys/rekey (Shamir unseal keys) and sys/rekey-recovery-key (an auto seal's recovery keys): a
 * quorum of the current shares replaces them with a new split of a new secret. The root key itself
 * is unchanged; only what the new shares open is rewritten.
 */
export class Rekey {
  readonly #seal: SealManager;
  readonly #target: RekeyTarget;
  readonly #collector = new ShareCollector();
  #pending: { shares: number; threshold: number } | undefined;

  constructor(seal: SealManager, target: RekeyTarget) {
    this.#seal = seal;
    this.#target = target;
  }

  async status(): Promise<RekeyStatus> {
    await this.#checkTarget();
    const quorum = await this.#seal.store.quorum();
    return {
      nonce: this.#collector.nonce,
      started: this.#pending !== undefined,
      t: this.#pending?.threshold ?? 0,
      n: this.#pending?.shares ?? 0,
      progress: this.#collector.progress,
      required: quorum?.threshold ?? 0,
      pgp_fingerprints: null,
      backup: false,
      verification_required: false,
    };
  }

  async start(request: { shares: number; threshold: number; pgpKeys?: unknown; backup?: unknown; requireVerification?: unknown }): Promise<RekeyStatus> {
    await this.#checkTarget();
    if (this.#pending) throw new CofferError('invalid_request', 'rekey already in progress');
    if (request.pgpKeys || request.backup) throw new CofferError('invalid_request', 'pgp_keys and backup are not supported yet');
    if (request.requireVerification) throw new CofferError('invalid_request', 'require_verification is not supported yet');
    validateQuorum(request.shares, request.threshold);
    this.#pending = { shares: request.shares, threshold: request.threshold };
    this.#collector.begin();
    return this.status();
  }

  cancel(): void {
    this.#collector.reset();
    this.#pending = undefined;
  }

  async update(share: Uint8Array, nonce: string): Promise<RekeyStatus | RekeyResult> {
    const pending = this.#pending;
    if (!pending) throw new CofferError('invalid_request', 'no rekey in progress');
    if (nonce !== this.#collector.nonce) throw new CofferError('invalid_request', 'incorrect nonce supplied');
    const quorum = await this.#seal.store.quorum();
    if (!quorum) throw new CofferError('invalid_request', 'Vault is not initialized');
    const currentNonce = this.#collector.nonce;
    const parts = this.#collector.add(share, quorum.threshold, quorum.shares === 1);
    if (!parts) return this.status();
    let verified: { secret: Buffer; rootKey: Buffer };
    try {
      verified = await this.#seal.verify(parts);
    } catch (error) {
      this.cancel();
      throw error;
    }
    const next = randomBytes(32);
    try {
      const keys = await splitKey(next, pending.shares, pending.threshold);
      await this.#rewrite(next, verified.rootKey, pending);
      this.cancel();
      return {
        complete: true,
        keys: keys.map((k) => Buffer.from(k).toString('hex')),
        keys_base64: keys.map((k) => Buffer.from(k).toString('base64')),
        nonce: currentNonce,
        pgp_fingerprints: null,
        backup: false,
        verification_required: false,
      };
    } finally {
      next.fill(0);
      verified.secret.fill(0);
      verified.rootKey.fill(0);
    }
  }

  async #rewrite(secret: Buffer, rootKey: Buffer, quorum: { shares: number; threshold: number }): Promise<void> {
    const store = this.#seal.store;
    if (this.#target === 'barrier') {
      await store.writeRootKeyBlob(await createShamirSeal(secret).wrap(rootKey, { aad: ROOT_KEY_AAD }));
      await store.writeConfig({ type: 'shamir', secret_shares: quorum.shares, secret_threshold: quorum.threshold });
      return;
    }
    const seal = this.#seal.autoSeal;
    if (!seal) throw new CofferError('invalid_request', 'recovery keys exist only with an auto seal');
    await store.writeRecoveryKeyBlob(await seal.wrap(secret, { aad: RECOVERY_KEY_AAD }));
    await store.writeRecoveryConfig({ type: 'shamir', secret_shares: quorum.shares, secret_threshold: quorum.threshold });
  }

  async #checkTarget(): Promise<void> {
    const config = await this.#seal.store.config();
    if (!config) throw new CofferError('invalid_request', 'Vault is not initialized');
    if (this.#target === 'barrier' && config.type !== 'shamir') {
      throw new CofferError('invalid_request', `the unseal keys of seal type ${config.type} are recovery keys: use sys/rekey-recovery-key`);
    }
    if (this.#target === 'recovery' && config.type === 'shamir') {
      throw new CofferError('invalid_request', 'recovery keys exist only with an auto seal');
    }
  }
}

function validateQuorum(shares: number, threshold: number): void {
  if (!Number.isSafeInteger(shares) || shares < 1 || shares > 255) {
    throw new CofferError('invalid_request', 'secret_shares must be between 1 and 255');
  }
  if (!Number.isSafeInteger(threshold) || threshold < 1 || threshold > shares) {
    throw new CofferError('invalid_request', 'secret_threshold must be between 1 and secret_shares');
  }
  if (threshold === 1 && shares > 1) {
    throw new CofferError('invalid_request', 'secret_threshold must be greater than one for multiple shares');
  }
}
