import { fn, intArg, type TemplateFunc } from './func-def.js';
import { sprint, sprintf, sprintln } from './go-fmt.js';
import { GoStruct, goTypeName, isGoMap, truth } from './values.js';

/**
 * Go text/template's predefined functions. `and` and `or` are listed for the parser but
 * short-circuit in the evaluator, as in Go 1.18+.
 */
export function builtinFuncs(): Map<string, TemplateFunc> {
  return new Map<string, TemplateFunc>([
    ['and', fn(1, Infinity, (args) => args.find((a) => !truth(a)) ?? args[args.length - 1])],
    ['or', fn(1, Infinity, (args) => args.find((a) => truth(a)) ?? args[args.length - 1])],
    ['not', fn(1, 1, ([a]) => !truth(a))],
    ['len', fn(1, 1, ([a]) => length(a))],
    ['index', fn(1, Infinity, ([item, ...keys]) => keys.reduce((value, key) => indexOne(value, key), item))],
    ['slice', fn(1, 4, ([item, ...bounds]) => sliceOf(item, bounds))],
    ['print', fn(0, Infinity, (args) => sprint(args))],
    ['println', fn(0, Infinity, (args) => sprintln(args))],
    ['printf', fn(1, Infinity, ([format, ...args]) => sprintf(String(format), args))],
    ['eq', fn(1, Infinity, ([first, ...rest]) => {
      if (rest.length === 0) throw new Error('missing argument for comparison');
      return rest.some((other) => equal(first, other));
    })],
    ['ne', fn(2, 2, ([a, b]) => !equal(a, b))],
    ['lt', fn(2, 2, ([a, b]) => compare(a, b) < 0)],
    ['le', fn(2, 2, ([a, b]) => compare(a, b) <= 0)],
    ['gt', fn(2, 2, ([a, b]) => compare(a, b) > 0)],
    ['ge', fn(2, 2, ([a, b]) => compare(a, b) >= 0)],
    ['html', fn(0, Infinity, (args) => htmlEscape(evalArgs(args)))],
    ['js', fn(0, Infinity, (args) => jsEscape(evalArgs(args)))],
    ['urlquery', fn(0, Infinity, (args) => encodeURIComponent(evalArgs(args)).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))],
  ]);
}

/** Go's evalArgs for html/js/urlquery: one string argument as is, else fmt.Sprint. */
function evalArgs(args: unknown[]): string {
  return args.length === 1 && typeof args[0] === 'string' ? args[0] : sprint(args);
}

function length(value: unknown): number {
  if (value === null || value === undefined) throw new Error('len of nil pointer');
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (Array.isArray(value)) return value.length;
  if (isGoMap(value)) return Object.keys(value).length;
  throw new Error(`len of type ${goTypeName(value)}`);
}

function indexOne(item: unknown, key: unknown): unknown {
  if (item === null || item === undefined) throw new Error('index of untyped nil');
  if (Array.isArray(item) || typeof item === 'string') {
    const i = intArg(key, 1);
    const size = typeof item === 'string' ? Buffer.byteLength(item) : item.length;
    if (i < 0 || i >= size) throw new Error(`index out of range: ${i}`);
    return typeof item === 'string' ? (Buffer.from(item, 'utf8')[i] as number) : item[i];
  }
  if (isGoMap(item)) {
    if (typeof key !== 'string') throw new Error(`value has type ${goTypeName(key)}; should be string`);
    // A missing key gives the element type's zero value: a nil interface.
    return Object.hasOwn(item, key) ? item[key] : null;
  }
  throw new Error(`can't index item of type ${goTypeName(item)}`);
}

function sliceOf(item: unknown, bounds: unknown[]): unknown {
  if (item === null || item === undefined) throw new Error('slice of untyped nil');
  if (typeof item !== 'string' && !Array.isArray(item)) throw new Error(`can't slice item of type ${goTypeName(item)}`);
  if (typeof item === 'string' && bounds.length > 2) throw new Error('cannot 3-index slice a string');
  const size = typeof item === 'string' ? Buffer.byteLength(item) : item.length;
  const [start = 0, end = size] = bounds.map((b, i) => intArg(b, i + 1));
  if (start < 0 || end > size || start > end) throw new Error(`index out of range: ${start > end ? start : end}`);
  return typeof item === 'string' ? Buffer.from(item, 'utf8').subarray(start, end).toString('utf8') : item.slice(start, end);
}

type Kind = 'bool' | 'number' | 'string' | 'nil' | 'other';

function kindOf(value: unknown): Kind {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'number';
  if (typeof value === 'string') return 'string';
  return 'other';
}

/**
 * Go's eq: basic values of one kind compare by value; nil equals only nil; a nil against another
 * kind is false; other mixed kinds are an error. Maps, slices and structs are not comparable.
 */
function equal(a: unknown, b: unknown): boolean {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'nil' || kb === 'nil') return ka === kb;
  if (ka !== kb) throw new Error('incompatible types for comparison');
  if (ka === 'other') {
    if (a instanceof GoStruct && b instanceof GoStruct) return a === b;
    throw new Error(`non-comparable type ${goTypeName(a)}`);
  }
  return a === b;
}

function compare(a: unknown, b: unknown): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'bool' || ka === 'nil' || ka === 'other') throw new Error('invalid type for comparison');
  if (ka !== kb) throw new Error('incompatible types for comparison');
  const x = a as number | string;
  const y = b as number | string;
  return x < y ? -1 : x > y ? 1 : 0;
}

function htmlEscape(text: string): string {
  return text.replace(/[<>&'"\0]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' })[c] as string);
}

function jsEscape(text: string): string {
  return text.replace(/[\\'"<>&=\n\r\t\0]|[\u0000-\u001f]/g, (c) => {
    const named: Record<string, string> = { '\\': '\\\\', "'": "\\'", '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' };
    return named[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
  });
}
