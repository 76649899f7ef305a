import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A symmetric KMS key as the fakes keep it: real AES-256-GCM material per version, so rotation
 * works as in the clouds (new wraps use the latest version, old ciphertexts still open).
 */
export class FakeAesKey {
  readonly #versions: Buffer[] = [randomBytes(32)];
  enabled = true;

  /** Versions count from 1. */
  get latest(): number {
    return this.#versions.length;
  }

  rotate(): number {
    this.#versions.push(randomBytes(32));
    return this.latest;
  }

  /** nonce ‖ ciphertext ‖ tag under the latest version, with `aad` bound in. */
  encrypt(plaintext: Buffer, aad: Buffer): { version: number; sealed: Buffer } {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#versions[this.latest - 1] as Buffer, nonce);
    cipher.setAAD(aad);
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return { version: this.latest, sealed: Buffer.concat([nonce, body, cipher.getAuthTag()]) };
  }

  /** The plaintext, or undefined when the version does not exist or the data does not authenticate. */
  decrypt(version: number, sealed: Buffer, aad: Buffer): Buffer | undefined {
    const key = this.#versions[version - 1];
    if (!key || sealed.length < NONCE_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, NONCE_BYTES));
      decipher.setAAD(aad);
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      return Buffer.concat([
        decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
    } catch {
      return undefined;
    }
  }
}
