import { createHash, createHmac } from 'node:crypto';
import { fn, intArg, stringArg, type TemplateFunc } from './func-def.js';
import { goJson } from './go-json.js';

/**
 * consul-template's helper functions that need no Vault: encoding, JSON, strings, environment and
 * arithmetic. The Vault functions (`secret`, `secrets`) come from the agent (vault-funcs.ts).
 */
export function consulHelperFuncs(env: Readonly<Record<string, string | undefined>>): Map<string, TemplateFunc> {
  const str = (f: (s: string, args: unknown[]) => unknown, extra = 0) =>
    fn(1 + extra, 1 + extra, (args) => f(stringArg(args[args.length - 1], args.length - 1), args));
  return new Map<string, TemplateFunc>([
    ['base64Decode', str((s) => base64Decode(s, 'base64Decode', 'base64'))],
    ['base64Encode', str((s) => Buffer.from(s, 'utf8').toString('base64'))],
    ['base64URLDecode', str((s) => base64Decode(s, 'base64URLDecode', 'base64url'))],
    ['base64URLEncode', str((s) => Buffer.from(s, 'utf8').toString('base64url').padEnd(Math.ceil(Buffer.byteLength(s) / 3) * 4, '='))],
    ['toJSON', fn(1, 1, ([v]) => goJson(v))],
    ['toJSONPretty', fn(1, 1, ([v]) => goJson(v, { indent: '  ' }))],
    ['toUnescapedJSON', fn(1, 1, ([v]) => goJson(v, { escapeHtml: false }))],
    ['toUnescapedJSONPretty', fn(1, 1, ([v]) => goJson(v, { indent: '  ', escapeHtml: false }))],
    ['parseJSON', str((s) => (s.trim() === '' ? {} : (JSON.parse(s) as unknown)))],
    ['parseBool', str((s) => parseBool(s))],
    ['parseInt', str((s) => parseInteger(s))],
    ['parseFloat', str((s) => parseFloatStrict(s))],
    ['env', str((s) => env[s] ?? '')],
    ['mustEnv', str((s) => {
      const value = env[s];
      if (value === undefined) throw new Error(`mustEnv: environment variable ${s} is not set`);
      return value;
    })],
    ['envOrDefault', fn(2, 2, ([name, fallback]) => env[stringArg(name, 0)] ?? stringArg(fallback, 1))],
    ['toLower', str((s) => s.toLowerCase())],
    ['toUpper', str((s) => s.toUpperCase())],
    ['toTitle', str((s) => s.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase()))],
    ['trimSpace', str((s) => s.replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/g, ''))],
    ['trim', fn(2, 2, ([cut, s]) => trimChars(stringArg(s, 1), stringArg(cut, 0), true, true))],
    ['trimPrefix', fn(2, 2, ([prefix, s]) => trimAffix(stringArg(s, 1), stringArg(prefix, 0), true))],
    ['trimSuffix', fn(2, 2, ([suffix, s]) => trimAffix(stringArg(s, 1), stringArg(suffix, 0), false))],
    ['contains', fn(2, 2, ([item, list]) => within(list, item))],
    ['split', fn(2, 2, ([sep, s]) => splitGo(stringArg(s, 1), stringArg(sep, 0)))],
    ['join', fn(2, 2, ([sep, list]) => joinList(list, stringArg(sep, 0)))],
    ['replaceAll', fn(3, 3, ([from, to, s]) => stringArg(s, 2).split(stringArg(from, 0)).join(stringArg(to, 1)))],
    ['regexReplaceAll', fn(3, 3, ([re, to, s]) => stringArg(s, 2).replace(new RegExp(stringArg(re, 0), 'g'), stringArg(to, 1).replace(/\$\{?(\d+)\}?/g, '$$$1')))],
    ['regexMatch', fn(2, 2, ([re, s]) => new RegExp(stringArg(re, 0)).test(stringArg(s, 1)))],
    ['indent', fn(2, 2, ([spaces, s]) => indent(intArg(spaces, 0), stringArg(s, 1)))],
    ['sha256Hex', str((s) => createHash('sha256').update(s).digest('hex'))],
    ['md5sum', str((s) => createHash('md5').update(s).digest('hex'))],
    ['hmacSHA256Hex', fn(2, 2, ([msg, key]) => createHmac('sha256', stringArg(key, 1)).update(stringArg(msg, 0)).digest('hex'))],
    ['timestamp', fn(0, 1, ([layout]) => timestamp(layout))],
    ['in', fn(2, 2, ([list, item]) => within(list, item))],
    ['add', math((a, b) => b + a)],
    ['subtract', math((a, b) => b - a)],
    ['multiply', math((a, b) => b * a)],
    ['divide', math((a, b) => {
      if (a === 0) throw new Error('divide: division by zero');
      const q = b / a;
      return Number.isInteger(a) && Number.isInteger(b) ? Math.trunc(q) : q;
    })],
    ['modulo', math((a, b) => {
      if (a === 0) throw new Error('modulo: division by zero');
      return b % a;
    })],
    ['minimum', math((a, b) => Math.min(a, b))],
    ['maximum', math((a, b) => Math.max(a, b))],
  ]);
}

