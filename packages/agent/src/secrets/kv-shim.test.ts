import { describe, expect, it } from 'vitest';
import { isDeletedKvV2, shimKvV2Path } from './kv-shim.js';

describe('shimKvV2Path (consul-template)', () => {
  it.each([
    ['secret/app', 'secret/', 'secret/data/app'],
    ['secret/data/app', 'secret/', 'secret/data/app'],
    ['secret/metadata/app', 'secret/', 'secret/metadata/app'],
    ['secret/subkeys/app', 'secret/', 'secret/subkeys/app'],
    ['secret', 'secret/', 'secret/data'],
    ['team/a/b/c', 'team/a/', 'team/a/data/b/c'],
    ['secret/database/x', 'secret/', 'secret/data/database/x'],
  ])('%s on mount %s reads %s', (raw, mount, expected) => {
    expect(shimKvV2Path(raw, mount)).toBe(expected);
  });
  it('lists through metadata/', () => {
    expect(shimKvV2Path('secret/', 'secret/', 'metadata')).toBe('secret/metadata');
    expect(shimKvV2Path('secret/app', 'secret/', 'metadata')).toBe('secret/metadata/app');
  });
  it('a version deleted in the past counts as gone', () => {
    expect(isDeletedKvV2({ data: { data: null, metadata: { deletion_time: '2001-01-01T00:00:00Z' } } })).toBe(true);
    expect(isDeletedKvV2({ data: { data: {}, metadata: { deletion_time: '' } } })).toBe(false);
  });
});
