import { describe, expect, it } from 'vitest';
import { createEngineHarness } from '../kv/engine-harness.js';
import { createTransitEngine } from './transit-engine.js';
import { b64, transitHarness } from './transit-harness.js';

describe('transit key storage and concurrency', () => {
  it('stores keys at policy/<name> and serves them to a fresh engine on the same storage', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    await h.call('write', 'keys/k/rotate');
    const ciphertext = (await h.call('write', 'encrypt/k', { plaintext: b64('persisted') }))?.data?.ciphertext;
    expect([...h.storage.dump().keys()]).toEqual(['policy/k']);
    const restarted = await createEngineHarness(createTransitEngine, { storage: h.storage });
    expect((await restarted.call('write', 'decrypt/k', { ciphertext }))?.data).toEqual({ plaintext: b64('persisted') });
    expect((await restarted.call('read', 'keys/k'))?.data).toMatchObject({ latest_version: 2 });
  });

  it('keeps key material out of every response except export', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    const stored = JSON.parse(Buffer.from(h.storage.dump().get('policy/k') as Uint8Array).toString()) as {
      versions: Record<string, { key: string; hmac_key: string }>;
    };
    const secret = stored.versions['1'];
    const responses = JSON.stringify([
      await h.call('read', 'keys/k'),
      await h.call('write', 'keys/k/config', { deletion_allowed: true }),
      await h.call('write', 'keys/k/rotate'),
    ]);
    expect(responses).not.toContain(secret?.key);
    expect(responses).not.toContain(secret?.hmac_key);
  });

  it('numbers concurrent rotations without gaps or lost versions', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    const answers = await Promise.all(Array.from({ length: 12 }, () => h.call('write', 'keys/k/rotate')));
    const versions = answers.map((a) => a?.data?.latest_version as number).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: 12 }, (_, i) => i + 2));
    expect(Object.keys((await h.call('read', 'keys/k'))?.data?.keys as object)).toHaveLength(13);
  });

  it('creates a key once when many encrypts upsert it at the same time', async () => {
    const h = await transitHarness();
    const answers = await Promise.all(Array.from({ length: 10 }, () => h.call('write', 'encrypt/k', { plaintext: b64('x') })));
    const decrypted = await Promise.all(answers.map((a) => h.call('write', 'decrypt/k', { ciphertext: a?.data?.ciphertext })));
    expect(decrypted.every((d) => d?.data?.plaintext === b64('x'))).toBe(true);
    expect(answers.filter((a) => a?.warnings?.length)).toHaveLength(9);
  });

  it('encrypts with the rotated version as soon as a rotation returns (cache updated on change)', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    await h.call('write', 'encrypt/k', { plaintext: b64('warm the cache') });
    const encrypts = Array.from({ length: 20 }, () => h.call('write', 'encrypt/k', { plaintext: b64('during') }));
    await h.call('write', 'keys/k/rotate');
    const after = await h.call('write', 'encrypt/k', { plaintext: b64('after') });
    expect(after?.data?.key_version).toBe(2);
    for (const answer of await Promise.all(encrypts)) expect([1, 2]).toContain(answer?.data?.key_version);
    await h.call('write', 'keys/k/config', { min_encryption_version: 2 });
    await expect(h.call('write', 'encrypt/k', { plaintext: b64('x'), key_version: 1 })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('serializes config writes with rotations on one key', async () => {
    const h = await transitHarness();
    await h.call('write', 'keys/k');
    await Promise.all([
      h.call('write', 'keys/k/rotate'),
      h.call('write', 'keys/k/config', { deletion_allowed: true }),
      h.call('write', 'keys/k/rotate'),
      h.call('write', 'keys/k/config', { exportable: true }),
    ]);
    expect((await h.call('read', 'keys/k'))?.data).toMatchObject({ latest_version: 3, deletion_allowed: true, exportable: true });
  });
});
