// @peculiar/x509 resolves its crypto provider through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { createPrivateKey, KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import type { Storage } from '@coffer/sdk';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/**
 * Node-to-node TLS. The cluster CA lives behind the barrier (`core/cluster/tls/ca`), so only an
 * unsealed member of this cluster can read it; each node issues itself a short-lived certificate
 * from it, in memory, at unseal. Forwarded requests are accepted only over mutual TLS with such a
 * certificate: nothing outside the cluster can forward, or claim to forward, a request.
 */
const CA_PATH = 'core/cluster/tls/ca';
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export interface ClusterIdentity {
  caPem: string;
  certPem: string;
  keyPem: string;
}

interface StoredCa {
  certPem: string;
  keyPem: string;
}

/** Reads the cluster CA, or creates it (only the active node writes; standbys read). */
export async function clusterCa(storage: Storage, create: boolean): Promise<StoredCa | undefined> {
  const raw = await storage.get(CA_PATH);
  if (raw) return JSON.parse(Buffer.from(raw).toString('utf8')) as StoredCa;
  if (!create) return undefined;
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex'),
    name: 'CN=Coffer cluster CA',
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 10 * 365 * 24 * 3600_000),
    signingAlgorithm: ALGORITHM,
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  });
  const stored: StoredCa = { certPem: cert.toString('pem'), keyPem: privateKeyPem(keys.privateKey) };
  await storage.put(CA_PATH, Buffer.from(JSON.stringify(stored), 'utf8'));
  return stored;
}

/** A certificate for this node (server and client auth), signed by the cluster CA, valid a week. */
export async function issueNodeIdentity(ca: StoredCa, host: string): Promise<ClusterIdentity> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', pkcs8Der(ca.keyPem), ALGORITHM, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const now = Date.now();
  const names: x509.JsonGeneralName[] = [{ type: 'dns', value: 'localhost' }];
  if (host) names.push(isIP(host) ? { type: 'ip', value: host } : { type: 'dns', value: host });
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomBytes(8).toString('hex'),
    subject: 'CN=coffer-node',
    issuer: caCert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 7 * 24 * 3600_000),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey as unknown as x509.PublicKeyType,
    signingKey: caKey as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys']['privateKey'],
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension(names),
    ],
  });
  return { caPem: ca.certPem, certPem: cert.toString('pem'), keyPem: privateKeyPem(keys.privateKey) };
}

/** PKCS #8 PEM of a WebCrypto key, through Node's own encoder. */
function privateKeyPem(key: webcrypto.CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** The DER of a PKCS #8 PEM key, as WebCrypto's importKey wants it (Node parses the PEM). */
function pkcs8Der(pem: string): Buffer {
  return createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
}
