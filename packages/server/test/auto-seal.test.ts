import { createDecipheriv } from 'node:crypto';
import { InMemoryStorage } from '@coffer/sdk';
import { startAwsKmsFake, type AwsKmsFake } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, type TestApp } from './helpers.js';
import { awsSeal, eventually, staticKey, staticSeal } from './seal-helpers.js';

async function initAuto(t: TestApp, body: Record<string, unknown> = { recovery_shares: 3, recovery_threshold: 2 }) {
  const res = await t.app.inject({ method: 'PUT', url: '/v1/sys/init', payload: body });
  expect(res.statusCode).toBe(200);
  return res.json() as { keys: string[]; recovery_keys: string[]; recovery_keys_base64: string[]; root_token: string };
}

describe('auto-unseal with the static seal', () => {
  const key = staticKey();
  const storage = new InMemoryStorage();
  let t: TestApp;
  let init: Awaited<ReturnType<typeof initAuto>>;

  beforeAll(async () => {
    t = await createTestApp({ storage, seals: { active: await staticSeal(key) } });
    init = await initAuto(t);
    await t.core.autoUnsealed;
  });
  afterAll(async () => t.close());

  it('init returns recovery keys (no unseal keys) and the node unseals itself', async () => {
    expect(init.keys).toEqual([]);
    expect(init.recovery_keys).toHaveLength(3);
    expect(init.recovery_keys_base64).toHaveLength(3);
    const status = (await t.app.inject({ url: '/v1/sys/seal-status' })).json();
    expect(status).toMatchObject({ type: 'static', sealed: false, initialized: true, t: 2, n: 3, recovery_seal: true, recovery_seal_type: 'shamir', migration: false });
    expect((await call(t, init.root_token, 'GET', '/v1/auth/token/lookup-self')).statusCode).toBe(200);
  });

  it('refuses Shamir parameters with an auto seal, as Vault does', async () => {
    const other = await createTestApp({ seals: { active: await staticSeal(staticKey()) } });
    const res = await other.app.inject({ method: 'PUT', url: '/v1/sys/init', payload: { secret_shares: 5, secret_threshold: 3 } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ errors: ['parameters secret_shares,secret_threshold,pgp_keys not applicable to seal type static'] });
    await other.close();
  });

  it('comes back unsealed after a restart with no operator input', async () => {
    const restarted = await createTestApp({ storage, seals: { active: await staticSeal(key) } });
    await restarted.core.autoUnsealed;
    expect((await restarted.app.inject({ url: '/v1/sys/seal-status' })).json().sealed).toBe(false);
    expect((await call(restarted, init.root_token, 'GET', '/v1/auth/token/lookup-self')).statusCode).toBe(200);
    await restarted.close();
  });

  it('stays sealed after sys/seal until an operator gives recovery keys', async () => {
    expect((await call(t, init.root_token, 'PUT', '/v1/sys/seal')).statusCode).toBe(204);
    expect((await t.app.inject({ url: '/v1/sys/seal-status' })).json()).toMatchObject({ sealed: true, progress: 0 });
    expect((await t.app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: { key: init.recovery_keys[0] } })).json()).toMatchObject({
      sealed: true,
      progress: 1,
    });
    const done = await t.app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: { key: init.recovery_keys_base64[2] } });
    expect(done.json()).toMatchObject({ sealed: false });
  });

  it('refuses wrong recovery keys and resets progress', async () => {
    await call(t, init.root_token, 'PUT', '/v1/sys/seal');
    const forged = Buffer.from(init.recovery_keys[1] as string, 'hex');
    forged[0] = (forged[0] ?? 0) ^ 0x55;
    await t.app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: { key: init.recovery_keys[0] } });
    const wrong = await t.app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: { key: forged.toString('hex') } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json().errors[0]).toMatch(/recovery key verification failed/);
    expect((await t.app.inject({ url: '/v1/sys/seal-status' })).json()).toMatchObject({ sealed: true, progress: 0 });
    await t.app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: { key: init.recovery_keys[0] } });
    await t.app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: { key: init.recovery_keys[1] } });
    expect((await t.app.inject({ url: '/v1/sys/seal-status' })).json().sealed).toBe(false);
  });

  it('keeps no root key or data key in clear in storage', async () => {
    await call(t, init.root_token, 'POST', '/v1/sys/mounts/secret', { type: 'kv-v2' });
    await call(t, init.root_token, 'POST', '/v1/secret/data/x', { data: { v: 'auto-sealed-value' } });
    // The test knows the static key, so it can recover the root key and the keyring's data keys
    // itself and look for them in the dump.
    const dump = storage.dump();
    const blob = JSON.parse(Buffer.from(dump.get('core/sealed-root-key') as Uint8Array).toString()) as { ciphertext: string };
    const raw = Buffer.from(blob.ciphertext, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', Buffer.from(key, 'hex'), raw.subarray(0, 12));
    decipher.setAAD(Buffer.from('core/sealed-root-key'));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    const rootKey = Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]);
    expect(rootKey).toHaveLength(32);
    const keyringRaw = Buffer.from(dump.get('core/keyring') as Uint8Array);
    const kd = createDecipheriv('aes-256-gcm', rootKey, keyringRaw.subarray(5, 17));
    kd.setAAD(Buffer.from('core/keyring'));
    kd.setAuthTag(keyringRaw.subarray(keyringRaw.length - 16));
    const keyring = JSON.parse(Buffer.concat([kd.update(keyringRaw.subarray(17, keyringRaw.length - 16)), kd.final()]).toString()) as {
      terms: { key: string }[];
    };
    const secrets = [rootKey, ...keyring.terms.map((term) => Buffer.from(term.key, 'base64')), Buffer.from('auto-sealed-value')];
    for (const [, value] of dump) for (const secret of secrets) expect(Buffer.from(value).includes(secret)).toBe(false);
  });
});

