import { timingSafeEqual } from 'node:crypto';
import { CofferError } from '@coffer/sdk';
import { newUuid } from '../ids.js';

/**
 * Collects key shares towards a threshold (unseal, generate-root, rekey): refuses shares of the
 * wrong length, repeats, and a second share with the same x-coordinate; hands back the shares once
 * the threshold is met and starts over. A nonce names each attempt, as in Vault.
 */
export class ShareCollector {
  #parts: Buffer[] = [];
  #nonce = '';

  get progress(): number {
    return this.#parts.length;
  }

  get nonce(): string {
    return this.#nonce;
  }

  /** Starts an attempt with a fresh nonce (generate-root and rekey start explicitly). */
  begin(): string {
    this.reset();
    this.#nonce = newUuid();
    return this.#nonce;
  }

  /** Adds a share; returns all shares when `threshold` is reached (and resets), else undefined. */
  add(share: Uint8Array, threshold: number, singleShare: boolean): Buffer[] | undefined {
    const part = Buffer.from(share);
    const expected = singleShare ? 32 : 33;
    if (part.length !== expected) {
      throw new CofferError('invalid_request', `invalid key: expected ${expected} bytes, got ${part.length}`);
    }
    if (this.#parts.some((p) => p.length === part.length && timingSafeEqual(p, part))) {
      throw new CofferError('invalid_request', 'given key has already been provided during this operation');
    }
    if (!singleShare && this.#parts.some((p) => p[32] === part[32])) {
      throw new CofferError('invalid_request', 'given key has the same share index as one already provided');
    }
    if (this.#nonce === '') this.#nonce = newUuid();
    this.#parts.push(part);
    if (this.#parts.length < threshold) return undefined;
    const parts = this.#parts;
    this.#parts = [];
    this.#nonce = '';
    return parts;
  }

  reset(): void {
    for (const part of this.#parts) part.fill(0);
    this.#parts = [];
    this.#nonce = '';
  }
}

/** Unseal keys and recovery keys come as hex (`keys`) or base64 (`keys_base64`). */
export function decodeShare(key: string): Uint8Array {
  const text = key.trim();
  if (/^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text) && text.length % 4 === 0) return Buffer.from(text, 'base64');
  throw new CofferError('invalid_request', "'key' must be a valid hex or base64 string");
}
