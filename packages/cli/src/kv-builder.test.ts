import { describe, expect, it } from 'vitest';
import { CliError } from './exit-codes.js';
import { parseKvArgs, type KvSources } from './kv-builder.js';

const sources = (stdin = '', files: Record<string, string> = {}): KvSources => ({
  readStdin: async () => stdin,
  readFile: async (path) => {
    const text = files[path];
    if (text === undefined) throw Object.assign(new Error('missing'), { code: 'ENOENT' });
    return text;
  },
});

describe('parseKvArgs (Vault kvbuilder)', () => {
  it('reads k=v, k=@file, k=\\@literal and repeated keys as lists', async () => {
    const data = await parseKvArgs(['a=1', 'b=@f.txt', 'c=\\@x', 'd=1', 'd=2', 'e=x=y'], sources('', { 'f.txt': 'file' }));
    expect(data).toEqual({ a: '1', b: 'file', c: '@x', d: ['1', '2'], e: 'x=y' });
  });

  it('merges a JSON object from stdin (-) or a file (@file)', async () => {
    expect(await parseKvArgs(['-', 'z=1'], sources('{"n":2,"o":{"p":true}}'))).toEqual({ n: 2, o: { p: true }, z: '1' });
    expect(await parseKvArgs(['@d.json'], sources('', { 'd.json': '{"k":"v"}' }))).toEqual({ k: 'v' });
    expect(await parseKvArgs(['v=-'], sources('raw value'))).toEqual({ v: 'raw value' });
  });

  it('refuses bad input as usage errors (exit 1)', async () => {
    for (const args of [['novalue'], ['-', 'x=-'], ['@missing.json'], ['-']]) {
      const error = await parseKvArgs(args, sources('[1]')).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CliError);
      expect((error as CliError).exitCode).toBe(1);
    }
  });
});
