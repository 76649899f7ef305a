import { describe, expect, it } from 'vitest';
import { refusal } from '../test/config-test-helpers.js';
import { parseAzureKeyVaultConfig } from './azurekeyvault-config.js';

describe('parseAzureKeyVaultConfig', () => {
  it("builds the vault URL from vault_name and the environment's DNS suffix", () => {
    const config = parseAzureKeyVaultConfig({
      tenant_id: 'tenant',
      client_id: 'client',
      client_secret: 'S3cr3t~value',
      vault_name: 'coffer-kv',
      key_name: 'unseal',
    });
    expect(config).toMatchObject({
      type: 'azurekeyvault',
      environment: 'AzurePublicCloud',
      vaultUrl: 'https://coffer-kv.vault.azure.net',
      customVaultUrl: false,
      authorityHost: 'https://login.microsoftonline.com',
      customAuthorityHost: false,
      keyName: 'unseal',
      disabled: false,
    });
    expect(config.clientSecret?.reveal()).toBe('S3cr3t~value');
    expect(JSON.stringify(config)).not.toContain('S3cr3t');
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('knows the sovereign clouds and a custom resource', () => {
    const china = parseAzureKeyVaultConfig({ vault_name: 'kv1', key_name: 'k', environment: 'azurechinacloud' });
    expect(china).toMatchObject({
      environment: 'AzureChinaCloud',
      vaultUrl: 'https://kv1.vault.azure.cn',
      authorityHost: 'https://login.chinacloudapi.cn',
    });
    const custom = parseAzureKeyVaultConfig({ vault_name: 'kv1', key_name: 'k', resource: 'vault.example.net' });
    expect(custom.vaultUrl).toBe('https://kv1.vault.example.net');
  });

  it('lets the environment override the stanza, as Vault does', () => {
    const config = parseAzureKeyVaultConfig(
      { vault_name: 'stanza-kv', key_name: 'stanza-key', tenant_id: 't0', client_id: 'c0', client_secret: 's0' },
      {
        AZURE_TENANT_ID: 't1',
        AZURE_CLIENT_ID: 'c1',
        AZURE_CLIENT_SECRET: 's1',
        AZURE_ENVIRONMENT: 'AzureUSGovernmentCloud',
        VAULT_AZUREKEYVAULT_VAULT_NAME: 'env-kv',
        VAULT_AZUREKEYVAULT_KEY_NAME: 'env-key',
      },
    );
    expect(config).toMatchObject({
      tenantId: 't1',
      clientId: 'c1',
      vaultUrl: 'https://env-kv.vault.usgovcloudapi.net',
      keyName: 'env-key',
    });
    expect(config.clientSecret?.reveal()).toBe('s1');
    expect(
      parseAzureKeyVaultConfig({ vault_name: 'kv1', key_name: 'k' }, { AZURE_AD_RESOURCE: 'vault.other.net' }).vaultUrl,
    ).toBe('https://kv1.vault.other.net');
  });

  it('uses managed or workload identity when no secret is given', () => {
    const config = parseAzureKeyVaultConfig({ vault_name: 'kv1', key_name: 'k', client_id: 'user-assigned' });
    expect(config.clientSecret).toBeUndefined();
    expect(config.clientId).toBe('user-assigned');
  });

  it("takes Coffer's vault_url, authority_host and tls_ca_cert for private endpoints and test fakes", () => {
    const config = parseAzureKeyVaultConfig(
      { key_name: 'k', vault_url: 'https://127.0.0.1:8443/', tls_ca_cert: '/etc/coffer/ca.pem' },
      { AZURE_AUTHORITY_HOST: 'https://127.0.0.1:9443' },
    );
    expect(config).toMatchObject({
      vaultUrl: 'https://127.0.0.1:8443',
      customVaultUrl: true,
      authorityHost: 'https://127.0.0.1:9443',
      customAuthorityHost: true,
      tlsCaCert: '/etc/coffer/ca.pem',
    });
  });

  it('refuses what cannot work, naming keys and not secrets', () => {
    const { error, problems } = refusal(() =>
      parseAzureKeyVaultConfig({
        client_secret: 'VERYSECRET',
        environment: 'AzureMoonCloud',
        resource: 'https://vault.azure.net/',
        disabled: 'yes',
      }),
    );
    expect(problems).toEqual([
      'disabled: "disabled" must be a boolean (true or false)',
      'client_secret: "client_secret" needs "tenant_id" and "client_id" (or AZURE_TENANT_ID and AZURE_CLIENT_ID)',
      'environment: unknown Azure environment "AzureMoonCloud" (known: AzurePublicCloud, AzureChinaCloud, AzureUSGovernmentCloud, AzureGermanCloud)',
      'resource: "resource" must be a DNS suffix such as vault.azure.net',
      'vault_name: "vault_name" is required (set it in the stanza or in AZUREKEYVAULT_WRAPPER_VAULT_NAME or VAULT_AZUREKEYVAULT_VAULT_NAME)',
      'key_name: "key_name" is required (set it in the stanza or in AZUREKEYVAULT_WRAPPER_KEY_NAME or VAULT_AZUREKEYVAULT_KEY_NAME)',
    ]);
    expect(error.message).not.toContain('VERYSECRET');
    expect(
      refusal(() => parseAzureKeyVaultConfig({ key_name: 'k', vault_url: 'http://127.0.0.1:8080' })).problems,
    ).toEqual(['vault_url: "vault_url" must be an https:// URL']);
    expect(refusal(() => parseAzureKeyVaultConfig({ key_name: 'k_1', vault_name: 'x' })).problems).toEqual([
      'vault_name: "vault_name" must be a Key Vault name (3-24 letters, digits and dashes)',
      'key_name: "key_name" must be a Key Vault key name (letters, digits and dashes)',
    ]);
  });
});
