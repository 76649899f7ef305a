import { constants, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { CofferError } from '@coffer/sdk';
import { operationKey, TOO_OLD } from './cipher-ops.js';
import { decodeDer, decodeFixed, encodeDer, encodeFixed, SignatureFormatError } from './ecdsa-der.js';
import { signDigest, verifyDigest } from './ecdsa-digest.js';
import { decodeBase64Strict } from './go-base64.js';
import { NODE_HASH, type DigestName, type HashName } from './hash-algorithms.js';
import { activeVersion, type KeyPolicy } from './key-policy.js';
import { ed25519PrivateKey, ed25519RawPublicKey, privateKeyOf, publicKeyOf } from './key-material.js';
import { CURVES, isEcdsa, supportsSigning, type EcdsaType } from './key-types.js';
import {
  maxSaltLength,
  SALT_AUTO,
  SALT_EQUALS_HASH,
  signPkcs1Digest,
  signPssDigest,
  verifyPkcs1Digest,
  verifyPssDigest,
} from './rsa-digest.js';
import { splitVersioned, withVersionPrefix } from './version-prefix.js';

/**
 * Sign and verify with a key policy, as keysutil's SignWithOptions / VerifySignatureWithOptions.
 * Ed25519 signs the input itself; ECDSA and RSA sign its digest (Node hashes it, or the caller did:
 * `prehashed`). Signatures are `vault:v<N>:` + base64 (asn1 marshaling) or base64url without
 * padding (jws), whatever the key type.
 */
export interface SignatureOptions {
  hash: HashName;
  prehashed: boolean;
  marshaling: 'asn1' | 'jws';
  /** RSA only: `pss` (the default when empty) or `pkcs1v15`. */
  signatureAlgorithm: string;
  /** RSA PSS, Go's convention: 0 auto, -1 the digest length, else bytes. */
  saltLength: number;
}

const userError = (message: string) => new CofferError('invalid_request', message);

export function signInput(
  policy: KeyPolicy,
  requestedVersion: number,
  context: Uint8Array | undefined,
  input: Uint8Array,
  options: SignatureOptions,
): { signature: string; keyVersion: number; publicKey?: Buffer } {
  if (!supportsSigning(policy.type)) throw userError(`message signing not supported for key type ${policy.type}`);
  const version = signingVersion(policy, requestedVersion);
  const entry = activeVersion(policy, version);
  let raw: Buffer;
  let publicKey: Buffer | undefined;
  if (policy.type === 'ed25519') {
    const key = policy.derived ? derivedEd25519(policy, version, context) : privateKeyOf(entry);
    if (policy.derived) publicKey = ed25519RawPublicKey(key);
    raw = sign(null, input, key);
  } else if (isEcdsa(policy.type)) {
    raw = signEcdsa(policy.type, privateKeyOf(entry), input, options);
  } else {
    raw = signRsa(privateKeyOf(entry), input, options);
  }
  const encoded = options.marshaling === 'jws' ? raw.toString('base64url') : raw.toString('base64');
  return { signature: withVersionPrefix(version, encoded), keyVersion: version, ...(publicKey ? { publicKey } : {}) };
}

export function verifyInput(
  policy: KeyPolicy,
  context: Uint8Array | undefined,
  input: Uint8Array,
  signature: string,
  options: SignatureOptions,
): boolean {
  if (!supportsSigning(policy.type)) throw userError(`message verification not supported for key type ${policy.type}`);
  const parsed = splitVersioned(signature, 'signature');
  if (parsed.version > policy.latestVersion) throw userError('invalid signature: version is too new');
  if (parsed.version < policy.minDecryptionVersion) throw userError(TOO_OLD);
  const raw = decodeSignature(parsed.payload, options.marshaling);
  if (policy.type === 'ed25519') {
    const key = policy.derived
      ? createPublicKey(derivedEd25519(policy, parsed.version, context))
      : publicKeyOf(activeVersion(policy, parsed.version));
    return raw.length === 64 && verify(null, input, key, raw);
  }
  const key = publicKeyOf(activeVersion(policy, parsed.version));
  if (isEcdsa(policy.type)) return verifyEcdsa(policy.type, key, input, raw, options);
  return verifyRsa(key, input, raw, options);
}

/** Vault's version rules for signing (0 = latest; never below min_encryption_version). */
function signingVersion(policy: KeyPolicy, requested: number): number {
  if (requested === 0) return policy.latestVersion;
  if (requested < 0) throw userError('requested version for signing is negative');
  if (requested > policy.latestVersion) throw userError('requested version for signing is higher than the latest key version');
  if (policy.minEncryptionVersion > 0 && requested < policy.minEncryptionVersion) {
    throw userError('requested version for signing is less than the minimum encryption key version');
  }
  return requested;
}

/** A derived Ed25519 key: the HKDF output is the seed (Go's GenerateKey reading from the HKDF stream). */
function derivedEd25519(policy: KeyPolicy, version: number, context: Uint8Array | undefined): KeyObject {
  try {
    return ed25519PrivateKey(operationKey(policy, version, context, 32));
  } catch (error) {
    if (error instanceof CofferError) throw userError(`error deriving key: ${error.message}`);
    throw error;
  }
}

function signEcdsa(type: EcdsaType, key: KeyObject, input: Uint8Array, options: SignatureOptions): Buffer {
  const width = Math.ceil(CURVES[type].bits / 8);
  if (options.prehashed || options.hash === 'none') {
    const { r, s } = signDigest(type, key, input);
    return options.marshaling === 'jws' ? encodeFixed(r, s, width) : encodeDer(r, s);
  }
  const dsaEncoding = options.marshaling === 'jws' ? 'ieee-p1363' : 'der';
  return sign(NODE_HASH[options.hash], input, { key, dsaEncoding });
}

function verifyEcdsa(type: EcdsaType, key: KeyObject, input: Uint8Array, raw: Buffer, options: SignatureOptions): boolean {
  let r: bigint;
  let s: bigint;
  try {
    ({ r, s } = options.marshaling === 'jws' ? decodeFixed(raw) : decodeDer(raw));
  } catch (error) {
    if (error instanceof SignatureFormatError) throw userError(error.message);
    throw error;
  }
  if (options.prehashed || options.hash === 'none') return verifyDigest(type, key, input, r, s);
  const width = Math.ceil(CURVES[type].bits / 8);
  let fixed: Buffer;
  try {
    fixed = encodeFixed(r, s, width);
  } catch {
    return false; // r or s wider than the curve: cannot be valid
  }
  return verify(NODE_HASH[options.hash], input, { key, dsaEncoding: 'ieee-p1363' }, fixed);
}

function rsaScheme(options: SignatureOptions): 'pss' | 'pkcs1v15' {
  const scheme = options.signatureAlgorithm || 'pss';
  if (scheme !== 'pss' && scheme !== 'pkcs1v15') throw userError(`unsupported rsa signature algorithm ${scheme}`);
  return scheme;
}

/** Go's validRSAPSSSaltLength: from -1 (digest length) up to the longest salt the key allows. */
function checkSalt(key: KeyObject, hash: DigestName, saltLength: number): void {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (saltLength < SALT_EQUALS_HASH || saltLength > maxSaltLength(bits, hash)) {
    throw userError(`requested salt length ${saltLength} is invalid`);
  }
}

function nodeSaltLength(saltLength: number, signing: boolean): number {
  if (saltLength === SALT_AUTO) return signing ? constants.RSA_PSS_SALTLEN_MAX_SIGN : constants.RSA_PSS_SALTLEN_AUTO;
  return saltLength === SALT_EQUALS_HASH ? constants.RSA_PSS_SALTLEN_DIGEST : saltLength;
}

function signRsa(key: KeyObject, input: Uint8Array, options: SignatureOptions): Buffer {
  const scheme = rsaScheme(options);
  const { hash } = options;
  if (scheme === 'pkcs1v15') {
    if (options.prehashed || hash === 'none') return signPkcs1Digest(key, hash, input);
    return sign(NODE_HASH[hash], input, { key, padding: constants.RSA_PKCS1_PADDING });
  }
  if (hash === 'none') throw userError('unsupported hash algorithm');
  checkSalt(key, hash, options.saltLength);
  if (options.prehashed) return signPssDigest(key, hash, input, options.saltLength);
  const saltLength = nodeSaltLength(options.saltLength, true);
  return sign(NODE_HASH[hash], input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength });
}

