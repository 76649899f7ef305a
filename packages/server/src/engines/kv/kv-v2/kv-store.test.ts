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

  it('sweeps version records a failed trim left behind on the next trimming write', async () => {
    const h = await createEngineHarness(createKvV2Engine);
    await h.call('write', 'metadata/k', { max_versions: 1 });
    await h.call('write', 'data/k', { data: { i: 1 } });
    // A record below the window, as if an earlier cleanup had been interrupted.
    await h.storage.put(`${folderOf('k')}0`, new TextEncoder().encode('{}'));
    await h.call('write', 'data/k', { data: { i: 2 } });
    expect([...h.storage.dump().keys()].filter((key) => key.startsWith('versions/'))).toEqual([`${folderOf('k')}2`]);
  });
});
