import { describe, expect, it } from 'vitest';
import { createEngineHarness, type EngineHarness } from '../engine-harness.js';
import { createKvV2Engine } from './kv-v2-engine.js';

const harness = () => createEngineHarness(createKvV2Engine, { mountOptions: { version: '2' } });
const T0 = '2024-05-01T10:00:00.123000000Z';

const write = (h: EngineHarness, path: string, data: Record<string, unknown>, cas?: number) =>
  h.call('write', `data/${path}`, { data, ...(cas === undefined ? {} : { options: { cas } }) });
const dataOf = async (h: EngineHarness, path: string, version?: string) =>
  (await h.call('read', `data/${path}`, version === undefined ? {} : { version }))?.data;

describe('kv v2 data: write and read', () => {
  it('answers a write with the new version metadata, as Vault', async () => {
    const h = await harness();
    expect(await write(h, 'app/db', { password: 'p1' })).toEqual({
      data: { created_time: T0, custom_metadata: null, deletion_time: '', destroyed: false, version: 1 },
    });
  });

  it('reads the current version with its metadata', async () => {
    const h = await harness();
    await write(h, 'app/db', { password: 'p1', nested: { a: [1, 2] } });
    expect(await h.call('read', 'data/app/db')).toEqual({
      data: {
        data: { password: 'p1', nested: { a: [1, 2] } },
        metadata: { created_time: T0, custom_metadata: null, deletion_time: '', destroyed: false, version: 1 },
      },
    });
  });

  it('reads any kept version with ?version=N (query values arrive as strings)', async () => {
    const h = await harness();
    await write(h, 'k', { v: 1 });
    h.clock.advance(1);
    await write(h, 'k', { v: 2 });
    expect(await dataOf(h, 'k', '1')).toMatchObject({ data: { v: 1 }, metadata: { version: 1, created_time: T0 } });
    expect(await dataOf(h, 'k', '2')).toMatchObject({
      data: { v: 2 },
      metadata: { version: 2, created_time: '2024-05-01T10:00:01.123000000Z' },
    });
    expect(await dataOf(h, 'k', '0')).toMatchObject({ data: { v: 2 } });
  });

  it('answers nothing (404) for a missing key or a version that never existed', async () => {
    const h = await harness();
    expect(await h.call('read', 'data/missing')).toBeUndefined();
    await write(h, 'k', { v: 1 });
    expect(await h.call('read', 'data/k', { version: '7' })).toBeUndefined();
  });

  it('accepts an empty data object, as Vault', async () => {
    const h = await harness();
    await write(h, 'k', {});
    expect(await dataOf(h, 'k')).toMatchObject({ data: {} });
  });

  it('settles a write as create for a new key and update for an existing one', async () => {
    const h = await harness();
    expect((await h.route('write', 'data/k', { data: { a: 1 } })).request.operation).toBe('create');
    await write(h, 'k', { a: 1 });
    expect((await h.route('write', 'data/k', { data: { a: 2 } })).request.operation).toBe('update');
  });
});

