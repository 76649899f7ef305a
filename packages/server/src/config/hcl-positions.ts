import { addEntry, type PosNode } from './positions.js';

/**
 * A tolerant scanner that finds the line of every attribute, block and object key in HCL text. It
 * runs only on text hcl2json has already accepted, so it skips what it does not understand instead
 * of reporting it; it knows enough of HCL to not be fooled by comments, strings (with `${…}`
 * templates), heredocs and nested brackets.
 */
export function scanHclPositions(text: string): PosNode {
  return parseBody(new Tokens(text), 1);
}

type TokenKind = 'ident' | 'string' | 'value' | 'punct' | 'newline' | 'eof';

interface Token {
  kind: TokenKind;
  text: string;
  line: number;
}

const PUNCT = new Set(['{', '}', '[', ']', '(', ')', '=', ':', ',']);
const TWO_CHAR_OPERATORS = new Set(['==', '=>', '!=', '<=', '>=']);
const OPENERS = new Set(['{', '[', '(']);
const CLOSERS = new Set(['}', ']', ')']);
const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_-]/u;

class Tokens {
  readonly #text: string;
  #at = 0;
  #line = 1;
  #peeked: Token | undefined;

  constructor(text: string) {
    this.#text = text;
  }

  peek(): Token {
    this.#peeked ??= this.#read();
    return this.#peeked;
  }

  next(): Token {
    const token = this.peek();
    this.#peeked = undefined;
    return token;
  }

