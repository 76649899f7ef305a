import type { Seal, SealCallOptions, SealedBlob } from '@coffer/sdk';
import { DATA_KEY_BYTES, decryptPayload, encryptPayload, newDataKey, parseBlob, tampered } from './envelope.js';
import { SealError, isAbort } from './seal-error.js';

/** The key a KMS reports having used: its id and, where the KMS exposes one, the version. */
export interface KeyUse {
  keyId: string;
  keyVersion?: string;
}

/** A seal that reaches its key by itself (every type but shamir), with what the server needs around it. */
export interface AutoSeal extends Seal {
  readonly autoUnseal: true;
  /** Non-secret facts for logs: type, key, region, address. Never credentials or key material. */
  describe(): Readonly<Record<string, string>>;
  /**
   * Reaches the key once, as Vault does when a seal is configured: resolves with the key the KMS
   * reports, or rejects with the SealError that says why not (denied, disabled, unreachable...).
   */
  check(options?: SealCallOptions): Promise<KeyUse>;
  /** Stops background work (token renewal) and releases clients. */
  close(): Promise<void>;
}

/** What a KMS seal implements: the calls that wrap and unwrap a data key. Errors are SealErrors. */
export interface KeyWrapper {
  readonly type: string;
  describe(): Readonly<Record<string, string>>;
  wrapKey(dataKey: Buffer, signal: AbortSignal | undefined): Promise<KeyUse & { wrappedKey: Uint8Array }>;
  /** `key` is what the blob recorded, so the version that wrapped it is used after rotation. */
  unwrapKey(wrappedKey: Buffer, key: KeyUse, signal: AbortSignal | undefined): Promise<Uint8Array>;
  check(signal: AbortSignal | undefined): Promise<KeyUse>;
  close?(): Promise<void>;
}

/**
 * Envelope encryption around a KMS: each wrap makes a fresh 256-bit data key, encrypts the
 * plaintext locally with AES-256-GCM (binding the caller's AAD), and has the KMS wrap the data key.
 * The KMS only ever sees 32 random bytes; the blob records which key (and version) wrapped them.
 */
export function createEnvelopeSeal(kms: KeyWrapper): AutoSeal {
  return {
    type: kms.type,
    autoUnseal: true,
    describe: () => kms.describe(),
    async wrap(plaintext, options = {}) {
      options.signal?.throwIfAborted();
      const dataKey = newDataKey();
      try {
        const payload = encryptPayload(dataKey, plaintext, options.aad);
        const used = await guard(kms.type, options.signal, () => kms.wrapKey(dataKey, options.signal));
        const blob: SealedBlob = {
          version: 1,
          type: kms.type,
          keyId: used.keyId,
          ...(used.keyVersion === undefined ? {} : { keyVersion: used.keyVersion }),
          ciphertext: payload.toString('base64'),
          wrappedKey: Buffer.from(used.wrappedKey).toString('base64'),
        };
        return blob;
      } finally {
        dataKey.fill(0);
      }
    },
    async unwrap(blob, options = {}) {
      options.signal?.throwIfAborted();
      const parsed = parseBlob(kms.type, blob, true);
      const key: KeyUse = {
        keyId: parsed.keyId,
        ...(parsed.keyVersion === undefined ? {} : { keyVersion: parsed.keyVersion }),
      };
      const dataKey = await guard(kms.type, options.signal, () =>
        kms.unwrapKey(parsed.wrappedKey ?? Buffer.alloc(0), key, options.signal),
      );
      try {
        if (dataKey.length !== DATA_KEY_BYTES) {
          throw new SealError(
            kms.type,
            'invalid_ciphertext',
            `the KMS unwrapped a ${dataKey.length}-byte data key, not a ${DATA_KEY_BYTES}-byte one`,
          );
        }
        const plaintext = decryptPayload(dataKey, parsed.payload, options.aad);
        if (!plaintext) throw tampered(kms.type, parsed.keyId);
        return plaintext;
      } finally {
        dataKey.fill(0);
      }
    },
    check: (options = {}) => guard(kms.type, options.signal, () => kms.check(options.signal)),
    close: async () => kms.close?.(),
  };
}

/** Lets SealErrors and aborts through; anything else becomes an `unknown` SealError naming only its type. */
async function guard<T>(seal: string, signal: AbortSignal | undefined, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof SealError || isAbort(error, signal)) throw error;
    const name = (error as { name?: unknown })?.name;
    throw new SealError(
      seal,
      'unknown',
      `unexpected ${typeof name === 'string' ? name : 'failure'} from the KMS client`,
    );
  }
}
