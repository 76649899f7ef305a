import { InMemoryStorage } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PASSWORD_POLICY, DEFAULT_PASSWORD_POLICY_HCL, generatePassword, parsePasswordPolicy } from './password-policy.js';
import { PasswordPolicyStore } from './password-policy-store.js';

describe('password policies', () => {
  it("generates Vault's default: 20 characters with a lower-case letter, an upper-case letter, a digit and a dash", async () => {
    for (let i = 0; i < 200; i++) {
      const password = generatePassword(DEFAULT_PASSWORD_POLICY);
      expect(password).toMatch(/^[A-Za-z0-9-]{20}$/);
      expect(password).toMatch(/[a-z]/);
      expect(password).toMatch(/[A-Z]/);
      expect(password).toMatch(/[0-9]/);
      expect(password).toContain('-');
    }
    expect(await parsePasswordPolicy(DEFAULT_PASSWORD_POLICY_HCL)).toEqual(DEFAULT_PASSWORD_POLICY);
  });

  it("parses Vault's HCL rule format (and JSON of the same shape) and honours min-chars", async () => {
    const policy = await parsePasswordPolicy(`
      length = 12
      rule "charset" {
        charset   = "abc"
        min-chars = 4
      }
      rule "charset" {
        charset = "!@#"
        min-chars = 2
      }
    `);
    expect(policy.length).toBe(12);
    expect(policy.charset).toEqual(['!', '#', '@', 'a', 'b', 'c']);
    const password = generatePassword(policy);
    expect(password).toHaveLength(12);
    expect(password.replace(/[^abc]/g, '').length).toBeGreaterThanOrEqual(4);
    expect(password.replace(/[^!@#]/g, '').length).toBeGreaterThanOrEqual(2);
    const fromJson = await parsePasswordPolicy('{"length": 8, "rule": [{"charset": {"charset": "xyz", "min-chars": 1}}]}');
    expect(generatePassword(fromJson)).toMatch(/^[xyz]{8}$/);
  });

  it('refuses policies that are malformed or impossible, saying why', async () => {
    await expect(parsePasswordPolicy('length = 3\nrule "charset" {\n charset = "ab"\n min-chars = 4\n}')).rejects.toThrow(
      'specified rules require at least 4 characters but 3 is specified',
    );
    await expect(parsePasswordPolicy('length = 10')).rejects.toThrow('no charset specified');
    await expect(parsePasswordPolicy('length = 10\nrule "regex" { pattern = "x" }')).rejects.toThrow('unrecognized rule type "regex"');
    await expect(parsePasswordPolicy('length = 10\nrule "charset" { charset = "a" }\nsize = 3')).rejects.toThrow('unknown key "size"');
    await expect(parsePasswordPolicy('length = ')).rejects.toThrow(/password policy:1/);
  });

  it('stores policies as written behind the given storage, lists, generates from and deletes them', async () => {
    const storage = new InMemoryStorage();
    const store = new PasswordPolicyStore(storage);
    const text = 'length = 6\nrule "charset" {\n  charset = "0123456789"\n}\n';
    await store.write('pin', text);
    expect(await store.read('pin')).toBe(text);
    expect(await storage.list('sys/password_policy/')).toEqual(['pin']);
    expect(await store.list()).toEqual(['pin']);
    expect(await store.generate('pin')).toMatch(/^\d{6}$/);
    expect(await store.generate()).toMatch(/^[A-Za-z0-9-]{20}$/);
    await expect(store.generate('nope')).rejects.toMatchObject({ code: 'not_found' });
    await expect(store.write('short', 'length = 2\nrule "charset" { charset = "a" }')).rejects.toThrow('passwords must be between 4 and 100 characters');
    await expect(store.write('a/b', text)).rejects.toThrow('invalid password policy name');
    await store.delete('pin');
    expect(await store.list()).toEqual([]);
  });
});
