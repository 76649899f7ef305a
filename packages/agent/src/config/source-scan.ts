/**
 * Where things are in a config file. hcl2json and JSON.parse return values without positions (and
 * hcl2json sorts keys), so this tolerant scanner rebuilds the document's shape with the line of
 * every attribute, block and object key, and the raw text of scalar values (`mode = 0640` is octal
 * in Vault's HCL, but hcl2json hands over 640). It runs only on text the real parser accepted, so
 * it skips what it does not understand. JSON is scanned as an HCL body, which it nearly is.
 */
export interface PosNode {
  line: number;
  /** Object or body members in document order; repeated blocks give several entries for one key. */
  keys?: Map<string, PosEntry[]>;
  items?: PosNode[];
  /** The source text of a scalar value (`0640`, `"5m"`, `true`). */
  raw?: string;
}

export interface PosEntry {
  line: number;
  value: PosNode;
}

type Kind = 'ident' | 'string' | 'punct' | 'newline' | 'other' | 'eof';

interface Token {
  kind: Kind;
  text: string;
  line: number;
}

export function scanPositions(text: string, json: boolean): PosNode {
  const tokens = tokenize(text);
  const cursor = { at: 0 };
  if (json) {
    while (tokens[cursor.at]?.kind === 'newline') cursor.at++;
    if (tokens[cursor.at]?.text === '{') cursor.at++;
  }
  return body(tokens, cursor, 1);
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  const push = (kind: Kind, start: number, end: number, at = line) => tokens.push({ kind, text: text.slice(start, end), line: at });
  const advance = (end: number) => {
    for (let j = i; j < end; j++) if (text.charCodeAt(j) === 10) line++;
    i = end;
  };
  while (i < text.length) {
    const c = text[i] as string;
    if (c === '\n') {
      push('newline', i, i + 1);
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') i++;
    else if (c === '#' || text.startsWith('//', i)) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (text.startsWith('/*', i)) {
      const end = text.indexOf('*/', i + 2);
      advance(end < 0 ? text.length : end + 2);
    } else if (c === '"') {
      const start = i;
      const at = line;
      advance(stringEnd(text, i));
      push('string', start, i, at);
    } else if (text.startsWith('<<', i)) {
      const start = i;
      const at = line;
      advance(heredocEnd(text, i));
      push('other', start, i, at);
    } else if (/[\p{L}_]/u.test(c)) {
      const start = i;
      while (i < text.length && /[\p{L}\p{N}_-]/u.test(text[i] as string)) i++;
      push('ident', start, i);
    } else if ('{}[](),=:'.includes(c) && !(c === '=' && /[=>]/.test(text[i + 1] ?? ''))) {
      push('punct', i, i + 1);
      i++;
    } else {
      // Numbers and operators: one token per run of such characters.
      const start = i;
      while (i < text.length && !/[\s{}[\](),=:"#]/.test(text[i] as string)) i++;
      if (i === start) i++;
      push('other', start, i);
    }
  }
  tokens.push({ kind: 'eof', text: '', line });
  return tokens;
}

/** Offset just past the string opening at `start`, stepping over `${…}` templates. */
function stringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === '"' || c === '\n') return i + 1;
    else if ((c === '$' || c === '%') && text[i + 1] === '{' && text[i - 1] !== c) {
      let depth = 1;
      i += 2;
      while (i < text.length && depth > 0) {
        if (text[i] === '"') i = stringEnd(text, i);
        else {
          if (text[i] === '{') depth++;
          else if (text[i] === '}') depth--;
          i++;
        }
      }
    } else i++;
  }
  return text.length;
}

/** `<<EOT` / `<<-EOT`: runs to the line holding only the marker. */
function heredocEnd(text: string, start: number): number {
  const header = /<<-?([\p{L}_][\p{L}\p{N}_-]*)[^\n]*\n?/uy;
  header.lastIndex = start;
  const match = header.exec(text);
  if (!match) return start + 2;
  let at = header.lastIndex;
  while (at < text.length) {
    const end = text.indexOf('\n', at);
    const lineEnd = end < 0 ? text.length : end;
    if (text.slice(at, lineEnd).trim() === match[1]) return lineEnd;
    at = lineEnd + 1;
  }
  return text.length;
}

