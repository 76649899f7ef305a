import type { Operation } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { Acl } from './acl.js';
import { globbedMatch } from './parameters.js';
import { parsePolicy } from './parse-policy.js';

/** Builds an ACL from policy texts named p0, p1, …. */
async function acl(...texts: string[]): Promise<Acl> {
  return new Acl(await Promise.all(texts.map((text, i) => parsePolicy(`p${i}`, text))));
}

const block = (path: string, body: string): string => `path "${path}" {\n${body}\n}`;

/** Policies from the "Parameter constraints" section of Vault's policies concept page. */
const P = {
  required: block('secret/profile', 'capabilities = ["create"]\nrequired_parameters = ["name", "id"]'),
  password: block('auth/userpass/users/*', 'capabilities = ["update"]\nallowed_parameters = { "password" = [] }'),
  rotate: block('transit/keys/*', 'capabilities = ["create", "update"]\nallowed_parameters = { "auto_rotate_period" = ["8h", "24h", "5d"] }'),
  starAllowed: block('secret/foo', 'capabilities = ["create"]\nallowed_parameters = {\n"bar" = ["zip", "zap"]\n"*" = []\n}'),
  deniedAny: block('auth/userpass/users/*', 'capabilities = ["update"]\ndenied_parameters = { "token_policies" = [], "policies" = [] }'),
  deniedValue: block('auth/token/roles/*', 'capabilities = ["create", "update"]\ndenied_parameters = { "allowed_policies" = ["admin"] }'),
  deniedStar: block('transit/keys/*', 'capabilities = ["create", "update"]\ndenied_parameters = { "*" = [] }'),
  deniedOverAllowed: block('kv/x', 'capabilities = ["update"]\nallowed_parameters = { "*" = [] }\ndenied_parameters = { "secret" = [] }'),
  prefixGlob: block('secret/g', 'capabilities = ["create"]\nallowed_parameters = { "bar" = ["foo-*"], "x" = ["*-prod"], "y" = ["*mid*"] }'),
  zipZap: block('secret/z', 'capabilities = ["update"]\nallowed_parameters = { "bar" = ["zip", "zap"] }'),
  noStore: block('secret/n', 'capabilities = ["create"]\ndenied_parameters = { "no_store" = [false, "false"] }'),
  numbers: block('secret/t', 'capabilities = ["update"]\nallowed_parameters = { "ttl" = [60] }'),
  readRequired: block('secret/q', 'capabilities = ["read", "delete", "list"]\nrequired_parameters = ["version"]'),
};

type Row = [policy: keyof typeof P, operation: Operation, path: string, data: Record<string, unknown>, allowed: boolean];

const ROWS: Row[] = [
  ['required', 'create', 'secret/profile', { name: 'n', id: 1 }, true],
  ['required', 'create', 'secret/profile', { name: 'n' }, false],
  ['required', 'create', 'secret/profile', {}, false],
  ['required', 'create', 'secret/profile', { NAME: 'n', id: 1 }, false],
  ['password', 'update', 'auth/userpass/users/bob', { password: 'x' }, true],
  ['password', 'update', 'auth/userpass/users/bob', { password: 'x', token_ttl: '1h' }, false],
  ['password', 'update', 'auth/userpass/users/bob', { PASSWORD: 'x' }, true],
  ['password', 'update', 'auth/userpass/users/bob', {}, true],
  ['rotate', 'update', 'transit/keys/k', { auto_rotate_period: '24h' }, true],
  ['rotate', 'update', 'transit/keys/k', { auto_rotate_period: '1h' }, false],
  ['starAllowed', 'create', 'secret/foo', { bar: 'zip', other: 1 }, true],
  ['starAllowed', 'create', 'secret/foo', { bar: 'nope' }, false],
  ['starAllowed', 'create', 'secret/foo', { other: 'x' }, true],
  ['deniedAny', 'update', 'auth/userpass/users/bob', { password: 'x' }, true],
  ['deniedAny', 'update', 'auth/userpass/users/bob', { policies: 'admin' }, false],
  ['deniedAny', 'update', 'auth/userpass/users/bob', { Token_Policies: 'x' }, false],
  ['deniedValue', 'update', 'auth/token/roles/r', { allowed_policies: 'admin' }, false],
  ['deniedValue', 'update', 'auth/token/roles/r', { allowed_policies: 'dev' }, true],
  ['deniedValue', 'update', 'auth/token/roles/r', { allowed_policies: 'dev,admin' }, false],
  ['deniedValue', 'update', 'auth/token/roles/r', { allowed_policies: ['dev', 'admin'] }, false],
  ['deniedStar', 'create', 'transit/keys/k', {}, true],
  ['deniedStar', 'create', 'transit/keys/k', { exportable: true }, false],
  ['deniedOverAllowed', 'update', 'kv/x', { anything: 1 }, true],
  ['deniedOverAllowed', 'update', 'kv/x', { secret: 1 }, false],
  ['prefixGlob', 'create', 'secret/g', { bar: 'foo-1' }, true],
  ['prefixGlob', 'create', 'secret/g', { bar: 'bar-1' }, false],
  ['prefixGlob', 'create', 'secret/g', { x: 'eu-prod' }, true],
  ['prefixGlob', 'create', 'secret/g', { x: 'eu-dev' }, false],
  ['prefixGlob', 'create', 'secret/g', { y: 'amidb' }, true],
  ['prefixGlob', 'create', 'secret/g', { y: 'abc' }, false],
  ['zipZap', 'update', 'secret/z', { bar: 'zip,zap' }, true],
  ['zipZap', 'update', 'secret/z', { bar: 'zip, zap' }, true],
  ['zipZap', 'update', 'secret/z', { bar: 'zip,evil' }, false],
  ['zipZap', 'update', 'secret/z', { bar: ['zip', 'zap'] }, true],
  ['zipZap', 'update', 'secret/z', { bar: ['zip', 'evil'] }, false],
  ['zipZap', 'update', 'secret/z', { bar: '' }, false],
  ['zipZap', 'update', 'secret/z', { bar: [] }, false],
  ['zipZap', 'update', 'secret/z', { bar: null }, false],
  ['noStore', 'create', 'secret/n', { no_store: false }, false],
  ['noStore', 'create', 'secret/n', { no_store: 'false' }, false],
  ['noStore', 'create', 'secret/n', { no_store: true }, true],
  ['noStore', 'create', 'secret/n', { value: 'bar' }, true],
  ['numbers', 'update', 'secret/t', { ttl: 60 }, true],
  ['numbers', 'update', 'secret/t', { ttl: '60' }, false],
  ['readRequired', 'read', 'secret/q', {}, false],
  ['readRequired', 'read', 'secret/q', { version: '1' }, true],
  ['readRequired', 'delete', 'secret/q', {}, true],
  ['readRequired', 'list', 'secret/q/', {}, true],
];

