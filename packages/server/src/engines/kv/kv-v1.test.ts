import { describe, expect, it } from 'vitest';
import { createEngineHarness } from './engine-harness.js';
import { createKvV1Engine } from './kv-v1.js';

const harness = () => createEngineHarness(createKvV1Engine, { defaultLeaseTtl: 3600 });

describe('kv v1', () => {
  it('writes, reads and deletes a flat map of any JSON values', async () => {
    const h = await harness();
    const data = { password: 's3cr3t', port: 5432, tags: ['a', 'b'], nested: { on: true }, none: null };
    expect(await h.call('write', 'app/db', data)).toBeUndefined();
    expect(await h.call('read', 'app/db')).toEqual({ data, leaseDurationHint: 3600 });
    expect(await h.call('delete', 'app/db')).toBeUndefined();
    expect(await h.call('read', 'app/db')).toBeUndefined();
  });

  it('replaces the whole map on a second write', async () => {
    const h = await harness();
    await h.call('write', 'k', { a: '1', b: '2' });
    await h.call('write', 'k', { c: '3' });
    expect((await h.call('read', 'k'))?.data).toEqual({ c: '3' });
  });

  it('settles a write as create when nothing is stored and update otherwise', async () => {
    const h = await harness();
    expect((await h.route('write', 'k', { a: '1' })).request.operation).toBe('create');
    await h.call('write', 'k', { a: '1' });
    expect((await h.route('write', 'k', { a: '2' })).request.operation).toBe('update');
  });

  it('keeps a ttl key and reports it as the lease duration hint', async () => {
    const h = await harness();
    await h.call('write', 'short', { value: 'x', ttl: '1h30m' });
    expect(await h.call('read', 'short')).toEqual({ data: { value: 'x', ttl: '1h30m' }, leaseDurationHint: 5400 });
    await h.call('write', 'numeric', { value: 'x', ttl: 90 });
    expect((await h.call('read', 'numeric'))?.leaseDurationHint).toBe(90);
    await h.call('write', 'legacy', { value: 'x', lease: '2m' });
    expect((await h.call('read', 'legacy'))?.leaseDurationHint).toBe(120);
  });

  it('falls back to the mount default TTL when ttl does not parse', async () => {
    const h = await harness();
    await h.call('write', 'bad', { ttl: 'soon' });
    expect((await h.call('read', 'bad'))?.leaseDurationHint).toBe(3600);
  });

  it('lists keys and folders, at the root and below, with or without the trailing slash', async () => {
    const h = await harness();
    for (const path of ['a', 'b/c', 'b/d/e', 'z']) await h.call('write', path, { v: path });
    expect(await h.call('list', '')).toEqual({ data: { keys: ['a', 'b/', 'z'] } });
    expect(await h.call('list', 'b/')).toEqual({ data: { keys: ['c', 'd/'] } });
    expect(await h.call('list', 'b')).toEqual({ data: { keys: ['c', 'd/'] } });
  });

  it('answers an empty list with nothing (the server turns it into 404)', async () => {
    const h = await harness();
    expect(await h.call('list', '')).toBeUndefined();
    expect(await h.call('list', 'nothing/')).toBeUndefined();
  });

  it('refuses an empty write as Vault does', async () => {
    const h = await harness();
    await expect(h.call('write', 'k', {})).rejects.toMatchObject({ code: 'invalid_request', message: 'missing data fields' });
  });

  it('refuses empty, relative and malformed paths', async () => {
    const h = await harness();
    await expect(h.call('write', '', { a: 1 })).rejects.toMatchObject({ code: 'invalid_request', message: 'missing path' });
    await expect(h.call('write', 'a/../b', { a: 1 })).rejects.toMatchObject({
      code: 'invalid_request',
      message: 'relative paths not supported',
    });
    await expect(h.call('read', '..')).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(h.call('write', 'a//b', { a: 1 })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(h.call('write', 'a/', { a: 1 })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(h.call('list', '../')).rejects.toMatchObject({ code: 'invalid_request' });
    expect(h.storage.dump().size).toBe(0);
  });

  it('has no patch operation', async () => {
    const h = await harness();
    await expect(h.call('patch', 'k', { a: 1 })).rejects.toMatchObject({ code: 'unsupported_operation' });
  });

  it('stores entries under data/ in the mount storage', async () => {
    const h = await harness();
    await h.call('write', 'app/db', { a: 1 });
    expect([...h.storage.dump().keys()]).toEqual(['data/app/db']);
  });
});
