import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { refusal } from '../test/config-test-helpers.js';
import {
  SEAL_OPTIONS,
  SEAL_TYPES,
  createSeal,
  isSealType,
  parseSealConfig,
  type AutoSealConfig,
} from './seal-factory.js';
import { SecretValue } from './secret-value.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const MINIMAL: Record<string, Record<string, unknown>> = {
  shamir: {},
  awskms: { kms_key_id: 'alias/coffer', region: 'eu-west-1', endpoint: 'http://127.0.0.1:9' },
  azurekeyvault: { vault_name: 'coffer-kv', key_name: 'unseal' },
  gcpckms: { project: 'coffer-prod', key_ring: 'r', crypto_key: 'k', endpoint: 'http://127.0.0.1:9' },
  transit: { address: 'http://127.0.0.1:9', token: 'hvs.x', key_name: 'k', disable_renewal: 'true' },
  static: { current_key_id: 'k1', current_key: KEY },
};

describe('parseSealConfig', () => {
  it("knows every Vault seal type (and OpenBao's static)", () => {
    expect(SEAL_TYPES).toEqual(['shamir', 'awskms', 'azurekeyvault', 'gcpckms', 'transit', 'static']);
    expect(isSealType('awskms')).toBe(true);
    expect(isSealType('pkcs11')).toBe(false);
    expect(SEAL_OPTIONS.awskms).toContain('kms_key_id');
  });

  it('dispatches by type, and every type accepts disabled = "true" (migration)', () => {
    for (const type of SEAL_TYPES) {
      const config = parseSealConfig(type, { ...MINIMAL[type], disabled: 'true' });
      expect(config.type).toBe(type);
      expect(config.disabled).toBe(true);
    }
  });

  it('refuses an unknown type, and shamir options it does not have', () => {
    expect(refusal(() => parseSealConfig('pkcs11', {})).problems).toEqual([
      '-: unknown seal type (supported: shamir, awskms, azurekeyvault, gcpckms, transit, static)',
    ]);
    expect(refusal(() => parseSealConfig('shamir', { secret_shares: 5 })).problems).toEqual([
      'secret_shares: unknown option "secret_shares" (known: disabled)',
    ]);
  });
});

describe('createSeal', () => {
  it('makes each auto seal without contacting anything', async () => {
    for (const type of SEAL_TYPES.filter((t) => t !== 'shamir')) {
      const config = parseSealConfig(type, MINIMAL[type]) as AutoSealConfig;
      const seal = await createSeal(config.type, config);
      try {
        expect(seal.type).toBe(type);
        expect(seal.autoUnseal).toBe(true);
        expect(seal.describe().type).toBe(type);
        expect(JSON.stringify(seal.describe())).not.toContain(KEY);
        expect(JSON.stringify(seal.describe())).not.toContain('hvs.x');
      } finally {
        await seal.close();
      }
    }
  });

  it('refuses a config of another type', async () => {
    const config = parseSealConfig('static', MINIMAL['static']) as AutoSealConfig;
    await expect(createSeal('awskms', config)).rejects.toThrow(
      'createSeal: a "static" config given for a "awskms" seal',
    );
  });
});

describe('SecretValue', () => {
  it('prints as [redacted] and reveals on request', () => {
    const secret = new SecretValue('hunter2');
    expect(String(secret)).toBe('[redacted]');
    expect(`${secret}`).toBe('[redacted]');
    expect(JSON.stringify({ secret })).toBe('{"secret":"[redacted]"}');
    expect(inspect({ secret })).not.toContain('hunter2');
    expect(secret.reveal()).toBe('hunter2');
  });
});
