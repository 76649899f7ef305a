import { describe, expect, it } from 'vitest';
import { createEngineHarness, type EngineHarness } from '../engine-harness.js';
import { createKvV2Engine } from './kv-v2-engine.js';

const secret = {
  foo: 'abc',
  bar: { baz: 'def', deep: { leaf: 1 }, empty: {} },
  list: [{ hidden: 'x' }],
  quux: {},
};

const harness = async () => {
  const h = await createEngineHarness(createKvV2Engine, { mountOptions: { version: '2' } });
  await h.call('write', 'data/k', { data: secret });
  await h.call('write', 'data/k', { data: { only: 'second' } });
  return h;
};
const subkeysOf = async (h: EngineHarness, query: Record<string, string> = {}) =>
  (await h.call('read', 'subkeys/k', query))?.data;

describe('kv v2 subkeys', () => {
  it('reports the structure without values, with the version metadata', async () => {
    const h = await harness();
    expect(await subkeysOf(h, { version: '1' })).toEqual({
      metadata: {
        created_time: '2024-05-01T10:00:00.123000000Z',
        custom_metadata: null,
        deletion_time: '',
        destroyed: false,
        version: 1,
      },
      subkeys: { foo: null, bar: { baz: null, deep: { leaf: null }, empty: null }, list: null, quux: null },
    });
  });

  it('reads the current version by default', async () => {
    const h = await harness();
    expect(await subkeysOf(h)).toMatchObject({ subkeys: { only: null }, metadata: { version: 2 } });
  });

  it('cuts the tree at the requested depth', async () => {
    const h = await harness();
    expect((await subkeysOf(h, { version: '1', depth: '1' }))?.subkeys).toEqual({
      foo: null,
      bar: null,
      list: null,
      quux: null,
    });
    expect((await subkeysOf(h, { version: '1', depth: '2' }))?.subkeys).toEqual({
      foo: null,
      bar: { baz: null, deep: null, empty: null },
      list: null,
      quux: null,
    });
    expect((await subkeysOf(h, { version: '1', depth: '0' }))?.subkeys).toMatchObject({ bar: { deep: { leaf: null } } });
  });

  it('answers 404 with metadata for a deleted version, and nothing for a missing one', async () => {
    const h = await harness();
    await h.call('delete', 'data/k');
    expect(await h.call('read', 'subkeys/k')).toMatchObject({
      status: 404,
      data: { subkeys: null, metadata: { version: 2 } },
    });
    expect(await h.call('read', 'subkeys/k', { version: '9' })).toBeUndefined();
    expect(await h.call('read', 'subkeys/missing')).toBeUndefined();
  });

  it('refuses bad version and depth values', async () => {
    const h = await harness();
    for (const query of [{ version: 'abc' }, { version: '-1' }, { depth: 'deep' }, { depth: '-1' }]) {
      await expect(h.call('read', 'subkeys/k', query)).rejects.toMatchObject({ code: 'invalid_request' });
    }
  });
});
