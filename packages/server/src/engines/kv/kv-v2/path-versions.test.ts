import { describe, expect, it } from 'vitest';
import { createEngineHarness, type EngineHarness } from '../engine-harness.js';
import { createKvV2Engine } from './kv-v2-engine.js';

const harness = async () => {
  const h = await createEngineHarness(createKvV2Engine, { mountOptions: { version: '2' } });
  for (let i = 1; i <= 3; i++) await h.call('write', 'data/k', { data: { i } });
  return h;
};
const read = (h: EngineHarness, version: number) => h.call('read', 'data/k', { version: String(version) });
const versionState = async (h: EngineHarness, version: number) =>
  ((await h.call('read', 'metadata/k'))?.data as { versions: Record<string, unknown> }).versions[String(version)];
const versionRecords = (h: EngineHarness) =>
  [...h.storage.dump().keys()].filter((key) => key.startsWith('versions/')).map((key) => key.split('/')[2]);

describe('kv v2 delete/<path>', () => {
  it('soft-deletes the listed versions only', async () => {
    const h = await harness();
    h.clock.advance(2);
    expect(await h.call('write', 'delete/k', { versions: [1, 3] })).toBeUndefined();
    expect(await read(h, 1)).toMatchObject({ status: 404, data: { data: null, metadata: { version: 1 } } });
    expect(await read(h, 2)).toMatchObject({ data: { data: { i: 2 } } });
    expect(await read(h, 3)).toMatchObject({ status: 404 });
    expect(await versionState(h, 1)).toEqual({
      created_time: '2024-05-01T10:00:00.123000000Z',
      deletion_time: '2024-05-01T10:00:02.123000000Z',
      destroyed: false,
    });
    expect(versionRecords(h)).toEqual(['1', '2', '3']);
  });

  it('accepts versions as a comma-separated string, as the CLI sends them', async () => {
    const h = await harness();
    await h.call('write', 'delete/k', { versions: '1,2' });
    expect(await read(h, 2)).toMatchObject({ status: 404 });
  });

  it('keeps the first deletion time when a version is deleted twice', async () => {
    const h = await harness();
    await h.call('write', 'delete/k', { versions: [1] });
    h.clock.advance(60);
    await h.call('write', 'delete/k', { versions: [1] });
    expect(await versionState(h, 1)).toMatchObject({ deletion_time: '2024-05-01T10:00:00.123000000Z' });
  });

  it('skips unknown versions and ignores a missing secret', async () => {
    const h = await harness();
    expect(await h.call('write', 'delete/k', { versions: [42] })).toBeUndefined();
    expect(await h.call('write', 'delete/missing', { versions: [1] })).toBeUndefined();
    expect(await read(h, 3)).toMatchObject({ data: { data: { i: 3 } } });
  });

  it('refuses a missing, empty or malformed versions list', async () => {
    const h = await harness();
    const noVersion = { code: 'invalid_request', message: 'No version number provided' };
    await expect(h.call('write', 'delete/k', {})).rejects.toMatchObject(noVersion);
    await expect(h.call('write', 'delete/k', { versions: [] })).rejects.toMatchObject(noVersion);
    await expect(h.call('write', 'delete/k', { versions: ['abc'] })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(h.call('write', 'delete/k', { versions: [-1] })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(h.call('write', 'delete/../k', { versions: [1] })).rejects.toMatchObject({ code: 'invalid_request' });
  });
});

describe('kv v2 undelete/<path>', () => {
  it('restores deleted versions', async () => {
    const h = await harness();
    await h.call('write', 'delete/k', { versions: [2, 3] });
    await h.call('delete', 'data/k');
    expect(await h.call('write', 'undelete/k', { versions: [2, 3] })).toBeUndefined();
    expect(await read(h, 2)).toMatchObject({ data: { data: { i: 2 }, metadata: { deletion_time: '' } } });
    expect(await h.call('read', 'data/k')).toMatchObject({ data: { data: { i: 3 } } });
  });

  it('re-arms delete_version_after from the time of the undelete, as Vault', async () => {
    const h = await harness();
    await h.call('write', 'metadata/k', { delete_version_after: '1m' });
    await h.call('write', 'delete/k', { versions: [1] });
    h.clock.advance(600);
    await h.call('write', 'undelete/k', { versions: [1] });
    expect(await read(h, 1)).toMatchObject({ data: { metadata: { deletion_time: '2024-05-01T10:11:00.123000000Z' } } });
    h.clock.advance(60);
    expect(await read(h, 1)).toMatchObject({ status: 404 });
  });

  it('cannot bring back a destroyed version', async () => {
    const h = await harness();
    await h.call('write', 'destroy/k', { versions: [1] });
    await h.call('write', 'undelete/k', { versions: [1] });
    expect(await read(h, 1)).toMatchObject({ status: 404, data: { metadata: { destroyed: true } } });
  });

  it('refuses an empty versions list', async () => {
    const h = await harness();
    await expect(h.call('write', 'undelete/k', { versions: [] })).rejects.toMatchObject({
      message: 'No version number provided',
    });
  });
});

describe('kv v2 destroy/<path>', () => {
  it('removes the data permanently and marks the version destroyed', async () => {
    const h = await harness();
    expect(await h.call('write', 'destroy/k', { versions: [2] })).toBeUndefined();
    expect(await read(h, 2)).toEqual({
      status: 404,
      data: {
        data: null,
        metadata: {
          created_time: '2024-05-01T10:00:00.123000000Z',
          custom_metadata: null,
          deletion_time: '',
          destroyed: true,
          version: 2,
        },
      },
    });
    expect(versionRecords(h)).toEqual(['1', '3']);
    expect(await versionState(h, 2)).toMatchObject({ destroyed: true });
  });

  it('destroys a soft-deleted version, which then cannot be undeleted', async () => {
    const h = await harness();
    await h.call('delete', 'data/k');
    await h.call('write', 'destroy/k', { versions: [3] });
    await h.call('write', 'undelete/k', { versions: [3] });
    expect(await h.call('read', 'data/k')).toMatchObject({ status: 404, data: { metadata: { destroyed: true } } });
    expect(versionRecords(h)).toEqual(['1', '2']);
  });

  it('leaves no trace of the destroyed data in storage', async () => {
    const h = await createEngineHarness(createKvV2Engine);
    await h.call('write', 'data/k', { data: { marker: 'needle-123' } });
    await h.call('write', 'destroy/k', { versions: [1] });
    const text = [...h.storage.dump().values()].map((value) => new TextDecoder().decode(value)).join('\n');
    expect(text).not.toContain('needle-123');
  });

  it('refuses an empty versions list with Vault message', async () => {
    const h = await harness();
    await expect(h.call('write', 'destroy/k', {})).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'no version number provided',
    });
  });

  it('ignores a missing secret', async () => {
    const h = await harness();
    expect(await h.call('write', 'destroy/missing', { versions: [1] })).toBeUndefined();
  });
});
