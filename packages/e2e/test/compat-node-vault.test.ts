import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCertificates, type TestCertificates } from '@coffer/testkit';
import nodeVault from 'node-vault';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCoffer, type CofferProcess } from '../src/coffer-process.js';

/** node-vault 0.12, unchanged, against a real coffer process: over plain http and over TLS. */
describe.each([
  ['http', false],
  ['TLS', true],
])('node-vault over %s', (_name, useTls) => {
  let dir: string;
  let coffer: CofferProcess;
  let certs: TestCertificates | undefined;
  let vault: nodeVault.client;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-e2e-nv-'));
    certs = useTls ? await createTestCertificates(join(dir, 'tls')) : undefined;
    coffer = await startCoffer({ dir, ...(certs ? { tls: certs } : {}) });
    vault = nodeVault({
      apiVersion: 'v1',
      endpoint: coffer.address,
      ...(certs ? { requestOptions: { ca: await readFile(certs.caFile) } } : {}),
    });
  });
  afterAll(async () => {
    await coffer?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('initialises with 5 shares and threshold 3, and unseals with 3 of them', async () => {
    expect(await vault.initialized()).toEqual({ initialized: false });
    const init = await vault.init({ secret_shares: 5, secret_threshold: 3 });
    expect(init.keys).toHaveLength(5);
    expect(init.root_token).toMatch(/^hvs\./);
    vault.token = init.root_token;
    const sealed = await vault.status();
    expect(sealed).toMatchObject({ sealed: true, t: 3, n: 5, progress: 0 });
    for (const [i, key] of init.keys.slice(1, 4).entries()) {
      const status = await vault.unseal({ key });
      expect(status.progress).toBe(i === 2 ? 0 : i + 1);
      expect(status.sealed).toBe(i !== 2);
    }
    expect(await vault.status()).toMatchObject({ sealed: false, initialized: true });
  });

  it('reports health', async () => {
    const health = await vault.health();
    expect(health).toMatchObject({ initialized: true, sealed: false, standby: false });
  });

  it('writes, reads, lists and deletes KV v2 secrets', async () => {
    await vault.mount({ mount_point: 'secret', type: 'kv', options: { version: '2' } });
    const written = await vault.write('secret/data/app/db', { data: { username: 'app', password: 'pa55' } });
    expect(written.data.version).toBe(1);
    await vault.write('secret/data/app/api', { data: { key: 'k-1' } });
    await vault.write('secret/data/app/db', { data: { username: 'app', password: 'pa66' } });

    const read = await vault.read('secret/data/app/db');
    expect(read.data.data).toEqual({ username: 'app', password: 'pa66' });
    expect(read.data.metadata.version).toBe(2);

    const list = await vault.list('secret/metadata/app');
    expect(list.data.keys).toEqual(['api', 'db']);
    const top = await vault.list('secret/metadata/');
    expect(top.data.keys).toEqual(['app/']);

    await vault.delete('secret/metadata/app/db');
    await expect(vault.read('secret/data/app/db')).rejects.toMatchObject({ response: { statusCode: 404 } });
    expect((await vault.list('secret/metadata/app')).data.keys).toEqual(['api']);
  });

  it('gets a clear error for a forged token', async () => {
    const forged = nodeVault({
      apiVersion: 'v1',
      endpoint: coffer.address,
      token: 'hvs.forgedforgedforgedforged',
      ...(certs ? { requestOptions: { ca: await readFile(certs.caFile) } } : {}),
    });
    await expect(forged.read('secret/data/app/api')).rejects.toMatchObject({
      message: 'permission denied',
      response: { statusCode: 403 },
    });
  });
});
