import { describe, expect, it } from 'vitest';
import { kvApiPath, type KvTarget } from './kv-mount.js';

const v2 = (partialPath: string, mountPath = 'secret/'): KvTarget => ({ mountPath, v2: true, partialPath, mountFlag: false });

describe('kvApiPath', () => {
  it('puts the API prefix between the mount and the rest on v2', () => {
    expect(kvApiPath(v2('secret/foo'), 'data')).toBe('secret/data/foo');
    expect(kvApiPath(v2('secret/a/b'), 'metadata')).toBe('secret/metadata/a/b');
    expect(kvApiPath(v2('team/kv/x', 'team/kv/'), 'destroy')).toBe('team/kv/destroy/x');
    expect(kvApiPath(v2('secret'), 'metadata')).toBe('secret/metadata');
    expect(kvApiPath(v2('secret/'), 'metadata')).toBe('secret/metadata');
  });

  it('uses the path itself on v1, joined to -mount when given', () => {
    expect(kvApiPath({ mountPath: 'kv/', v2: false, partialPath: 'kv/foo', mountFlag: false }, 'data')).toBe('kv/foo');
    expect(kvApiPath({ mountPath: 'kv/', v2: false, partialPath: 'foo', mountFlag: true }, 'data')).toBe('kv/foo');
  });
});