function addEntry(node: PosNode, key: string, entry: PosEntry): void {
  node.keys ??= new Map();
  const list = node.keys.get(key);
  if (list) list.push(entry);
  else node.keys.set(key, [entry]);
}

const isPunct = (t: Token | undefined, p: string) => t?.kind === 'punct' && t.text === p;

function keyText(token: Token): string {
  if (token.kind !== 'string') return token.text;
  try {
    return JSON.parse(token.text) as string;
  } catch {
    return token.text.slice(1, -1);
  }
}

/** Attributes `k = v` / `"k": v` and blocks `type "label" { … }`, up to `}` or the end. */
function body(tokens: Token[], c: { at: number }, line: number): PosNode {
  const node: PosNode = { line };
  for (;;) {
    const token = tokens[c.at++] as Token;
    if (token.kind === 'eof' || isPunct(token, '}')) return node;
    if (token.kind !== 'ident' && token.kind !== 'string') continue;
    if (isPunct(tokens[c.at], '=') || isPunct(tokens[c.at], ':')) {
      c.at++;
      addEntry(node, keyText(token), { line: token.line, value: expression(tokens, c) });
      continue;
    }
    const labels: string[] = [];
    while (tokens[c.at]?.kind === 'ident' || tokens[c.at]?.kind === 'string') labels.push(keyText(tokens[c.at++] as Token));
    if (!isPunct(tokens[c.at], '{')) continue;
    c.at++;
    // hcl2json nests labels: `a "b" { }` is {a: {b: [body]}}.
    let value = body(tokens, c, token.line);
    for (const label of labels.reverse()) {
      const wrapper: PosNode = { line: token.line };
      addEntry(wrapper, label, { line: token.line, value });
      value = wrapper;
    }
    addEntry(node, keyText(token), { line: token.line, value });
  }
}

function expression(tokens: Token[], c: { at: number }): PosNode {
  const first = tokens[c.at] as Token;
  if (isPunct(first, '{')) {
    c.at++;
    return object(tokens, c, first.line);
  }
  if (isPunct(first, '[')) {
    c.at++;
    return tuple(tokens, c, first.line);
  }
  // A scalar (or an expression holding no keys): keep its text up to the end of the line or item.
  const parts: string[] = [];
  let depth = 0;
  for (;;) {
    const t = tokens[c.at] as Token;
    if (t.kind === 'eof') break;
    if (depth === 0 && (t.kind === 'newline' || (t.kind === 'punct' && ',}])'.includes(t.text)))) break;
    if (t.kind === 'punct' && '([{'.includes(t.text)) depth++;
    if (t.kind === 'punct' && ')]}'.includes(t.text)) depth--;
    parts.push(t.text);
    c.at++;
  }
  return { line: first.line, raw: parts.join(' ') };
}

function object(tokens: Token[], c: { at: number }, line: number): PosNode {
  const node: PosNode = { line };
  for (;;) {
    const token = tokens[c.at++] as Token;
    if (token.kind === 'eof' || isPunct(token, '}')) return node;
    if ((token.kind === 'ident' || token.kind === 'string') && (isPunct(tokens[c.at], '=') || isPunct(tokens[c.at], ':'))) {
      c.at++;
      addEntry(node, keyText(token), { line: token.line, value: expression(tokens, c) });
    }
  }
}

function tuple(tokens: Token[], c: { at: number }, line: number): PosNode {
  const node: PosNode = { line, items: [] };
  for (;;) {
    const token = tokens[c.at] as Token;
    if (token.kind === 'eof') return node;
    if (token.kind === 'newline' || isPunct(token, ',')) c.at++;
    else if (isPunct(token, ']')) {
      c.at++;
      return node;
    } else {
      const before = c.at;
      node.items?.push(expression(tokens, c));
      if (c.at === before) c.at++;
    }
  }
}
