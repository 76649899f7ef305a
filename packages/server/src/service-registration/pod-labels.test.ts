import { describe, expect, it } from 'vitest';
import { labelPatch, labelsFor, labelValue } from './pod-labels.js';

describe('pod labels', () => {
  it('a pod with no label map gets the whole map in one add; otherwise only the changed keys, escaped', () => {
    const wanted = labelsFor({ role: 'standby', initialized: true }, { vault: '1.19.0', coffer: '0.1.0' });
    expect(labelPatch(undefined, wanted)).toEqual([{ op: 'add', path: '/metadata/labels', value: wanted }]);
    expect(labelPatch(wanted, wanted)).toEqual([]);
    expect(labelPatch({ ...wanted, 'vault-active': 'true' }, wanted)).toEqual([{ op: 'add', path: '/metadata/labels/vault-active', value: 'false' }]);
    expect(labelPatch({}, { 'a/b~c': 'x' })).toEqual([{ op: 'add', path: '/metadata/labels/a~1b~0c', value: 'x' }]);
  });

  it('turns versions into valid label values (no build metadata, ≤ 63 chars, alphanumeric ends)', () => {
    expect(labelValue('1.19.0+coffer.0.1.0')).toBe('1.19.0');
    expect(labelValue('v2.0.0-rc.1')).toBe('v2.0.0-rc.1');
    expect(labelValue('-x y_')).toBe('x-y');
    expect(labelValue('1'.repeat(80))).toHaveLength(63);
  });
});
