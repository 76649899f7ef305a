import { OptionReader, checkUrl, type SealEnvironment } from './option-reader.js';
import type { SecretValue } from './secret-value.js';

/** The Azure clouds Vault knows (go-autorest names): Key Vault DNS suffix and AAD authority. */
export const AZURE_ENVIRONMENTS = {
  AzurePublicCloud: { keyVaultDnsSuffix: 'vault.azure.net', authorityHost: 'https://login.microsoftonline.com' },
  AzureChinaCloud: { keyVaultDnsSuffix: 'vault.azure.cn', authorityHost: 'https://login.chinacloudapi.cn' },
  AzureUSGovernmentCloud: {
    keyVaultDnsSuffix: 'vault.usgovcloudapi.net',
    authorityHost: 'https://login.microsoftonline.us',
  },
  AzureGermanCloud: { keyVaultDnsSuffix: 'vault.microsoftazure.de', authorityHost: 'https://login.microsoftonline.de' },
} as const;

export type AzureEnvironmentName = keyof typeof AZURE_ENVIRONMENTS;

/** `seal "azurekeyvault"`, checked and typed; URLs are worked out here once. */
export interface AzureKeyVaultConfig {
  readonly type: 'azurekeyvault';
  readonly disabled: boolean;
  readonly environment: AzureEnvironmentName;
  readonly vaultName?: string;
  readonly keyName: string;
  /** `https://<vault_name>.<resource>`, or the `vault_url` override. No trailing slash. */
  readonly vaultUrl: string;
  /** True when `vault_url` was given: the host then is not under the resource, see the seal. */
  readonly customVaultUrl: boolean;
  readonly authorityHost: string;
  readonly customAuthorityHost: boolean;
  readonly tenantId?: string;
  readonly clientId?: string;
  readonly clientSecret?: SecretValue;
  /** PEM file of extra trust anchors for Key Vault and AAD (private CAs, test fakes). */
  readonly tlsCaCert?: string;
}

/** Vault's options, then Coffer's: `vault_url`, `authority_host` and `tls_ca_cert` (not in Vault). */
export const AZUREKEYVAULT_OPTIONS = [
  'tenant_id',
  'client_id',
  'client_secret',
  'vault_name',
  'key_name',
  'environment',
  'resource',
  'vault_url',
  'authority_host',
  'tls_ca_cert',
] as const;

const DNS_SUFFIX = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i;

/**
 * Parses `seal "azurekeyvault"` as Vault does: AZURE_TENANT_ID, AZURE_CLIENT_ID,
 * AZURE_CLIENT_SECRET, AZURE_ENVIRONMENT, AZURE_AD_RESOURCE, VAULT_AZUREKEYVAULT_VAULT_NAME and
 * VAULT_AZUREKEYVAULT_KEY_NAME override the stanza. A client secret needs tenant and client ids;
 * without one, managed identity or workload identity is used (`client_id` picks a user-assigned one).
 */
export function parseAzureKeyVaultConfig(options: unknown, env: SealEnvironment = {}): AzureKeyVaultConfig {
  const reader = new OptionReader('azurekeyvault', options, env, AZUREKEYVAULT_OPTIONS);
  const disabled = reader.disabled();
  const tenantId = reader.string('tenant_id', { envFirst: ['AZURE_TENANT_ID'] });
  const clientId = reader.string('client_id', { envFirst: ['AZURE_CLIENT_ID'] });
  const clientSecret = reader.secret('client_secret', { envFirst: ['AZURE_CLIENT_SECRET'] });
  if (clientSecret && (!tenantId || !clientId)) {
    reader.problem(
      'client_secret',
      '"client_secret" needs "tenant_id" and "client_id" (or AZURE_TENANT_ID and AZURE_CLIENT_ID)',
    );
  }

  const environmentName = reader.string('environment', { envFirst: ['AZURE_ENVIRONMENT'] }) ?? 'AzurePublicCloud';
  const environment = (Object.keys(AZURE_ENVIRONMENTS) as AzureEnvironmentName[]).find(
    (name) => name.toLowerCase() === environmentName.toLowerCase(),
  );
  if (!environment) {
    reader.problem(
      'environment',
      `unknown Azure environment "${environmentName}" (known: ${Object.keys(AZURE_ENVIRONMENTS).join(', ')})`,
    );
  }
  const cloud = AZURE_ENVIRONMENTS[environment ?? 'AzurePublicCloud'];
  const resource = reader.string('resource', { envFirst: ['AZURE_AD_RESOURCE'] }) ?? cloud.keyVaultDnsSuffix;
  if (!DNS_SUFFIX.test(resource))
    reader.problem('resource', `"resource" must be a DNS suffix such as ${cloud.keyVaultDnsSuffix}`);

  const vaultNameSources = { envFirst: ['AZUREKEYVAULT_WRAPPER_VAULT_NAME', 'VAULT_AZUREKEYVAULT_VAULT_NAME'] };
  const vaultName = reader.string('vault_name', vaultNameSources);
  const vaultUrlOverride = checkUrl(reader, 'vault_url', reader.string('vault_url'));
  if (vaultUrlOverride && !vaultUrlOverride.startsWith('https:'))
    reader.problem('vault_url', '"vault_url" must be an https:// URL');
  if (!vaultUrlOverride) reader.require('vault_name', vaultName, vaultNameSources);
  if (vaultName !== undefined && !/^[a-zA-Z0-9-]{3,24}$/.test(vaultName)) {
    reader.problem('vault_name', `"vault_name" must be a Key Vault name (3-24 letters, digits and dashes)`);
  }
  const keySources = { envFirst: ['AZUREKEYVAULT_WRAPPER_KEY_NAME', 'VAULT_AZUREKEYVAULT_KEY_NAME'] };
  const keyName = reader.require('key_name', reader.string('key_name', keySources), keySources);
  if (keyName !== undefined && !/^[a-zA-Z0-9-]{1,127}$/.test(keyName)) {
    reader.problem('key_name', '"key_name" must be a Key Vault key name (letters, digits and dashes)');
  }

  const authorityOverride = checkUrl(
    reader,
    'authority_host',
    reader.string('authority_host', { envFallback: ['AZURE_AUTHORITY_HOST'] }),
  );
  const tlsCaCert = reader.string('tls_ca_cert');
  reader.finish();
  return Object.freeze({
    type: 'azurekeyvault',
    disabled,
    environment: environment ?? 'AzurePublicCloud',
    ...(vaultName === undefined ? {} : { vaultName }),
    keyName: keyName as string,
    vaultUrl: vaultUrlOverride ?? `https://${vaultName}.${resource}`,
    customVaultUrl: vaultUrlOverride !== undefined,
    authorityHost: authorityOverride ?? cloud.authorityHost,
    customAuthorityHost: authorityOverride !== undefined,
    ...(tenantId === undefined ? {} : { tenantId }),
    ...(clientId === undefined ? {} : { clientId }),
    ...(clientSecret === undefined ? {} : { clientSecret }),
    ...(tlsCaCert === undefined ? {} : { tlsCaCert }),
  });
}
