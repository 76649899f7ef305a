import { constants, createHash, privateEncrypt, publicDecrypt, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { CofferError } from '@coffer/sdk';
import { DIGEST_BYTES, DIGEST_INFO_PREFIX, NODE_HASH, type DigestName, type HashName } from './hash-algorithms.js';

/**
 * RSA signatures over a digest the caller computed (`prehashed=true`), which Node's sign/verify do
 * not offer. The RSA operation itself stays in OpenSSL (privateEncrypt / publicDecrypt); only the
 * encodings are done here: PKCS#1 v1.5 is DigestInfo ‖ digest under OpenSSL's type-1 padding, and
 * PSS is EMSA-PSS (RFC 8017 §9.1) under no padding.
 */
const NOT_HASHED = 'crypto/rsa: input must be hashed with given hash';

/** Go's PSS salt lengths: 0 = auto (longest on sign, detected on verify), -1 = digest length. */
export const SALT_AUTO = 0;
export const SALT_EQUALS_HASH = -1;

export function signPkcs1Digest(key: KeyObject, hash: HashName, digest: Uint8Array): Buffer {
  const prefix = hash === 'none' ? Buffer.alloc(0) : DIGEST_INFO_PREFIX[hash];
  if (hash !== 'none' && digest.length !== DIGEST_BYTES[hash]) throw new CofferError('invalid_request', NOT_HASHED);
  return privateEncrypt({ key, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([prefix, digest]));
}

export function verifyPkcs1Digest(key: KeyObject, hash: HashName, digest: Uint8Array, signature: Uint8Array): boolean {
  const expected = Buffer.concat([hash === 'none' ? Buffer.alloc(0) : DIGEST_INFO_PREFIX[hash], digest]);
  let recovered: Buffer;
  try {
    recovered = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
  } catch {
    return false;
  }
  return recovered.length === expected.length && timingSafeEqual(recovered, expected);
}

/** The longest salt the key allows (Go's maxRSAPSSSaltLength). */
export function maxSaltLength(modulusBits: number, hash: DigestName): number {
  return Math.ceil((modulusBits - 1) / 8) - 2 - DIGEST_BYTES[hash];
}

export function signPssDigest(key: KeyObject, hash: DigestName, digest: Uint8Array, saltLength: number): Buffer {
  if (digest.length !== DIGEST_BYTES[hash]) throw new CofferError('invalid_request', NOT_HASHED);
  const bits = modulusBits(key);
  const salt = saltLength === SALT_AUTO ? maxSaltLength(bits, hash) : saltLength === SALT_EQUALS_HASH ? DIGEST_BYTES[hash] : saltLength;
  const encoded = emsaPssEncode(hash, digest, bits - 1, randomBytes(salt));
  return privateEncrypt({ key, padding: constants.RSA_NO_PADDING }, encoded);
}

export function verifyPssDigest(
  key: KeyObject,
  hash: DigestName,
  digest: Uint8Array,
  signature: Uint8Array,
  saltLength: number,
): boolean {
  const bits = modulusBits(key);
  if (digest.length !== DIGEST_BYTES[hash] || signature.length !== Math.ceil(bits / 8)) return false;
  let encoded: Buffer;
  try {
    encoded = publicDecrypt({ key, padding: constants.RSA_NO_PADDING }, signature);
  } catch {
    return false;
  }
  const expectedSalt = saltLength === SALT_AUTO ? undefined : saltLength === SALT_EQUALS_HASH ? DIGEST_BYTES[hash] : saltLength;
  return emsaPssVerify(hash, digest, encoded, bits - 1, expectedSalt);
}

function modulusBits(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (!bits) throw new Error('not an RSA key');
  return bits;
}

function emsaPssEncode(hash: DigestName, mHash: Uint8Array, emBits: number, salt: Buffer): Buffer {
  const hLen = DIGEST_BYTES[hash];
  const emLen = Math.ceil(emBits / 8);
  if (emLen < hLen + salt.length + 2) throw new CofferError('invalid_request', 'crypto/rsa: key size too small for PSS signature');
  const h = digestOf(hash, Buffer.alloc(8), mHash, salt);
  const db = Buffer.alloc(emLen - hLen - 1);
  db[emLen - salt.length - hLen - 2] = 0x01;
  salt.copy(db, db.length - salt.length);
  xorInPlace(db, mgf1(hash, h, db.length));
  db[0] = (db[0] as number) & (0xff >> (8 * emLen - emBits));
  return Buffer.concat([db, h, Buffer.from([0xbc])]);
}

function emsaPssVerify(hash: DigestName, mHash: Uint8Array, em: Buffer, emBits: number, saltLength: number | undefined): boolean {
  const hLen = DIGEST_BYTES[hash];
  const emLen = Math.ceil(emBits / 8);
  // publicDecrypt returns the full modulus width; EM is its last emLen bytes (the first is 0 when k > emLen).
  const encoded = em.subarray(em.length - emLen);
  if (em.length > emLen && em[0] !== 0) return false;
  if (emLen < hLen + 2 || encoded[emLen - 1] !== 0xbc) return false;
  const db = Buffer.from(encoded.subarray(0, emLen - hLen - 1));
  const h = encoded.subarray(emLen - hLen - 1, emLen - 1);
  const topMask = 0xff >> (8 * emLen - emBits);
  if (((db[0] as number) & ~topMask) !== 0) return false;
  xorInPlace(db, mgf1(hash, h, db.length));
  db[0] = (db[0] as number) & topMask;
  const one = db.findIndex((byte) => byte !== 0);
  if (one === -1 || db[one] !== 0x01) return false;
  const salt = db.subarray(one + 1);
  if (saltLength !== undefined && salt.length !== saltLength) return false;
  const expected = digestOf(hash, Buffer.alloc(8), mHash, salt);
  return timingSafeEqual(expected, h);
}

function mgf1(hash: DigestName, seed: Uint8Array, length: number): Buffer {
  const blocks: Buffer[] = [];
  for (let counter = 0; blocks.length * DIGEST_BYTES[hash] < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    blocks.push(digestOf(hash, seed, c));
  }
  return Buffer.concat(blocks).subarray(0, length);
}

function digestOf(hash: DigestName, ...parts: Uint8Array[]): Buffer {
  const hasher = createHash(NODE_HASH[hash]);
  for (const part of parts) hasher.update(part);
  return hasher.digest();
}

function xorInPlace(target: Buffer, mask: Buffer): void {
  for (let i = 0; i < target.length; i++) target[i] = (target[i] as number) ^ (mask[i] as number);
}
