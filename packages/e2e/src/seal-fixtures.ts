import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTestCertificates, startAwsKmsFake, startAzureKeyVaultFake, startGcpKmsFake } from '@coffer/testkit';

/** One auto seal under test: its stanza, and a way to take its key away and give it back. */
export interface SealFixture {
  type: 'awskms' | 'azurekeyvault' | 'gcpckms' | 'transit' | 'static';
  /** The `seal "<type>" { … }` stanza for the server's config. */
  stanza: string;
  /** Credentials and key material that must never reach the server's log. */
  secrets: string[];
  /** What the server says (naming the seal and the key) when the key cannot be reached. */
  downReason: RegExp;
  /** Takes the key away: the KMS stops listening, or (static) the key file is moved. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** `seal "<type>" { key = "value" … }` with every value quoted. */
export function sealStanza(type: string, options: Record<string, string>): string {
  const lines = Object.entries(options).map(([key, value]) => `  ${key} = ${JSON.stringify(value)}`);
  return `seal "${type}" {\n${lines.join('\n')}\n}`;
}

/** The AWS KMS fake (JSON 1.1 over http, SigV4 checked) with one key under an alias. */
export async function awsKmsFixture(): Promise<SealFixture> {
  const fake = await startAwsKmsFake({ region: 'eu-west-1' });
  fake.createKey({ alias: 'alias/coffer-unseal' });
  return {
    type: 'awskms',
    stanza: sealStanza('awskms', {
      region: 'eu-west-1',
      kms_key_id: 'alias/coffer-unseal',
      endpoint: fake.endpoint,
      access_key: fake.accessKeyId,
      secret_key: fake.secretAccessKey,
    }),
    secrets: [fake.secretAccessKey],
    downReason: /^awskms seal: decrypt with key "arn:aws:kms:eu-west-1:\d+:key\/[\w-]+" .* failed: the KMS cannot be reached: ECONNREFUSED/,
    down: () => fake.down(),
    up: () => fake.up(),
    close: () => fake.close(),
  };
}

/** The Key Vault and Entra ID fake over https with a CA made in `dir`; the seal trusts it via tls_ca_cert. */
export async function azureKeyVaultFixture(dir: string): Promise<SealFixture> {
  const fake = await startAzureKeyVaultFake({ certificates: await createTestCertificates(join(dir, 'tls')) });
  await fake.createKey('coffer-unseal');
  return {
    type: 'azurekeyvault',
    stanza: sealStanza('azurekeyvault', {
      tenant_id: fake.tenantId,
      client_id: fake.clientId,
      client_secret: fake.clientSecret,
      key_name: 'coffer-unseal',
      vault_url: fake.vaultUrl,
      authority_host: fake.authorityHost,
      tls_ca_cert: fake.caFile,
    }),
    secrets: [fake.clientSecret],
    downReason: /^azurekeyvault seal: unwrap key with key "coffer-unseal\/[0-9a-f]{32}" .* failed: the KMS cannot be reached: ECONNREFUSED/,
    down: () => fake.down(),
    up: () => fake.up(),
    close: () => fake.close(),
  };
}

/** The Cloud KMS REST fake; the seal signs its own JWTs with a service-account file the fake trusts. */
export async function gcpCkmsFixture(): Promise<SealFixture> {
  const fake = await startGcpKmsFake({ project: 'coffer-test' });
  fake.createKey({ location: 'europe-west1', keyRing: 'coffer', cryptoKey: 'unseal' });
  const credentials = await fake.createServiceAccount();
  const privateKey = (JSON.parse(await readFile(credentials, 'utf8')) as { private_key: string }).private_key;
  return {
    type: 'gcpckms',
    stanza: sealStanza('gcpckms', {
      credentials,
      project: 'coffer-test',
      region: 'europe-west1',
      key_ring: 'coffer',
      crypto_key: 'unseal',
      endpoint: fake.endpoint,
    }),
    // One line of the PEM body is enough to catch the key in any form it could be logged.
    secrets: [privateKey.split('\n')[1] ?? privateKey],
    downReason:
      /^gcpckms seal: decrypt with key "projects\/coffer-test\/locations\/europe-west1\/keyRings\/coffer\/cryptoKeys\/unseal\/cryptoKeyVersions\/1" .* failed: the KMS cannot be reached: ECONNREFUSED/,
    down: () => fake.down(),
    up: () => fake.up(),
    close: () => fake.close(),
  };
}

/** A static key in a file (`file://`); "down" moves the file away. */
export async function staticFixture(dir: string): Promise<SealFixture> {
  const key = randomBytes(32).toString('hex');
  const file = join(dir, 'unseal.key');
  await writeFile(file, `${key}\n`, { mode: 0o600 });
  return {
    type: 'static',
    stanza: sealStanza('static', { current_key_id: 'e2e-1', current_key: `file://${file}` }),
    secrets: [key, Buffer.from(key, 'hex').toString('base64')],
    downReason: /^Error starting the server: seal "static": cannot read the "current_key" file .*unseal\.key \(ENOENT\)$/m,
    down: () => rename(file, `${file}.away`),
    up: () => rename(`${file}.away`, file),
    close: async () => undefined,
  };
}
