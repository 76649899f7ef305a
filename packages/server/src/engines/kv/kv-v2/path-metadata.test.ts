import { describe, expect, it } from 'vitest';
import { createEngineHarness, type EngineHarness } from '../engine-harness.js';
import { createKvV2Engine } from './kv-v2-engine.js';

const harness = () => createEngineHarness(createKvV2Engine, { mountOptions: { version: '2' } });
const T0 = '2024-05-01T10:00:00.123000000Z';
const metadataOf = async (h: EngineHarness, path: string) => (await h.call('read', `metadata/${path}`))?.data;

describe('kv v2 metadata read', () => {
  it("reports the key's settings and every kept version, as Vault", async () => {
    const h = await harness();
    await h.call('write', 'data/k', { data: { a: 1 } });
    h.clock.advance(1);
    await h.call('write', 'data/k', { data: { a: 2 } });
    await h.call('delete', 'data/k');
    expect(await metadataOf(h, 'k')).toEqual({
      cas_required: false,
      created_time: T0,
      current_version: 2,
      custom_metadata: null,
      delete_version_after: '0s',
      max_versions: 0,
      oldest_version: 0,
      updated_time: '2024-05-01T10:00:01.123000000Z',
      versions: {
        '1': { created_time: T0, deletion_time: '', destroyed: false },
        '2': {
          created_time: '2024-05-01T10:00:01.123000000Z',
          deletion_time: '2024-05-01T10:00:01.123000000Z',
          destroyed: false,
        },
      },
    });
  });

  it('answers nothing (404) for a missing key and refuses an empty path', async () => {
    const h = await harness();
    expect(await h.call('read', 'metadata/missing')).toBeUndefined();
    await expect(h.call('read', 'metadata/')).rejects.toMatchObject({ code: 'invalid_request', message: 'missing path' });
  });
});

