import { describe, expect, it } from 'vitest';
import { goQuotedList, goValue, humanDuration, wrapAtLength } from './go-format.js';
import { columns, headerForMap, listTable, mapTable, secretJson, secretTable, toJson } from './output.js';

describe('Go formatting', () => {
  it('prints values as %v does', () => {
    expect(goValue(null)).toBe('<nil>');
    expect(goValue({ b: [1, 'x'], a: { c: true } })).toBe('map[a:map[c:true] b:[1 x]]');
    expect(goQuotedList(['default', 'root'])).toBe('["default" "root"]');
    expect(goQuotedList(null)).toBe('[]');
  });

  it('prints durations as Vault trims Go durations', () => {
    expect(humanDuration(0)).toBe('0s');
    expect(humanDuration(45)).toBe('45s');
    expect(humanDuration(90)).toBe('1m30s');
    expect(humanDuration(120)).toBe('2m');
    expect(humanDuration(3600)).toBe('1h');
    expect(humanDuration(3660)).toBe('1h1m');
    expect(humanDuration(3601)).toBe('1h0m1s');
    expect(humanDuration(2764800)).toBe('768h');
  });

  it('wraps prose at 78 columns', () => {
    const text = wrapAtLength('word '.repeat(40).trim());
    expect(text.split('\n').every((line) => line.length <= 78)).toBe(true);
  });
});

describe('tables', () => {
  it('lays out columns as columnize: padded, four spaces, n/a for empty cells', () => {
    expect(columns([['a', 'bb', 'c'], ['ddd', '', 'e']])).toBe('a      bb     c\nddd    n/a    e');
  });

  it('Key/Value tables sort keys and humanise duration-looking integers', () => {
    expect(mapTable({ ttl: 3600, name: 'x', lease_duration: 'not-a-number' })).toBe(
      'Key               Value\n---               -----\nlease_duration    not-a-number\nname              x\nttl               1h',
    );
    expect(listTable(['b', 'a/'])).toBe('Keys\n----\na/\nb');
  });

  it('the secret table shows auth fields, the token only when asked', () => {
    const secret = {
      auth: { client_token: 'tok', accessor: 'acc', policies: ['root'], token_policies: ['root'], lease_duration: 0, renewable: false },
    };
    const shown = secretTable(secret, { showToken: true });
    expect(shown).toMatch(/^token\s+tok$/m);
    expect(shown).toMatch(/^token_duration\s+∞$/m);
    expect(secretTable(secret, { showToken: false })).not.toContain('tok\n');
    expect(secretTable({ lease_duration: 60, data: { a: 1 } }, { showToken: false })).toMatch(/^refresh_interval\s+1m$/m);
  });

  it('headers are sized as Vault sizes them', () => {
    expect(headerForMap('Data', { token: 1 })).toBe('==== Data ====');
    expect(headerForMap('Metadata', { a: 1 })).toBe('== Metadata ==');
  });

  it('JSON is Go-shaped: sorted map keys, api.Secret field order', () => {
    expect(toJson({ b: 1, a: { d: 1, c: 2 } })).toBe('{\n  "a": {\n    "c": 2,\n    "d": 1\n  },\n  "b": 1\n}');
    const json = JSON.parse(secretJson({ data: { x: 1 }, mount_type: 'kv', request_id: 'r' }, { showToken: false }));
    expect(Object.keys(json)).toEqual(['request_id', 'lease_id', 'lease_duration', 'renewable', 'data', 'warnings', 'mount_type']);
  });
});
