import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createTestApp, initAndUnseal, type TestApp } from './helpers.js';

/**
 * A stolen disk yields nothing: after secrets and tokens are written through the API, no secret
 * value, token, accessor or key share appears anywhere in storage — keys or values — in clear,
 * as UTF-8, hex or base64.
 */
describe('storage dump', () => {
  let t: TestApp;
  const needles: string[] = [];
  beforeAll(async () => {
    t = await createTestApp();
    const { rootToken, keys } = await initAndUnseal(t, 3, 2);
    needles.push(rootToken, ...keys);
    await call(t, rootToken, 'POST', '/v1/sys/mounts/secret', { type: 'kv', options: { version: '2' } });
    await call(t, rootToken, 'POST', '/v1/sys/mounts/v1kv', { type: 'kv' });
    for (let i = 0; i < 5; i++) {
      const value = `s3cr3t-value-${i}-${'x'.repeat(i * 10)}`;
      needles.push(value);
      await call(t, rootToken, 'POST', `/v1/secret/data/app/${i}`, { data: { password: value } });
      await call(t, rootToken, 'POST', `/v1/v1kv/app/${i}`, { password: value });
    }
    await call(t, rootToken, 'POST', '/v1/secret/metadata/app/0', { custom_metadata: { owner: 'custom-meta-value' } });
    needles.push('custom-meta-value');
    for (let i = 0; i < 3; i++) {
      const auth = (await call(t, rootToken, 'POST', '/v1/auth/token/create', { policies: ['default'] })).json().auth;
      needles.push(auth.client_token, auth.accessor);
    }
    await call(t, rootToken, 'POST', '/v1/sys/rotate');
    await call(t, rootToken, 'POST', '/v1/secret/data/after-rotate', { data: { password: 'rotated-s3cr3t' } });
    needles.push('rotated-s3cr3t');
  });
  afterAll(async () => t.close());

  it('holds no secret, token, accessor or key share in clear', () => {
    const dump = t.storage.dump();
    expect(dump.size).toBeGreaterThan(10);
    const haystacks = [...dump].flatMap(([key, value]) => [Buffer.from(key, 'utf8'), Buffer.from(value)]);
    for (const needle of needles) {
      const forms = [Buffer.from(needle, 'utf8'), Buffer.from(Buffer.from(needle, 'utf8').toString('base64'))];
      if (/^[0-9a-f]+$/.test(needle)) forms.push(Buffer.from(needle, 'hex'));
      for (const form of forms) {
        for (const hay of haystacks) expect(hay.includes(form), `found ${needle.slice(0, 8)}… in storage`).toBe(false);
      }
    }
  });

  it('keeps only the seal configuration and the sealed root key outside the barrier', () => {
    const plain = [...t.storage.dump()].filter(([, value]) => {
      const raw = Buffer.from(value);
      return !(raw.length >= 33 && raw[4] === 2);
    });
    expect(plain.map(([key]) => key).sort()).toEqual(['core/seal-config', 'core/sealed-root-key']);
  });
});
