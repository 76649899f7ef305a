import { createRequire } from 'node:module';
import { isPlainObject } from '@coffer/sdk';
import { scanHclPositions } from './hcl-positions.js';
import { scanJsonPositions } from './json-positions.js';
import { Located } from './located.js';
import { firstTooDeep } from './nesting-depth.js';
import { LineIndex } from './positions.js';
import type { Problems } from './problems.js';

export type ConfigFormat = 'hcl' | 'json';

/** Far above any real configuration or policy (they nest three or four levels). */
const MAX_NESTING = 64;

/** Vault's rule: `.hcl` files are HCL; otherwise a document that opens with `{` is JSON. */
export function detectFormat(text: string, fileName: string): ConfigFormat {
  if (fileName.toLowerCase().endsWith('.hcl')) return 'hcl';
  return text.trimStart().startsWith('{') ? 'json' : 'hcl';
}

/**
 * Parses the text into a value with positions, or records why it cannot be parsed (syntax errors
 * with line and column) and returns undefined.
 */
export async function readConfigDocument(
  source: string,
  fileName: string,
  problems: Problems,
): Promise<Located | undefined> {
  const text = source.startsWith('\uFEFF') ? source.slice(1) : source;
  // Anything but tab, newline and carriage return below U+0020 (and DEL) means binary content;
  // better said plainly than as a page of "Invalid character" diagnostics.
  const control = /[\u0000-\u0008\u000B-\u000C\u000E-\u001F\u007F]/.exec(text);
  if (control) {
    const lines = new LineIndex(text);
    const code = control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    problems.add(
      lines.line(control.index),
      `the file contains the control character U+${code}; it does not look like a text configuration file`,
      lines.column(control.index),
    );
    return undefined;
  }
  const tooDeep = firstTooDeep(text, MAX_NESTING);
  if (tooDeep !== undefined) {
    const lines = new LineIndex(text);
    problems.add(lines.line(tooDeep), `nested deeper than ${MAX_NESTING} levels of braces and brackets`, lines.column(tooDeep));
    return undefined;
  }
  return detectFormat(text, fileName) === 'json' ? readJson(text, problems) : readHcl(text, problems);
}

function readJson(text: string, problems: Problems): Located | undefined {
  const scan = scanJsonPositions(text);
  if (!('root' in scan)) {
    problems.add(scan.line, `invalid JSON: ${scan.message}`, scan.column);
    return undefined;
  }
  for (const { key, line, firstLine } of scan.duplicates) {
    problems.add(line, `duplicate key "${key}" (first at line ${firstLine}); to give several stanzas, use an array`);
  }
  const value: unknown = JSON.parse(text);
  if (!isPlainObject(value)) {
    problems.add(1, 'the JSON configuration must be an object');
    return undefined;
  }
  return new Located(value, 1, [scan.root]);
}

interface Hcl2Json {
  parse(fileName: string, text: string): Promise<unknown>;
}

/**
 * Loaded on first use, since loading starts hcl2json's WebAssembly runtime. Through `require` and
 * a local type because its typings pull the DOM lib into every program that imports it.
 */
function loadHcl2Json(): Hcl2Json {
  return createRequire(import.meta.url)('@cdktf/hcl2json') as Hcl2Json;
}

/** The file name given to hcl2json, so its diagnostics can be told apart and renamed. */
const SOURCE_NAME = '__coffer_config__';
const DIAGNOSTIC = new RegExp(`(?:^|[\\[ ])${SOURCE_NAME}:(\\d+),(\\d+)(?:-(?:\\d+,)?\\d+)?: `, 'g');
const MAX_SYNTAX_ERRORS = 5;

async function readHcl(text: string, problems: Problems): Promise<Located | undefined> {
  let value: unknown;
  try {
    value = await loadHcl2Json().parse(SOURCE_NAME, text);
  } catch (error) {
    reportHclErrors(error instanceof Error ? error.message : String(error), text, problems);
    return undefined;
  }
  if (!isPlainObject(value)) {
    problems.add(undefined, 'the HCL parser returned no configuration object');
    return undefined;
  }
  return new Located(value, 1, [scanHclPositions(text)]);
}

/**
 * hcl2json reports `parse config: [<file>:<line>,<col>-<line>,<col>: <summary>; <detail> …]`.
 * Each diagnostic becomes one problem at `file:line:col`, named after the key on that line.
 */
function reportHclErrors(message: string, text: string, problems: Problems): void {
  const starts = [...message.matchAll(DIAGNOSTIC)];
  if (starts.length === 0) {
    problems.add(undefined, `cannot parse the file as HCL: ${message}`);
    return;
  }
  const sourceLines = text.split('\n');
  starts.slice(0, MAX_SYNTAX_ERRORS).forEach((start, i) => {
    const end = starts[i + 1]?.index ?? message.length;
    const body = message
      .slice((start.index ?? 0) + start[0].length, end)
      .replace(/\]$/, '')
      .trim()
      // Details may cite other places ("already set at <file>:1,1-2"): point those at lines too.
      .replaceAll(new RegExp(`${SOURCE_NAME}:(\\d+),\\d+(?:-(?:\\d+,)?\\d+)?`, 'g'), 'line $1');
    const line = Number(start[1]);
    const key = keyOnLine(sourceLines[line - 1] ?? '');
    problems.add(line, key === undefined ? body : `${key}: ${body}`, Number(start[2]));
  });
  if (starts.length > MAX_SYNTAX_ERRORS) {
    const lastShown = Number(starts[MAX_SYNTAX_ERRORS - 1]?.[1] ?? 0);
    problems.add(lastShown, `... and ${starts.length - MAX_SYNTAX_ERRORS} more syntax errors`);
  }
}

/** `"bad"` for `bad = …`, `storage "file"` for a block header, so syntax errors name a key. */
function keyOnLine(line: string): string | undefined {
  const attribute = /^\s*"?([\p{L}_][\p{L}\p{N}_-]*)"?\s*[=:]/u.exec(line);
  if (attribute) return `"${attribute[1]}"`;
  const block = /^\s*([\p{L}_][\p{L}\p{N}_-]*)((?:\s+(?:"[^"]*"|[\p{L}_][\p{L}\p{N}_-]*))*)\s*\{/u.exec(line);
  if (block) return `${block[1]}${block[2] ?? ''}`;
  return undefined;
}
