import { createPrivateKey, createPublicKey, generateKeyPair, randomBytes, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import type { KeyVersion } from './key-policy.js';
import {
  CURVES,
  HMAC_DEFAULT_KEY_BYTES,
  isEcdsa,
  isRsa,
  isSymmetricCipher,
  RSA_BITS,
  symmetricKeyBytes,
  type KeyType,
} from './key-types.js';

// Key generation runs on libuv's thread pool: an RSA-4096 key takes long enough to stall every other
// request if generated on the event loop.
const generate = promisify(generateKeyPair);

/** A fresh version of key material for `type`, as Vault's RotateInMemory makes it. */
export async function generateKeyVersion(type: KeyType, createdMs: number, keySize?: number): Promise<KeyVersion> {
  const hmacKey = randomBytes(32);
  if (type === 'hmac') {
    // For hmac keys the key *is* the HMAC key (Vault sets HMACKey = Key).
    const key = randomBytes(keySize ?? HMAC_DEFAULT_KEY_BYTES);
    return { createdMs, key, hmacKey: key };
  }
  if (isSymmetricCipher(type)) return { createdMs, key: randomBytes(symmetricKeyBytes(type)), hmacKey };
  if (type === 'ed25519') {
    const { privateKey, publicKey } = await generate('ed25519');
    const seed = Buffer.from(privateKey.export({ format: 'jwk' }).d as string, 'base64url');
    const raw = ed25519RawPublicKey(publicKey);
    return { createdMs, key: Buffer.concat([seed, raw]), hmacKey, publicKey: raw.toString('base64') };
  }
  if (isEcdsa(type)) {
    const { privateKey, publicKey } = await generate('ec', { namedCurve: CURVES[type].nodeName });
    return {
      createdMs,
      hmacKey,
      privateKeyDer: privateKey.export({ type: 'pkcs8', format: 'der' }),
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    };
  }
  if (isRsa(type)) {
    const { privateKey, publicKey } = await generate('rsa', { modulusLength: RSA_BITS[type], publicExponent: 0x10001 });
    return {
      createdMs,
      hmacKey,
      privateKeyDer: privateKey.export({ type: 'pkcs8', format: 'der' }),
      publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string,
    };
  }
  throw new Error(`no key generation for ${type satisfies never}`);
}

// Parsing a DER key costs far more than using it; each version's KeyObjects are parsed once.
const privateKeys = new WeakMap<KeyVersion, KeyObject>();
const publicKeys = new WeakMap<KeyVersion, KeyObject>();

/** The private key of an ECDSA, RSA or (underived) Ed25519 version. */
export function privateKeyOf(version: KeyVersion): KeyObject {
  let key = privateKeys.get(version);
  if (!key) {
    if (version.privateKeyDer) key = createPrivateKey({ key: version.privateKeyDer, format: 'der', type: 'pkcs8' });
    // Ed25519 versions hold seed ‖ public key; only they have both a key and a public key.
    else if (version.key?.length === 64 && version.publicKey !== undefined) key = ed25519PrivateKey(version.key.subarray(0, 32));
    else throw new Error('key version has no private key');
    privateKeys.set(version, key);
  }
  return key;
}

export function publicKeyOf(version: KeyVersion): KeyObject {
  let key = publicKeys.get(version);
  if (!key) {
    key = createPublicKey(privateKeyOf(version));
    publicKeys.set(version, key);
  }
  return key;
}

// PKCS#8 wrapping of a 32-byte Ed25519 seed (RFC 8410): Node imports Ed25519 private keys only so.
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

export function ed25519PrivateKey(seed: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

export function ed25519RawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === 'public' ? key : createPublicKey(key);
  return Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url');
}
