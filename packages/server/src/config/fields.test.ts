import { describe, expect, it } from 'vitest';
import { booleanField, choiceField, durationField, integerField, stringField, urlField, type Field } from './fields.js';

function accepts<T>(field: Field<T>, raw: unknown): T {
  const checked = field.check(raw);
  if (!checked.ok) throw new Error(`expected ${JSON.stringify(raw)} to be accepted: ${checked.expected}`);
  return checked.value;
}

const refuses = (field: Field<unknown>, raw: unknown) => !field.check(raw).ok;

describe('config fields', () => {
  it("booleans: Go's strconv.ParseBool spellings, as Vault reads them", () => {
    const field = booleanField();
    for (const raw of [true, 1, '1', 't', 'T', 'true', 'TRUE', 'True', ' true ']) expect(accepts(field, raw)).toBe(true);
    for (const raw of [false, 0, '0', 'f', 'F', 'false', 'FALSE', 'False']) expect(accepts(field, raw)).toBe(false);
    for (const raw of ['yes', 'on', 2, '', null, [true], { a: 1 }]) expect(refuses(field, raw)).toBe(true);
  });

  it('integers: numbers or strings of digits, within bounds', () => {
    const field = integerField({ min: 0, max: 100 });
    expect([5, '5', ' 100 ', '+7'].map((raw) => accepts(field, raw))).toEqual([5, 5, 100, 7]);
    for (const raw of [-1, '-1', 101, 1.5, '1.5', '12abc', '', 1e21, Number.NaN, true]) {
      expect(refuses(field, raw)).toBe(true);
    }
  });

  it('durations: Go-style strings or seconds', () => {
    const field = durationField();
    const seconds = ['768h', '1h30m', 90, '90', '1d'].map((raw) => accepts(field, raw));
    expect(seconds).toEqual([2764800, 5400, 90, 90, 86400]);
    for (const raw of ['', ' ', '-1s', 'forever', '1 hour', true, -5]) expect(refuses(field, raw)).toBe(true);
  });

  it('choices: case-insensitive, with aliases', () => {
    const field = choiceField(['info', 'warn'], { aliases: { warning: 'warn' } });
    expect([accepts(field, 'INFO'), accepts(field, ' Warning ')]).toEqual(['info', 'warn']);
    for (const raw of ['loud', '', 1, 'constructor', 'toString']) expect(refuses(field, raw)).toBe(true);
  });

  it('strings: numbers are taken as text, empty strings are refused unless allowed', () => {
    expect([accepts(stringField(), 'a'), accepts(stringField(), 42)]).toEqual(['a', '42']);
    expect(accepts(stringField({ allowEmpty: true }), '')).toBe('');
    for (const raw of ['', '  ', true, null, ['a']]) expect(refuses(stringField(), raw)).toBe(true);
  });

  it('URLs: absolute http or https with a host', () => {
    expect(accepts(urlField(), ' https://coffer.example.com:8200 ')).toBe('https://coffer.example.com:8200');
    expect(accepts(urlField(), 'http://[::1]:8200')).toBe('http://[::1]:8200');
    for (const raw of ['coffer:8200', 'ftp://x', 'https://', '/v1', 8200]) expect(refuses(urlField(), raw)).toBe(true);
  });
});