  #read(): Token {
    const text = this.#text;
    for (;;) {
      const c = text[this.#at];
      if (c === undefined) return { kind: 'eof', text: '', line: this.#line };
      const line = this.#line;
      if (c === '\n') {
        this.#at++;
        this.#line++;
        return { kind: 'newline', text: c, line };
      }
      if (c === ' ' || c === '\t' || c === '\r') {
        this.#at++;
      } else if (c === '#' || text.startsWith('//', this.#at)) {
        while (this.#at < text.length && text[this.#at] !== '\n') this.#at++;
      } else if (text.startsWith('/*', this.#at)) {
        const end = text.indexOf('*/', this.#at + 2);
        this.#advanceTo(end < 0 ? text.length : end + 2);
      } else if (c === '"') {
        const start = this.#at + 1;
        this.#advanceTo(skipString(text, this.#at));
        return { kind: 'string', text: text.slice(start, this.#at - 1), line };
      } else if (text.startsWith('<<', this.#at)) {
        this.#advanceTo(skipHeredoc(text, this.#at));
        return { kind: 'value', text: '<<', line };
      } else if (IDENT_START.test(c)) {
        const start = this.#at;
        while (this.#at < text.length && IDENT_PART.test(text[this.#at] ?? '')) this.#at++;
        return { kind: 'ident', text: text.slice(start, this.#at), line };
      } else if (PUNCT.has(c) && !(c === '=' && /[=>]/.test(text[this.#at + 1] ?? ''))) {
        this.#at++;
        return { kind: 'punct', text: c, line };
      } else {
        // Numbers and operators (`==`, `=>`, `!=`, `<=`, `?`, `.`): only their extent matters.
        this.#at += TWO_CHAR_OPERATORS.has(text.slice(this.#at, this.#at + 2)) ? 2 : 1;
        return { kind: 'value', text: c, line };
      }
    }
  }

  #advanceTo(end: number): void {
    for (let i = this.#at; i < end; i++) if (this.#text.charCodeAt(i) === 10) this.#line++;
    this.#at = end;
  }
}

/** Returns the offset just past the string that opens at `start`, stepping over `${…}` templates. */
function skipString(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') i += 2;
    else if (c === '"' || c === '\n') return i + 1;
    else if ((c === '$' || c === '%') && text[i + 1] === c && text[i + 2] === '{') i += 3;
    else if ((c === '$' || c === '%') && text[i + 1] === '{') i = skipTemplate(text, i + 2);
    else i++;
  }
  return text.length;
}

function skipTemplate(text: string, start: number): number {
  let depth = 1;
  let i = start;
  while (i < text.length && depth > 0) {
    const c = text[i];
    if (c === '"') i = skipString(text, i);
    else {
      if (c === '{') depth++;
      else if (c === '}') depth--;
      i++;
    }
  }
  return i;
}

/** `<<EOT` or `<<-EOT`: the body runs to the line holding only the marker. */
function skipHeredoc(text: string, start: number): number {
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

function isPunct(token: Token, text: string): boolean {
  return token.kind === 'punct' && token.text === text;
}

/** A body: attributes `name = value` and blocks `type "label"… { body }`, up to `}` or the end. */
function parseBody(tokens: Tokens, line: number): PosNode {
  const node: PosNode = { line };
  for (;;) {
    const token = tokens.next();
    if (token.kind === 'eof' || isPunct(token, '}')) return node;
    if (token.kind !== 'ident' && token.kind !== 'string') {
      if (token.kind !== 'newline') skipExpression(tokens);
      continue;
    }
    const name = token.kind === 'string' ? decodeString(token.text) : token.text;
    if (isPunct(tokens.peek(), '=') || isPunct(tokens.peek(), ':')) {
      tokens.next();
      addEntry(node, name, { line: token.line, value: parseExpression(tokens) });
      continue;
    }
    const labels: string[] = [];
    while (tokens.peek().kind === 'ident' || tokens.peek().kind === 'string') {
      const label = tokens.next();
      labels.push(label.kind === 'string' ? decodeString(label.text) : label.text);
    }
    if (!isPunct(tokens.peek(), '{')) {
      skipExpression(tokens);
      continue;
    }
    tokens.next();
    // hcl2json nests labels as objects: `a "b" "c" {}` becomes {a: {b: {c: [body]}}}.
    let value = parseBody(tokens, token.line);
    for (const label of labels.reverse()) {
      const wrapper: PosNode = { line: token.line };
      addEntry(wrapper, label, { line: token.line, value });
      value = wrapper;
    }
    addEntry(node, name, { line: token.line, value });
  }
}

function parseExpression(tokens: Tokens): PosNode {
  const first = tokens.peek();
  let node: PosNode = { line: first.line };
  if (isPunct(first, '{')) {
    tokens.next();
    node = parseObject(tokens, first.line);
  } else if (isPunct(first, '[')) {
    tokens.next();
    node = parseTuple(tokens, first.line);
  }
  // The rest of the expression (operators, indexing, a scalar) holds no keys.
  skipExpression(tokens);
  return node;
}

/** An object constructor `{ key = value, "key": value }`. */
function parseObject(tokens: Tokens, line: number): PosNode {
  const node: PosNode = { line };
  for (;;) {
    const token = tokens.next();
    if (token.kind === 'eof' || isPunct(token, '}')) return node;
    if (token.kind === 'newline' || isPunct(token, ',')) continue;
    if (OPENERS.has(token.text) && token.kind === 'punct') skipToClose(tokens, 1);
    if (isPunct(tokens.peek(), '=') || isPunct(tokens.peek(), ':')) {
      tokens.next();
      const value = parseExpression(tokens);
      if (token.kind === 'ident' || token.kind === 'string') {
        const key = token.kind === 'string' ? decodeString(token.text) : token.text;
        addEntry(node, key, { line: token.line, value });
      }
    } else {
      skipExpression(tokens);
    }
  }
}

function parseTuple(tokens: Tokens, line: number): PosNode {
  const node: PosNode = { line, items: [] };
  for (;;) {
    const token = tokens.peek();
    if (token.kind === 'eof') return node;
    if (token.kind === 'newline' || isPunct(token, ',')) {
      tokens.next();
    } else if (isPunct(token, ']')) {
      tokens.next();
      return node;
    } else {
      node.items?.push(parseExpression(tokens));
    }
  }
}

/** Skips to the end of an expression: a newline, comma or closing bracket outside any brackets. */
function skipExpression(tokens: Tokens): void {
  for (;;) {
    const token = tokens.peek();
    if (token.kind === 'eof') return;
    if (token.kind === 'newline' || (token.kind === 'punct' && (token.text === ',' || CLOSERS.has(token.text)))) {
      return;
    }
    tokens.next();
    if (token.kind === 'punct' && OPENERS.has(token.text)) skipToClose(tokens, 1);
  }
}

function skipToClose(tokens: Tokens, depth: number): void {
  while (depth > 0) {
    const token = tokens.next();
    if (token.kind === 'eof') return;
    if (token.kind !== 'punct') continue;
    if (OPENERS.has(token.text)) depth++;
    else if (CLOSERS.has(token.text)) depth--;
  }
}

function decodeString(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}
