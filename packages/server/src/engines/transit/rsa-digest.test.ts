import { constants, createHash, generateKeyPairSync, publicDecrypt, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { maxSaltLength, signPkcs1Digest, signPssDigest, verifyPkcs1Digest, verifyPssDigest } from './rsa-digest.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const message = Buffer.from('prehashed by the caller');
const sha256 = createHash('sha256').update(message).digest();

describe('RSA signatures over caller digests', () => {
  it('PKCS#1 v1.5: verifies with node:crypto over the message, and the reverse', () => {
    expect(verify('sha256', message, publicKey, signPkcs1Digest(privateKey, 'sha2-256', sha256))).toBe(true);
    const theirs = sign('sha256', message, privateKey);
    expect(verifyPkcs1Digest(publicKey, 'sha2-256', sha256, theirs)).toBe(true);
    expect(verifyPkcs1Digest(publicKey, 'sha2-384', sha256, theirs)).toBe(false);
  });

  it('PKCS#1 v1.5 with hash none signs the bytes without DigestInfo', () => {
    const signature = signPkcs1Digest(privateKey, 'none', sha256);
    expect(publicDecrypt({ key: publicKey, padding: constants.RSA_PKCS1_PADDING }, signature).equals(sha256)).toBe(true);
    expect(verifyPkcs1Digest(publicKey, 'none', sha256, signature)).toBe(true);
  });

  it('refuses a digest of the wrong length, as Go does', () => {
    expect(() => signPkcs1Digest(privateKey, 'sha2-256', Buffer.alloc(20))).toThrow('crypto/rsa: input must be hashed with given hash');
    expect(() => signPssDigest(privateKey, 'sha2-256', Buffer.alloc(20), 0)).toThrow('crypto/rsa: input must be hashed with given hash');
  });

  it.each([
    ['auto (longest salt)', 0, constants.RSA_PSS_SALTLEN_AUTO],
    ['digest-length salt', -1, constants.RSA_PSS_SALTLEN_DIGEST],
    ['explicit salt', 20, 20],
  ])('PSS, %s: verifies with node:crypto, and node:crypto signatures verify', (_, salt, nodeSalt) => {
    const ours = signPssDigest(privateKey, 'sha2-256', sha256, salt);
    expect(verify('sha256', message, { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: nodeSalt }, ours)).toBe(true);
    const signSalt = nodeSalt === constants.RSA_PSS_SALTLEN_AUTO ? constants.RSA_PSS_SALTLEN_MAX_SIGN : nodeSalt;
    const theirs = sign('sha256', message, { key: privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: signSalt });
    expect(verifyPssDigest(publicKey, 'sha2-256', sha256, theirs, salt)).toBe(true);
    expect(verifyPssDigest(publicKey, 'sha2-256', createHash('sha256').update('x').digest(), theirs, salt)).toBe(false);
  });

  it('PSS auto on verify accepts any salt length; a fixed length must match', () => {
    const short = signPssDigest(privateKey, 'sha2-256', sha256, 5);
    expect(verifyPssDigest(publicKey, 'sha2-256', sha256, short, 0)).toBe(true);
    expect(verifyPssDigest(publicKey, 'sha2-256', sha256, short, 6)).toBe(false);
    expect(maxSaltLength(2048, 'sha2-256')).toBe(222);
  });
});
