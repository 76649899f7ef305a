import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { refusal } from '../test/config-test-helpers.js';
import { decodeStaticKey, parseStaticSealConfig } from './static-config.js';

const key = randomBytes(32);

describe('decodeStaticKey', () => {
  it('reads 64 hex digits, standard base64 and raw url-safe base64, as OpenBao does', () => {
    for (const text of [
      key.toString('hex'),
      key.toString('base64'),
      key.toString('base64url'),
      ` ${key.toString('hex')}\n`,
    ]) {
      expect(decodeStaticKey(text)?.equals(key)).toBe(true);
    }
    for (const text of [
      '',
      'short',
      key.subarray(0, 16).toString('hex'),
      randomBytes(33).toString('base64'),
      'x'.repeat(32),
    ]) {
      expect(decodeStaticKey(text)).toBeUndefined();
    }
  });
});

describe('parseStaticSealConfig', () => {
  it('takes keys inline, from env:// (read now) and file:// (read when the seal is made)', () => {
    const config = parseStaticSealConfig(
      {
        current_key_id: 'k2',
        current_key: 'env://UNSEAL_KEY',
        previous_key_id: 'k1',
        previous_key: 'file:///etc/coffer/old.key',
      },
      { UNSEAL_KEY: key.toString('base64') },
    );
    expect(config.currentKeyId).toBe('k2');
    expect(config.currentKey.kind).toBe('value');
    expect(config.previousKey).toEqual({ kind: 'file', path: '/etc/coffer/old.key' });
    expect(JSON.stringify(config)).not.toContain(key.toString('base64'));
  });

  it("lets OpenBao's BAO_STATIC_SEAL_* variables override the stanza", () => {
    const config = parseStaticSealConfig(
      { current_key_id: 'stanza', current_key: 'env://NOT_SET' },
      { BAO_STATIC_SEAL_CURRENT_KEY_ID: 'env-id', BAO_STATIC_SEAL_CURRENT_KEY: key.toString('hex') },
    );
    expect(config.currentKeyId).toBe('env-id');
  });

  it('refuses missing, malformed and unpaired keys without echoing them', () => {
    const { error, problems } = refusal(() =>
      parseStaticSealConfig({
        current_key: 'not-a-key-SECRETISH',
        previous_key_id: 'k0',
        previous_key: 'env://MISSING',
      }),
    );
    expect(problems).toEqual([
      'current_key_id: "current_key_id" is required (set it in the stanza or in BAO_STATIC_SEAL_CURRENT_KEY_ID)',
      'current_key: "current_key" must be a 256-bit key: 64 hex digits or 32 bytes in base64',
      'previous_key: "previous_key" names environment variable MISSING, which is not set',
    ]);
    expect(error.message).not.toContain('SECRETISH');
    expect(
      refusal(() => parseStaticSealConfig({ current_key_id: 'k', current_key: 'file://relative/key' })).problems,
    ).toEqual(['current_key: "current_key" must name an absolute path: file:///path/to/key']);
    expect(
      refusal(() =>
        parseStaticSealConfig({
          current_key_id: 'k',
          current_key: key.toString('hex'),
          previous_key_id: 'k',
          previous_key: key.toString('hex'),
        }),
      ).problems,
    ).toEqual(['previous_key_id: "previous_key_id" must differ from "current_key_id": ids name key material for good']);
    expect(
      refusal(() =>
        parseStaticSealConfig({ current_key_id: 'k', current_key: key.toString('hex'), previous_key_id: 'j' }),
      ).problems,
    ).toEqual(['previous_key: "previous_key_id" and "previous_key" go together: give both or neither']);
    expect(
      refusal(() => parseStaticSealConfig({ current_key_id: 'k', current_key: 'env://WEAK' }, { WEAK: 'password' }))
        .problems,
    ).toEqual(['current_key: environment variable WEAK must be a 256-bit key: 64 hex digits or 32 bytes in base64']);
  });
});