describe('kv v2 metadata write', () => {
  it('creates metadata before any version and keeps settings across writes', async () => {
    const h = await harness();
    expect((await h.route('write', 'metadata/k', { max_versions: 3 })).request.operation).toBe('create');
    const custom = { owner: 'team-a', ticket: 'OPS-1' };
    expect(
      await h.call('write', 'metadata/k', {
        max_versions: 3,
        cas_required: true,
        delete_version_after: '1h30m',
        custom_metadata: custom,
      }),
    ).toBeUndefined();
    expect(await metadataOf(h, 'k')).toEqual({
      cas_required: true,
      created_time: T0,
      current_version: 0,
      custom_metadata: custom,
      delete_version_after: '1h30m0s',
      max_versions: 3,
      oldest_version: 0,
      updated_time: T0,
      versions: {},
    });
    expect(await h.call('read', 'data/k')).toBeUndefined();
    h.clock.advance(1);
    const written = await h.call('write', 'data/k', { data: { a: 1 }, options: { cas: 0 } });
    expect(written?.data).toMatchObject({ version: 1, custom_metadata: custom });
    expect(await metadataOf(h, 'k')).toMatchObject({ max_versions: 3, cas_required: true, created_time: T0 });
  });

  it('changes only the fields given, replaces custom_metadata, and leaves updated_time alone', async () => {
    const h = await harness();
    await h.call('write', 'metadata/k', { max_versions: 4, custom_metadata: { a: '1', b: '2' } });
    h.clock.advance(30);
    await h.call('write', 'metadata/k', { custom_metadata: { c: '3' } });
    expect(await metadataOf(h, 'k')).toMatchObject({ max_versions: 4, custom_metadata: { c: '3' }, updated_time: T0 });
    await h.call('write', 'metadata/k', { custom_metadata: {} });
    expect(await metadataOf(h, 'k')).toMatchObject({ custom_metadata: null });
  });

  it('does nothing when no setting is given', async () => {
    const h = await harness();
    expect(await h.call('write', 'metadata/k', { unrelated: 1 })).toBeUndefined();
    expect(await h.call('read', 'metadata/k')).toBeUndefined();
  });

  it('converts scalar custom_metadata values to text, as Vault', async () => {
    const h = await harness();
    await h.call('write', 'metadata/k', { custom_metadata: { n: 42, yes: true, no: false } });
    expect(await metadataOf(h, 'k')).toMatchObject({ custom_metadata: { n: '42', yes: '1', no: '0' } });
  });

  it('warns when cas_required false is overridden by the mount', async () => {
    const h = await harness();
    await h.call('write', 'config', { cas_required: true });
    expect(await h.call('write', 'metadata/k', { cas_required: false })).toEqual({
      warnings: ['"cas_required" set to false, but is mandated by backend config. This value will be ignored.'],
    });
  });

  it('refuses bad types and values', async () => {
    const h = await harness();
    await expect(h.call('write', 'metadata/k', { max_versions: 'many' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(h.call('write', 'metadata/k', { max_versions: -1 })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(h.call('write', 'metadata/k', { cas_required: 'perhaps' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(h.call('write', 'metadata/k', { delete_version_after: '-5m' })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    await expect(h.call('write', 'metadata/k', { custom_metadata: 'x' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(h.call('write', 'metadata/k', { custom_metadata: { a: { nested: 1 } } })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(h.storage.dump().size).toBe(0);
  });
});

describe('kv v2 custom_metadata limits', () => {
  const attempt = async (custom: Record<string, unknown>) => (await harness()).call('write', 'metadata/k', { custom_metadata: custom });

  it('accepts 64 keys, 128-byte keys and 512-byte values', async () => {
    const many = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v']));
    await expect(attempt(many)).resolves.toBeUndefined();
    await expect(attempt({ ['k'.repeat(128)]: 'v'.repeat(512) })).resolves.toBeUndefined();
  });

  it('refuses a 65th key', async () => {
    const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    await expect(attempt(many)).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'custom_metadata validation failed: payload must contain at most 64 keys, provided 65',
    });
  });

  it('counts key and value lengths in bytes', async () => {
    await expect(attempt({ ['k'.repeat(129)]: 'v' })).rejects.toMatchObject({
      message: `custom_metadata validation failed: length of key "${'k'.repeat(129)}" is 129 but must be 0 < len(key) <= 128`,
    });
    await expect(attempt({ k: 'é'.repeat(257) })).rejects.toMatchObject({
      message: 'custom_metadata validation failed: length of value for key "k" is 514 but must be 0 < len(value) <= 512',
    });
  });

  it('refuses empty values and unprintable characters', async () => {
    await expect(attempt({ k: '' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(attempt({ k: null })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(attempt({ k: 'line\nbreak' })).rejects.toMatchObject({
      message: 'custom_metadata validation failed: value for key "k" contains unprintable characters',
    });
    await expect(attempt({ 'tab\tkey': 'v' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(attempt({ k: 'plain text, ünïcødé and 🔑' })).resolves.toBeUndefined();
  });
});

describe('kv v2 metadata patch', () => {
  it('merges custom_metadata (null removes a key) and sets only the given settings', async () => {
    const h = await harness();
    await h.call('write', 'metadata/k', { max_versions: 5, cas_required: true, custom_metadata: { a: '1', b: '2' } });
    expect(await h.call('patch', 'metadata/k', { custom_metadata: { b: null, c: '3' }, delete_version_after: '10m' })).toBeUndefined();
    expect(await metadataOf(h, 'k')).toMatchObject({
      max_versions: 5,
      cas_required: true,
      delete_version_after: '10m0s',
      custom_metadata: { a: '1', c: '3' },
    });
    await h.call('patch', 'metadata/k', { cas_required: false, custom_metadata: { a: null, c: null } });
    expect(await metadataOf(h, 'k')).toMatchObject({ cas_required: false, custom_metadata: null });
  });

  it('answers 404 for a missing key', async () => {
    const h = await harness();
    await expect(h.call('patch', 'metadata/missing', { max_versions: 1 })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('keeps the merged custom_metadata within 64 keys', async () => {
    const h = await harness();
    const full = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v']));
    await h.call('write', 'metadata/k', { custom_metadata: full });
    await expect(h.call('patch', 'metadata/k', { custom_metadata: { extra: 'v' } })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    expect(Object.keys((await metadataOf(h, 'k'))?.custom_metadata as object)).toHaveLength(64);
  });
});

describe('kv v2 metadata delete', () => {
  it('removes every version and the metadata', async () => {
    const h = await harness();
    for (let i = 1; i <= 3; i++) await h.call('write', 'data/k', { data: { i } });
    await h.call('write', 'data/other', { data: { keep: true } });
    expect(await h.call('delete', 'metadata/k')).toBeUndefined();
    expect(await h.call('read', 'metadata/k')).toBeUndefined();
    expect(await h.call('read', 'data/k', { version: '1' })).toBeUndefined();
    expect([...h.storage.dump().keys()].filter((key) => key.startsWith('versions/'))).toHaveLength(1);
    expect((await h.call('write', 'data/k', { data: { fresh: 1 }, options: { cas: 0 } }))?.data).toMatchObject({
      version: 1,
    });
  });

  it('is a no-op for a missing key', async () => {
    const h = await harness();
    expect(await h.call('delete', 'metadata/missing')).toBeUndefined();
  });
});

describe('kv v2 metadata list', () => {
  it('lists secrets and folders at the root and below', async () => {
    const h = await harness();
    for (const path of ['a', 'app/db', 'app/cache', 'app/team/one', 'z']) {
      await h.call('write', 'data/' + path, { data: { p: path } });
    }
    expect(await h.call('list', 'metadata/')).toEqual({ data: { keys: ['a', 'app/', 'z'] } });
    expect(await h.call('list', 'metadata/app/')).toEqual({ data: { keys: ['cache', 'db', 'team/'] } });
    expect(await h.call('list', 'metadata/app')).toEqual({ data: { keys: ['cache', 'db', 'team/'] } });
  });

  it('lists a key that is both a secret and a folder, and includes metadata-only secrets', async () => {
    const h = await harness();
    await h.call('write', 'data/app', { data: { a: 1 } });
    await h.call('write', 'data/app/db', { data: { a: 1 } });
    await h.call('write', 'metadata/planned', { max_versions: 2 });
    expect(await h.call('list', 'metadata/')).toEqual({ data: { keys: ['app', 'app/', 'planned'] } });
  });

  it('answers an empty list with nothing (the server turns it into 404)', async () => {
    const h = await harness();
    expect(await h.call('list', 'metadata/')).toBeUndefined();
    await h.call('write', 'data/a', { data: {} });
    expect(await h.call('list', 'metadata/none/')).toBeUndefined();
  });

  it('refuses relative list paths', async () => {
    const h = await harness();
    await expect(h.call('list', 'metadata/../')).rejects.toMatchObject({ code: 'invalid_request' });
  });
});
