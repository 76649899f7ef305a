import { InMemoryStorage, silentLogger, type Storage } from '@coffer/sdk';
import { startAwsKmsFake, startGcpKmsFake, type AwsKmsFake, type GcpKmsFake } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core, type SealSet } from '../src/core/core.js';
import { engineRegistry } from '../src/engines/registry.js';
import { call, createTestApp, type TestApp } from './helpers.js';
import { awsSeal, gcpSeal } from './seal-helpers.js';

let aws: AwsKmsFake;
let gcp: GcpKmsFake;
let gcpCredentials: string;

beforeAll(async () => {
  aws = await startAwsKmsFake({ region: 'eu-west-1' });
  aws.createKey({ alias: 'alias/coffer-unseal' });
  gcp = await startGcpKmsFake({ project: 'coffer-test' });
  gcp.createKey({ location: 'europe-west1', keyRing: 'coffer', cryptoKey: 'unseal' });
  gcpCredentials = await gcp.createServiceAccount();
});
afterAll(async () => {
  await aws.close();
  await gcp.close();
});

const status = async (t: TestApp) => (await t.app.inject({ url: '/v1/sys/seal-status' })).json();
const unseal = (t: TestApp, key: string, migrate = false) =>
  t.app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: { key, ...(migrate ? { migrate: true } : {}) } });

async function withApp<T>(storage: InMemoryStorage, seals: SealSet, work: (t: TestApp) => Promise<T>): Promise<T> {
  const t = await createTestApp({ storage, seals });
  try {
    return await work(t);
  } finally {
    await t.close();
  }
}

async function seedShamir(storage: InMemoryStorage): Promise<{ keys: string[]; root: string }> {
  return withApp(storage, { active: undefined }, async (t) => {
    const init = (await t.app.inject({ method: 'PUT', url: '/v1/sys/init', payload: { secret_shares: 3, secret_threshold: 2 } })).json();
    await unseal(t, init.keys[0]);
    await unseal(t, init.keys[1]);
    await call(t, init.root_token, 'POST', '/v1/sys/mounts/secret', { type: 'kv-v2' });
    for (let i = 0; i < 5; i++) await call(t, init.root_token, 'POST', `/v1/secret/data/app/${i}`, { data: { value: `v${i}` } });
    return { keys: init.keys as string[], root: init.root_token as string };
  });
}

async function expectSecretsIntact(t: TestApp, root: string): Promise<void> {
  for (let i = 0; i < 5; i++) {
    expect((await call(t, root, 'GET', `/v1/secret/data/app/${i}`)).json().data.data).toEqual({ value: `v${i}` });
  }
}

describe('seal migration', () => {
  it('goes Shamir → awskms → gcpckms → Shamir on one data set, keeping the same shares and every secret', async () => {
    const storage = new InMemoryStorage();
    const { keys, root } = await seedShamir(storage);

    await withApp(storage, { active: await awsSeal(aws), previous: 'shamir' }, async (t) => {
      expect(await status(t)).toMatchObject({ type: 'awskms', sealed: true, migration: true, t: 2, n: 3 });
      const refused = await unseal(t, keys[0] as string);
      expect(refused.statusCode).toBe(400);
      expect(refused.json().errors[0]).toMatch(/migrate option not provided/);
      await unseal(t, keys[0] as string, true);
      expect((await unseal(t, keys[2] as string, true)).json()).toMatchObject({ sealed: false, migration: false, recovery_seal: true });
      await expectSecretsIntact(t, root);
    });
    // The unseal keys are now recovery keys: the node unseals itself through AWS KMS.
    await withApp(storage, { active: await awsSeal(aws) }, async (t) => {
      await t.core.autoUnsealed;
      expect(await status(t)).toMatchObject({ type: 'awskms', sealed: false });
      await expectSecretsIntact(t, root);
    });

    await withApp(storage, { active: await gcpSeal(gcp, gcpCredentials), previous: await awsSeal(aws) }, async (t) => {
      expect(await status(t)).toMatchObject({ type: 'gcpckms', sealed: true, migration: true });
      await unseal(t, keys[1] as string, true);
      expect((await unseal(t, keys[2] as string, true)).json()).toMatchObject({ sealed: false, type: 'gcpckms' });
      await expectSecretsIntact(t, root);
    });
    await withApp(storage, { active: await gcpSeal(gcp, gcpCredentials) }, async (t) => {
      await t.core.autoUnsealed;
      expect((await status(t)).sealed).toBe(false);
    });

    await withApp(storage, { active: undefined, previous: await gcpSeal(gcp, gcpCredentials) }, async (t) => {
      expect(await status(t)).toMatchObject({ type: 'shamir', migration: true, recovery_seal: false });
      await unseal(t, keys[0] as string, true);
      expect((await unseal(t, keys[1] as string, true)).json()).toMatchObject({ sealed: false, type: 'shamir', t: 2, n: 3 });
      await expectSecretsIntact(t, root);
    });
    await withApp(storage, { active: undefined }, async (t) => {
      await unseal(t, keys[2] as string);
      expect((await unseal(t, keys[0] as string)).json()).toMatchObject({ sealed: false, migration: false });
      await expectSecretsIntact(t, root);
      expect([...storage.dump().keys()]).not.toContain('core/recovery-key');
    });
  });

  it('keeps recovery keys from unsealing a copy of the data set up for Shamir', async () => {
    const storage = new InMemoryStorage();
    const recovery = await withApp(storage, { active: await awsSeal(aws) }, async (t) => {
      const init = (await t.app.inject({ method: 'PUT', url: '/v1/sys/init', payload: { recovery_shares: 2, recovery_threshold: 2 } })).json();
      await t.core.autoUnsealed;
      return init.recovery_keys as string[];
    });
    const copy = new InMemoryStorage();
    for (const [key, value] of storage.dump()) await copy.put(key, value);
    await withApp(copy, { active: undefined }, async (t) => {
      await unseal(t, recovery[0] as string, true);
      const res = await unseal(t, recovery[1] as string, true);
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0]).toMatch(/sealed with "awskms"/);
      expect((await status(t)).sealed).toBe(true);
    });
  });
});

