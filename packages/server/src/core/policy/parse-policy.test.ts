import { CofferError } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY_HCL } from './default-policy.js';
import { normalizePolicyName, parsePolicy } from './parse-policy.js';
import { MAX_POLICY_BYTES, MAX_POLICY_PATHS } from './policy.js';

async function refusal(text: string, name = 'bad'): Promise<string> {
  const error: unknown = await parsePolicy(name, text).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(CofferError);
  expect((error as CofferError).code).toBe('invalid_request');
  return (error as CofferError).message;
}

describe('parsePolicy accepts Vault policies', () => {
  it('reads HCL with comments, globs, parameters and TTLs', async () => {
    const policy = await parsePolicy(
      'Dev',
      `# comment
path "secret/*" {
  capabilities = ["create", "read", "update", "patch", "delete", "list"]
}
path "/secret/restricted" {
  capabilities = ["create"]
  comment = "why this exists"
  allowed_parameters = {
    "Foo" = []
    "bar" = ["zip", "zap", 1, true]
  }
  denied_parameters = { "*" = [] }
  required_parameters = ["bar"]
  min_wrapping_ttl = "1s"
  max_wrapping_ttl = 90
}`,
    );
    expect(policy.name).toBe('dev');
    const [all, restricted] = [...policy.rules].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
    expect(all).toMatchObject({ pattern: 'secret/*', line: 2, capabilities: ['create', 'read', 'update', 'patch', 'delete', 'list'] });
    expect(restricted).toMatchObject({ pattern: 'secret/restricted', line: 5, capabilities: ['create'], minWrappingTtl: 1, maxWrappingTtl: 90 });
    expect([...(restricted?.allowedParameters ?? [])]).toEqual([
      ['foo', []],
      ['bar', ['zip', 'zap', 1, true]],
    ]);
    expect([...(restricted?.deniedParameters ?? [])]).toEqual([['*', []]]);
    expect(restricted?.requiredParameters).toEqual(['bar']);
  });

  it('reads the JSON form, objects or arrays of blocks (docs example and HCL1 style)', async () => {
    const docs = await parsePolicy('j', '{ "path": { "secret/foo": { "capabilities": ["read"] } } }');
    expect(docs.rules).toMatchObject([{ pattern: 'secret/foo', capabilities: ['read'] }]);
    const arrays = await parsePolicy('j', '{"path": [{"a": {"capabilities": ["read"]}}, {"b": [{"policy": "deny"}]}]}');
    expect(arrays.rules).toMatchObject([
      { pattern: 'a', capabilities: ['read'] },
      { pattern: 'b', capabilities: ['deny'] },
    ]);
  });

  it('maps the deprecated policy shorthand as Vault does, adding to capabilities', async () => {
    const rules = (
      await parsePolicy(
        'legacy',
        `path "r" { policy = "read" }
path "w" { policy = "write" }
path "s" {
  policy = "sudo"
  capabilities = ["patch"]
}
path "d" {
  policy = "deny"
  capabilities = ["read"]
}
path "x" { capabilities = ["read", "deny", "list"] }`,
      )
    ).rules;
    const byPattern = Object.fromEntries(rules.map((rule) => [rule.pattern, rule.capabilities]));
    expect(byPattern).toEqual({
      r: ['read', 'list'],
      w: ['create', 'read', 'update', 'delete', 'list'],
      s: ['create', 'read', 'update', 'delete', 'list', 'sudo', 'patch'],
      d: ['deny'],
      x: ['deny'],
    });
  });

  it('accepts what Vault accepts: empty blocks, repeated paths, top-level name, empty text, subscribe', async () => {
    const policy = await parsePolicy(
      'ok',
      `name = "ignored"
path "a" {}
path "b" { capabilities = [] }
path "c" { capabilities = ["read"] }
path "c" { capabilities = ["list"] }
path "e/*" {
  capabilities = ["subscribe", "read"]
  subscribe_event_types = ["kv*"]
}`,
    );
    expect(policy.rules.map((rule) => [rule.pattern, rule.line, rule.capabilities])).toEqual([
      ['a', 2, []],
      ['b', 3, []],
      ['c', 4, ['read']],
      ['c', 5, ['list']],
      ['e/*', 6, ['subscribe', 'read']],
    ]);
    expect((await parsePolicy('empty', '')).rules).toEqual([]);
    expect((await parsePolicy('comments', '# nothing yet\n')).rules).toEqual([]);
  });

  it('parses the default policy', async () => {
    const policy = await parsePolicy('default', DEFAULT_POLICY_HCL);
    expect(policy.rules.map((rule) => rule.pattern).sort()).toEqual([
      'auth/token/lookup-self',
      'auth/token/renew-self',
      'auth/token/revoke-self',
      'cubbyhole/*',
      'sys/capabilities-self',
      'sys/internal/ui/resultant-acl',
      'sys/leases/lookup',
      'sys/leases/renew',
      'sys/renew',
      'sys/tools/hash',
      'sys/tools/hash/*',
      'sys/wrapping/lookup',
      'sys/wrapping/unwrap',
      'sys/wrapping/wrap',
    ]);
  });

  it('normalises names as Vault does: trimmed, lower-cased, slashes allowed', () => {
    expect(normalizePolicyName('  Team/App ')).toBe('team/app');
  });
});

