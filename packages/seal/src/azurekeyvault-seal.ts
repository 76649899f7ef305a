import { readFile } from 'node:fs/promises';
import { ClientSecretCredential, DefaultAzureCredential, type TokenCredential } from '@azure/identity';
import { CryptographyClient, KeyClient, type CryptographyClientOptions } from '@azure/keyvault-keys';
import { CofferError } from '@coffer/sdk';
import type { AzureKeyVaultConfig } from './azurekeyvault-config.js';
import { azureKeyVaultFailure } from './azurekeyvault-errors.js';
import { createEnvelopeSeal, type AutoSeal, type KeyWrapper } from './envelope-seal.js';
import { kmsFailure } from './seal-error.js';

/** Vault's azurekeyvault seal wraps with RSA-OAEP-256 (SHA-256 OAEP), which Key Vault does remotely. */
const ALGORITHM = 'RSA-OAEP-256';

/**
 * The azurekeyvault seal: envelope encryption with the data key wrapped by Key Vault `wrapkey` on
 * the latest version of the key (looked up for each wrap). The blob records the key (kid without version) and the version
 * Key Vault reports; unwrap always goes to the configured vault (never a URL read from storage),
 * asking for that version, so it works after the key rotates.
 */
export async function createAzureKeyVaultSeal(config: AzureKeyVaultConfig): Promise<AutoSeal> {
  const ca = config.tlsCaCert ? await readTrustAnchors(config.tlsCaCert) : undefined;
  const credential = createCredential(config, ca);
  const options: CryptographyClientOptions = {
    retryOptions: { maxRetries: 2, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 },
    // The challenge check wants the vault host under the challenge's resource (vault.azure.net),
    // which a custom `vault_url` (private endpoint by IP, test fake) cannot satisfy.
    ...(config.customVaultUrl ? { disableChallengeResourceVerification: true } : {}),
    ...(ca ? { tlsOptions: { ca } } : {}),
  };
  const keyUrl = `${config.vaultUrl}/keys/${config.keyName}`;
  const keyClient = new KeyClient(config.vaultUrl, credential, options);
  // One client per version: each fetches its key once, then reuses it and its token.
  const versions = new Map<string, CryptographyClient>();
  const forVersion = (version: string) => {
    let client = versions.get(version);
    if (!client) versions.set(version, (client = new CryptographyClient(`${keyUrl}/${version}`, credential, options)));
    return client;
  };
  const latestVersion = async (signal: AbortSignal | undefined) => {
    const key = await keyClient
      .getKey(config.keyName, signal ? { abortSignal: signal } : {})
      .catch((error: unknown) => {
        throw azureKeyVaultFailure(error, context('get key'));
      });
    const version = key.properties.version;
    if (!version) throw kmsFailure('azurekeyvault', 'unknown', context('get key'), 'the answer names no key version');
    if (key.properties.enabled === false)
      throw kmsFailure('azurekeyvault', 'key_disabled', context('get key', version));
    return { version };
  };
  const context = (operation: string, version?: string) => ({
    operation,
    key: version ? `${config.keyName}/${version}` : config.keyName,
    where: config.vaultUrl,
  });

  const kms: KeyWrapper = {
    type: 'azurekeyvault',
    describe: () => ({
      type: 'azurekeyvault',
      vault_url: config.vaultUrl,
      key_name: config.keyName,
      environment: config.environment,
      credentials: config.clientSecret
        ? 'client secret'
        : config.clientId
          ? 'managed identity (client id)'
          : 'default (managed or workload identity)',
    }),
    async wrapKey(dataKey, signal) {
      // The SDK's wrap result names the version its client cached when first used, not the one
      // Key Vault wrapped with; after a rotation those differ. So ask for the latest version first
      // and wrap with that version explicitly: the version recorded is the version used.
      const version = (await latestVersion(signal)).version;
      const out = await forVersion(version)
        .wrapKey(ALGORITHM, dataKey, signal ? { abortSignal: signal } : {})
        .catch((error: unknown) => {
          throw azureKeyVaultFailure(error, context('wrap key', version));
        });
      return { keyId: `${config.vaultUrl}/keys/${config.keyName}`, keyVersion: version, wrappedKey: out.result };
    },
    async unwrapKey(wrappedKey, key, signal) {
      const name = key.keyId.split('/').pop();
      if (name !== config.keyName || !key.keyVersion) {
        throw kmsFailure(
          'azurekeyvault',
          'key_mismatch',
          context('unwrap key'),
          `the blob names key "${key.keyId}" version "${key.keyVersion ?? ''}"`,
        );
      }
      const out = await forVersion(key.keyVersion)
        .unwrapKey(ALGORITHM, wrappedKey, signal ? { abortSignal: signal } : {})
        .catch((error: unknown) => {
          throw azureKeyVaultFailure(error, context('unwrap key', key.keyVersion));
        });
      return out.result;
    },
    async check(signal) {
      const { version } = await latestVersion(signal);
      return { keyId: `${config.vaultUrl}/keys/${config.keyName}`, keyVersion: version };
    },
  };
  return createEnvelopeSeal(kms);
}

function createCredential(config: AzureKeyVaultConfig, ca: string | undefined): TokenCredential {
  const common = {
    authorityHost: config.authorityHost,
    // Instance discovery asks login.microsoftonline.com about the authority: wrong for a custom one.
    ...(config.customAuthorityHost ? { disableInstanceDiscovery: true } : {}),
    ...(ca ? { tlsOptions: { ca } } : {}),
  };
  if (config.clientSecret && config.tenantId && config.clientId) {
    return new ClientSecretCredential(config.tenantId, config.clientId, config.clientSecret.reveal(), common);
  }
  // Environment, workload identity (AKS), managed identity, then developer logins; a client id
  // picks the user-assigned identity, as Vault's seal does.
  return new DefaultAzureCredential({
    ...common,
    ...(config.tenantId ? { tenantId: config.tenantId } : {}),
    ...(config.clientId ? { managedIdentityClientId: config.clientId, workloadIdentityClientId: config.clientId } : {}),
  });
}

async function readTrustAnchors(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new CofferError(
      'invalid_request',
      `seal "azurekeyvault": cannot read "tls_ca_cert" file ${path} (${String(code ?? 'error')})`,
    );
  }
}
