// @peculiar/x509 resolves its crypto provider through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { createPrivateKey, KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { isIP } from 'node:net';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

/** ECDSA P-256, as vault-k8s's generated certificates. */
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
type SigningKey = Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys']['privateKey'];

export interface PemPair {
  certPem: string;
  keyPem: string;
}

/** A CA for the webhook (vault-k8s: 10 years). Backdated a minute for clock skew. */
export async function generateCa(now: Date, lifetimeMs: number): Promise<PemPair> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=Coffer Agent Injector CA',
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + lifetimeMs),
    signingAlgorithm: ALGORITHM,
    keys: keys as unknown as Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as unknown as x509.PublicKeyType),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: privateKeyPem(keys.privateKey) };
}

/** The serving certificate for the webhook's DNS names and IPs (vault-k8s: 24 hours). */
export async function issueServingCertificate(ca: PemPair, hosts: string[], now: Date, lifetimeMs: number): Promise<PemPair> {
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await webcrypto.subtle.importKey('pkcs8', pkcs8Der(ca.keyPem), ALGORITHM, false, ['sign']);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const names: x509.JsonGeneralName[] = hosts.map((host) => (isIP(host) ? { type: 'ip', value: host } : { type: 'dns', value: host }));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: 'CN=Coffer Agent Injector',
    issuer: caCert.subject,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter: new Date(now.getTime() + lifetimeMs),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey as unknown as x509.PublicKeyType,
    signingKey: caKey as unknown as SigningKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(names),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: privateKeyPem(keys.privateKey) };
}

/** Validity and names of the first certificate of a PEM text; undefined when it does not parse. */
export function describeCertificate(pem: string): { notBefore: Date; notAfter: Date; hosts: string[] } | undefined {
  try {
    const cert = new x509.X509Certificate(firstPem(pem));
    const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
    const hosts = (san?.names.toJSON() ?? []).map((name) => name.value);
    return { notBefore: cert.notBefore, notAfter: cert.notAfter, hosts };
  } catch {
    return undefined;
  }
}

/** The PEM blocks of a bundle, in order. */
export function pemBlocks(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((b) => `${b}\n`) ?? [];
}

function firstPem(pem: string): string {
  const first = pemBlocks(pem)[0];
  if (!first) throw new Error('no certificate');
  return first;
}

function serial(): string {
  // Positive: the top bit clear.
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] as number) & 0x7f;
  return bytes.toString('hex');
}

/** PKCS #8 PEM of a WebCrypto key, through Node's own encoder. */
function privateKeyPem(key: webcrypto.CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }) as string;
}

/** The DER of a PKCS #8 PEM key, as WebCrypto's importKey wants it (Node parses the PEM). */
function pkcs8Der(pem: string): Buffer {
  return createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
}