describe('auto-unseal through AWS KMS when the KMS is down', () => {
  let fake: AwsKmsFake;
  beforeAll(async () => {
    fake = await startAwsKmsFake({ region: 'eu-west-1' });
    fake.createKey({ alias: 'alias/coffer-unseal' });
  });
  afterAll(async () => fake.close());

  it('stays sealed (503) while the KMS is down and unseals once it is back', async () => {
    const storage = new InMemoryStorage();
    const first = await createTestApp({ storage, seals: { active: await awsSeal(fake) } });
    const init = await initAuto(first);
    await first.core.autoUnsealed;
    await first.close();

    await fake.down();
    const restarted = await createTestApp({ storage, seals: { active: await awsSeal(fake) } });
    expect((await restarted.app.inject({ url: '/v1/sys/seal-status' })).json()).toMatchObject({ sealed: true, type: 'awskms' });
    expect((await call(restarted, init.root_token, 'GET', '/v1/auth/token/lookup-self')).statusCode).toBe(503);
    const before = storage.dump();
    await fake.up();
    await eventually(async () => (await restarted.app.inject({ url: '/v1/sys/seal-status' })).json().sealed === false, 'auto-unsealed');
    expect((await call(restarted, init.root_token, 'GET', '/v1/auth/token/lookup-self')).statusCode).toBe(200);
    // Nothing was written while sealed.
    expect([...before.keys()].every((k) => storage.dump().has(k))).toBe(true);
    await restarted.close();
  });

  it('keeps no root key or data key in clear in storage (envelope: the KMS wraps a fresh data key)', async () => {
    const storage = new InMemoryStorage();
    const t = await createTestApp({ storage, seals: { active: await awsSeal(fake) } });
    const init = await initAuto(t);
    await t.core.autoUnsealed;
    await call(t, init.root_token, 'POST', '/v1/sys/mounts/secret', { type: 'kv-v2' });
    await call(t, init.root_token, 'POST', '/v1/secret/data/x', { data: { v: 'kms-sealed-value' } });
    // The data keys are what the seal sent the KMS to wrap: the test reads them off the wire, finds
    // the one that opens the stored root key, and looks for every key in the dump.
    const dataKeys = fake.calls('Encrypt').map((request) => Buffer.from(JSON.parse(request.body).Plaintext as string, 'base64'));
    const dump = storage.dump();
    const blob = JSON.parse(Buffer.from(dump.get('core/sealed-root-key') as Uint8Array).toString()) as { ciphertext: string };
    const payload = Buffer.from(blob.ciphertext, 'base64');
    const open = (dataKey: Buffer) => {
      try {
        const decipher = createDecipheriv('aes-256-gcm', dataKey, payload.subarray(0, 12));
        decipher.setAAD(Buffer.from('core/sealed-root-key'));
        decipher.setAuthTag(payload.subarray(payload.length - 16));
        return Buffer.concat([decipher.update(payload.subarray(12, payload.length - 16)), decipher.final()]);
      } catch {
        return undefined;
      }
    };
    const rootKey = dataKeys.map(open).find((key) => key !== undefined);
    expect(rootKey).toHaveLength(32);
    const secrets = [rootKey as Buffer, ...dataKeys, Buffer.from('kms-sealed-value')];
    for (const [, value] of dump) {
      const stored = Buffer.from(value);
      for (const secret of secrets) {
        expect(stored.includes(secret)).toBe(false);
        expect(stored.includes(Buffer.from(secret.toString('base64')))).toBe(false);
        expect(stored.includes(Buffer.from(secret.toString('hex')))).toBe(false);
      }
    }
    await t.close();
  });

  it('stays sealed while access is denied, naming the reason, and unseals when allowed again', async () => {
    const storage = new InMemoryStorage();
    const first = await createTestApp({ storage, seals: { active: await awsSeal(fake) } });
    await initAuto(first);
    await first.core.autoUnsealed;
    await first.close();
    fake.deny();
    const restarted = await createTestApp({ storage, seals: { active: await awsSeal(fake) } });
    expect((await restarted.app.inject({ url: '/v1/sys/seal-status' })).json().sealed).toBe(true);
    fake.allow();
    await eventually(async () => (await restarted.app.inject({ url: '/v1/sys/seal-status' })).json().sealed === false, 'unsealed after allow');
    await restarted.close();
  });
});
