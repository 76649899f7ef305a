import type { Operation } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { Acl } from './acl.js';
import { DEFAULT_POLICY_HCL } from './default-policy.js';
import { parsePolicy } from './parse-policy.js';
import { ROOT_POLICY } from './policy.js';

/** Policy texts, mostly from Vault's policies concept page (website/content/docs/concepts/policies.mdx). */
const FIXTURES: Record<string, string[]> = {
  // "Here is a more detailed policy" (docs).
  detailed: [
    `path "secret/*" { capabilities = ["create", "read", "update", "patch", "delete", "list"] }
     path "secret/super-secret" { capabilities = ["deny"] }
     path "secret/restricted" {
       capabilities = ["create"]
       allowed_parameters = {
         "foo" = []
         "bar" = ["zip", "zap"]
       }
     }`,
  ],
  // The glob examples (docs).
  globs: [
    `path "secret/foo" { capabilities = ["read"] }
     path "secret/bar/*" { capabilities = ["read"] }
     path "secret/zip-*" { capabilities = ["read"] }`,
  ],
  // The `+` examples (docs).
  plus: [`path "secret/+/teamb" { capabilities = ["read"] }\npath "secret/+/+/teamb" { capabilities = ["read"] }`],
  // Priority: "secret/*" outranks "secret/+/+/foo/*" by rule 3 (docs).
  docsPriority: [`path "secret/*" { capabilities = ["read"] }\npath "secret/+/+/foo/*" { capabilities = ["deny"] }`],
  // The examples in vault/acl.go's priority comment: the first pattern of each pair wins.
  aclGoPriority: [
    `path "a/a*" { capabilities = ["read"] }          path "a/+" { capabilities = ["deny"] }
     path "b/+/bar" { capabilities = ["read"] }       path "b/+/ba*" { capabilities = ["deny"] }
     path "c/+" { capabilities = ["read"] }           path "c/*" { capabilities = ["deny"] }
     path "d/bar/+/baz" { capabilities = ["read"] }   path "d/+/bar/baz" { capabilities = ["deny"] }
     path "e/+/y/x" { capabilities = ["read"] }       path "e/+/+/x" { capabilities = ["deny"] }
     path "f/+/bar/ba*" { capabilities = ["read"] }   path "f/+/bar/b*" { capabilities = ["deny"] }`.replace(
      /\} +path/g,
      '}\npath',
    ),
  ],
  // Same pattern in two policies: union; different patterns: only the best match counts.
  merged: [
    `path "secret/app" { capabilities = ["read"] }\npath "secret/*" { capabilities = ["read"] }`,
    `path "secret/app" { capabilities = ["update"] }\npath "secret/app*" { capabilities = ["list"] }`,
  ],
  denyAcross: [`path "secret/*" { capabilities = ["read", "list"] }`, `path "secret/*" { capabilities = ["deny"] }`],
  denyExactAcross: [
    `path "secret/*" { capabilities = ["read"] }`,
    `path "secret/super-secret" { capabilities = ["deny"] }`,
  ],
  sudo: [
    `path "sys/audit/*" { capabilities = ["create", "read", "update", "delete", "sudo"] }
     path "sys/mounts/*" { capabilities = ["create", "update"] }
     path "sys/seal" { capabilities = ["sudo"] }`,
  ],
  createUpdate: [`path "secret/new" { capabilities = ["create"] }\npath "secret/upd" { capabilities = ["update"] }`],
  list: [
    `path "kv/metadata" { capabilities = ["list"] }
     path "kv2/metadata/" { capabilities = ["list"] }
     path "kv3/metadata/*" { capabilities = ["list"] }
     path "+/sys/policies/acl" { capabilities = ["list"] }
     path "kv4/meta" { capabilities = ["read"] }
     path "kv5/+" { capabilities = ["list"] }`,
  ],
  // GHSA-xp3c-3jw3-4vcr: a deny on a sub-tree must also refuse listing it.
  listDeny: [`path "secret/*" { capabilities = ["list"] }\npath "secret/private/*" { capabilities = ["deny"] }`],
  misc: [
    `path "/lead/slash" { capabilities = ["read"] }
     path "empty/*" { capabilities = ["read"] }
     path "empty/blocked" { capabilities = [] }
     path "legacy/*" { policy = "write" }
     path "legacy/ro" { policy = "read" }`,
  ],
  everything: [`path "*" { capabilities = ["read"] }`],
  default: [DEFAULT_POLICY_HCL],
};

