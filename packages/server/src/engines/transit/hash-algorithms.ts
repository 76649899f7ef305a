/**
 * Vault's hash names (keysutil HashTypeMap) and what Node calls them. `none` exists only for RSA
 * PKCS#1 v1.5 over a caller-made digest (Vault's "PKCSv1_5_NoOID").
 */
export const HASH_NAMES = [
  'none',
  'sha1',
  'sha2-224',
  'sha2-256',
  'sha2-384',
  'sha2-512',
  'sha3-224',
  'sha3-256',
  'sha3-384',
  'sha3-512',
] as const;

export type HashName = (typeof HASH_NAMES)[number];
export type DigestName = Exclude<HashName, 'none'>;

export function isHashName(value: string): value is HashName {
  return (HASH_NAMES as readonly string[]).includes(value);
}

export const NODE_HASH: Readonly<Record<DigestName, string>> = {
  sha1: 'sha1',
  'sha2-224': 'sha224',
  'sha2-256': 'sha256',
  'sha2-384': 'sha384',
  'sha2-512': 'sha512',
  'sha3-224': 'sha3-224',
  'sha3-256': 'sha3-256',
  'sha3-384': 'sha3-384',
  'sha3-512': 'sha3-512',
};

export const DIGEST_BYTES: Readonly<Record<DigestName, number>> = {
  sha1: 20,
  'sha2-224': 28,
  'sha2-256': 32,
  'sha2-384': 48,
  'sha2-512': 64,
  'sha3-224': 28,
  'sha3-256': 32,
  'sha3-384': 48,
  'sha3-512': 64,
};

/**
 * DER of PKCS#1 v1.5's DigestInfo up to the digest itself (RFC 8017 §9.2 note 1, and the SHA-3 OIDs
 * of NIST CSOR), for signing a digest the caller computed.
 */
export const DIGEST_INFO_PREFIX: Readonly<Record<DigestName, Buffer>> = {
  sha1: Buffer.from('3021300906052b0e03021a05000414', 'hex'),
  'sha2-224': Buffer.from('302d300d06096086480165030402040500041c', 'hex'),
  'sha2-256': Buffer.from('3031300d060960864801650304020105000420', 'hex'),
  'sha2-384': Buffer.from('3041300d060960864801650304020205000430', 'hex'),
  'sha2-512': Buffer.from('3051300d060960864801650304020305000440', 'hex'),
  'sha3-224': Buffer.from('302d300d06096086480165030402070500041c', 'hex'),
  'sha3-256': Buffer.from('3031300d060960864801650304020805000420', 'hex'),
  'sha3-384': Buffer.from('3041300d060960864801650304020905000430', 'hex'),
  'sha3-512': Buffer.from('3051300d060960864801650304020a05000440', 'hex'),
};
