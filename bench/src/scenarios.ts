import { randomBytes } from 'node:crypto';
import { api, mount } from '@coffer/e2e';
import type { RequestFactory } from './load/request-spec.js';

export const SCENARIOS = ['kv-read', 'kv-write', 'kv-mixed-90-10', 'token-create', 'approle-login', 'transit-encrypt-1k'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** As vault-benchmark's defaults: 1000 keys; values of 100 bytes. */
export const KV_KEYS = 1000;
const KV_VALUE = 'x'.repeat(100);

/** Runs `work(i)` for i in [from, to) with `width` requests in flight. */
export async function pooled(from: number, to: number, width: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = from;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < to) await work(next++);
  }));
}

/** Writes kv/data/secret-i for i in [from, to); any non-200 stops the run (a benchmark on errors is no benchmark). */
export async function seedKv(origin: string, token: string, from: number, to: number, width = 16): Promise<void> {
  await pooled(from, to, width, async (i) => {
    const res = await api(origin, 'POST', `kv/data/secret-${i}`, { token, body: { data: { value: KV_VALUE } } });
    if (res.status !== 200) throw new Error(`seeding kv/data/secret-${i} answered ${res.status}: ${JSON.stringify(res.json)}`);
  });
}

export const kvRead = (token: string, keys: number): RequestFactory => {
  const headers = { 'x-vault-token': token };
  return () => ({ method: 'GET', path: `/v1/kv/data/secret-${Math.floor(Math.random() * keys)}`, headers });
};

const kvWrite = (token: string, keys: number): RequestFactory => {
  const headers = { 'x-vault-token': token };
  const body = JSON.stringify({ data: { value: KV_VALUE } });
  return () => ({ method: 'POST', path: `/v1/kv/data/secret-${Math.floor(Math.random() * keys)}`, body, headers });
};

/**
 * The short seeding phase of every scenario, once per server: KV v2 at kv/ with 1000 keys, an
 * AppRole role with a secret ID, a transit aes256-gcm96 key (vault-benchmark defaults to RSA, which
 * would measure RSA, not our AES path). Returns one request factory per scenario.
 */
export async function seedScenarios(origin: string, token: string): Promise<Record<ScenarioName, RequestFactory>> {
  await mount(origin, token, 'kv', 'kv-v2');
  await seedKv(origin, token, 0, KV_KEYS);

  const approle = await api(origin, 'POST', 'sys/auth/approle', { token, body: { type: 'approle' } });
  if (approle.status !== 204 && approle.status !== 200) throw new Error(`enabling approle answered ${approle.status}`);
  await api(origin, 'POST', 'auth/approle/role/bench', { token, body: { token_policies: ['default'], token_ttl: '1h' } });
  const roleId = (await api(origin, 'GET', 'auth/approle/role/bench/role-id', { token })).json?.data?.role_id as string;
  const secretId = (await api(origin, 'POST', 'auth/approle/role/bench/secret-id', { token })).json?.data?.secret_id as string;
  if (!roleId || !secretId) throw new Error('could not set up the approle role');

  await mount(origin, token, 'transit', 'transit');
  const key = await api(origin, 'POST', 'transit/keys/bench', { token, body: { type: 'aes256-gcm96' } });
  if (key.status >= 300) throw new Error(`creating the transit key answered ${key.status}`);
  const plaintext = randomBytes(1024).toString('base64');

  const read = kvRead(token, KV_KEYS);
  const write = kvWrite(token, KV_KEYS);
  const headers = { 'x-vault-token': token };
  return {
    'kv-read': read,
    'kv-write': write,
    'kv-mixed-90-10': () => (Math.random() < 0.9 ? read() : write()),
    'token-create': () => ({ method: 'POST', path: '/v1/auth/token/create', body: JSON.stringify({ policies: ['default'], ttl: '1h' }), headers }),
    // A login carries no token, as a real client's does.
    'approle-login': () => ({ method: 'POST', path: '/v1/auth/approle/login', body: JSON.stringify({ role_id: roleId, secret_id: secretId }) }),
    'transit-encrypt-1k': () => ({ method: 'POST', path: '/v1/transit/encrypt/bench', body: JSON.stringify({ plaintext }), headers }),
  };
}
