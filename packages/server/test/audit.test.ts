import { mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditLog } from '@coffer/audit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditDeviceSpec } from '../src/core/audit/audit-manager.js';
import { call, createTestApp, initAndUnseal, type TestApp } from './helpers.js';

const fileDevice = (filePath: string, path = 'file/'): AuditDeviceSpec => ({
  path,
  type: 'file',
  description: '',
  options: { file_path: filePath },
  local: false,
  source: 'config',
});

const entries = async (file: string) =>
  (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, any>)
    .filter((entry) => entry.type === 'request' || entry.type === 'response');

describe('audit log of a scripted session', () => {
  let dir: string;
  let log: string;
  let t: TestApp;
  let root: string;
  const secrets: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-audit-'));
    log = join(dir, 'audit.log');
    t = await createTestApp({ audit: { devices: [fileDevice(log)], allowApi: true } });
    root = (await initAndUnseal(t)).rootToken;
    secrets.push(root);
    await call(t, root, 'POST', '/v1/sys/mounts/secret', { type: 'kv-v2' });
    await call(t, root, 'POST', '/v1/secret/data/app', { data: { password: 'audit-me-never' } });
    secrets.push('audit-me-never');
    await call(t, root, 'GET', '/v1/secret/data/app');
    await call(t, root, 'PUT', '/v1/sys/policies/acl/reader', { policy: 'path "secret/data/*" { capabilities = ["read"] }' });
    await call(t, root, 'POST', '/v1/sys/auth/userpass', { type: 'userpass' });
    await call(t, root, 'POST', '/v1/auth/userpass/users/bob', { password: 'bobs-password-1', token_policies: 'reader' });
    secrets.push('bobs-password-1');
    await t.app.inject({ method: 'POST', url: '/v1/auth/userpass/login/bob', payload: { password: 'not-bobs-password' }, remoteAddress: '10.9.8.7' });
    secrets.push('not-bobs-password');
    const login = await t.app.inject({ method: 'POST', url: '/v1/auth/userpass/login/bob', payload: { password: 'bobs-password-1' } });
    const bob = login.json().auth.client_token as string;
    secrets.push(bob);
    await call(t, bob, 'POST', '/v1/secret/data/app', { data: { password: 'denied-write' } });
    secrets.push('denied-write');
    await call(t, 'hvs.forgedforgedforgedforged', 'GET', '/v1/secret/data/app');
  });
  afterAll(async () => t.close());

  it('records every request and response with path, operation, client address and HMACed accessor', async () => {
    const all = await entries(log);
    const requests = all.filter((e) => e.type === 'request');
    const responses = all.filter((e) => e.type === 'response');
    expect(requests.length).toBe(responses.length);
    const paths = requests.map((e) => `${e.request.operation} ${e.request.path}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'update sys/mounts/secret',
        'create secret/data/app',
        'read secret/data/app',
        'update sys/policies/acl/reader',
        'update auth/userpass/login/bob',
        'update secret/data/app',
      ]),
    );
    for (const entry of requests) {
      expect(entry.request.remote_address).toMatch(/^(127\.0\.0\.1|10\.9\.8\.7)$/);
      if (entry.auth?.accessor) expect(entry.auth.accessor).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    }
    const failedLogin = responses.find((e) => e.request.remote_address === '10.9.8.7');
    expect(failedLogin?.error).toBe('invalid username or password');
    const denied = responses.filter((e) => e.error === 'permission denied');
    expect(denied.length).toBeGreaterThanOrEqual(2);
    const login = responses.find((e) => e.request.path === 'auth/userpass/login/bob' && !e.error);
    expect(login?.response.auth.client_token).toMatch(/^hmac-sha256:/);
  });

  it('writes no secret value, password or token in clear anywhere in the file', async () => {
    const text = await readFile(log, 'utf8');
    for (const secret of secrets) expect(text).not.toContain(secret);
  });

  it('gives operators the HMAC of a value to search the log with', async () => {
    const res = await call(t, root, 'POST', '/v1/sys/audit-hash/file', { input: 'audit-me-never' });
    const hash = res.json().data.hash as string;
    expect(hash).toMatch(/^hmac-sha256:/);
    expect(await readFile(log, 'utf8')).toContain(hash);
  });

  it('keeps a hash chain that verifies, and names the line where it breaks', async () => {
    const key = Buffer.from((await call(t, root, 'GET', '/v1/sys/audit-chain/key')).json().data.key, 'base64');
    const text = await readFile(log, 'utf8');
    expect(verifyAuditLog(text, { key })).toMatchObject({ ok: true });
    const lines = text.split('\n');
    lines.splice(5, 1);
    const broken = verifyAuditLog(lines.join('\n'), { key });
    expect(broken).toMatchObject({ ok: false, line: 6 });
  });

  it('refuses a file device on a pseudo-filesystem at once', async () => {
    const res = await call(t, root, 'PUT', '/v1/sys/audit/nowhere', { type: 'file', options: { file_path: '/proc/coffer/audit.log' } });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors[0]).toMatch(/pseudo-filesystem/);
  });

  it('lists devices with where they came from, and refuses to disable a config device', async () => {
    const list = (await call(t, root, 'GET', '/v1/sys/audit')).json();
    expect(list.data['file/']).toMatchObject({ type: 'file', source: 'config', options: { file_path: log } });
    expect(list['file/']).toBeDefined();
    expect((await call(t, root, 'DELETE', '/v1/sys/audit/file')).statusCode).toBe(400);
  });
});

describe('audit fails closed', () => {
  it('refuses every request when the only device cannot write, and serves when a second one can', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-audit-'));
    await writeFile(join(dir, 'not-a-dir'), 'x');
    const broken = fileDevice(join(dir, 'not-a-dir', 'audit.log'));
    const t = await createTestApp({ audit: { devices: [broken], allowApi: true } });
    const { rootToken } = await initAndUnseal(t);
    const refused = await call(t, rootToken, 'GET', '/v1/auth/token/lookup-self');
    expect(refused.statusCode).toBe(500);
    expect(refused.json()).toEqual({ errors: ['internal error'] });
    // Status endpoints are not audited and keep answering.
    expect((await t.app.inject({ url: '/v1/sys/health' })).statusCode).toBe(200);
    await t.close();

    const both = await createTestApp({ audit: { devices: [broken, fileDevice(join(dir, 'ok.log'), 'good/')], allowApi: true } });
    const again = await initAndUnseal(both);
    expect((await call(both, again.rootToken, 'GET', '/v1/auth/token/lookup-self')).statusCode).toBe(200);
    expect((await entries(join(dir, 'ok.log'))).length).toBeGreaterThan(0);
    await both.close();
  });

  it('bounds a socket device that accepts but never reads: it fails after its timeout while another device carries on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-audit-'));
    const held: Socket[] = [];
    const blackhole: Server = createServer((socket) => {
      socket.pause();
      held.push(socket);
    });
    await new Promise<void>((r) => blackhole.listen(0, '127.0.0.1', r));
    const port = (blackhole.address() as { port: number }).port;
    const t = await createTestApp({ audit: { devices: [fileDevice(join(dir, 'a.log'))], allowApi: true } });
    const { rootToken } = await initAndUnseal(t);
    const enable = await call(t, rootToken, 'PUT', '/v1/sys/audit/sock', {
      type: 'socket',
      options: { address: `127.0.0.1:${port}`, socket_type: 'tcp', write_timeout: '300ms', skip_test: true },
    });
    expect(enable.statusCode).toBe(204);
    const big = 'x'.repeat(256 * 1024);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => call(t, rootToken, 'PUT', `/v1/sys/policies/acl/p${i}`, { policy: `# ${big}\npath "a" { capabilities = ["read"] }` })));
    expect(results.every((r) => r.statusCode === 204)).toBe(true);
    expect((await t.app.inject({ url: '/v1/sys/health' })).statusCode).toBe(200);
    await t.close();
    for (const socket of held) socket.destroy();
    blackhole.close();
  });

  it('starts a new file after rotation (reopen), losing no entry', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-audit-'));
    const log = join(dir, 'audit.log');
    const t = await createTestApp({ audit: { devices: [fileDevice(log)], allowApi: true } });
    const { rootToken } = await initAndUnseal(t);
    for (let i = 0; i < 5; i++) await call(t, rootToken, 'GET', '/v1/auth/token/lookup-self');
    await rename(log, `${log}.1`);
    const during = Array.from({ length: 10 }, () => call(t, rootToken, 'GET', '/v1/auth/token/lookup-self'));
    await t.core.reopenAuditDevices();
    await Promise.all(during);
    for (let i = 0; i < 5; i++) await call(t, rootToken, 'GET', '/v1/auth/token/lookup-self');
    const total = (await entries(`${log}.1`)).length + (await entries(log)).length;
    expect(total).toBe(2 * 20);
    expect((await entries(log)).length).toBeGreaterThan(0);
    await t.close();
  });
});
