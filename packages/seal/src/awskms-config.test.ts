import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { refusal } from '../test/config-test-helpers.js';
import { parseAwsKmsConfig } from './awskms-config.js';

describe('parseAwsKmsConfig', () => {
  it("reads Vault's keys into a frozen, typed config", () => {
    const config = parseAwsKmsConfig({
      region: 'eu-west-1',
      kms_key_id: 'alias/coffer',
      access_key: 'AKIAEXAMPLE',
      secret_key: 'wJalrXUtnFEMI/K7MDENG',
      session_token: 'FQoGZXIvYXdzEXAMPLE',
      endpoint: 'https://kms.internal.example/',
      disabled: 'false',
    });
    expect(config).toMatchObject({
      type: 'awskms',
      region: 'eu-west-1',
      kmsKeyId: 'alias/coffer',
      accessKey: 'AKIAEXAMPLE',
      endpoint: 'https://kms.internal.example',
      disabled: false,
    });
    expect(config.secretKey?.reveal()).toBe('wJalrXUtnFEMI/K7MDENG');
    expect(Object.isFrozen(config)).toBe(true);
    // Secrets never print, whichever way the config is shown.
    for (const shown of [JSON.stringify(config), inspect(config), String(config.secretKey)]) {
      expect(shown).not.toContain('wJalrXUtnFEMI');
      expect(shown).not.toContain('FQoGZXIvYXdzEXAMPLE');
    }
  });

  it('defaults to us-east-1 and the SDK credential chain', () => {
    const config = parseAwsKmsConfig({ kms_key_id: 'k' });
    expect(config.region).toBe('us-east-1');
    expect(config.accessKey).toBeUndefined();
    expect(config.secretKey).toBeUndefined();
    expect(config.disabled).toBe(false);
  });

  it('lets the environment override the stanza, as Vault does', () => {
    const config = parseAwsKmsConfig(
      { region: 'eu-west-1', kms_key_id: 'from-stanza', endpoint: 'http://stanza:1' },
      { AWS_REGION: 'eu-central-1', VAULT_AWSKMS_SEAL_KEY_ID: 'from-env', AWS_KMS_ENDPOINT: 'http://env:2' },
    );
    expect(config).toMatchObject({ region: 'eu-central-1', kmsKeyId: 'from-env', endpoint: 'http://env:2' });
    expect(parseAwsKmsConfig({ kms_key_id: 'k' }, { AWS_DEFAULT_REGION: 'ap-south-1' }).region).toBe('ap-south-1');
    expect(
      parseAwsKmsConfig({ kms_key_id: 'k' }, { AWS_REGION: 'sa-east-1', AWS_DEFAULT_REGION: 'ap-south-1' }).region,
    ).toBe('sa-east-1');
    expect(parseAwsKmsConfig({}, { VAULT_AWSKMS_SEAL_KEY_ID: 'only-env' }).kmsKeyId).toBe('only-env');
    // Empty variables count as unset.
    expect(parseAwsKmsConfig({ kms_key_id: 'k' }, { AWS_REGION: ' ' }).region).toBe('us-east-1');
  });

  it('accepts disabled = "true" for a migration', () => {
    expect(parseAwsKmsConfig({ kms_key_id: 'k', disabled: 'true' }).disabled).toBe(true);
    expect(parseAwsKmsConfig({ kms_key_id: 'k', disabled: true }).disabled).toBe(true);
  });

  it('refuses unknown keys, missing values and half credentials, all at once, naming keys not values', () => {
    const { error, problems } = refusal(() =>
      parseAwsKmsConfig({
        regoin: 'eu-west-1',
        secret_key: 'TOPSECRETVALUE',
        session_token: 'TOKENVALUE',
        disabled: 'maybe',
      }),
    );
    expect(problems).toEqual([
      'regoin: unknown option "regoin" (known: disabled, region, access_key, secret_key, session_token, kms_key_id, endpoint)',
      'disabled: "disabled" must be a boolean (true or false)',
      'kms_key_id: "kms_key_id" is required (set it in the stanza or in AWSKMS_WRAPPER_KEY_ID or VAULT_AWSKMS_SEAL_KEY_ID)',
      'access_key: "access_key" and "secret_key" go together: give both or neither',
      'session_token: "session_token" needs "access_key" and "secret_key"',
    ]);
    expect(error.message.startsWith('seal "awskms": unknown option "regoin"')).toBe(true);
    expect(error.message).not.toContain('TOPSECRETVALUE');
    expect(error.message).not.toContain('TOKENVALUE');
  });

  it('refuses a bad region, a key ARN of another region, a bad endpoint and non-string values', () => {
    expect(refusal(() => parseAwsKmsConfig({ region: 'mars', kms_key_id: 'k' })).problems).toEqual([
      'region: region "mars" is not an AWS region name (like eu-west-1)',
    ]);
    const arn = 'arn:aws:kms:eu-west-2:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect(refusal(() => parseAwsKmsConfig({ region: 'eu-west-1', kms_key_id: arn })).problems).toEqual([
      'kms_key_id: "kms_key_id" is an ARN in eu-west-2, but the region is eu-west-1',
    ]);
    expect(refusal(() => parseAwsKmsConfig({ kms_key_id: 'k', endpoint: 'kms.local:443' })).problems).toEqual([
      'endpoint: "endpoint" must be an http:// or https:// URL',
    ]);
    expect(refusal(() => parseAwsKmsConfig({ kms_key_id: ['k'] })).problems).toEqual([
      'kms_key_id: "kms_key_id" must be a string',
    ]);
    expect(refusal(() => parseAwsKmsConfig({ kms_key_id: '' })).problems).toEqual([
      'kms_key_id: "kms_key_id" must not be empty',
    ]);
    expect(refusal(() => parseAwsKmsConfig('region = x')).problems).toEqual([
      '-: the stanza body must be an object of options',
    ]);
  });
});
