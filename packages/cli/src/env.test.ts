import { describe, expect, it } from 'vitest';
import { readCliEnv } from './env.js';

describe('readCliEnv', () => {
  it('prefers COFFER_* and falls back to VAULT_*; empty values do not count', () => {
    const env = readCliEnv({
      COFFER_ADDR: 'http://coffer:8200',
      VAULT_ADDR: 'http://vault:8200',
      COFFER_TOKEN: '',
      VAULT_TOKEN: 'vault-token',
      VAULT_CACERT: '/ca.pem',
      VAULT_FORMAT: 'json',
    });
    expect(env).toMatchObject({
      address: 'http://coffer:8200',
      token: 'vault-token',
      caCert: '/ca.pem',
      format: 'json',
      skipVerify: false,
    });
  });

  it('reads skip-verify as Go booleans and refuses anything else', () => {
    expect(readCliEnv({ VAULT_SKIP_VERIFY: '1' }).skipVerify).toBe(true);
    expect(readCliEnv({ COFFER_SKIP_VERIFY: 'False', VAULT_SKIP_VERIFY: 'true' }).skipVerify).toBe(false);
    expect(() => readCliEnv({ VAULT_SKIP_VERIFY: 'yes' })).toThrow('could not parse VAULT_SKIP_VERIFY');
  });
});
