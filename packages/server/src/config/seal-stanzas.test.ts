import { describe, expect, it } from 'vitest';
import { parseServerConfig } from './server-config.js';

const base = 'storage "inmem" {}\nlistener "tcp" { tls_disable = true }\n';
const parse = (text: string, env: Record<string, string> = {}) => parseServerConfig(base + text, { fileName: 'coffer.hcl', env });

describe('seal stanzas', () => {
  it('reads an awskms seal with Vault’s keys', async () => {
    const config = await parse('seal "awskms" {\n  region = "eu-west-1"\n  kms_key_id = "alias/coffer-unseal"\n}\n');
    expect(config.seals).toHaveLength(1);
    expect(config.seals[0]).toMatchObject({ type: 'awskms', region: 'eu-west-1', kmsKeyId: 'alias/coffer-unseal', disabled: false });
  });

  it('takes the key id from the environment as Vault does', async () => {
    const config = await parse('seal "awskms" {\n  region = "eu-west-1"\n}\n', { VAULT_AWSKMS_SEAL_KEY_ID: 'alias/from-env' });
    expect(config.seals[0]).toMatchObject({ kmsKeyId: 'alias/from-env' });
  });

  it('puts a bad option on its line', async () => {
    await expect(parse('seal "awskms" {\n  region = "eu-west-1"\n  kms_key = "x"\n}\n')).rejects.toThrow(/coffer\.hcl:5: .*kms_key/);
  });

  it('accepts two seals for a migration, one disabled, and refuses two live ones', async () => {
    const migrating = await parse('seal "shamir" {\n  disabled = "true"\n}\nseal "static" {\n  current_key_id = "k1"\n  current_key = "' + 'ab'.repeat(32) + '"\n}\n');
    expect(migrating.seals.map((s) => [s.type, s.disabled])).toEqual([
      ['shamir', true],
      ['static', false],
    ]);
    await expect(
      parse('seal "awskms" {\n  kms_key_id = "a"\n  region = "us-east-1"\n}\nseal "static" {\n  current_key_id = "k1"\n  current_key = "' + 'ab'.repeat(32) + '"\n}\n'),
    ).rejects.toThrow(/only for a migration/);
  });

  it('refuses unknown seal types', async () => {
    await expect(parse('seal "hsm" {}\n')).rejects.toThrow(/unknown seal type "hsm"/);
  });
});
