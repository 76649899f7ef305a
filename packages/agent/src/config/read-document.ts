import { createRequire } from 'node:module';
import { Located } from './located.js';
import type { Problems } from './problems.js';
import { scanPositions } from './source-scan.js';

interface Hcl2Json {
  parse(fileName: string, text: string): Promise<unknown>;
}

/**
 * Loaded on first use (it starts a WebAssembly runtime), through `require` and a local type
 * because its typings pull the DOM lib into every program that imports them.
 */
function hcl2json(): Hcl2Json {
  return createRequire(import.meta.url)('@cdktf/hcl2json') as Hcl2Json;
}

/** The name handed to hcl2json, so its diagnostics can be found and renamed. */
const SOURCE = '__coffer_agent_config__';
const DIAGNOSTIC = new RegExp(`${SOURCE}:(\\d+),(\\d+)(?:-(?:\\d+,)?\\d+)?: ([^;\\]]*)(?:; ([^\\]]*?))?(?=, ${SOURCE}:|\\]|$)`, 'g');

/**
 * Vault's rule: a `.json` file, or text opening with `{`, is JSON; anything else HCL. Returns the
 * document with positions, or records the syntax errors (with line and column) and returns undefined.
 */
export async function readDocument(source: string, problems: Problems): Promise<Located | undefined> {
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  const json = problems.fileName.toLowerCase().endsWith('.json') || text.trimStart().startsWith('{');
  let value: unknown;
  if (json) {
    try {
      value = JSON.parse(text) as unknown;
    } catch (error) {
      problems.add(jsonErrorLine(text, error as Error), `invalid JSON: ${(error as Error).message}`);
      return undefined;
    }
  } else {
    try {
      value = await hcl2json().parse(SOURCE, text);
    } catch (error) {
      reportHclErrors(String((error as Error).message ?? error), problems);
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.add(1, 'the configuration must be an object');
    return undefined;
  }
  return new Located(value, 1, [scanPositions(text, json)]);
}

function jsonErrorLine(text: string, error: Error): number | undefined {
  const position = /position (\d+)/.exec(error.message);
  if (!position) return undefined;
  return text.slice(0, Number(position[1])).split('\n').length;
}

function reportHclErrors(message: string, problems: Problems): void {
  const found = [...message.matchAll(DIAGNOSTIC)];
  if (found.length === 0) {
    problems.add(undefined, `cannot parse the file as HCL: ${message.replaceAll(SOURCE, problems.fileName)}`);
    return;
  }
  for (const m of found.slice(0, 5)) {
    const detail = [m[3], m[4]].filter(Boolean).join('; ').trim();
    problems.add(Number(m[1]), detail.replaceAll(new RegExp(`${SOURCE}:(\\d+),\\d+(?:-(?:\\d+,)?\\d+)?`, 'g'), 'line $1'), Number(m[2]));
  }
}
