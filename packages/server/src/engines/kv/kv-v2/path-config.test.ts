import { describe, expect, it } from 'vitest';
import { createEngineHarness } from '../engine-harness.js';
import { createKvV2Engine } from './kv-v2-engine.js';

const harness = () => createEngineHarness(createKvV2Engine, { mountOptions: { version: '2' } });

describe('kv v2 config', () => {
  it('reads the defaults of a fresh mount, as Vault', async () => {
    const h = await harness();
    expect(await h.call('read', 'config')).toEqual({
      data: { cas_required: false, delete_version_after: '0s', max_versions: 0 },
    });
  });

  it('writes settings one at a time, keeping the others', async () => {
    const h = await harness();
    expect(await h.call('write', 'config', { max_versions: 5 })).toBeUndefined();
    await h.call('write', 'config', { cas_required: 'true' });
    await h.call('write', 'config', { delete_version_after: 768 * 3600 });
    expect(await h.call('read', 'config')).toEqual({
      data: { cas_required: true, delete_version_after: '768h0m0s', max_versions: 5 },
    });
    await h.call('write', 'config', { delete_version_after: '0s' });
    expect((await h.call('read', 'config'))?.data).toMatchObject({ delete_version_after: '0s' });
  });

  it('stores any negative delete_version_after as disabled (-1s)', async () => {
    const h = await harness();
    await h.call('write', 'config', { delete_version_after: '-10m' });
    expect((await h.call('read', 'config'))?.data).toMatchObject({ delete_version_after: '-1s' });
    await h.call('write', 'config', { delete_version_after: -30 });
    expect((await h.call('read', 'config'))?.data).toMatchObject({ delete_version_after: '-1s' });
  });

  it('does nothing without a setting', async () => {
    const h = await harness();
    expect(await h.call('write', 'config', {})).toBeUndefined();
    expect(h.storage.dump().size).toBe(0);
  });

  it('refuses bad values', async () => {
    const h = await harness();
    await expect(h.call('write', 'config', { max_versions: 'ten' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(h.call('write', 'config', { max_versions: -2 })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(h.call('write', 'config', { cas_required: 'sometimes' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(h.call('write', 'config', { delete_version_after: 'soon' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(h.call('write', 'config', { delete_version_after: '-soon' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(h.storage.dump().size).toBe(0);
  });

  it('has neither delete nor list', async () => {
    const h = await harness();
    await expect(h.call('delete', 'config')).rejects.toMatchObject({ code: 'unsupported_operation' });
    await expect(h.call('list', 'config')).rejects.toMatchObject({ code: 'unsupported_operation' });
  });

  it('answers unknown paths as unsupported', async () => {
    const h = await harness();
    await expect(h.call('read', 'nothing/here')).rejects.toMatchObject({ code: 'unsupported_path' });
    await expect(h.call('read', 'data')).rejects.toMatchObject({ code: 'unsupported_path' });
  });
});