describe('parsePolicy refuses', () => {
  const CASES: [what: string, text: string, message: RegExp][] = [
    ['an HCL syntax error, with line and column', 'path "a" {\n  capabilities = ["read"\n}', /^policy "bad":3:1: /],
    ['a JSON syntax error, with line and column', '{"path": {"a": {"capabilities": ["read"]}', /^policy "bad":1:\d+: invalid JSON/],
    ['an unknown capability', 'path "a" {\n  capabilities = ["reed"]\n}', /^policy "bad":2: path "a": unknown capability "reed"/],
    ['a capability that is not a string', 'path "a" { capabilities = [1] }', /unknown capability 1/],
    ['OpenBao\'s scan capability', 'path "a" { capabilities = ["scan"] }', /unknown capability "scan"/],
    ['capabilities given as a string', 'path "a" { capabilities = "read" }', /capabilities must be a list/],
    ['an unknown policy shorthand', 'path "a" { policy = "admin" }', /invalid policy "admin"/],
    ['"*" before the end', 'path "secret/*/x" { capabilities = ["read"] }', /only allowed as the last character/],
    ['"+*"', 'path "secret/+*" { capabilities = ["read"] }', /'\+\*' is forbidden/],
    ['a templated path', 'path "secret/{{identity.entity.id}}/*" { capabilities = ["read"] }', /templated .* not supported yet/],
    ['an empty path', 'path "" { capabilities = ["read"] }', /path "": the path is empty/],
    ['a lone slash', 'path "/" { capabilities = ["read"] }', /the path is empty/],
    ['an unknown key in a block', 'path "a" {\n  capabilites = ["read"]\n}', /^policy "bad":2: path "a": unknown key "capabilites"/],
    ['an Enterprise control', 'path "a" {\n  control_group = {}\n}', /"control_group" is a Vault Enterprise feature/],
    ['OpenBao\'s expiration', 'path "a" { expiration = "2030-01-01T00:00:00Z" }', /unknown key "expiration"/],
    ['an unknown top-level key', 'paths "a" {}', /unknown key "paths"/],
    ['a block without a label', 'path { capabilities = ["read"] }', /needs its pattern as a label/],
    ['path as an attribute', 'path = "secret/*"', /expected path blocks/],
    ['parameters as a list', 'path "a" { allowed_parameters = ["x"] }', /must be a map of parameter names/],
    ['parameters in block form', 'path "a" {\n  allowed_parameters {\n    x = []\n  }\n}', /must be a map of parameter names/],
    ['a parameter value that is not a list', 'path "a" { denied_parameters = { "x" = "y" } }', /"x" must be a list of values/],
    ['values on "*"', 'path "a" { allowed_parameters = { "*" = ["x"] } }', /"\*" takes no values/],
    ['"*" inside a parameter name', 'path "a" { allowed_parameters = { "ba*" = [] } }', /"\*" may only stand alone/],
    ['a JSON-pointer parameter name', 'path "a" { denied_parameters = { "/a/b" = [] } }', /JSON-pointer/],
    ['parameter names differing only in case', 'path "a" { allowed_parameters = { "X" = [], "x" = [] } }', /ignore case/],
    ['required parameters that are not strings', 'path "a" { required_parameters = [1] }', /list of strings/],
    ['"*" as a required parameter', 'path "a" { required_parameters = ["*"] }', /"\*" is not allowed here/],
    ['a bad duration', 'path "a" { min_wrapping_ttl = "soon" }', /min_wrapping_ttl: invalid duration/],
    ['a negative duration', 'path "a" { max_wrapping_ttl = -5 }', /max_wrapping_ttl: invalid duration/],
    ['max below min', 'path "a" {\n  min_wrapping_ttl = "1m"\n  max_wrapping_ttl = "30s"\n}', /:3: .*max_wrapping_ttl cannot be less than min_wrapping_ttl/],
    ['a control character, with line and column', 'path "a" {}\npath "b\u0001" {}', /^policy "bad":2:8: the control character U\+0001/],
    ['duplicate JSON keys', '{"path": {"a": {"capabilities": ["read"]}, "a": {}}}', /duplicate key "a"/],
  ];
  it.each(CASES)('%s', async (_what, text, message) => {
    expect(await refusal(text)).toMatch(message);
  });

  it('reports every problem at once, in line order', async () => {
    const message = await refusal('path "a" {\n  capabilities = ["reed"]\n}\npath "b/*/c" {}\nfoo = 1');
    expect(message.split('\n')).toEqual([
      expect.stringMatching(/^policy "bad":2: path "a": unknown capability "reed"/),
      expect.stringMatching(/^policy "bad":4: path "b\/\*\/c": "\*" is only allowed/),
      expect.stringMatching(/^policy "bad":5: unknown key "foo"/),
    ]);
  });

  it.each([
    ['', /must not be empty/],
    ['   ', /must not be empty/],
    ['root', /cannot update "root" policy/],
    [' Root ', /cannot update "root" policy/],
    ['a\nb', /control characters/],
  ])('the name %j', async (name, message) => {
    expect(await refusal('', name)).toMatch(message);
  });

  it('text over the size limit, before parsing it', async () => {
    expect(await refusal(`#${'x'.repeat(MAX_POLICY_BYTES)}`)).toMatch(/the limit is 1048576/);
  });

  it('more path blocks than the limit', async () => {
    const text = Array.from({ length: MAX_POLICY_PATHS + 1 }, (_, i) => `path "p/${i}" { capabilities = ["read"] }`).join('\n');
    expect(await refusal(text)).toMatch(/more than 10000 path blocks/);
  });

  it('deeply nested input, in HCL and in JSON, with a clear message rather than a stack overflow', async () => {
    const depth = 20_000;
    const hcl = `path "a" {\n  allowed_parameters = ${'{ "k" = '.repeat(depth)}[]${' }'.repeat(depth)}\n}\n`;
    expect(await refusal(hcl)).toBe('policy "bad":2:528: nested deeper than 64 levels of braces and brackets');
    const json = `{"path":{"a":{"allowed_parameters":${'{"k":'.repeat(depth)}[]${'}'.repeat(depth)}}}}`;
    expect(await refusal(json)).toMatch(/^policy "bad":1:\d+: nested deeper than 64 levels/);
    // The same policy refers to itself by name only as text: nothing to follow, nothing cyclic.
    const selfNamed = await parsePolicy('loop', 'name = "loop"\npath "sys/policies/acl/loop" { capabilities = ["read"] }\n');
    expect(selfNamed.name).toBe('loop');
  });
});
