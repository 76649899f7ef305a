import { createCipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM encryptions of 1 KiB per second on one core, a new cipher (fresh 12-byte nonce, AAD,
 * tag) per operation as a barrier or transit encrypt does: the crypto floor under those rows.
 */
export function aesGcmRate(seconds: number): number {
  const key = randomBytes(32);
  const plaintext = randomBytes(1024);
  const aad = Buffer.from('coffer/bench');
  let ops = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 200; i++) {
      const cipher = createCipheriv('aes-256-gcm', key, randomBytes(12));
      cipher.setAAD(aad);
      cipher.update(plaintext);
      cipher.final();
      cipher.getAuthTag();
    }
    ops += 200;
  }
  return ops / ((performance.now() - start) / 1000);
}