async function aclFor(fixture: string): Promise<Acl> {
  if (fixture === 'root') return new Acl([ROOT_POLICY]);
  const texts = FIXTURES[fixture] ?? [];
  return new Acl(await Promise.all(texts.map((text, i) => parsePolicy(`${fixture}-${i}`, text))));
}

type Row = [fixture: string, operation: Operation, path: string, allowed: boolean, options?: { sudo?: boolean }];

const ROWS: Row[] = [
  ['detailed', 'read', 'secret/foo', true],
  ['detailed', 'delete', 'secret/foo/bar', true],
  ['detailed', 'list', 'secret/', true],
  ['detailed', 'read', 'secret/super-secret', false],
  ['detailed', 'update', 'secret/super-secret', false],
  ['detailed', 'read', 'secret/super-secret/child', true],
  ['detailed', 'read', 'secret/restricted', false],
  ['detailed', 'read', 'other/foo', false],
  ['globs', 'read', 'secret/foo', true],
  ['globs', 'read', 'secret/food', false],
  ['globs', 'read', 'secret/foo/bar', false],
  ['globs', 'update', 'secret/foo', false],
  ['globs', 'read', 'secret/bar/zip', true],
  ['globs', 'read', 'secret/bar/zip/zap', true],
  ['globs', 'read', 'secret/bars/zip', false],
  ['globs', 'read', 'secret/bar', false],
  ['globs', 'read', 'secret/zip-zap', true],
  ['globs', 'read', 'secret/zip-zap/zong', true],
  ['globs', 'read', 'secret/zip/zap', false],
  ['plus', 'read', 'secret/foo/teamb', true],
  ['plus', 'read', 'secret/foo/bar/teamb', true],
  ['plus', 'read', 'secret/teamb', false],
  ['plus', 'read', 'secret/foo/teamb/x', false],
  ['plus', 'read', 'secret/a/b/c/teamb', false],
  ['docsPriority', 'read', 'secret/a/b/foo/c', true],
  ['aclGoPriority', 'read', 'a/ab', true],
  ['aclGoPriority', 'read', 'a/b', false],
  ['aclGoPriority', 'read', 'b/x/bar', true],
  ['aclGoPriority', 'read', 'b/x/bax', false],
  ['aclGoPriority', 'read', 'c/x', true],
  ['aclGoPriority', 'read', 'c/x/y', false],
  ['aclGoPriority', 'read', 'd/bar/bar/baz', true],
  ['aclGoPriority', 'read', 'e/q/y/x', true],
  ['aclGoPriority', 'read', 'e/q/z/x', false],
  ['aclGoPriority', 'read', 'f/x/bar/bax', true],
  ['aclGoPriority', 'read', 'f/x/bar/bx', false],
  ['merged', 'read', 'secret/app', true],
  ['merged', 'update', 'secret/app', true],
  ['merged', 'delete', 'secret/app', false],
  ['merged', 'read', 'secret/apple', false], // secret/app* outranks secret/* and grants only list
  ['merged', 'list', 'secret/apple/', true],
  ['merged', 'read', 'secret/other', true],
  ['denyAcross', 'read', 'secret/x', false],
  ['denyAcross', 'list', 'secret/', false],
  ['denyExactAcross', 'read', 'secret/super-secret', false],
  ['denyExactAcross', 'read', 'secret/public', true],
  ['sudo', 'update', 'sys/audit/file', true, { sudo: true }],
  ['sudo', 'update', 'sys/mounts/kv', false, { sudo: true }],
  ['sudo', 'update', 'sys/mounts/kv', true],
  ['sudo', 'update', 'sys/seal', false, { sudo: true }],
  ['createUpdate', 'create', 'secret/new', true],
  ['createUpdate', 'update', 'secret/new', false],
  ['createUpdate', 'update', 'secret/upd', true],
  ['createUpdate', 'create', 'secret/upd', false],
  ['list', 'list', 'kv/metadata/', true],
  ['list', 'list', 'kv2/metadata/', true],
  ['list', 'list', 'kv3/metadata/', true],
  ['list', 'list', 'kv3/metadata/app/', true],
  ['list', 'list', 'ns/sys/policies/acl/', true],
  ['list', 'list', 'kv4/meta/', false],
  ['list', 'list', 'kv5/', true], // `+` matches the empty last segment, as in Vault
  ['list', 'read', 'kv/metadata/', false],
  ['listDeny', 'list', 'secret/', true],
  ['listDeny', 'list', 'secret/private/', false],
  ['listDeny', 'list', 'secret/private/app/', false],
  ['misc', 'read', 'lead/slash', true],
  ['misc', 'read', '/lead/slash', true],
  ['misc', 'read', 'empty/blocked', false],
  ['misc', 'read', 'empty/other', true],
  ['misc', 'delete', 'legacy/x', true],
  ['misc', 'update', 'legacy/ro', false],
  ['misc', 'list', 'legacy/ro/', true],
  ['everything', 'read', 'sys/anything/at/all', true],
  ['everything', 'update', 'sys/anything', false],
  ['root', 'update', 'sys/seal', true, { sudo: true }],
  ['root', 'delete', 'anything/at/all', true],
  ['default', 'read', 'auth/token/lookup-self', true],
  ['default', 'update', 'auth/token/lookup-self', false],
  ['default', 'create', 'cubbyhole/foo', true],
  ['default', 'list', 'cubbyhole/', true],
  ['default', 'update', 'sys/tools/hash/sha2-512', true],
  ['default', 'read', 'secret/foo', false],
];

