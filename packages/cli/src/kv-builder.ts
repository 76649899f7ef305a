import { readFile } from 'node:fs/promises';
import { usageError } from './exit-codes.js';
import { isRecord } from './secret.js';

export interface KvSources {
  /** Reads all of stdin; called at most once. */
  readStdin(): Promise<string>;
  readFile(path: string): Promise<string>;
}

export const fileSources = (readStdin: () => Promise<string>): KvSources => ({
  readStdin,
  readFile: (path) => readFile(path, 'utf8'),
});

/**
 * Vault's `k=v` argument grammar (kvbuilder): `k=v`; `k=@file` (value from a file; `k=\@x` is a
 * literal `@x`); `k=-` (value from stdin); `-` alone (a JSON object from stdin, merged); `@file`
 * alone (a JSON object from a file, merged). A key given twice becomes a list.
 */
export async function parseKvArgs(args: readonly string[], sources: KvSources): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  let stdinUsed = false;
  const stdin = async () => {
    if (stdinUsed) throw usageError('Failed to parse K=V data: stdin already consumed');
    stdinUsed = true;
    return sources.readStdin();
  };
  const mergeJson = (text: string, from: string) => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw usageError(`Failed to parse K=V data: invalid JSON from ${from}: ${(error as Error).message}`);
    }
    if (!isRecord(parsed)) throw usageError(`Failed to parse K=V data: ${from} must hold a JSON object`);
    Object.assign(result, parsed);
  };

  for (const arg of args) {
    if (arg === '') continue;
    const equals = arg.indexOf('=');
    if (equals === -1) {
      if (arg === '-') {
        mergeJson(await stdin(), 'stdin');
        continue;
      }
      if (arg.startsWith('@')) {
        mergeJson(await readSource(sources, arg.slice(1)), arg.slice(1));
        continue;
      }
      throw usageError(`Failed to parse K=V data: format must be key=value, got "${arg}"`);
    }
    const key = arg.slice(0, equals);
    let value = arg.slice(equals + 1);
    if (value.startsWith('@')) value = await readSource(sources, value.slice(1));
    else if (value.startsWith('\\@')) value = value.slice(1);
    else if (value === '-') value = await stdin();
    const existing = result[key];
    if (existing === undefined) result[key] = value;
    else result[key] = Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return result;
}

async function readSource(sources: KvSources, path: string): Promise<string> {
  try {
    return await sources.readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw usageError(`Failed to parse K=V data: error reading file "${path}": ${code ?? (error as Error).message}`);
  }
}