/** Storage that fails every write after a given number, to stop a migration half way. */
class FailingStorage implements Storage {
  writesLeft = Infinity;
  constructor(readonly inner: InMemoryStorage) {}
  get = (key: string) => this.inner.get(key);
  list = (prefix: string) => this.inner.list(prefix);
  put = async (key: string, value: Uint8Array) => {
    if (this.writesLeft-- <= 0) throw new Error('disk went away');
    await this.inner.put(key, value);
  };
  delete = async (key: string) => {
    if (this.writesLeft-- <= 0) throw new Error('disk went away');
    await this.inner.delete(key);
  };
}

describe('interrupted seal migration', () => {
  for (const [name, crashAfter] of [
    ['before any write', 0],
    ['after the recovery key', 1],
    ['after the recovery config', 2],
    ['after the rewrapped root key', 3],
  ] as const) {
    it(`Shamir → awskms stopped ${name} still unseals with the same shares`, async () => {
      const storage = new InMemoryStorage();
      const { keys, root } = await seedShamir(storage);
      const failing = new FailingStorage(storage);
      const now = () => new Date();
      const core = new Core({
        physical: failing,
        logger: silentLogger,
        now,
        defaultLeaseTtl: 3600,
        maxLeaseTtl: 3600,
        registry: engineRegistry(now),
        defaultMounts: { mounts: [{ path: 'sys/', type: 'system' }], auth: [{ path: 'token/', type: 'token' }] },
        seals: { active: await awsSeal(aws), previous: 'shamir' },
      });
      await core.submitUnsealKey(Buffer.from(keys[0] as string, 'hex'), { migrate: true });
      failing.writesLeft = crashAfter;
      await expect(core.submitUnsealKey(Buffer.from(keys[1] as string, 'hex'), { migrate: true })).rejects.toThrow();
      expect(core.sealed).toBe(true);

      // After the "crash", a node configured for the migration finishes it with the same shares.
      await withApp(storage, { active: await awsSeal(aws), previous: 'shamir' }, async (t) => {
        await unseal(t, keys[1] as string, true);
        expect((await unseal(t, keys[2] as string, true)).json()).toMatchObject({ sealed: false, migration: false });
        await expectSecretsIntact(t, root);
      });
    });
  }
});

