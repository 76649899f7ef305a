import { createHmac } from 'node:crypto';

const HASH_LEN = 32;
const ZERO_SALT = Buffer.alloc(HASH_LEN);

/**
 * HKDF-SHA256 (RFC 5869) with an empty salt, as Vault's keysutil derives per-context keys
 * (`hkdf.New(sha256.New, key, nil, context)`). Written out rather than using `crypto.hkdfSync`
 * because that refuses an `info` over 1024 bytes, and Vault accepts a context of any length.
 */
export function hkdfSha256(ikm: Uint8Array, info: Uint8Array, length: number): Buffer {
  if (length > 255 * HASH_LEN) throw new RangeError('hkdf: requested length too large');
  const prk = createHmac('sha256', ZERO_SALT).update(ikm).digest();
  const blocks: Buffer[] = [];
  let previous = Buffer.alloc(0);
  for (let counter = 1; blocks.length * HASH_LEN < length; counter++) {
    previous = createHmac('sha256', prk).update(previous).update(info).update(Buffer.of(counter)).digest();
    blocks.push(previous);
  }
  return Buffer.concat(blocks).subarray(0, length);
}
