import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';

export type PublicKeyType = 'rsa' | 'ec' | 'ed25519';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/**
 * A public key from PEM: a `PUBLIC KEY` (SPKI), an `RSA PUBLIC KEY` (PKCS#1) or a `CERTIFICATE`
 * (its key), as Vault's certutil.ParsePublicKeyPEM reads them. Private keys are refused even though
 * Node could derive a public key from one: a config must never hold private material. Throws an
 * Error saying what is wrong.
 */
export function parsePublicKeyPem(pem: string, allowed: readonly PublicKeyType[]): KeyObject {
  const block = pem.match(PEM_BLOCK)?.[0];
  if (!block) throw new Error('no PEM data found');
  const label = /-----BEGIN ([A-Z0-9 ]+)-----/.exec(block)?.[1];
  let key: KeyObject;
  try {
    if (label === 'CERTIFICATE') key = new X509Certificate(block).publicKey;
    else if (label === 'PUBLIC KEY' || label === 'RSA PUBLIC KEY') key = createPublicKey(block);
    else throw new Error(`PEM block "${label}" is not a public key or certificate`);
  } catch (error) {
    throw new Error((error as Error).message);
  }
  const type = key.asymmetricKeyType;
  if (!allowed.includes(type as PublicKeyType)) throw new Error(`unsupported key type "${String(type)}"`);
  return key;
}

/** True when the bundle holds at least one parsable certificate. */
export function hasCertificate(bundle: string): boolean {
  for (const block of bundle.match(PEM_BLOCK) ?? []) {
    if (!block.startsWith('-----BEGIN CERTIFICATE-----')) continue;
    try {
      new X509Certificate(block);
      return true;
    } catch {
      // try the next block
    }
  }
  return false;
}
