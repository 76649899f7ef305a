/**
 * The key types transit offers and what each can do, as Vault's keysutil `KeyType` methods declare
 * them (EncryptionSupported, SigningSupported, DerivationSupported, AssociatedDataSupported, ...).
 * The read-key response reports these capabilities, and every operation checks them.
 */
export const KEY_TYPES = [
  'aes128-gcm96',
  'aes256-gcm96',
  'chacha20-poly1305',
  'ed25519',
  'ecdsa-p256',
  'ecdsa-p384',
  'ecdsa-p521',
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
  'hmac',
] as const;

export type KeyType = (typeof KEY_TYPES)[number];
export type SymmetricCipherType = 'aes128-gcm96' | 'aes256-gcm96' | 'chacha20-poly1305';
export type EcdsaType = 'ecdsa-p256' | 'ecdsa-p384' | 'ecdsa-p521';
export type RsaType = 'rsa-2048' | 'rsa-3072' | 'rsa-4096';

export function isKeyType(value: string): value is KeyType {
  return (KEY_TYPES as readonly string[]).includes(value);
}

export function isSymmetricCipher(type: KeyType): type is SymmetricCipherType {
  return type === 'aes128-gcm96' || type === 'aes256-gcm96' || type === 'chacha20-poly1305';
}

export function isEcdsa(type: KeyType): type is EcdsaType {
  return type === 'ecdsa-p256' || type === 'ecdsa-p384' || type === 'ecdsa-p521';
}

export function isRsa(type: KeyType): type is RsaType {
  return type === 'rsa-2048' || type === 'rsa-3072' || type === 'rsa-4096';
}

/** RSA keys encrypt too (OAEP with SHA-256), as in Vault. */
export const supportsEncryption = (type: KeyType): boolean => isSymmetricCipher(type) || isRsa(type);
export const supportsSigning = (type: KeyType): boolean => type === 'ed25519' || isEcdsa(type) || isRsa(type);
export const supportsDerivation = (type: KeyType): boolean => isSymmetricCipher(type) || type === 'ed25519';
export const supportsAssociatedData = (type: KeyType): boolean => isSymmetricCipher(type);
/** Ed25519 signs the message itself; the others sign a digest of it. */
export const hashesSignatureInput = (type: KeyType): boolean => isEcdsa(type) || isRsa(type);

/** Bytes of a symmetric key: AES-128 uses 16, everything else 32. */
export function symmetricKeyBytes(type: SymmetricCipherType): number {
  return type === 'aes128-gcm96' ? 16 : 32;
}

export const CURVES: Readonly<Record<EcdsaType, { nodeName: string; goName: string; bits: number }>> = {
  'ecdsa-p256': { nodeName: 'prime256v1', goName: 'P-256', bits: 256 },
  'ecdsa-p384': { nodeName: 'secp384r1', goName: 'P-384', bits: 384 },
  'ecdsa-p521': { nodeName: 'secp521r1', goName: 'P-521', bits: 521 },
};

export const RSA_BITS: Readonly<Record<RsaType, number>> = { 'rsa-2048': 2048, 'rsa-3072': 3072, 'rsa-4096': 4096 };

/** HMAC-type keys take `key_size` bytes; Vault's documented default is 256 bits. */
export const HMAC_DEFAULT_KEY_BYTES = 32;
export const HMAC_MIN_KEY_BYTES = 32;
export const HMAC_MAX_KEY_BYTES = 512;
