import { describe, expect, it } from 'vitest';
import { refusal } from '../test/config-test-helpers.js';
import { parseGcpCkmsConfig } from './gcpckms-config.js';

describe('parseGcpCkmsConfig', () => {
  it("reads Vault's keys and names the crypto key resource", () => {
    const config = parseGcpCkmsConfig({
      credentials: '/etc/coffer/gcp.json',
      project: 'coffer-prod',
      region: 'europe-west1',
      key_ring: 'coffer',
      crypto_key: 'unseal',
    });
    expect(config).toEqual({
      type: 'gcpckms',
      disabled: false,
      credentials: '/etc/coffer/gcp.json',
      project: 'coffer-prod',
      region: 'europe-west1',
      keyRing: 'coffer',
      cryptoKey: 'unseal',
      keyName: 'projects/coffer-prod/locations/europe-west1/keyRings/coffer/cryptoKeys/unseal',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('defaults the region to global and leaves credentials to ADC (workload identity)', () => {
    const config = parseGcpCkmsConfig({ project: 'coffer-prod', key_ring: 'r', crypto_key: 'k' });
    expect(config.region).toBe('global');
    expect(config.credentials).toBeUndefined();
  });

  it('lets the environment override the stanza; GOOGLE_APPLICATION_CREDENTIALS only fills in', () => {
    const env = {
      GOOGLE_CREDENTIALS: '/env/creds.json',
      GOOGLE_PROJECT: 'env-project',
      GOOGLE_REGION: 'us-east1',
      VAULT_GCPCKMS_SEAL_KEY_RING: 'env-ring',
      VAULT_GCPCKMS_SEAL_CRYPTO_KEY: 'env-key',
    };
    const config = parseGcpCkmsConfig(
      { credentials: '/stanza.json', project: 'stanza-project', region: 'global', key_ring: 'r', crypto_key: 'k' },
      env,
    );
    expect(config).toMatchObject({
      credentials: '/env/creds.json',
      project: 'env-project',
      region: 'us-east1',
      keyRing: 'env-ring',
      cryptoKey: 'env-key',
    });
    const adc = { GOOGLE_APPLICATION_CREDENTIALS: '/adc.json' };
    expect(parseGcpCkmsConfig({ project: 'coffer-prod', key_ring: 'r', crypto_key: 'k' }, adc).credentials).toBe(
      '/adc.json',
    );
    expect(
      parseGcpCkmsConfig({ credentials: '/stanza.json', project: 'coffer-prod', key_ring: 'r', crypto_key: 'k' }, adc)
        .credentials,
    ).toBe('/stanza.json');
  });

  it("takes Coffer's endpoint for a private or fake Cloud KMS", () => {
    expect(
      parseGcpCkmsConfig({ project: 'coffer-prod', key_ring: 'r', crypto_key: 'k', endpoint: 'http://127.0.0.1:9090/' })
        .endpoint,
    ).toBe('http://127.0.0.1:9090');
  });

  it('refuses missing and malformed values', () => {
    expect(
      refusal(() => parseGcpCkmsConfig({ credentials: '{"type":"service_account"}', disabled: 'true' })).problems,
    ).toEqual([
      'credentials: "credentials" is the path of a JSON key file, not the JSON itself',
      'project: "project" is required (set it in the stanza or in GOOGLE_PROJECT)',
      'key_ring: "key_ring" is required (set it in the stanza or in GCPCKMS_WRAPPER_KEY_RING or VAULT_GCPCKMS_SEAL_KEY_RING)',
      'crypto_key: "crypto_key" is required (set it in the stanza or in GCPCKMS_WRAPPER_CRYPTO_KEY or VAULT_GCPCKMS_SEAL_CRYPTO_KEY)',
    ]);
    expect(
      refusal(() =>
        parseGcpCkmsConfig({ project: 'P!', region: 'Europe West', key_ring: 'a/b', crypto_key: 'k', zone: 'x' }),
      ).problems,
    ).toEqual([
      'zone: unknown option "zone" (known: disabled, credentials, project, region, key_ring, crypto_key, endpoint)',
      'project: "project" must be a GCP project id',
      'region: "region" must be a Cloud KMS location such as global or europe-west1',
      'key_ring: "key_ring" must be 1-63 letters, digits, dashes or underscores',
    ]);
  });
});
