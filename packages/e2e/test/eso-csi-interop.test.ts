import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubernetesFake, type KubernetesFake } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startCoffer, type CofferProcess } from '../src/coffer-process.js';
import { initialiseAndUnseal, mount } from '../src/coffer-setup.js';
import { goReadResult, goSecretProblems, goVaultRequest, isRfc3339, type GoReply, type GoRequest } from '../src/vault-go-wire.js';

/**
 * External Secrets Operator's Vault provider and the Secrets Store CSI driver's Vault provider,
 * replayed call by call (reference/k8s.md §4) against a live Coffer whose Kubernetes auth method
 * reviews tokens with the Kubernetes API fake. Each response is checked for what those providers
 * read from it, with the JSON types their Go client decodes into.
 */
let fake: KubernetesFake;
let coffer: CofferProcess;
let root: string;

const call = (request: GoRequest): Promise<GoReply> => goVaultRequest(coffer.address, request);
const admin = async (method: string, path: string, body?: unknown) => {
  const res = await api(coffer.address, method, path, { token: root, ...(body === undefined ? {} : { body }) });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.json)}`);
  return res;
};

beforeAll(async () => {
  fake = await startKubernetesFake();
  coffer = await startCoffer({ dir: await mkdtemp(join(tmpdir(), 'coffer-interop-')) });
  root = (await initialiseAndUnseal(coffer.address)).rootToken;
  await mount(coffer.address, root, 'secret', 'kv-v2');
  await mount(coffer.address, root, 'transit', 'transit');
  await admin('POST', 'transit/keys/app');
  await admin('POST', 'sys/auth/kubernetes', { type: 'kubernetes' });
  await admin('POST', 'auth/kubernetes/config', { kubernetes_host: fake.url, kubernetes_ca_cert: fake.caPem, token_reviewer_jwt: fake.reviewerToken });
  await admin('PUT', 'sys/policies/acl/eso', {
    policy: 'path "secret/data/app/*" { capabilities = ["read"] }\npath "secret/metadata/app/*" { capabilities = ["read", "list"] }\n',
  });
  await admin('PUT', 'sys/policies/acl/csi', {
    policy: 'path "secret/data/app/*" { capabilities = ["read"] }\npath "transit/encrypt/app" { capabilities = ["update"] }\n',
  });
  const role = (names: string, namespaces: string, policies: string, extra: Record<string, unknown> = {}) => ({
    bound_service_account_names: names,
    bound_service_account_namespaces: namespaces,
    token_policies: policies,
    token_ttl: '1h',
    ...extra,
  });
  await admin('POST', 'auth/kubernetes/role/eso', role('external-secrets', 'external-secrets', 'eso'));
  await admin('POST', 'auth/kubernetes/role/eso-short', role('external-secrets', 'external-secrets', 'eso', { token_ttl: '30s' }));
  await admin('POST', 'auth/kubernetes/role/csi', role('web', 'app', 'csi', { audience: 'vault' }));
  // Two versions of app/config, custom metadata on it, a nested key, and a deleted secret.
  await admin('POST', 'secret/data/app/config', { data: { username: 'app', password: 'old' } });
  await admin('POST', 'secret/data/app/config', { data: { username: 'app', password: 's3cret', limits: { max: 5 } } });
  await admin('POST', 'secret/metadata/app/config', { custom_metadata: { team: 'payments', 'managed-by': 'external-secrets' } });
  await admin('POST', 'secret/data/app/db/creds', { data: { dsn: 'postgres://db' } });
  await admin('POST', 'secret/data/app/gone', { data: { x: '1' } });
  await admin('DELETE', 'secret/data/app/gone');
}, 60_000);
afterAll(async () => {
  await coffer?.stop();
  await fake?.close();
});

/** ESO's `checkToken`: reuse the token unless batch, nearly expired (ttl < 60 with an expiry) or past its expiry. */
function esoKeepsToken(lookup: GoReply): boolean {
  const data = lookup.json.data as { type: unknown; ttl: unknown; expire_time: unknown };
  expect(Object.keys(data)).toEqual(expect.arrayContaining(['type', 'ttl', 'expire_time']));
  expect(typeof data.type).toBe('string');
  expect(Number.isInteger(data.ttl)).toBe(true); // decoded as json.Number, then Int64()
  expect(data.expire_time === null || isRfc3339(data.expire_time)).toBe(true);
  if (data.type === 'batch') return false;
  if ((data.ttl as number) < 60 && data.expire_time !== null) return false;
  return data.expire_time === null || new Date(data.expire_time as string).getTime() > Date.now();
}

/** ESO's buildPath for a v2 store with `path: secret`. */
const esoDataPath = (key: string) => `secret/data/${key}`;

async function esoLogin(role = 'eso'): Promise<string> {
  const jwt = await fake.issueServiceAccountToken({ namespace: 'external-secrets', name: 'external-secrets' });
  // vault/api/auth/kubernetes: Logical().Write → PUT, body {"jwt","role"} (Go sorts map keys).
  const login = await call({ method: 'PUT', path: 'auth/kubernetes/login', body: { jwt, role } });
  expect(login.status).toBe(200);
  expect(goSecretProblems(login.json)).toEqual([]);
  // api.Auth.Login refuses a response without auth.client_token, and one asking for MFA.
  expect(login.json.auth.client_token).toMatch(/^hvs\.|^s\.|.{20,}/);
  expect(login.json.auth.mfa_requirement ?? null).toBeNull();
  return login.json.auth.client_token as string;
}

describe('External Secrets Operator: Vault provider, kubernetes auth, KV v2', () => {
  it('logs in, validates the store with lookup-self, and keeps a token that has time left', async () => {
    const token = await esoLogin();
    const lookup = await call({ method: 'GET', path: 'auth/token/lookup-self', token });
    expect(lookup.status).toBe(200);
    expect(goSecretProblems(lookup.json)).toEqual([]);
    expect(lookup.json.data).toMatchObject({ type: 'service', policies: expect.arrayContaining(['eso']) });
    expect(esoKeepsToken(lookup)).toBe(true);
  });

  it('logs in again for a token with under a minute left (ttl < 60 with an expire_time)', async () => {
    const token = await esoLogin('eso-short');
    const lookup = await call({ method: 'GET', path: 'auth/token/lookup-self', token });
    expect(lookup.json.data.ttl).toBeLessThan(60);
    expect(esoKeepsToken(lookup)).toBe(false);
  });

  it('reads data: the latest version, ?version=N, one property, the whole map', async () => {
    const token = await esoLogin();
    const latest = await call({ method: 'GET', path: esoDataPath('app/config'), token });
    expect(goReadResult(latest)).toBe('secret');
    expect(goSecretProblems(latest.json)).toEqual([]);
    // readSecret: data.data must be a map (nil means "not found"); property is an exact key first.
    expect(latest.json.data.data).toEqual({ username: 'app', password: 's3cret', limits: { max: 5 } });
    expect(latest.json.data.metadata).toMatchObject({ version: 2, destroyed: false, deletion_time: '' });
    expect(isRfc3339(latest.json.data.metadata.created_time)).toBe(true);

    const v1 = await call({ method: 'GET', path: esoDataPath('app/config'), params: { version: '1' }, token });
    expect(v1.status).toBe(200);
    expect(v1.json.data.data).toEqual({ username: 'app', password: 'old' });
    expect(v1.json.data.metadata.version).toBe(1);
  });

  it('treats a missing secret and a deleted version as "not found", as the Go client does', async () => {
    const token = await esoLogin();
    const missing = await call({ method: 'GET', path: esoDataPath('app/missing'), token });
    expect(missing.status).toBe(404);
    expect(goReadResult(missing)).toBe('none');

    // A deleted latest version: 404 that carries data, so the client returns it and ESO sees data.data == nil.
    const gone = await call({ method: 'GET', path: esoDataPath('app/gone'), token });
    expect(gone.status).toBe(404);
    expect(goReadResult(gone)).toBe('secret');
    expect(goSecretProblems(gone.json)).toEqual([]);
    expect(gone.json.data.data).toBeNull();
    expect(isRfc3339(gone.json.data.metadata.deletion_time)).toBe(true);
  });

  it('metadataPolicy Fetch: metadata/ gives custom_metadata (strings) and created_time, current_version, delete_version_after', async () => {
    const token = await esoLogin();
    const meta = await call({ method: 'GET', path: 'secret/metadata/app/config', token });
    expect(meta.status).toBe(200);
    expect(goSecretProblems(meta.json)).toEqual([]);
    expect(meta.json.data.custom_metadata).toEqual({ team: 'payments', 'managed-by': 'external-secrets' });
    expect(isRfc3339(meta.json.data.created_time)).toBe(true);
    expect(meta.json.data.current_version).toBe(2);
    expect(typeof meta.json.data.delete_version_after).toBe('string');
  });

  it('dataFrom.find: recursive GET metadata/<path>/?list=true, keys ending in / are folders; tags match custom_metadata', async () => {
    const token = await esoLogin();
    const found: string[] = [];
    const list = async (path: string): Promise<void> => {
      const reply = await call({ method: 'GET', path: `secret/metadata/${path}`, params: { list: 'true' }, token });
      expect(reply.status).toBe(200);
      expect(goSecretProblems(reply.json)).toEqual([]);
      const keys = reply.json.data.keys as unknown[];
      expect(keys.every((k) => typeof k === 'string')).toBe(true);
      for (const key of keys as string[]) {
        if (key.endsWith('/')) await list(path + key);
        else found.push(path + key);
      }
    };
    await list('app/');
    expect(found.sort()).toEqual(['app/config', 'app/db/creds', 'app/gone']);
    const tagged: string[] = [];
    for (const name of found) {
      const meta = await call({ method: 'GET', path: `secret/metadata/${name}`, token });
      const custom = (meta.json.data.custom_metadata ?? {}) as Record<string, string>;
      if (custom['team'] === 'payments') tagged.push(name);
    }
    expect(tagged).toEqual(['app/config']);
  });

  it('on client close: lookup-self, then PUT revoke-self (204); the token is gone afterwards', async () => {
    const token = await esoLogin();
    expect(esoKeepsToken(await call({ method: 'GET', path: 'auth/token/lookup-self', token }))).toBe(true);
    const revoke = await call({ method: 'PUT', path: 'auth/token/revoke-self', token });
    expect(revoke.status).toBe(204);
    const after = await call({ method: 'GET', path: 'auth/token/lookup-self', token });
    expect(after.status).toBe(403);
  });
});

describe('Secrets Store CSI driver: Vault provider', () => {
  /** The JWT the driver passes in `csi.storage.k8s.io/serviceAccount.tokens` for audience "vault". */
  const podToken = () => fake.issueServiceAccountToken({ namespace: 'app', name: 'web', audiences: ['vault'], pod: { name: 'web-0' } });

  async function csiLogin(): Promise<string> {
    const login = await call({ method: 'POST', path: 'auth/kubernetes/login', body: { jwt: await podToken(), role: 'csi' } });
    expect(login.status).toBe(200);
    expect(goSecretProblems(login.json)).toEqual([]);
    return login.json.auth.client_token as string;
  }

  /** The provider's keyFromData: descend into data.data when it is a map (KV v2); strings raw, the rest as JSON. */
  function keyFromData(data: Record<string, unknown>, key: string): string {
    const inner = data['data'];
    const map = typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : data;
    expect(Object.hasOwn(map, key)).toBe(true);
    const value = map[key];
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  /** One `objects` entry of a SecretProviderClass: `/v1/` prefixed, `?query` split into params, secretArgs as the body. */
  async function fetchObject(token: string, object: { secretPath: string; secretKey?: string; method?: 'GET' | 'POST' | 'PUT'; secretArgs?: unknown }) {
    const [path, query] = object.secretPath.replace(/^\/?(v1\/)?/, '').split('?') as [string, string | undefined];
    const reply = await call({
      method: object.method ?? 'GET',
      path,
      token,
      ...(query ? { params: Object.fromEntries(new URLSearchParams(query)) } : {}),
      ...(object.secretArgs === undefined ? {} : { body: object.secretArgs }),
    });
    return { reply, content: () => (object.secretKey ? keyFromData(reply.json.data, object.secretKey) : reply.text) };
  }

  it('logs in with the pod token (POST) and mounts every object: keys from KV v2, ?version=, whole responses, PUT with secretArgs', async () => {
    const token = await csiLogin();
    const password = await fetchObject(token, { secretPath: 'secret/data/app/config', secretKey: 'password' });
    expect(password.reply.status).toBe(200);
    expect(goSecretProblems(password.reply.json)).toEqual([]);
    expect(password.content()).toBe('s3cret');

    const old = await fetchObject(token, { secretPath: 'secret/data/app/config?version=1', secretKey: 'password' });
    expect(old.content()).toBe('old');

    const nested = await fetchObject(token, { secretPath: '/v1/secret/data/app/config', secretKey: 'limits' });
    expect(nested.content()).toBe('{"max":5}');

    // No secretKey: the whole api.Secret is marshalled into the file.
    const whole = await fetchObject(token, { secretPath: 'v1/secret/data/app/db/creds' });
    expect(goSecretProblems(whole.reply.json)).toEqual([]);
    expect(Object.keys(whole.reply.json)).toEqual(expect.arrayContaining(['request_id', 'lease_id', 'lease_duration', 'renewable', 'data']));
    expect(whole.reply.json.data.data).toEqual({ dsn: 'postgres://db' });

    const plaintext = Buffer.from('hello').toString('base64');
    const cipher = await fetchObject(token, { secretPath: 'transit/encrypt/app', method: 'POST', secretArgs: { plaintext }, secretKey: 'ciphertext' });
    expect(cipher.reply.status).toBe(200);
    expect(cipher.content()).toMatch(/^vault:v1:/);
  });

  it('a 403 with a token that is no longer valid makes it log in once more and retry', async () => {
    const token = await csiLogin();
    expect((await call({ method: 'PUT', path: 'auth/token/revoke-self', token })).status).toBe(204);
    const refused = await fetchObject(token, { secretPath: 'secret/data/app/config', secretKey: 'password' });
    expect(refused.reply.status).toBe(403);
    const fresh = await csiLogin();
    expect((await fetchObject(fresh, { secretPath: 'secret/data/app/config', secretKey: 'password' })).content()).toBe('s3cret');
  });

  it('a secret it may not read is a 403 with Vault’s errors body, not a 404', async () => {
    const token = await csiLogin();
    const denied = await call({ method: 'GET', path: 'secret/data/other/thing', token });
    expect(denied.status).toBe(403);
    expect(denied.json).toEqual({ errors: [expect.stringContaining('permission denied')] });
  });
});