describe('generate-root and rekey', () => {
  const decode = (encoded: string, otp: string) =>
    Buffer.from(Buffer.from(encoded, 'base64').map((b, i) => b ^ otp.charCodeAt(i))).toString('utf8');

  it('mints a root token from a quorum of unseal keys, XORed with the one-time pad', async () => {
    const storage = new InMemoryStorage();
    const { keys } = await seedShamir(storage);
    await withApp(storage, { active: undefined }, async (t) => {
      await unseal(t, keys[0] as string);
      await unseal(t, keys[1] as string);
      const start = (await t.app.inject({ method: 'PUT', url: '/v1/sys/generate-root/attempt', payload: {} })).json();
      expect(start).toMatchObject({ started: true, progress: 0, required: 2, complete: false, otp_length: 28 });
      expect(start.otp).toHaveLength(28);
      const badNonce = await t.app.inject({ method: 'PUT', url: '/v1/sys/generate-root/update', payload: { key: keys[0], nonce: 'nope' } });
      expect(badNonce.statusCode).toBe(400);
      const first = await t.app.inject({ method: 'PUT', url: '/v1/sys/generate-root/update', payload: { key: keys[0], nonce: start.nonce } });
      expect(first.json()).toMatchObject({ progress: 1, complete: false });
      const done = (await t.app.inject({ method: 'PUT', url: '/v1/sys/generate-root/update', payload: { key: keys[2], nonce: start.nonce } })).json();
      expect(done.complete).toBe(true);
      const token = decode(done.encoded_token, start.otp);
      expect(token).toMatch(/^hvs\.[0-9A-Za-z]{24}$/);
      expect((await call(t, token, 'GET', '/v1/auth/token/lookup-self')).json().data.policies).toEqual(['root']);
      expect((await t.app.inject({ url: '/v1/sys/generate-root/attempt' })).json()).toMatchObject({ started: false });
    });
  });

  it('mints a root token from recovery keys with an auto seal, and refuses wrong ones', async () => {
    const storage = new InMemoryStorage();
    await withApp(storage, { active: await awsSeal(aws) }, async (t) => {
      const init = (await t.app.inject({ method: 'PUT', url: '/v1/sys/init', payload: { recovery_shares: 3, recovery_threshold: 2 } })).json();
      await t.core.autoUnsealed;
      const start = (await t.app.inject({ method: 'PUT', url: '/v1/sys/generate-root/attempt' })).json();
      const forged = Buffer.from(init.recovery_keys[0], 'hex');
      forged[3] = (forged[3] ?? 0) ^ 1;
      await t.app.inject({ method: 'PUT', url: '/v1/sys/generate-root/update', payload: { key: init.recovery_keys[1], nonce: start.nonce } });
      const wrong = await t.app.inject({ method: 'PUT', url: '/v1/sys/generate-root/update', payload: { key: forged.toString('hex'), nonce: start.nonce } });
      expect(wrong.statusCode).toBe(400);
      const again = (await t.app.inject({ method: 'PUT', url: '/v1/sys/generate-root/attempt' })).json();
      await t.app.inject({ method: 'PUT', url: '/v1/sys/generate-root/update', payload: { key: init.recovery_keys[0], nonce: again.nonce } });
      const done = (await t.app.inject({ method: 'PUT', url: '/v1/sys/generate-root/update', payload: { key: init.recovery_keys[2], nonce: again.nonce } })).json();
      const token = decode(done.encoded_token, again.otp);
      expect((await call(t, token, 'GET', '/v1/auth/token/lookup-self')).statusCode).toBe(200);
    });
  });

  it('rekeys the unseal keys: the new ones unseal, the old ones no longer do', async () => {
    const storage = new InMemoryStorage();
    const { keys, root } = await seedShamir(storage);
    const fresh = await withApp(storage, { active: undefined }, async (t) => {
      await unseal(t, keys[0] as string);
      await unseal(t, keys[1] as string);
      const init = (await t.app.inject({ method: 'PUT', url: '/v1/sys/rekey/init', payload: { secret_shares: 4, secret_threshold: 3 } })).json();
      expect(init).toMatchObject({ started: true, t: 3, n: 4, required: 2 });
      await t.app.inject({ method: 'PUT', url: '/v1/sys/rekey/update', payload: { key: keys[2], nonce: init.nonce } });
      const done = (await t.app.inject({ method: 'PUT', url: '/v1/sys/rekey/update', payload: { key: keys[0], nonce: init.nonce } })).json();
      expect(done).toMatchObject({ complete: true, nonce: init.nonce });
      expect(done.keys).toHaveLength(4);
      expect((await t.app.inject({ method: 'PUT', url: '/v1/sys/rekey-recovery-key/init', payload: { secret_shares: 1, secret_threshold: 1 } })).statusCode).toBe(400);
      return done.keys as string[];
    });
    await withApp(storage, { active: undefined }, async (t) => {
      expect(await status(t)).toMatchObject({ t: 3, n: 4 });
      await unseal(t, keys[0] as string);
      await unseal(t, keys[1] as string);
      const old = await unseal(t, keys[2] as string);
      expect(old.statusCode).toBe(400);
      for (const key of fresh.slice(1)) await unseal(t, key);
      expect((await status(t)).sealed).toBe(false);
      await expectSecretsIntact(t, root);
    });
  });

  it('rekeys the recovery keys of an auto seal', async () => {
    const storage = new InMemoryStorage();
    await withApp(storage, { active: await awsSeal(aws) }, async (t) => {
      const init = (await t.app.inject({ method: 'PUT', url: '/v1/sys/init', payload: { recovery_shares: 1, recovery_threshold: 1 } })).json();
      await t.core.autoUnsealed;
      expect((await t.app.inject({ method: 'PUT', url: '/v1/sys/rekey/init', payload: { secret_shares: 1, secret_threshold: 1 } })).statusCode).toBe(400);
      const start = (await t.app.inject({ method: 'PUT', url: '/v1/sys/rekey-recovery-key/init', payload: { secret_shares: 2, secret_threshold: 2 } })).json();
      const done = (await t.app.inject({ method: 'PUT', url: '/v1/sys/rekey-recovery-key/update', payload: { key: init.recovery_keys[0], nonce: start.nonce } })).json();
      expect(done.keys).toHaveLength(2);
      await call(t, init.root_token, 'PUT', '/v1/sys/seal');
      await unseal(t, done.keys[0]);
      expect((await unseal(t, done.keys[1])).json().sealed).toBe(false);
    });
  });
});
