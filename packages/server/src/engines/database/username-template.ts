import { createHash, randomUUID } from 'node:crypto';
import { CofferError } from '@coffer/sdk';
import { randomBase62 } from '../../core/ids.js';
import { formatGoTime } from './go-time-format.js';

/**
 * Vault's username templates: Go text/template actions with Vault's functions, e.g.
 * `{{ printf "v-%s-%s-%s-%s" (.DisplayName | truncate 8) (.RoleName | truncate 8) (random 20) (unix_time) | truncate 63 }}`.
 * This is the subset those templates use: text, actions with pipelines, parenthesised calls,
 * string and number literals, and the fields `.DisplayName` and `.RoleName`.
 */
export interface UsernameMetadata {
  DisplayName: string;
  RoleName: string;
}

export type UsernameTemplate = (metadata: UsernameMetadata) => string;

type Node =
  | { kind: 'text'; value: string }
  | { kind: 'literal'; value: string | number }
  | { kind: 'field'; name: string }
  | { kind: 'call'; fn: string; args: Node[] }
  | { kind: 'pipe'; commands: Node[][] };

type Fn = (...args: (string | number)[]) => string;

const FUNCTIONS: Record<string, Fn> = {
  random: (n) => randomBase62(int(n, 'random')),
  truncate: (n, s) => truncate(int(n, 'truncate'), str(s)),
  truncate_sha256: (n, s) => truncateSha256(int(n, 'truncate_sha256'), str(s)),
  uppercase: (s) => str(s).toUpperCase(),
  lowercase: (s) => str(s).toLowerCase(),
  replace: (find, repl, s) => str(s).replaceAll(str(find), str(repl)),
  sha256: (s) => createHash('sha256').update(str(s)).digest('hex'),
  base64: (s) => Buffer.from(str(s)).toString('base64'),
  decode_base64: (s) => Buffer.from(str(s), 'base64').toString('utf8'),
  hex: (s) => Buffer.from(str(s)).toString('hex'),
  decode_hex: (s) => Buffer.from(str(s), 'hex').toString('utf8'),
  unix_time: () => String(Math.floor(Date.now() / 1000)),
  unix_time_millis: () => String(Date.now()),
  timestamp: (layout) => formatGoTime(new Date(), str(layout)),
  uuid: () => randomUUID(),
  printf: (format, ...args) => printf(str(format), args),
};

/** Compiles a template once; throws `invalid_request` with the reason when it is malformed. */
export function compileUsernameTemplate(source: string): UsernameTemplate {
  const nodes = parseTemplate(source);
  const render: UsernameTemplate = (metadata) => nodes.map((node) => String(evaluate(node, metadata))).join('');
  // Vault tries it once at configuration time, with empty metadata.
  render({ DisplayName: '', RoleName: '' });
  return render;
}

function parseTemplate(source: string): Node[] {
  const nodes: Node[] = [];
  let i = 0;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    if (open === -1) {
      nodes.push({ kind: 'text', value: source.slice(i) });
      break;
    }
    let text = source.slice(i, open);
    let start = open + 2;
    if (source[start] === '-' && /\s/.test(source[start + 1] ?? '')) {
      text = text.trimEnd();
      start++;
    }
    if (text !== '') nodes.push({ kind: 'text', value: text });
    const close = findClose(source, start);
    let body = source.slice(start, close);
    let next = close + 2;
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      while (next < source.length && /\s/.test(source[next] as string)) next++;
    }
    nodes.push(parsePipeline(tokenize(body)));
    i = next;
  }
  return nodes;
}

function findClose(source: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < source.length - 1; i++) {
    const ch = source[i];
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '"' || ch === '`') quote = ch;
    else if (ch === '}' && source[i + 1] === '}') return i;
  }
  throw bad('unclosed action');
}

type Token = { t: 'ident' | 'field' | 'string' | 'number' | '(' | ')' | '|'; v: string };

