import { readFile } from 'node:fs/promises';
import { createSecretKey, type KeyObject } from 'node:crypto';
import { CofferError, type SealedBlob } from '@coffer/sdk';
import { decryptPayload, encryptPayload, parseBlob } from './envelope.js';
import type { AutoSeal } from './envelope-seal.js';
import { SealError } from './seal-error.js';
import { decodeStaticKey, type StaticKeySource, type StaticSealConfig } from './static-config.js';

/**
 * The static seal (OpenBao's): the root key is AES-256-GCM encrypted directly under a key the
 * operator supplies, for clusters with no KMS. The blob records the key id; unwrap picks the
 * current or previous key by that id, which is how the key is rotated.
 */
export async function createStaticSeal(config: StaticSealConfig): Promise<AutoSeal> {
  const keys = new Map<string, KeyObject>();
  const current = await loadKey(config.currentKey, 'current_key');
  keys.set(config.currentKeyId, createSecretKey(current));
  if (config.previousKeyId !== undefined && config.previousKey) {
    const previous = await loadKey(config.previousKey, 'previous_key');
    if (previous.equals(current)) {
      throw new CofferError(
        'invalid_request',
        'seal "static": "previous_key" and "current_key" are the same key under different ids',
      );
    }
    keys.set(config.previousKeyId, createSecretKey(previous));
    previous.fill(0);
  }
  current.fill(0);

  return {
    type: 'static',
    autoUnseal: true,
    describe: () => ({
      type: 'static',
      current_key_id: config.currentKeyId,
      ...(config.previousKeyId === undefined ? {} : { previous_key_id: config.previousKeyId }),
    }),
    async wrap(plaintext, options = {}) {
      options.signal?.throwIfAborted();
      const key = keys.get(config.currentKeyId) as KeyObject;
      const payload = encryptPayload(key, plaintext, options.aad);
      const blob: SealedBlob = {
        version: 1,
        type: 'static',
        keyId: config.currentKeyId,
        ciphertext: payload.toString('base64'),
      };
      return blob;
    },
    async unwrap(blob, options = {}) {
      options.signal?.throwIfAborted();
      const parsed = parseBlob('static', blob, false);
      const key = keys.get(parsed.keyId);
      if (!key) {
        const known = [...keys.keys()].map((id) => `"${id}"`).join(' and ');
        throw new SealError(
          'static',
          'key_not_found',
          `the blob was sealed with key id "${parsed.keyId}", but only ${known} ${keys.size === 1 ? 'is' : 'are'} configured`,
          'invalid_request',
        );
      }
      const plaintext = decryptPayload(key, parsed.payload, options.aad);
      if (!plaintext) {
        throw new SealError(
          'static',
          'tampered',
          `the sealed data does not authenticate under key id "${parsed.keyId}" (tampered blob, other data bound, or other key material under this id)`,
          'internal',
        );
      }
      return plaintext;
    },
    check: async () => ({ keyId: config.currentKeyId }),
    close: async () => keys.clear(),
  };
}

async function loadKey(source: StaticKeySource, option: string): Promise<Buffer> {
  let text: string;
  if (source.kind === 'value') {
    text = source.value.reveal();
  } else {
    try {
      text = await readFile(source.path, 'utf8');
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw new CofferError(
        'invalid_request',
        `seal "static": cannot read the "${option}" file ${source.path} (${String(code ?? 'error')})`,
      );
    }
  }
  const key = decodeStaticKey(text);
  if (!key)
    throw new CofferError(
      'invalid_request',
      `seal "static": "${option}" is not a 256-bit key (64 hex digits or 32 bytes in base64)`,
    );
  return key;
}
