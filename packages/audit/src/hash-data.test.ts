import { describe, expect, it } from 'vitest';
import { formatResponseEntry, type FormatContext } from './entry-formatter.js';
import { copyAuditData } from './hash-data.js';
import { hashValue, HMAC_PREFIX } from './salt.js';

const SALT = 'salt-one';
const hash = (value: string) => hashValue(SALT, value);

describe('HMAC of request and response data', () => {
  it('hashes every string at any depth, in lists and maps, and passes other values through', () => {
    const data = {
      password: 'p',
      nested: { deeper: { token: 't', list: ['a', 1, true, null, { inner: 'i' }, ['x']] } },
      count: 7,
      ratio: 0.5,
      enabled: false,
      nothing: null,
    };
    expect(copyAuditData(data, { hash })).toEqual({
      count: 7,
      enabled: false,
      nested: { deeper: { list: [hash('a'), 1, true, null, { inner: hash('i') }, [hash('x')]], token: hash('t') } },
      nothing: null,
      password: hash('p'),
      ratio: 0.5,
    });
  });

  it('writes hmac-sha256:<hex> with the device salt, so each device has its own hashes', () => {
    const [one, two] = [hashValue('salt-one', 'v'), hashValue('salt-two', 'v')];
    expect(one).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(one.startsWith(HMAC_PREFIX)).toBe(true);
    expect(one).not.toBe(two);
    // Vault's salt is a UUID string used as the HMAC key: a known vector keeps us interoperable.
    expect(hashValue('key', 'The quick brown fox jumps over the lazy dog')).toBe(
      'hmac-sha256:f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });

  it('exempts non-HMAC keys by the nearest map key, as Vault', () => {
    const data = { user: 'bob', roles: ['a', 'b'], password: 'pw', meta: { user: 'in-map', other: 'o' }, under: { x: 'y' } };
    expect(copyAuditData(data, { hash, nonHmacKeys: ['user', 'roles', 'under'] })).toEqual({
      meta: { other: hash('o'), user: 'in-map' },
      password: hash('pw'),
      roles: ['a', 'b'],
      // A map under an exempt key is judged by its own keys.
      under: { x: hash('y') },
      user: 'bob',
    });
  });

  it('leaves RFC 3339 timestamps readable, as Vault does, and hashes strings that only look like dates', () => {
    const data = { created: '2026-01-02T03:04:05.123456Z', offset: '2026-01-02T03:04:05+02:00', day: '2026-01-02', bad: '2026-02-30T00:00:00Z' };
    expect(copyAuditData(data, { hash })).toEqual({
      bad: hash('2026-02-30T00:00:00Z'),
      created: '2026-01-02T03:04:05.123456Z',
      day: hash('2026-01-02'),
      offset: '2026-01-02T03:04:05+02:00',
    });
  });

  it('follows JSON: toJSON, dropped undefined, null in lists, Dates as timestamps; refuses cycles', () => {
    const data = { when: new Date('2026-01-02T03:04:05Z'), gone: undefined, list: [undefined, 'v'], inf: Infinity };
    expect(copyAuditData(data, { hash })).toEqual({ inf: null, list: [null, hash('v')], when: '2026-01-02T03:04:05.000Z' });
    const cyclic: Record<string, unknown> = { a: 'x' };
    cyclic['self'] = cyclic;
    expect(() => copyAuditData(cyclic, { hash })).toThrow(/circular/);
  });

  it('sorts map keys as Go’s encoder writes maps, and never touches the caller’s data', () => {
    const data = { b: { z: 'z', a: 'a' }, a: ['q'] };
    const before = structuredClone(data);
    const copy = copyAuditData(data, { hash });
    expect(Object.keys(copy)).toEqual(['a', 'b']);
    expect(Object.keys(copy['b'] as object)).toEqual(['a', 'z']);
    expect(data).toEqual(before);
    expect(copy['a']).not.toBe(data.a);
  });

  it('logs raw data unchanged (but copied and sorted) with log_raw', () => {
    expect(copyAuditData({ s: 'secret', n: { t: 'x' } })).toEqual({ n: { t: 'x' }, s: 'secret' });
  });
});

describe('elide_list_responses', () => {
  const context: FormatContext = { salt: SALT, raw: false, hmacAccessor: true, elideListResponses: true };
  const listing = {
    keys: ['a', 'b', 'c'],
    key_info: { a: { name: 'x' }, b: { name: 'y' } },
    other: 'kept',
  };

  it('replaces keys and key_info of list responses with their counts', () => {
    const entry = formatResponseEntry({ request: { id: 'r', operation: 'list', path: 'secret/metadata/' }, response: { data: listing } }, context);
    expect(entry.response.data).toEqual({ key_info: 2, keys: 3, other: hash('kept') });
    const raw = formatResponseEntry(
      { request: { id: 'r', operation: 'list', path: 'secret/metadata/' }, response: { data: listing } },
      { ...context, raw: true },
    );
    expect(raw.response.data).toEqual({ key_info: 2, keys: 3, other: 'kept' });
  });

  it('leaves other operations and devices without the option alone', () => {
    const read = formatResponseEntry({ request: { id: 'r', operation: 'read', path: 'p' }, response: { data: listing } }, context);
    expect(read.response.data?.['keys']).toEqual(['a', 'b', 'c'].map(hash));
    const off = formatResponseEntry(
      { request: { id: 'r', operation: 'list', path: 'p' }, response: { data: listing } },
      { ...context, elideListResponses: false },
    );
    expect(off.response.data?.['keys']).toEqual(['a', 'b', 'c'].map(hash));
  });
});
