import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, freePort, startCoffer, type CofferProcess } from '../src/coffer-process.js';

async function initAndUnseal(address: string): Promise<{ keys: string[]; root: string }> {
  const init = await api(address, 'PUT', 'sys/init', { body: { secret_shares: 3, secret_threshold: 2 } });
  expect(init.status).toBe(200);
  await unseal(address, init.json.keys);
  return { keys: init.json.keys, root: init.json.root_token };
}

async function unseal(address: string, keys: string[]): Promise<void> {
  for (const key of keys.slice(0, 2)) await api(address, 'PUT', 'sys/unseal', { body: { key } });
  expect((await api(address, 'GET', 'sys/seal-status')).json.sealed).toBe(false);
}

describe('file storage across a clean restart (process exit)', () => {
  let dir: string;
  let coffer: CofferProcess;
  afterAll(async () => {
    await coffer?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('comes back sealed, unseals with the shards, and every secret and version is intact', async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-e2e-restart-'));
    const port = await freePort();
    coffer = await startCoffer({ dir, port });
    const { keys, root } = await initAndUnseal(coffer.address);
    await api(coffer.address, 'POST', 'sys/mounts/secret', { token: root, body: { type: 'kv-v2' } });
    await api(coffer.address, 'POST', 'sys/mounts/legacy', { token: root, body: { type: 'kv' } });
    for (let i = 0; i < 20; i++) {
      for (let v = 1; v <= 3; v++) {
        const res = await api(coffer.address, 'POST', `secret/data/app/${i}`, { token: root, body: { data: { value: `${i}-${v}` } } });
        expect(res.status).toBe(200);
      }
      await api(coffer.address, 'POST', `legacy/app/${i}`, { token: root, body: { value: `legacy-${i}` } });
    }
    await api(coffer.address, 'DELETE', 'secret/data/app/0', { token: root });
    await api(coffer.address, 'POST', 'sys/rotate', { token: root });
    await api(coffer.address, 'POST', 'secret/data/after-rotate', { token: root, body: { data: { value: 'new-term' } } });
    const child = (await api(coffer.address, 'POST', 'auth/token/create', { token: root, body: { policies: ['default'] } })).json.auth
      .client_token;

    expect(await coffer.stop()).toBe(0);
    coffer = await startCoffer({ dir, port });
    const status = (await api(coffer.address, 'GET', 'sys/seal-status')).json;
    expect(status).toMatchObject({ initialized: true, sealed: true, t: 2, n: 3 });
    expect((await api(coffer.address, 'GET', 'secret/data/app/1', { token: root })).status).toBe(503);
    await unseal(coffer.address, keys.slice(1));

    for (let i = 1; i < 20; i++) {
      for (let v = 1; v <= 3; v++) {
        const res = await api(coffer.address, 'GET', `secret/data/app/${i}?version=${v}`, { token: root });
        expect(res.json.data.data).toEqual({ value: `${i}-${v}` });
      }
      expect((await api(coffer.address, 'GET', `legacy/app/${i}`, { token: root })).json.data).toEqual({ value: `legacy-${i}` });
    }
    const deleted = await api(coffer.address, 'GET', 'secret/data/app/0', { token: root });
    expect(deleted.status).toBe(404);
    expect(deleted.json.data.metadata.version).toBe(3);
    expect((await api(coffer.address, 'GET', 'secret/data/app/0?version=2', { token: root })).json.data.data).toEqual({ value: '0-2' });
    expect((await api(coffer.address, 'GET', 'secret/data/after-rotate', { token: root })).json.data.data).toEqual({ value: 'new-term' });
    expect((await api(coffer.address, 'GET', 'sys/key-status', { token: root })).json.data.term).toBe(2);
    expect((await api(coffer.address, 'GET', 'auth/token/lookup-self', { token: child })).status).toBe(200);
    expect((await api(coffer.address, 'LIST', 'secret/metadata/app', { token: root })).json.data.keys).toHaveLength(20);

    // Nothing secret reaches the logs: not the root token, a key share, nor a secret value.
    const logs = coffer.output();
    for (const needle of [root, child, ...keys, 'legacy-1', 'new-term']) expect(logs).not.toContain(needle);
  });
});

describe('file storage after SIGKILL with writes in flight', () => {
  let dir: string;
  let coffer: CofferProcess;
  let port: number;
  let keys: string[];
  let root: string;
  /** Every write the server acknowledged, as key → value at version. */
  const acknowledged = new Map<string, string>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-e2e-crash-'));
    port = await freePort();
    coffer = await startCoffer({ dir, port });
    ({ keys, root } = await initAndUnseal(coffer.address));
    await api(coffer.address, 'POST', 'sys/mounts/secret', { token: root, body: { type: 'kv-v2' } });
    await api(coffer.address, 'POST', 'secret/config', { token: root, body: { max_versions: 1000 } });
  });
  afterAll(async () => {
    await coffer?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  for (const round of [1, 2, 3]) {
    it(`round ${round}: every acknowledged write survives a kill -9`, async () => {
      let stop = false;
      let count = 0;
      const writer = async (w: number) => {
        for (let n = 0; !stop; n++) {
          const key = `r${round}/w${w}/k${n % 5}`;
          const value = `round${round}-writer${w}-n${n}`;
          try {
            const res = await api(coffer.address, 'POST', `secret/data/${key}`, { token: root, body: { data: { value } } });
            if (res.status === 200) {
              acknowledged.set(`${key}@${res.json.data.version}`, value);
              count++;
            }
          } catch {
            return; // the connection died with the process
          }
        }
      };
      const writers = Array.from({ length: 8 }, (_, w) => writer(w));
      while (count < 150) await new Promise((r) => setTimeout(r, 5));
      await coffer.kill();
      stop = true;
      await Promise.all(writers);

      coffer = await startCoffer({ dir, port });
      await unseal(coffer.address, keys);
      for (const [at, value] of acknowledged) {
        const [key, version] = at.split('@') as [string, string];
        const res = await api(coffer.address, 'GET', `secret/data/${key}?version=${version}`, { token: root });
        expect(res.json?.data?.data, `${at} after round ${round}`).toEqual({ value });
      }
    });
  }
});