describe('kv v2 data: bad input', () => {
  it('refuses a write without data', async () => {
    const h = await harness();
    await expect(h.call('write', 'data/k', {})).rejects.toMatchObject({ code: 'invalid_request', message: 'no data provided' });
    await expect(h.call('write', 'data/k', { data: null })).rejects.toMatchObject({ message: 'no data provided' });
    await expect(h.call('write', 'data/k', { password: 'flat' })).rejects.toMatchObject({ message: 'no data provided' });
  });

  it('refuses data and options that are not objects', async () => {
    const h = await harness();
    await expect(h.call('write', 'data/k', { data: 'text' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(h.call('write', 'data/k', { data: [1] })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(h.call('write', 'data/k', { data: {}, options: 5 })).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('refuses version numbers that are not non-negative integers', async () => {
    const h = await harness();
    await write(h, 'k', { v: 1 });
    for (const version of ['abc', '1.5', '-1', '']) {
      await expect(h.call('read', 'data/k', { version })).rejects.toMatchObject({ code: 'invalid_request' });
    }
  });

  it('refuses empty and relative paths', async () => {
    const h = await harness();
    await expect(write(h, '', { a: 1 })).rejects.toMatchObject({ code: 'invalid_request', message: 'missing path' });
    await expect(write(h, '../other/k', { a: 1 })).rejects.toMatchObject({ message: 'relative paths not supported' });
    await expect(write(h, 'a/../../k', { a: 1 })).rejects.toMatchObject({ message: 'relative paths not supported' });
    await expect(h.call('read', 'data/a/..')).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(write(h, 'dir/', { a: 1 })).rejects.toMatchObject({ code: 'invalid_request' });
    expect(h.storage.dump().size).toBe(0);
  });

  it('refuses a malformed cas option', async () => {
    const h = await harness();
    await expect(h.call('write', 'data/k', { data: {}, options: { cas: 'one' } })).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'error parsing check-and-set parameter',
    });
  });
});

describe('kv v2 data: check-and-set', () => {
  it('cas 0 writes only when the key has no version yet', async () => {
    const h = await harness();
    expect((await write(h, 'k', { a: 1 }, 0))?.data).toMatchObject({ version: 1 });
    await expect(write(h, 'k', { a: 2 }, 0)).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'check-and-set parameter did not match the current version',
    });
  });

  it('cas N writes only when N is the current version', async () => {
    const h = await harness();
    await write(h, 'k', { a: 1 });
    await expect(write(h, 'k', { a: 2 }, 2)).rejects.toMatchObject({
      message: 'check-and-set parameter did not match the current version',
    });
    expect((await write(h, 'k', { a: 2 }, 1))?.data).toMatchObject({ version: 2 });
    expect((await h.call('write', 'data/k', { data: { a: 3 }, options: { cas: '2' } }))?.data).toMatchObject({
      version: 3,
    });
  });

  it('a refused write changes nothing', async () => {
    const h = await harness();
    await write(h, 'k', { a: 1 });
    const before = h.storage.dump();
    await expect(write(h, 'k', { a: 2 }, 5)).rejects.toMatchObject({ code: 'invalid_request' });
    expect(h.storage.dump()).toEqual(before);
  });

  it('cas_required on the key demands cas', async () => {
    const h = await harness();
    await write(h, 'k', { a: 1 });
    await h.call('write', 'metadata/k', { cas_required: true });
    await expect(write(h, 'k', { a: 2 })).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'check-and-set parameter required for this call',
    });
    expect((await write(h, 'k', { a: 2 }, 1))?.data).toMatchObject({ version: 2 });
    expect((await write(h, 'other', { a: 1 }))?.data).toMatchObject({ version: 1 });
  });

  it('cas_required on the mount demands cas on every key, new ones included', async () => {
    const h = await harness();
    await h.call('write', 'config', { cas_required: true });
    await expect(write(h, 'k', { a: 1 })).rejects.toMatchObject({
      message: 'check-and-set parameter required for this call',
    });
    expect((await write(h, 'k', { a: 1 }, 0))?.data).toMatchObject({ version: 1 });
  });
});