describe('parameter constraints', () => {
  it.each(ROWS)('%s: %s %s %j → %s', async (policy, operation, path, data, allowed) => {
    const decision = (await acl(P[policy])).check({ path, operation, data, needsSudo: false });
    expect(decision.allowed, decision.reason).toBe(allowed);
  });

  it('never puts parameter values in the reason', async () => {
    const decision = (await acl(P.zipZap)).check({ path: 'secret/z', operation: 'update', data: { bar: 's3cr3t' }, needsSudo: false });
    expect(decision.reason).toContain('"bar"');
    expect(decision.reason).not.toContain('s3cr3t');
  });

  it('narrows across policies: a second policy adds constraints, never removes them', async () => {
    const open = block('secret/m', 'capabilities = ["create"]');
    const narrow = block('secret/m', 'capabilities = ["create"]\nallowed_parameters = { "a" = ["1"] }');
    const other = block('secret/m', 'capabilities = ["create"]\nallowed_parameters = { "a" = ["2"] }');
    const anyA = block('secret/m', 'capabilities = ["create"]\nallowed_parameters = { "a" = [] }');
    const check = (target: Acl, data: Record<string, unknown>) =>
      target.check({ path: 'secret/m', operation: 'create', data, needsSudo: false }).allowed;
    expect(check(await acl(open, narrow), { b: 1 })).toBe(false);
    expect(check(await acl(narrow, other), { a: '2' })).toBe(true);
    expect(check(await acl(narrow, other), { a: '3' })).toBe(false);
    expect(check(await acl(narrow, anyA), { a: '3' })).toBe(true);
  });

  it('drops the constraints of a rule merged with a deny', async () => {
    const target = await acl(P.zipZap, block('secret/z', 'capabilities = ["deny"]'));
    expect(target.check({ path: 'secret/z', operation: 'update', data: {}, needsSudo: false }).allowed).toBe(false);
  });

  it('matches value globs as Vault does', () => {
    expect([globbedMatch('*', 'x'), globbedMatch('*', '*'), globbedMatch('a*', 'abc'), globbedMatch('*c', 'abc')]).toEqual([
      false,
      true,
      true,
      true,
    ]);
    expect([globbedMatch('a*c', 'abc'), globbedMatch('a*c', 'a*c'), globbedMatch('**', 'anything')]).toEqual([false, true, true]);
  });
});

describe('response-wrapping TTL bounds', () => {
  const wrapped = block('auth/approle/role/my-role/secret-id', 'capabilities = ["create", "update"]\nmin_wrapping_ttl = "1s"\nmax_wrapping_ttl = "90s"');
  const ROWS_TTL: [ttl: number | undefined, allowed: boolean][] = [
    [undefined, false],
    [0, false],
    [1, true],
    [60, true],
    [90, true],
    [120, false],
  ];
  it.each(ROWS_TTL)('wrap TTL %s → %s', async (wrapTtl, allowed) => {
    const target = await acl(wrapped);
    const path = 'auth/approle/role/my-role/secret-id';
    expect(target.check({ path, operation: 'update', data: {}, needsSudo: false, wrapTtl }).allowed).toBe(allowed);
  });

  it('merges to the smaller bound of each, and refuses bounds that cannot be met', async () => {
    const ttl = (seconds: string, key: string) => block('w', `capabilities = ["read"]\n${key} = "${seconds}"`);
    const check = (target: Acl, wrapTtl: number) => target.check({ path: 'w', operation: 'read', data: {}, needsSudo: false, wrapTtl });
    const mins = await acl(ttl('10s', 'min_wrapping_ttl'), ttl('5s', 'min_wrapping_ttl'));
    expect([check(mins, 6).allowed, check(mins, 4).allowed]).toEqual([true, false]);
    const maxes = await acl(ttl('100s', 'max_wrapping_ttl'), ttl('50s', 'max_wrapping_ttl'));
    expect([check(maxes, 50).allowed, check(maxes, 60).allowed]).toEqual([true, false]);
    const conflict = await acl(ttl('60s', 'min_wrapping_ttl'), ttl('30s', 'max_wrapping_ttl'));
    expect(check(conflict, 45)).toMatchObject({ allowed: false });
  });
});