function tokenize(body: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(\()|(\))|(\|)|"((?:[^"\\]|\\.)*)"|`([^`]*)`|(-?\d+)|(\.[A-Za-z_]\w*|\.)|([A-Za-z_]\w*))/y;
  let at = 0;
  while (at < body.length) {
    if (/^\s*$/.test(body.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(body);
    if (!m) throw bad(`unexpected "${body.slice(at).trim().slice(0, 20)}"`);
    at = re.lastIndex;
    if (m[1]) tokens.push({ t: '(', v: '(' });
    else if (m[2]) tokens.push({ t: ')', v: ')' });
    else if (m[3]) tokens.push({ t: '|', v: '|' });
    else if (m[4] !== undefined) tokens.push({ t: 'string', v: JSON.parse(`"${m[4]}"`) as string });
    else if (m[5] !== undefined) tokens.push({ t: 'string', v: m[5] });
    else if (m[6] !== undefined) tokens.push({ t: 'number', v: m[6] });
    else if (m[7] !== undefined) tokens.push({ t: 'field', v: m[7].slice(1) });
    else tokens.push({ t: 'ident', v: m[8] as string });
  }
  return tokens;
}

function parsePipeline(tokens: Token[]): Node {
  let at = 0;
  const pipeline = (): Node => {
    const commands: Node[][] = [[]];
    while (at < tokens.length) {
      const token = tokens[at] as Token;
      if (token.t === ')') break;
      at++;
      const current = commands.at(-1) as Node[];
      if (token.t === '|') {
        if (current.length === 0) throw bad('missing command before "|"');
        commands.push([]);
      } else if (token.t === '(') {
        current.push(pipeline());
        if (tokens[at]?.t !== ')') throw bad('unclosed "("');
        at++;
      } else if (token.t === 'string') current.push({ kind: 'literal', value: token.v });
      else if (token.t === 'number') current.push({ kind: 'literal', value: Number(token.v) });
      else if (token.t === 'field') current.push({ kind: 'field', name: token.v });
      else {
        if (!Object.hasOwn(FUNCTIONS, token.v)) throw bad(`function "${token.v}" not defined`);
        current.push({ kind: 'call', fn: token.v, args: [] });
      }
    }
    if (commands.some((c) => c.length === 0)) throw bad('empty command');
    return { kind: 'pipe', commands };
  };
  const node = pipeline();
  if (at !== tokens.length) throw bad('unexpected ")"');
  return node;
}

function evaluate(node: Node, data: UsernameMetadata, piped?: string | number): string | number {
  switch (node.kind) {
    case 'text':
    case 'literal':
      return node.value;
    case 'field':
      if (node.name === '') return JSON.stringify(data);
      if (node.name !== 'DisplayName' && node.name !== 'RoleName') throw bad(`can't evaluate field ${node.name}`);
      return data[node.name];
    case 'call':
      return node.args.length === 0 && piped === undefined ? call(node.fn, []) : call(node.fn, piped === undefined ? [] : [piped]);
    case 'pipe': {
      let value: string | number | undefined = piped;
      for (const command of node.commands) value = runCommand(command, data, value);
      return value as string | number;
    }
  }
}

/** A command is a function with arguments, or one operand; a piped value becomes the last argument. */
function runCommand(command: Node[], data: UsernameMetadata, piped: string | number | undefined): string | number {
  const [head, ...rest] = command as [Node, ...Node[]];
  if (head.kind !== 'call') {
    if (rest.length > 0 || piped !== undefined) throw bad("can't give arguments to a non-function");
    return evaluate(head, data);
  }
  const args = rest.map((arg) => evaluate(arg, data));
  return call(head.fn, piped === undefined ? args : [...args, piped]);
}

function call(fn: string, args: (string | number)[]): string {
  return (FUNCTIONS[fn] as Fn)(...args);
}

function printf(format: string, args: (string | number)[]): string {
  let next = 0;
  return format.replace(/%([%sdvq])/g, (_, verb: string) => {
    if (verb === '%') return '%';
    if (next >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[next++] as string | number;
    return verb === 'q' ? JSON.stringify(String(arg)) : String(arg);
  });
}

function truncate(max: number, s: string): string {
  if (max <= 0) throw bad(`max length must be > 0 but was ${max}`);
  return [...s].slice(0, max).join('');
}

function truncateSha256(max: number, s: string): string {
  if (max <= 8) throw bad(`max length must be > 8 but was ${max}`);
  const chars = [...s];
  if (chars.length <= max) return s;
  const keep = max - 8;
  const hash = createHash('sha256').update(chars.slice(keep).join('')).digest('hex');
  return chars.slice(0, keep).join('') + hash.slice(0, 8);
}

const int = (value: string | number, fn: string): number => {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n)) throw bad(`${fn} needs an integer`);
  return n;
};
const str = (value: string | number): string => String(value);

function bad(reason: string): CofferError {
  return new CofferError('invalid_request', `invalid username template: ${reason}`);
}