describe('kv v2 data: max_versions', () => {
  it('keeps the last 10 versions by default and removes the oldest', async () => {
    const h = await harness();
    for (let i = 1; i <= 12; i++) await write(h, 'k', { i });
    const meta = (await h.call('read', 'metadata/k'))?.data as { versions: object; oldest_version: number };
    expect(Object.keys(meta.versions)).toEqual(['3', '4', '5', '6', '7', '8', '9', '10', '11', '12']);
    expect(meta.oldest_version).toBe(3);
    expect(await h.call('read', 'data/k', { version: '2' })).toBeUndefined();
    expect(await dataOf(h, 'k', '3')).toMatchObject({ data: { i: 3 } });
  });

  it('reports oldest_version 0 until the first trim, as Vault', async () => {
    const h = await harness();
    await write(h, 'k', { i: 1 });
    expect((await h.call('read', 'metadata/k'))?.data).toMatchObject({ oldest_version: 0, current_version: 1 });
  });

  it('honours the mount setting, 0 meaning the default', async () => {
    const h = await harness();
    await h.call('write', 'config', { max_versions: 2 });
    for (let i = 1; i <= 3; i++) await write(h, 'k', { i });
    expect(Object.keys(((await h.call('read', 'metadata/k'))?.data as { versions: object }).versions)).toEqual([
      '2',
      '3',
    ]);
    await h.call('write', 'config', { max_versions: 0 });
    for (let i = 4; i <= 12; i++) await write(h, 'k', { i });
    expect(((await h.call('read', 'metadata/k'))?.data as { oldest_version: number }).oldest_version).toBe(3);
  });

  it('uses the greater of key and mount max_versions, as Vault', async () => {
    const h = await harness();
    await h.call('write', 'config', { max_versions: 3 });
    await h.call('write', 'metadata/small', { max_versions: 1 });
    await h.call('write', 'metadata/large', { max_versions: 5 });
    for (let i = 1; i <= 6; i++) {
      await write(h, 'small', { i });
      await write(h, 'large', { i });
    }
    const versionsOf = async (path: string) =>
      Object.keys(((await h.call('read', `metadata/${path}`))?.data as { versions: object }).versions);
    expect(await versionsOf('small')).toEqual(['4', '5', '6']);
    expect(await versionsOf('large')).toEqual(['2', '3', '4', '5', '6']);
  });

  it('trims several versions at once after max_versions is lowered', async () => {
    const h = await harness();
    for (let i = 1; i <= 5; i++) await write(h, 'k', { i });
    await h.call('write', 'metadata/k', { max_versions: 2 });
    await write(h, 'k', { i: 6 });
    const meta = (await h.call('read', 'metadata/k'))?.data as { versions: object; oldest_version: number };
    expect(Object.keys(meta.versions)).toEqual(['5', '6']);
    expect(meta.oldest_version).toBe(5);
    const records = [...h.storage.dump().keys()].filter((key) => key.startsWith('versions/'));
    expect(records.map((key) => key.split('/')[2])).toEqual(['5', '6']);
  });
});

describe('kv v2 data: delete_version_after', () => {
  it('makes a version read as deleted once the duration has passed', async () => {
    const h = await harness();
    await h.call('write', 'config', { delete_version_after: '1h' });
    const written = await write(h, 'k', { a: 1 });
    expect(written?.data).toMatchObject({ deletion_time: '2024-05-01T11:00:00.123000000Z' });
    h.clock.advance(3599);
    expect(await dataOf(h, 'k')).toMatchObject({ data: { a: 1 } });
    h.clock.advance(1);
    expect(await h.call('read', 'data/k')).toEqual({
      status: 404,
      data: {
        data: null,
        metadata: {
          created_time: T0,
          custom_metadata: null,
          deletion_time: '2024-05-01T11:00:00.123000000Z',
          destroyed: false,
          version: 1,
        },
      },
    });
  });

  it('uses the smaller non-zero of key and mount settings', async () => {
    const h = await harness();
    await h.call('write', 'config', { delete_version_after: '1h' });
    await h.call('write', 'metadata/k', { delete_version_after: '10m' });
    expect((await write(h, 'k', { a: 1 }))?.data).toMatchObject({ deletion_time: '2024-05-01T10:10:00.123000000Z' });
    await h.call('write', 'metadata/j', { delete_version_after: '2h' });
    expect((await write(h, 'j', { a: 1 }))?.data).toMatchObject({ deletion_time: '2024-05-01T11:00:00.123000000Z' });
  });

  it('is switched off everywhere by a negative mount setting', async () => {
    const h = await harness();
    await h.call('write', 'metadata/k', { delete_version_after: '10m' });
    await h.call('write', 'config', { delete_version_after: '-1s' });
    expect((await write(h, 'k', { a: 1 }))?.data).toMatchObject({ deletion_time: '' });
  });
});

