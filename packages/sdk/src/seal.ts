/**
 * A seal protects the root key. Shamir seals derive their key-encryption key from unseal shards;
 * auto-seals (cloud KMS, transit, static) reach their key themselves. The seal never sees the core:
 * it only wraps and unwraps bytes.
 */
export interface Seal {
  /** Vault's seal type name: `shamir`, `awskms`, `azurekeyvault`, `gcpckms`, `transit`, `static`. */
  readonly type: string;
  /** True for seals that can unseal without operators (every type but `shamir`). */
  readonly autoUnseal: boolean;
  wrap(plaintext: Uint8Array, options?: SealCallOptions): Promise<SealedBlob>;
  unwrap(blob: SealedBlob, options?: SealCallOptions): Promise<Uint8Array>;
}

export interface SealCallOptions {
  signal?: AbortSignal;
  /** Bound into the encryption (AES-GCM additional data) so a blob cannot be replayed elsewhere. */
  aad?: Uint8Array;
}

/**
 * What a seal stores: JSON-safe, self-describing, versioned. `keyId`/`keyVersion` name the KMS key
 * that wrapped it, so the right key is used after the KMS key rotates. Binary fields are base64.
 */
export interface SealedBlob {
  version: 1;
  type: string;
  keyId: string;
  keyVersion?: string;
  /** base64 of nonce ‖ ciphertext ‖ tag of the payload under the data key. */
  ciphertext: string;
  /** base64 of the data key wrapped by the KMS (envelope encryption); absent for direct seals. */
  wrappedKey?: string;
}