describe('Acl decisions (Vault semantics)', () => {
  it.each(ROWS)('%s: %s %s → %s', async (fixture, operation, path, allowed, options) => {
    const acl = await aclFor(fixture);
    const decision = acl.check({ path, operation, data: {}, needsSudo: options?.sudo ?? false });
    expect(decision.allowed, decision.reason).toBe(allowed);
  });

  it('names the policies that granted the capability', async () => {
    const acl = await aclFor('merged');
    expect(acl.check({ path: 'secret/app', operation: 'read', data: {}, needsSudo: false }).grantingPolicies).toEqual([
      'merged-0',
    ]);
    expect(acl.check({ path: 'secret/app', operation: 'update', data: {}, needsSudo: false }).grantingPolicies).toEqual(
      ['merged-1'],
    );
    const root = await aclFor('root');
    expect(root.check({ path: 'x', operation: 'read', data: {}, needsSudo: true })).toMatchObject({
      allowed: true,
      grantingPolicies: ['root'],
      sudo: true,
    });
  });

  it('explains refusals', async () => {
    const acl = await aclFor('sudo');
    expect(acl.check({ path: 'nope', operation: 'read', data: {}, needsSudo: false }).reason).toMatch(/no policy/);
    expect(acl.check({ path: 'sys/mounts/kv', operation: 'update', data: {}, needsSudo: true }).reason).toMatch(/sudo/);
    expect(acl.check({ path: 'sys/mounts/kv', operation: 'read', data: {}, needsSudo: false }).reason).toMatch(/"read"/);
  });

  it('refuses root alongside other policies, as Vault does', async () => {
    const other = await parsePolicy('other', 'path "a" { capabilities = ["read"] }');
    expect(() => new Acl([ROOT_POLICY, other])).toThrow(/other policies present along with root/);
  });
});

describe('capabilities() for sys/capabilities', () => {
  const CASES: [fixture: string, path: string, expected: string[]][] = [
    ['detailed', 'secret/foo', ['create', 'delete', 'list', 'patch', 'read', 'update']],
    ['detailed', 'secret/super-secret', ['deny']],
    ['detailed', 'secret/restricted', ['create']],
    ['detailed', 'nothing/here', ['deny']],
    ['sudo', 'sys/audit/file', ['create', 'delete', 'read', 'sudo', 'update']],
    ['sudo', 'sys/seal', ['sudo']],
    ['misc', 'empty/blocked', ['deny']],
    ['misc', 'legacy/x', ['create', 'delete', 'list', 'read', 'update']],
    ['list', 'kv/metadata/', ['list']],
    ['root', 'anything', ['root']],
    ['default', 'cubbyhole/x', ['create', 'delete', 'list', 'read', 'update']],
  ];
  it.each(CASES)('%s: %s → %j', async (fixture, path, expected) => {
    expect((await aclFor(fixture)).capabilities(path)).toEqual(expected);
  });

  it('reports subscribe and recover, which grant no Coffer operation', async () => {
    const acl = new Acl([await parsePolicy('events', 'path "e/*" { capabilities = ["subscribe", "recover", "read"] }')]);
    expect(acl.capabilities('e/x')).toEqual(['read', 'recover', 'subscribe']);
    expect(acl.check({ path: 'e/x', operation: 'update', data: {}, needsSudo: false }).allowed).toBe(false);
  });

  it('is deny for a token without policies', () => {
    expect(new Acl([]).capabilities('secret/foo')).toEqual(['deny']);
  });
});
