import { CofferError, type Fields } from '@coffer/sdk';
import { isHashName } from './hash-algorithms.js';
import { SALT_AUTO, SALT_EQUALS_HASH } from './rsa-digest.js';
import type { SignatureOptions } from './signing.js';

const invalid = (message: string) => new CofferError('invalid_request', message);

/** The fields sign and verify share, as Vault declares them. */
export const SIGNATURE_FIELDS = {
  input: { type: 'string', default: '', description: 'Base64-encoded input', sensitive: true },
  context: { type: 'string', default: '', description: 'Base64-encoded context (derived Ed25519 keys)' },
  hash_algorithm: { type: 'string', default: 'sha2-256', description: 'Hash of the input (not for Ed25519)' },
  algorithm: { type: 'string', default: 'sha2-256', description: 'Deprecated name of hash_algorithm' },
  prehashed: { type: 'bool', default: false, description: 'The input is already a digest' },
  signature_algorithm: { type: 'string', default: '', description: 'RSA: pss (default) or pkcs1v15' },
  marshaling_algorithm: { type: 'string', default: 'asn1', description: 'ECDSA: asn1 or jws' },
  salt_length: { type: 'string', default: 'auto', description: 'RSA PSS: auto, hash or a byte count' },
  batch_input: { type: 'any', description: 'List of items' },
} satisfies Fields;

interface OptionFields {
  hash_algorithm: string;
  algorithm: string;
  prehashed: boolean;
  signature_algorithm: string;
  marshaling_algorithm: string;
  salt_length: string;
}

/** Parses what sign and verify share, in Vault's order and with its messages. */
export function parseSignatureOptions(fields: Record<string, unknown>, urlAlgorithm: string | undefined): SignatureOptions {
  const f = fields as unknown as OptionFields;
  // As in Vault: the URL wins; `algorithm` only counts when hash_algorithm was explicitly emptied.
  const hashName = urlAlgorithm || f.hash_algorithm || f.algorithm || 'sha2-256';
  if (!isHashName(hashName)) throw invalid(`invalid hash algorithm ${goQuote(hashName)}`);
  const marshaling = f.marshaling_algorithm;
  if (marshaling !== 'asn1' && marshaling !== 'jws') throw invalid(`invalid marshaling type ${goQuote(marshaling)}`);
  return {
    hash: hashName,
    prehashed: f.prehashed,
    marshaling,
    signatureAlgorithm: f.signature_algorithm,
    saltLength: parseSaltLength(f.salt_length),
  };
}

/** `hash_algorithm=none` is PKCS#1 v1.5 over a caller digest, nothing else. */
export function checkNoneHash(options: SignatureOptions): void {
  if (options.hash === 'none' && (!options.prehashed || options.signatureAlgorithm !== 'pkcs1v15')) {
    throw invalid('hash_algorithm=none requires both prehashed=true and signature_algorithm=pkcs1v15');
  }
}

function parseSaltLength(raw: string): number {
  const lower = raw.toLowerCase();
  if (lower === 'auto') return SALT_AUTO;
  if (lower === 'hash') return SALT_EQUALS_HASH;
  if (!/^[+-]?\d+$/.test(lower)) throw invalid(`salt length neither 'auto', 'hash', nor an int: ${raw}`);
  const value = Number(lower);
  if (value < SALT_EQUALS_HASH) throw invalid(`salt length is invalid: ${value}`);
  return value;
}

/** Go's %q for the ASCII names people send; close enough for anything else. */
export function goQuote(value: string): string {
  return JSON.stringify(value);
}
