import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { api, freePort, startCoffer, type CofferProcess } from '../src/coffer-process.js';

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

describe('token expiry across a restart', () => {
  let dir: string;
  let coffer: CofferProcess;
  afterAll(async () => {
    await coffer?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a 2-second token after restart and revokes its children', async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-e2e-ttl-'));
    const port = await freePort();
    coffer = await startCoffer({ dir, port });
    const init = (await api(coffer.address, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } })).json;
    await api(coffer.address, 'PUT', 'sys/unseal', { body: { key: init.keys[0] } });
    const root = init.root_token as string;
    const parent = (await api(coffer.address, 'POST', 'auth/token/create', { token: root, body: { policies: ['root'], ttl: '2s' } })).json.auth
      .client_token as string;
    const child = (await api(coffer.address, 'POST', 'auth/token/create', { token: parent, body: { policies: ['default'], ttl: '1h' } })).json
      .auth.client_token as string;
    expect((await api(coffer.address, 'GET', 'auth/token/lookup-self', { token: child })).status).toBe(200);

    expect(await coffer.stop()).toBe(0);
    // The parent's TTL runs out while the server is down.
    await new Promise((r) => setTimeout(r, 2500));
    coffer = await startCoffer({ dir, port });
    await api(coffer.address, 'PUT', 'sys/unseal', { body: { key: init.keys[0] } });

    expect((await api(coffer.address, 'GET', 'auth/token/lookup-self', { token: parent })).status).toBe(403);
    await eventually(
      async () => (await api(coffer.address, 'GET', 'auth/token/lookup-self', { token: child })).status === 403,
      'child revoked with its expired parent after unseal',
    );
    expect((await api(coffer.address, 'GET', 'auth/token/lookup-self', { token: root })).status).toBe(200);
  });
});
