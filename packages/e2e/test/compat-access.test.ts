import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import nodeVault from 'node-vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startCoffer, type CofferProcess } from '../src/coffer-process.js';

const run = promisify(execFile);

/**
 * Issue 3 through unchanged real clients: AppRole and userpass logins, and a read-only policy that
 * gets 403 on writes and on other paths — node-vault and Debian's python3-hvac.
 */
describe('identity and access through real clients', () => {
  let dir: string;
  let coffer: CofferProcess;
  let root: string;
  let roleId: string;
  const secretIds: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-e2e-access-'));
    coffer = await startCoffer({ dir });
    const init = (await api(coffer.address, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } })).json;
    await api(coffer.address, 'PUT', 'sys/unseal', { body: { key: init.keys[0] } });
    root = init.root_token;
    const as = (method: string, path: string, body?: unknown) =>
      api(coffer.address, method, path, { token: root, ...(body !== undefined ? { body } : {}) });
    await as('POST', 'sys/mounts/secret', { type: 'kv-v2' });
    await as('POST', 'secret/data/app/config', { data: { db: 'postgres://app' } });
    await as('PUT', 'sys/policies/acl/app-ro', {
      policy: 'path "secret/data/app/*" { capabilities = ["read"] }\npath "secret/metadata/app/*" { capabilities = ["list"] }',
    });
    await as('POST', 'sys/auth/approle', { type: 'approle' });
    await as('POST', 'sys/auth/userpass', { type: 'userpass' });
    await as('POST', 'auth/approle/role/app', { token_policies: ['app-ro'], token_ttl: '10m' });
    roleId = (await as('GET', 'auth/approle/role/app/role-id')).json.data.role_id;
    for (let i = 0; i < 2; i++) secretIds.push((await as('POST', 'auth/approle/role/app/secret-id')).json.data.secret_id);
    await as('POST', 'auth/userpass/users/alice', { password: 'wonder-land-9', token_policies: ['app-ro'] });
  });
  afterAll(async () => {
    await coffer?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('node-vault: approleLogin and userpassLogin give read-only tokens that get 403 on writes', async () => {
    const viaRole = nodeVault({ apiVersion: 'v1', endpoint: coffer.address });
    const login = await viaRole.approleLogin({ role_id: roleId, secret_id: secretIds[0] });
    expect(login.auth.policies).toEqual(['app-ro', 'default']);
    expect(viaRole.token).toBe(login.auth.client_token);
    expect((await viaRole.read('secret/data/app/config')).data.data).toEqual({ db: 'postgres://app' });
    await expect(viaRole.write('secret/data/app/config', { data: { db: 'x' } })).rejects.toMatchObject({ response: { statusCode: 403 } });
    await expect(viaRole.read('secret/data/other')).rejects.toMatchObject({ response: { statusCode: 403 } });
    await expect(viaRole.mounts()).rejects.toMatchObject({ response: { statusCode: 403 } });

    const viaUser = nodeVault({ apiVersion: 'v1', endpoint: coffer.address });
    const userLogin = await viaUser.userpassLogin({ username: 'alice', password: 'wonder-land-9' });
    expect(userLogin.auth.metadata).toEqual({ username: 'alice' });
    expect((await viaUser.list('secret/metadata/app')).data.keys).toEqual(['config']);
    await expect(viaUser.delete('secret/data/app/config')).rejects.toMatchObject({ response: { statusCode: 403 } });
    await expect(viaUser.userpassLogin({ username: 'alice', password: 'wrong' })).rejects.toMatchObject({ response: { statusCode: 400 } });
  });

  it('python3-hvac: approle and userpass logins, and 403 (Forbidden) on writes', async () => {
    const script = String.raw`
import json, sys, hvac
url, role_id, secret_id = sys.argv[1], sys.argv[2], sys.argv[3]
out = {}
c = hvac.Client(url=url)
login = c.auth.approle.login(role_id=role_id, secret_id=secret_id)
out["approle_policies"] = login["auth"]["policies"]
out["read"] = c.secrets.kv.v2.read_secret_version(path="app/config")["data"]["data"]
try:
    c.secrets.kv.v2.create_or_update_secret(path="app/config", secret={"db": "x"})
    out["write"] = "allowed"
except hvac.exceptions.Forbidden:
    out["write"] = "Forbidden"
u = hvac.Client(url=url)
u.auth.userpass.login(username="alice", password="wonder-land-9")
out["userpass_list"] = u.secrets.kv.v2.list_secrets(path="app")["data"]["keys"]
try:
    u.secrets.kv.v2.read_secret_version(path="other")
    out["other"] = "allowed"
except hvac.exceptions.Forbidden:
    out["other"] = "Forbidden"
try:
    hvac.Client(url=url).auth.approle.login(role_id=role_id, secret_id="nope")
    out["bad_secret"] = "accepted"
except hvac.exceptions.InvalidRequest as e:
    out["bad_secret"] = str(e)
print(json.dumps(out))
`;
    await writeFile(join(dir, 'access.py'), script);
    const { stdout } = await run('/usr/bin/python3', [join(dir, 'access.py'), coffer.address, roleId, secretIds[1] as string], {
      timeout: 60_000,
    });
    expect(JSON.parse(stdout.trim().split('\n').at(-1) as string)).toEqual({
      approle_policies: ['app-ro', 'default'],
      read: { db: 'postgres://app' },
      write: 'Forbidden',
      userpass_list: ['config'],
      other: 'Forbidden',
      bad_secret: expect.stringContaining('invalid role or secret ID'),
    });
  });
});
