import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createEngineHarness } from '../engine-harness.js';
import { createKvV2Engine } from './kv-v2-engine.js';

const folderOf = (path: string) => `versions/${createHash('sha256').update(path).digest('hex')}/`;

describe('kv v2 storage layout', () => {
  it('keeps one metadata record per secret and one record per version under a hash of the path', async () => {
    const h = await createEngineHarness(createKvV2Engine);
    await h.call('write', 'config', { max_versions: 4 });
    await h.call('write', 'data/app/db', { data: { a: 1 } });
    await h.call('write', 'data/app/db', { data: { a: 2 } });
    await h.call('write', 'data/app', { data: { b: 1 } });
    expect([...h.storage.dump().keys()].sort()).toEqual(
      [
        'config',
        'metadata/app',
        'metadata/app/db',
        `${folderOf('app/db')}1`,
        `${folderOf('app/db')}2`,
        `${folderOf('app')}1`,
      ].sort(),
    );
  });

  it('trims the versions that leave the window with the write, and many at once after max_versions is lowered', async () => {
    const h = await createEngineHarness(createKvV2Engine);
    const versions = () => [...h.storage.dump().keys()].filter((key) => key.startsWith('versions/')).sort();
    await h.call('write', 'metadata/k', { max_versions: 2 });
    for (let i = 1; i <= 3; i++) await h.call('write', 'data/k', { data: { i } });
    expect(versions()).toEqual([`${folderOf('k')}2`, `${folderOf('k')}3`]);

    await h.call('write', 'metadata/k', { max_versions: 100 });
    for (let i = 4; i <= 90; i++) await h.call('write', 'data/k', { data: { i } });
    expect(versions()).toHaveLength(89);
    // 88 versions leave the window at once: more than one storage batch holds.
    await h.call('write', 'metadata/k', { max_versions: 1 });
    const res = await h.call('write', 'data/k', { data: { i: 91 } });
    expect(res?.warnings).toBeUndefined();
    expect(versions()).toEqual([`${folderOf('k')}91`]);
  });

  it('sweeps version records an interrupted write left behind when the metadata is deleted', async () => {
    const h = await createEngineHarness(createKvV2Engine);
    await h.call('write', 'data/k', { data: { i: 1 } });
    // A record no metadata points to, as a crash between a version and its metadata leaves on a
    // backend that applies a batch one write at a time.
    await h.storage.put(`${folderOf('k')}7`, new TextEncoder().encode('{}'));
    await h.call('delete', 'metadata/k');
    expect([...h.storage.dump().keys()].filter((key) => key.startsWith('versions/'))).toEqual([]);
  });
});