function verifyRsa(key: KeyObject, input: Uint8Array, raw: Buffer, options: SignatureOptions): boolean {
  const scheme = rsaScheme(options);
  const { hash } = options;
  if (scheme === 'pkcs1v15') {
    if (options.prehashed || hash === 'none') return verifyPkcs1Digest(key, hash, input, raw);
    return verify(NODE_HASH[hash], input, { key, padding: constants.RSA_PKCS1_PADDING }, raw);
  }
  if (hash === 'none') throw userError('unsupported hash algorithm');
  checkSalt(key, hash, options.saltLength);
  if (options.prehashed) return verifyPssDigest(key, hash, input, raw, options.saltLength);
  const saltLength = nodeSaltLength(options.saltLength, false);
  return verify(NODE_HASH[hash], input, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, raw);
}

/** Go decodes asn1-marshaled signatures as std base64, jws ones as unpadded base64url. */
function decodeSignature(payload: string, marshaling: 'asn1' | 'jws'): Buffer {
  try {
    if (marshaling === 'asn1') return decodeBase64Strict(payload);
    if (/^[A-Za-z0-9_-]*$/.test(payload) && payload.length % 4 !== 1) return Buffer.from(payload, 'base64url');
  } catch {
    // fall through to Vault's message
  }
  throw userError('invalid base64 signature value');
}