/** consul-template's math takes its operands reversed, so pipes read naturally: `{{ 3 | subtract 1 }}` is 2. */
function math(op: (a: number, b: number) => number): TemplateFunc {
  return fn(2, 2, ([a, b]) => {
    const x = toNumber(a, 'first');
    const y = toNumber(b, 'second');
    return op(x, y);
  });
}

function toNumber(value: unknown, which: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw new Error(`unable to use ${which} argument ${JSON.stringify(value)} as a number`);
}

/** consul-template's `in`: membership in a list, or a substring of a string. */
function within(list: unknown, item: unknown): boolean {
  if (Array.isArray(list)) return list.includes(item);
  if (typeof list === 'string' && typeof item === 'string') return list.includes(item);
  if (typeof list === 'string') return false;
  throw new Error(`cannot look for a value in ${list === null || list === undefined ? 'nil' : typeof list}`);
}

function base64Decode(s: string, name: string, encoding: 'base64' | 'base64url'): string {
  const valid = encoding === 'base64' ? /^[A-Za-z0-9+/]*={0,2}$/ : /^[A-Za-z0-9_-]*={0,2}$/;
  if (!valid.test(s) || s.length % 4 !== 0) throw new Error(`${name}: illegal base64 data at input byte ${firstBad(s, valid)}`);
  return Buffer.from(s, encoding).toString('utf8');
}

function firstBad(s: string, valid: RegExp): number {
  for (let i = s.length; i > 0; i--) if (valid.test(s.slice(0, i)) && i % 4 === 0) return i;
  return 0;
}

function parseBool(s: string): boolean {
  if (s === '') return false;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  throw new Error(`parseBool: strconv.ParseBool: parsing ${JSON.stringify(s)}: invalid syntax`);
}

function parseInteger(s: string): number {
  if (s === '') return 0;
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`parseInt: strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}

function parseFloatStrict(s: string): number {
  if (s === '') return 0;
  const n = Number(s);
  if (!Number.isFinite(n)) throw new Error(`parseFloat: strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
  return n;
}

function trimChars(s: string, cut: string, left: boolean, right: boolean): string {
  const chars = new Set([...cut]);
  const list = [...s];
  let start = 0;
  let end = list.length;
  while (left && start < end && chars.has(list[start] as string)) start++;
  while (right && end > start && chars.has(list[end - 1] as string)) end--;
  return list.slice(start, end).join('');
}

function trimAffix(s: string, affix: string, prefix: boolean): string {
  if (prefix) return s.startsWith(affix) ? s.slice(affix.length) : s;
  return affix !== '' && s.endsWith(affix) ? s.slice(0, s.length - affix.length) : s;
}

/** consul-template's split: strings.Split on the trimmed text; an empty separator splits into characters. */
function splitGo(text: string, sep: string): string[] {
  // consul-template trims first, and splits nothing into an empty list.
  const s = text.trim();
  if (s === '') return [];
  return sep === '' ? [...s] : s.split(sep);
}

/** RFC 3339 in UTC, or `unix` seconds; Go's other layouts are not supported. */
function timestamp(layout: unknown): string {
  const now = new Date();
  if (layout === undefined) return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (layout === 'unix') return String(Math.floor(now.getTime() / 1000));
  throw new Error(`timestamp: only "unix" or no layout is supported, not ${JSON.stringify(layout)}`);
}

function joinList(list: unknown, sep: string): string {
  if (!Array.isArray(list)) throw new Error('join: expected a list');
  return list.map((item) => (typeof item === 'string' ? item : String(item))).join(sep);
}

function indent(spaces: number, s: string): string {
  if (spaces < 0) throw new Error('indent value must be a positive integer');
  const pad = ' '.repeat(spaces);
  return s
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n');
}
