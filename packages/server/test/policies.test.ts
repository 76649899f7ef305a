import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, initAndUnseal, type TestApp } from './helpers.js';

describe('ACL policies through the API', () => {
  let t: TestApp;
  let root: string;
  const tokenWith = async (policies: string[]) =>
    (await call(t, root, 'POST', '/v1/auth/token/create', { policies })).json().auth.client_token as string;

  beforeAll(async () => {
    t = await createTestApp();
    root = (await initAndUnseal(t)).rootToken;
    await call(t, root, 'POST', '/v1/sys/mounts/secret', { type: 'kv-v2' });
    await call(t, root, 'POST', '/v1/secret/data/app/existing', { data: { v: 1 } });
  });
  afterAll(async () => t.close());

  it('writes, reads, lists and deletes policies in HCL and JSON, both API shapes', async () => {
    const hcl = 'path "secret/data/app/*" {\n  capabilities = ["read", "list"]\n}\n';
    expect((await call(t, root, 'PUT', '/v1/sys/policies/acl/reader', { policy: hcl })).statusCode).toBe(204);
    expect((await call(t, root, 'GET', '/v1/sys/policies/acl/reader')).json().data).toEqual({ name: 'reader', policy: hcl });
    const json = JSON.stringify({ path: { 'secret/data/ops/*': { capabilities: ['create', 'update'] } } });
    expect((await call(t, root, 'PUT', '/v1/sys/policy/Writer', { rules: json })).statusCode).toBe(204);
    expect((await call(t, root, 'GET', '/v1/sys/policy/writer')).json().data).toEqual({ name: 'writer', rules: json });
    const encoded = Buffer.from('path "x/*" { capabilities = ["read"] }').toString('base64');
    expect((await call(t, root, 'PUT', '/v1/sys/policies/acl/b64', { policy: encoded })).statusCode).toBe(204);
    expect((await call(t, root, 'GET', '/v1/sys/policies/acl/b64')).json().data.policy).toContain('capabilities');
    const list = await call(t, root, 'GET', '/v1/sys/policies/acl?list=true');
    expect(list.json().data.keys).toEqual(['b64', 'default', 'reader', 'response-wrapping', 'root', 'writer']);
    expect((await call(t, root, 'GET', '/v1/sys/policy')).json().policies).toContain('reader');
    expect((await call(t, root, 'DELETE', '/v1/sys/policies/acl/b64')).statusCode).toBe(204);
    expect((await call(t, root, 'GET', '/v1/sys/policies/acl/b64')).statusCode).toBe(404);
  });

  it('refuses bad policies with line and column, and protects root and default', async () => {
    const midStar = await call(t, root, 'PUT', '/v1/sys/policies/acl/bad', { policy: 'path "secret/*/x" { capabilities = ["read"] }' });
    expect(midStar.statusCode).toBe(400);
    expect(midStar.json().errors[0]).toMatch(/policy "bad":1/);
    const unknownCap = await call(t, root, 'PUT', '/v1/sys/policies/acl/bad', { policy: 'path "a" { capabilities = ["fly"] }' });
    expect(unknownCap.json().errors[0]).toMatch(/fly/);
    const syntax = await call(t, root, 'PUT', '/v1/sys/policies/acl/bad', { policy: 'path "a" {\n  capabilities = [\n' });
    expect(syntax.statusCode).toBe(400);
    expect(syntax.json().errors[0]).toMatch(/policy "bad":\d+:\d+/);
    const huge = 'path "a/*" { capabilities = ["read"] }\n'.repeat(40_000);
    expect((await call(t, root, 'PUT', '/v1/sys/policies/acl/huge', { policy: huge })).statusCode).toBe(400);
    // Deep nesting inside the policy string (the body's own JSON depth is fine): a 400, never a stack overflow.
    const deep = `path "a" { allowed_parameters = ${'{ "k" = '.repeat(20_000)}[]${' }'.repeat(20_000)} }`;
    const nested = await call(t, root, 'PUT', '/v1/sys/policies/acl/deep', { policy: deep });
    expect(nested.statusCode).toBe(400);
    expect(nested.json().errors[0]).toMatch(/nested deeper than 64 levels/);
    const deepPassword = await call(t, root, 'PUT', '/v1/sys/policies/password/deep', { policy: `length = 20\nrule "charset" ${'{ x = '.repeat(20_000)}1${' }'.repeat(20_000)}` });
    expect(deepPassword.statusCode).toBe(400);
    expect((await call(t, root, 'PUT', '/v1/sys/policies/acl/root', { policy: 'path "a" { capabilities = ["read"] }' })).statusCode).toBe(400);
    expect((await call(t, root, 'DELETE', '/v1/sys/policies/acl/default')).statusCode).toBe(400);
    expect((await call(t, root, 'PUT', '/v1/sys/policies/acl/empty', { policy: '' })).statusCode).toBe(400);
    expect((await call(t, root, 'GET', '/v1/sys/policies/acl/bad')).statusCode).toBe(404);
  });

  it('enforces a read-only policy: reads pass, writes and other paths get 403', async () => {
    await call(t, root, 'PUT', '/v1/sys/policies/acl/ro', {
      policy: 'path "secret/data/app/*" { capabilities = ["read"] }\npath "secret/metadata/app/*" { capabilities = ["list"] }',
    });
    const ro = await tokenWith(['ro']);
    expect((await call(t, ro, 'GET', '/v1/secret/data/app/existing')).statusCode).toBe(200);
    expect((await call(t, ro, 'GET', '/v1/secret/metadata/app/?list=true')).statusCode).toBe(200);
    expect((await call(t, ro, 'POST', '/v1/secret/data/app/existing', { data: { v: 2 } })).statusCode).toBe(403);
    expect((await call(t, ro, 'DELETE', '/v1/secret/data/app/existing')).statusCode).toBe(403);
    expect((await call(t, ro, 'GET', '/v1/secret/data/other')).statusCode).toBe(403);
    expect((await call(t, ro, 'GET', '/v1/sys/mounts')).statusCode).toBe(403);
  });

  it('tells create from update by whether the key exists', async () => {
    await call(t, root, 'PUT', '/v1/sys/policies/acl/creator', { policy: 'path "secret/data/app/*" { capabilities = ["create"] }' });
    await call(t, root, 'PUT', '/v1/sys/policies/acl/updater', { policy: 'path "secret/data/app/*" { capabilities = ["update"] }' });
    const creator = await tokenWith(['creator']);
    const updater = await tokenWith(['updater']);
    expect((await call(t, creator, 'POST', '/v1/secret/data/app/new1', { data: { v: 1 } })).statusCode).toBe(200);
    expect((await call(t, creator, 'POST', '/v1/secret/data/app/existing', { data: { v: 3 } })).statusCode).toBe(403);
    expect((await call(t, updater, 'POST', '/v1/secret/data/app/new2', { data: { v: 1 } })).statusCode).toBe(403);
    expect((await call(t, updater, 'POST', '/v1/secret/data/app/existing', { data: { v: 4 } })).statusCode).toBe(200);
  });

  it('applies a policy change to existing tokens at once (the ACL cache is invalidated)', async () => {
    await call(t, root, 'PUT', '/v1/sys/policies/acl/flip', { policy: 'path "secret/data/app/*" { capabilities = ["read"] }' });
    const token = await tokenWith(['flip']);
    expect((await call(t, token, 'GET', '/v1/secret/data/app/existing')).statusCode).toBe(200);
    await call(t, root, 'PUT', '/v1/sys/policies/acl/flip', { policy: 'path "secret/data/app/*" { capabilities = ["deny"] }' });
    expect((await call(t, token, 'GET', '/v1/secret/data/app/existing')).statusCode).toBe(403);
  });

  it('requires sudo on root-protected paths', async () => {
    await call(t, root, 'PUT', '/v1/sys/policies/acl/ops', {
      policy: 'path "sys/rotate" { capabilities = ["update"] }\npath "sys/auth/*" { capabilities = ["create", "update", "sudo"] }',
    });
    const ops = await tokenWith(['ops']);
    expect((await call(t, ops, 'POST', '/v1/sys/rotate')).statusCode).toBe(403);
    expect((await call(t, ops, 'POST', '/v1/sys/auth/up', { type: 'userpass' })).statusCode).toBe(204);
  });

  it('lets a child token hold only its parent’s policies', async () => {
    await call(t, root, 'PUT', '/v1/sys/policies/acl/minter', { policy: 'path "auth/token/create" { capabilities = ["update"] }' });
    const minter = await tokenWith(['minter', 'ro']);
    const ok = await call(t, minter, 'POST', '/v1/auth/token/create', { policies: ['ro'] });
    expect(ok.statusCode).toBe(200);
    const escalate = await call(t, minter, 'POST', '/v1/auth/token/create', { policies: ['ops'] });
    expect(escalate.statusCode).toBe(400);
    expect(escalate.json().errors[0]).toMatch(/subset of parent/);
  });

  it('reports capabilities from stored policies', async () => {
    const ro = await tokenWith(['ro']);
    const caps = await call(t, ro, 'POST', '/v1/sys/capabilities-self', { paths: ['secret/data/app/x', 'secret/data/other'] });
    expect(caps.json().data).toMatchObject({ 'secret/data/app/x': ['read'], 'secret/data/other': ['deny'] });
  });
});
