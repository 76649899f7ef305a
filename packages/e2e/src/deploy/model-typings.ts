import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * kubernetes-models validates types, enums and required fields, but accepts any unknown key: a
 * typo such as `livenesProbe` passes and the probe silently does not exist. Its generated typings
 * (`v1/Container.d.ts`: `"livenessProbe"?: IIoK8sApiCoreV1Probe;`) do list every property of every
 * type, with the type of each, so this module reads them to know, for any path in an object,
 * which keys exist. The typings are generated from the same OpenAPI document as the validators.
 */

/** How one property's value is shaped, as far as key checking needs to know. */
export type Typing =
  | { kind: 'object'; file: string }
  | { kind: 'array'; of: Typing }
  | { kind: 'map'; of: Typing }
  | { kind: 'leaf' };

const LEAF: Typing = { kind: 'leaf' };
const require = createRequire(import.meta.url);
const modelsDir = dirname(require.resolve('kubernetes-models'));
const apimachineryDir = dirname(createRequire(join(modelsDir, 'index.js')).resolve('@kubernetes-models/apimachinery'));

/** The typings file of a top-level kind: `apps/v1` + `StatefulSet` → …/apps/v1/StatefulSet.d.ts. */
export function kindTypingsFile(apiVersion: string, kind: string): string {
  return join(modelsDir, apiVersion, `${kind}.d.ts`);
}

const cache = new Map<string, Map<string, Typing> | undefined>();

/** The properties of the interface a typings file declares; undefined for a type alias (Quantity, Time). */
export function propertiesOf(file: string): Map<string, Typing> | undefined {
  if (!cache.has(file)) cache.set(file, parseFile(file));
  return cache.get(file);
}

function parseFile(file: string): Map<string, Typing> | undefined {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
  const imports = new Map<string, string>();
  for (const match of text.matchAll(/import \{ (\w+) \} from "([^"]+)";/g)) {
    imports.set(match[1] as string, resolveImport(file, match[2] as string));
  }
  const start = /export interface \w+(?: extends [\w, ]+)? \{/.exec(text);
  if (!start) return undefined;
  const body = blockAfter(text, start.index + start[0].length);
  const properties = new Map<string, Typing>();
  for (const [name, type] of members(body)) properties.set(name, typingOf(type, imports));
  return properties;
}

function resolveImport(file: string, specifier: string): string {
  if (specifier.startsWith('.')) return join(dirname(file), `${specifier}.d.ts`);
  const prefix = '@kubernetes-models/apimachinery/';
  if (specifier.startsWith(prefix)) return join(apimachineryDir, `${specifier.slice(prefix.length)}.d.ts`);
  return ''; // @kubernetes-models/base: TypeMeta and friends, not data types
}

/** The text between an opening brace (just before `from`) and its matching closing brace. */
function blockAfter(text: string, from: number): string {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return text.slice(from, i);
  }
  throw new Error('unbalanced braces in a kubernetes-models typings file');
}

/** `"name"?: TYPE;` members at the top level of an interface body (TYPE may span lines). */
function* members(body: string): Generator<[string, string]> {
  const member = /"([^"]+)"\??:\s*/g;
  let match: RegExpExecArray | null;
  while ((match = member.exec(body))) {
    let depth = 0;
    let end = member.lastIndex;
    for (; end < body.length; end++) {
      const c = body[end];
      if (c === '{' || c === '<') depth++;
      else if (c === '}' || c === '>') depth--;
      else if (c === ';' && depth === 0) break;
    }
    yield [match[1] as string, body.slice(member.lastIndex, end).replace(/\s+/g, ' ').trim()];
    member.lastIndex = end + 1;
  }
}

function typingOf(type: string, imports: Map<string, string>): Typing {
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return { kind: 'array', of: typingOf(array[1] as string, imports) };
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return { kind: 'map', of: typingOf(map[1] as string, imports) };
  const file = imports.get(type);
  return file ? { kind: 'object', file } : LEAF;
}

/**
 * Every key of `value` that its type does not have, as `path: unknown key "x"`, with the closest
 * known key when one is near (a typo). Recurses through nested objects, arrays and maps.
 */
export function unknownKeys(value: unknown, file: string, path = ''): string[] {
  const properties = propertiesOf(file);
  if (!properties || typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const problems: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const where = path === '' ? key : `${path}.${key}`;
    const typing = properties.get(key);
    if (!typing) {
      const hint = closest(key, [...properties.keys()]);
      problems.push(`${where}: unknown key "${key}"${hint ? ` (did you mean "${hint}"?)` : ''}`);
      continue;
    }
    problems.push(...check(child, typing, where));
  }
  return problems;
}

function check(value: unknown, typing: Typing, path: string): string[] {
  switch (typing.kind) {
    case 'object':
      return unknownKeys(value, typing.file, path);
    case 'array':
      return Array.isArray(value) ? value.flatMap((item, i) => check(item, typing.of, `${path}[${i}]`)) : [];
    case 'map':
      return typeof value === 'object' && value !== null ? Object.entries(value).flatMap(([k, v]) => check(v, typing.of, `${path}.${k}`)) : [];
    case 'leaf':
      return [];
  }
}

function closest(key: string, candidates: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(key.toLowerCase(), name.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
