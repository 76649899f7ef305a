import { describe, expect, it } from 'vitest';
import { formatPolicy } from './format-policy.js';

const fmt = (text: string) => formatPolicy(text, 'p.hcl');

describe('formatPolicy', () => {
  it("formats Vault's own policy fmt example", async () => {
    const messy = 'path "secret" {\n  capabilities  =           ["create",    "update","delete"]\n\n}';
    expect(await fmt(messy)).toBe('path "secret" {\n  capabilities = ["create", "update", "delete"]\n}\n');
  });

  it('keeps block order, comments and literals; aligns "="; sets multi-line items apart', async () => {
    const messy = [
      '# Policy for the web app',
      'path   "secret/data/web/*"    {',
      '    capabilities  =           ["create",    "update","delete"]   # write',
      'min_wrapping_ttl="1h"',
      '  allowed_parameters = { "foo" = [] , bar: ["a","b"]',
      '  # baz is fine',
      '  "baz"=["*"] }',
      '}',
      'path "auth/token/lookup-self" { capabilities = ["read"] }',
      '',
      '',
      '',
      '// listed one a line',
      'path "sys/*" {',
      '  capabilities = [',
      '     "read", # r',
      '     "list"',
      '  ]',
      '}',
    ].join('\n');
    const expected = [
      '# Policy for the web app',
      'path "secret/data/web/*" {',
      '  capabilities     = ["create", "update", "delete"] # write',
      '  min_wrapping_ttl = "1h"',
      '',
      '  allowed_parameters = {',
      '    "foo" = []',
      '    bar   = ["a", "b"]',
      '',
      '    # baz is fine',
      '    "baz" = ["*"]',
      '  }',
      '}',
      '',
      'path "auth/token/lookup-self" {',
      '  capabilities = ["read"]',
      '}',
      '',
      '// listed one a line',
      'path "sys/*" {',
      '  capabilities = [',
      '    "read", # r',
      '    "list",',
      '  ]',
      '}',
      '',
    ].join('\n');
    expect(await fmt(messy)).toBe(expected);
  });

  it('is idempotent: formatting the output again changes nothing', async () => {
    const inputs = [
      'name="x"\npath "a" {\n capabilities=["read"]\n\n\n policy = "write"\n # trailing\n}\n/* block\n   comment */\npath "b" {}\n',
      'path "a" { # opener\n  required_parameters = ["x"]\n  denied_parameters = {\n    "*" = []\n  }\n  comment = "hi"\n} # closer\n',
      'path "a/{{identity.entity.id}}/*" {\n  capabilities = [\n  ]\n  allowed_parameters { k = ["${x}"] }\n}\n',
    ];
    for (const input of inputs) {
      const once = await fmt(input);
      expect(await fmt(once)).toBe(once);
    }
    expect(await fmt(inputs[2] as string)).toBe(
      'path "a/{{identity.entity.id}}/*" {\n  capabilities = []\n\n  allowed_parameters {\n    k = ["${x}"]\n  }\n}\n',
    );
  });

  it('refuses invalid HCL with the line and column, as hcl2json reports them', async () => {
    await expect(fmt('path "x" {\n  capabilities = ["read"\n}\n')).rejects.toMatchObject({
      exitCode: 1,
      message: expect.stringMatching(/^failed to parse policy: p\.hcl:3:1: Missing item separator/),
    });
    await expect(fmt('dafdaf')).rejects.toThrow(/^failed to parse policy: p\.hcl:1:1: Argument or block definition required/);
  });

  it("refuses what is not a policy, with vault's messages and the line", async () => {
    await expect(fmt('banana "foo" {}')).rejects.toThrow('failed to parse policy: p.hcl:1: invalid key "banana"');
    await expect(fmt('path "x" {\n  capabilities = ["read", "bogus"]\n}')).rejects.toThrow(
      'failed to parse policy: p.hcl:2: path "x": invalid capability "bogus"',
    );
    await expect(fmt('path "x" {\n  policy = "maybe"\n  color = "red"\n}')).rejects.toThrow(
      'failed to parse policy: p.hcl:2: path "x": invalid policy "maybe"\np.hcl:3: path "x": invalid key "color"',
    );
    await expect(fmt('path {\n  capabilities = ["read"]\n}')).rejects.toThrow(/p\.hcl:1: a path block needs its pattern/);
  });

  it('refuses expressions it cannot keep, and JSON policies', async () => {
    await expect(fmt('path "x" {\n  capabilities = concat(["read"], [])\n}')).rejects.toThrow(
      /^failed to parse policy: p\.hcl:2:\d+: policy fmt only formats literal values, lists and maps$/,
    );
    await expect(fmt('{"path": {"x": {"capabilities": ["read"]}}}')).rejects.toThrow(/JSON policy; policy fmt formats HCL/);
  });
});
