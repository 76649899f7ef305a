import { describe, expect, it } from 'vitest';
import { refusal } from '../test/config-test-helpers.js';
import { parseTransitSealConfig } from './transit-config.js';

describe('parseTransitSealConfig', () => {
  it("reads Vault's keys, with mount_path transit/ by default", () => {
    const config = parseTransitSealConfig({
      address: 'https://coffer-kms.example:8200/',
      token: 'hvs.SECRETTOKEN',
      key_name: 'autounseal',
      namespace: 'ns1/',
      disable_renewal: 'false',
      tls_ca_cert: '/etc/coffer/ca.pem',
      tls_client_cert: '/etc/coffer/client.pem',
      tls_client_key: '/etc/coffer/client.key',
      tls_server_name: 'coffer-kms',
      tls_skip_verify: 'false',
    });
    expect(config).toMatchObject({
      type: 'transit',
      address: 'https://coffer-kms.example:8200',
      keyName: 'autounseal',
      mountPath: 'transit',
      namespace: 'ns1/',
      disableRenewal: false,
      tlsServerName: 'coffer-kms',
      tlsSkipVerify: false,
    });
    expect(config.token.reveal()).toBe('hvs.SECRETTOKEN');
    expect(JSON.stringify(config)).not.toContain('SECRETTOKEN');
  });

  it('takes VAULT_ADDR and VAULT_TOKEN only when the stanza is silent; VAULT_TRANSIT_SEAL_* override it', () => {
    const env = {
      VAULT_ADDR: 'http://env-addr:8200',
      VAULT_TOKEN: 'hvs.ENVTOKEN',
      VAULT_TRANSIT_SEAL_KEY_NAME: 'env-key',
      VAULT_TRANSIT_SEAL_MOUNT_PATH: '/kms/transit/',
      VAULT_TRANSIT_SEAL_DISABLE_RENEWAL: 'true',
    };
    const fromEnv = parseTransitSealConfig({}, env);
    expect(fromEnv).toMatchObject({
      address: 'http://env-addr:8200',
      keyName: 'env-key',
      mountPath: 'kms/transit',
      disableRenewal: true,
    });
    expect(fromEnv.token.reveal()).toBe('hvs.ENVTOKEN');
    const stanza = parseTransitSealConfig(
      { address: 'https://stanza:8200', token: 'hvs.STANZA', key_name: 'k', mount_path: 'm/' },
      env,
    );
    expect(stanza).toMatchObject({ address: 'https://stanza:8200', keyName: 'env-key', mountPath: 'kms/transit' });
    expect(stanza.token.reveal()).toBe('hvs.STANZA');
  });

  it("defaults the address as Vault's client does", () => {
    expect(parseTransitSealConfig({ token: 't', key_name: 'k' }).address).toBe('https://127.0.0.1:8200');
  });

  it('refuses missing values, half client certificates and bad booleans', () => {
    const { problems } = refusal(() =>
      parseTransitSealConfig({
        tls_client_cert: '/c.pem',
        tls_skip_verify: 'sometimes',
        mount_path: '../x',
        disabled: 'no',
      }),
    );
    expect(problems).toEqual([
      'disabled: "disabled" must be a boolean (true or false)',
      'token: "token" is required (set it in the stanza or in VAULT_TOKEN)',
      'key_name: "key_name" is required (set it in the stanza or in VAULT_TRANSIT_SEAL_KEY_NAME)',
      'mount_path: "mount_path" must be a mount path such as transit/',
      'tls_client_key: "tls_client_cert" and "tls_client_key" go together: give both or neither',
      'tls_skip_verify: "tls_skip_verify" must be a boolean (true or false)',
    ]);
    const withPassword = refusal(() =>
      parseTransitSealConfig({ token: 't', key_name: 'k', address: 'https://u:PASSWORD@h:8200' }),
    );
    expect(withPassword.problems).toEqual(['address: "address" must not carry credentials (user:password@)']);
    expect(withPassword.error.message).not.toContain('PASSWORD');
    expect(
      refusal(() =>
        parseTransitSealConfig({ token: 't', key_name: 'k' }, { VAULT_TRANSIT_SEAL_DISABLE_RENEWAL: 'nah' }),
      ).problems,
    ).toEqual([
      'disable_renewal: environment variable VAULT_TRANSIT_SEAL_DISABLE_RENEWAL must be a boolean (true or false)',
    ]);
  });
});
