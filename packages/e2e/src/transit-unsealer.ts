import { expect } from 'vitest';
import { api, freePort, startCoffer, type CofferProcess } from './coffer-process.js';
import { sealStanza, type SealFixture } from './seal-fixtures.js';

const KEY = 'autounseal';

/** Only what the transit seal needs, as Vault's auto-unseal guide grants it. */
const POLICY = `
path "transit/encrypt/${KEY}" { capabilities = ["update"] }
path "transit/decrypt/${KEY}" { capabilities = ["update"] }
path "auth/token/renew-self" { capabilities = ["update"] }
`;

/**
 * A second, real Coffer process (Shamir-sealed, file storage) whose transit engine unseals the one
 * under test. "Down" stops the process; "up" starts it again on the same port and unseals it with
 * its key, as its operator would.
 */
export async function transitUnsealerFixture(dir: string): Promise<SealFixture> {
  const port = await freePort();
  let unsealer: CofferProcess | undefined = await startCoffer({ dir, port });
  const init = await api(unsealer.address, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  expect(init.status).toBe(200);
  const unsealKey = init.json.keys[0] as string;
  const root = init.json.root_token as string;
  const unseal = async (coffer: CofferProcess) => {
    const res = await api(coffer.address, 'PUT', 'sys/unseal', { body: { key: unsealKey } });
    expect(res.json.sealed).toBe(false);
  };
  await unseal(unsealer);

  const call = async (method: string, path: string, body?: unknown) => {
    const res = await api((unsealer as CofferProcess).address, method, path, { token: root, body });
    expect(res.status, `${method} ${path}: ${JSON.stringify(res.json)}`).toBeLessThan(300);
    return res.json;
  };
  await call('POST', 'sys/mounts/transit', { type: 'transit' });
  await call('POST', `transit/keys/${KEY}`, {});
  await call('PUT', 'sys/policies/acl/autounseal', { policy: POLICY });
  // An orphan periodic token, so the unsealer's root token can be revoked without sealing anyone.
  const created = await call('POST', 'auth/token/create-orphan', { policies: ['autounseal'], period: '24h' });
  const token = created.auth.client_token as string;

  return {
    type: 'transit',
    stanza: sealStanza('transit', { address: unsealer.address, token, key_name: KEY, mount_path: 'transit/' }),
    secrets: [token, root, unsealKey, init.json.keys_base64[0] as string],
    downReason: /^transit seal: decrypt with key "autounseal" .* failed: the KMS cannot be reached: ECONNREFUSED/,
    async down() {
      expect(await unsealer?.stop()).toBe(0);
      unsealer = undefined;
    },
    async up() {
      unsealer = await startCoffer({ dir, port });
      await unseal(unsealer);
    },
    async close() {
      await unsealer?.stop();
    },
  };
}
