import { createRequire } from 'node:module';
import { usageError } from '../exit-codes.js';
import { printHcl } from './hcl-print.js';
import { HclShapeError, parseHclTree } from './hcl-tree.js';
import { checkPolicy } from './policy-check.js';

interface Hcl2Json {
  parse(fileName: string, text: string): Promise<unknown>;
}

/**
 * Loaded on first use (it starts a WebAssembly runtime), through `require` and a local type since
 * its typings pull the DOM lib into every program that imports them.
 */
function loadHcl2Json(): Hcl2Json {
  return createRequire(import.meta.url)('@cdktf/hcl2json') as Hcl2Json;
}

const SOURCE_NAME = '__coffer_policy__';
/** hcl2json's diagnostics: `parse config: [<file>:<line>,<col>-<line>,<col>: <summary>; <detail> …]`. */
const DIAGNOSTIC = new RegExp(`${SOURCE_NAME}:(\\d+),(\\d+)(?:-(?:\\d+,)?\\d+)?: `, 'g');

/**
 * `policy fmt`: the policy in canonical layout, or a usage error naming the line (and column)
 * of what is wrong. hcl2json, the parser the server uses, decides what is valid HCL; it drops
 * comments and sorts blocks, so the layout comes from our own tree of the same text, which keeps
 * both. Then Vault's policy structure checks, then the printer.
 */
export async function formatPolicy(text: string, fileName: string): Promise<string> {
  const fail = (line: number, column: number | undefined, message: string): never => {
    throw usageError(`failed to parse policy: ${fileName}:${line}${column === undefined ? '' : `:${column}`}: ${message}`);
  };
  const source = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (source.trimStart().startsWith('{')) {
    fail(1, undefined, 'this is a JSON policy; policy fmt formats HCL (the server accepts both)');
  }
  try {
    await loadHcl2Json().parse(SOURCE_NAME, source);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const [first, second] = [...message.matchAll(DIAGNOSTIC)];
    if (!first) fail(1, undefined, message);
    const start = (first?.index ?? 0) + (first?.[0].length ?? 0);
    const detail = message.slice(start, second?.index ?? message.length).replace(/\]$/, '').trim();
    fail(Number(first?.[1]), Number(first?.[2]), detail.replaceAll(new RegExp(`${SOURCE_NAME}:(\\d+),\\d+(?:-(?:\\d+,)?\\d+)?`, 'g'), 'line $1'));
  }
  let tree;
  try {
    tree = parseHclTree(source);
  } catch (error) {
    if (error instanceof HclShapeError) fail(error.line, error.column, error.message);
    throw error;
  }
  const problems = checkPolicy(tree);
  if (problems.length > 0) {
    const [first, ...rest] = problems;
    const more = rest.map((p) => `\n${fileName}:${p.line}: ${p.message}`).join('');
    fail(first?.line ?? 1, undefined, `${first?.message ?? ''}${more}`);
  }
  return printHcl(tree);
}