describe('kv v2 data: patch', () => {
  it('merges into the current version as a new version, null removing keys', async () => {
    const h = await harness();
    await write(h, 'k', { keep: 'x', drop: 'y', nested: { a: 1, b: 2 }, list: [1, 2] });
    h.clock.advance(1);
    const patched = await h.call('patch', 'data/k', { data: { drop: null, nested: { b: null, c: 3 }, list: [3], add: true } });
    expect(patched?.data).toMatchObject({ version: 2, created_time: '2024-05-01T10:00:01.123000000Z' });
    expect(await dataOf(h, 'k')).toMatchObject({ data: { keep: 'x', nested: { a: 1, c: 3 }, list: [3], add: true } });
    expect(await dataOf(h, 'k', '1')).toMatchObject({ data: { keep: 'x', drop: 'y' } });
  });

  it('checks cas like a write: it must match, and 0 never matches an existing key', async () => {
    const h = await harness();
    await write(h, 'k', { a: 1 });
    await expect(h.call('patch', 'data/k', { data: { a: 2 }, options: { cas: 0 } })).rejects.toMatchObject({
      message: 'check-and-set parameter did not match the current version',
    });
    expect((await h.call('patch', 'data/k', { data: { a: 2 }, options: { cas: 1 } }))?.data).toMatchObject({ version: 2 });
    await h.call('write', 'metadata/k', { cas_required: true });
    await expect(h.call('patch', 'data/k', { data: { a: 3 } })).rejects.toMatchObject({
      message: 'check-and-set parameter required for this call',
    });
  });

  it('answers 404 for a missing key', async () => {
    const h = await harness();
    await expect(h.call('patch', 'data/missing', { data: { a: 1 } })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('answers 404 with the version metadata when the current version is deleted or destroyed', async () => {
    const h = await harness();
    await write(h, 'k', { a: 1 });
    await h.call('delete', 'data/k');
    expect(await h.call('patch', 'data/k', { data: { a: 2 } })).toEqual({
      status: 404,
      data: { created_time: T0, custom_metadata: null, deletion_time: T0, destroyed: false, version: 1 },
    });
    await h.call('write', 'destroy/k', { versions: [1] });
    expect(await h.call('patch', 'data/k', { data: { a: 2 } })).toMatchObject({ status: 404, data: { destroyed: true } });
  });

  it('refuses a patch without data', async () => {
    const h = await harness();
    await write(h, 'k', { a: 1 });
    await expect(h.call('patch', 'data/k', {})).rejects.toMatchObject({ message: 'no data provided' });
  });
});

describe('kv v2 data: soft delete of the latest version', () => {
  it('marks the current version deleted, keeping older ones readable', async () => {
    const h = await harness();
    await write(h, 'k', { a: 1 });
    await write(h, 'k', { a: 2 });
    h.clock.advance(5);
    expect(await h.call('delete', 'data/k')).toBeUndefined();
    expect(await h.call('read', 'data/k')).toMatchObject({
      status: 404,
      data: { data: null, metadata: { version: 2, deletion_time: '2024-05-01T10:00:05.123000000Z' } },
    });
    expect(await dataOf(h, 'k', '1')).toMatchObject({ data: { a: 1 } });
  });

  it('is a no-op for a missing key or an already deleted version', async () => {
    const h = await harness();
    expect(await h.call('delete', 'data/missing')).toBeUndefined();
    await write(h, 'k', { a: 1 });
    await h.call('delete', 'data/k');
    h.clock.advance(10);
    await h.call('delete', 'data/k');
    expect(await h.call('read', 'data/k')).toMatchObject({ status: 404, data: { metadata: { deletion_time: T0 } } });
  });

  it('lets a new write follow a delete', async () => {
    const h = await harness();
    await write(h, 'k', { a: 1 });
    await h.call('delete', 'data/k');
    expect((await write(h, 'k', { a: 2 }, 1))?.data).toMatchObject({ version: 2 });
    expect(await dataOf(h, 'k')).toMatchObject({ data: { a: 2 } });
  });
});
