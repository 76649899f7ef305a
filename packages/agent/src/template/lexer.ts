import { TemplateError } from './template-error.js';

/**
 * Go text/template's lexer: splits a template into text and action tokens. Trim markers (`{{- `,
 * ` -}}`) are applied here to the neighbouring text, as Go's lexer does, so the parser never sees
 * them. Comments `{{/* … *\/}}` produce no token.
 */
export type TokenKind =
  | 'text'
  | 'leftDelim'
  | 'rightDelim'
  | 'leftParen'
  | 'rightParen'
  | 'pipe'
  | 'declare'
  | 'assign'
  | 'comma'
  | 'field'
  | 'variable'
  | 'identifier'
  | 'keyword'
  | 'dot'
  | 'string'
  | 'rawString'
  | 'char'
  | 'number'
  | 'bool'
  | 'nil'
  | 'eof';

export interface Token {
  kind: TokenKind;
  /** Source text; for `text` tokens the text after trimming. */
  value: string;
  offset: number;
  line: number;
  col: number;
}

export interface Delimiters {
  left: string;
  right: string;
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'template', 'with']);
const SPACE = /[ \t\r\n]/;
const ALNUM = /[\p{L}\p{N}_]/u;

export function lex(source: string, name: string, delims: Delimiters = { left: '{{', right: '}}' }): Token[] {
  return new Lexer(source, name, delims).run();
}

class Lexer {
  readonly #tokens: Token[] = [];
  #at = 0;
  #parenDepth = 0;
  #line = 1;
  #lineStart = 0;
  #lineAt = 0;

  constructor(
    readonly src: string,
    readonly name: string,
    readonly delims: Delimiters,
  ) {}

  run(): Token[] {
    let trimNextText = false;
    while (this.#at <= this.src.length) {
      const next = this.src.indexOf(this.delims.left, this.#at);
      const end = next < 0 ? this.src.length : next;
      const trimLeft = next >= 0 && this.#isTrimMarkerAfterLeft(next);
      let text = this.src.slice(this.#at, end);
      const textStart = this.#at;
      if (trimNextText) text = text.replace(/^[ \t\r\n]+/, '');
      if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
      if (text !== '') this.#push('text', text, textStart);
      if (next < 0) break;
      this.#at = next;
      trimNextText = this.#action(trimLeft);
    }
    this.#push('eof', '', this.src.length);
    return this.#tokens;
  }

  #isTrimMarkerAfterLeft(at: number): boolean {
    const after = at + this.delims.left.length;
    return this.src[after] === '-' && SPACE.test(this.src[after + 1] ?? '');
  }

  /** Lexes one action starting at the left delimiter; returns whether it ended with ` -}}`. */
  #action(trimLeft: boolean): boolean {
    const start = this.#at;
    this.#at += this.delims.left.length + (trimLeft ? 2 : 0);
    if (this.src.startsWith('/*', this.#at)) return this.#comment(start);
    this.#push('leftDelim', this.delims.left, start);
    this.#parenDepth = 0;
    for (;;) {
      const right = this.#rightDelimHere();
      if (right !== undefined) {
        if (this.#parenDepth > 0) this.#fail(this.#at, 'unclosed left paren');
        this.#push('rightDelim', this.delims.right, this.#at);
        this.#at += right.length;
        return right.trim;
      }
      this.#inside();
    }
  }

  /** The right delimiter (with its optional trim marker) at the current position. */
  #rightDelimHere(): { length: number; trim: boolean } | undefined {
    const s = this.src;
    if (SPACE.test(s[this.#at] ?? '') && s[this.#at + 1] === '-' && s.startsWith(this.delims.right, this.#at + 2)) {
      return { length: 2 + this.delims.right.length, trim: true };
    }
    if (s.startsWith(this.delims.right, this.#at)) return { length: this.delims.right.length, trim: false };
    return undefined;
  }

  #comment(start: number): boolean {
    const close = this.src.indexOf('*/', this.#at + 2);
    if (close < 0) this.#fail(start, 'unclosed comment');
    this.#at = close + 2;
    const right = this.#rightDelimHere();
    if (right === undefined) this.#fail(start, 'comment ends before closing delimiter');
    this.#at += right.length;
    return right.trim;
  }

  #inside(): void {
    const s = this.src;
    const c = s[this.#at];
    const start = this.#at;
    if (c === undefined) this.#fail(start, 'unclosed action');
    if (SPACE.test(c)) {
      this.#at++;
      return;
    }
    if (c === '=') return this.#single('assign', start);
    if (c === ':') {
      if (s[start + 1] !== '=') this.#fail(start, 'expected :=');
      this.#at += 2;
      this.#push('declare', ':=', start);
      return;
    }
    if (c === '|') return this.#single('pipe', start);
    if (c === ',') return this.#single('comma', start);
    if (c === '(') {
      this.#parenDepth++;
      return this.#single('leftParen', start);
    }
    if (c === ')') {
      this.#parenDepth--;
      if (this.#parenDepth < 0) this.#fail(start, `unexpected right paren`);
      return this.#single('rightParen', start);
    }
    if (c === '"') return this.#quoted(start);
    if (c === '`') return this.#raw(start);
    if (c === "'") return this.#char(start);
    if (c === '$') return this.#word('variable', start, 1);
    if (c === '.') {
      const next = s[start + 1] ?? '';
      if (/[0-9]/.test(next)) return this.#number(start);
      if (ALNUM.test(next)) return this.#word('field', start, 1);
      return this.#single('dot', start);
    }
    if (/[0-9+-]/.test(c)) return this.#number(start);
    if (ALNUM.test(c)) return this.#identifier(start);
    this.#fail(start, `unrecognized character in action: ${JSON.stringify(c)}`);
  }

  #single(kind: TokenKind, start: number): void {
    this.#at++;
    this.#push(kind, this.src.slice(start, this.#at), start);
  }

  #word(kind: TokenKind, start: number, skip: number): void {
    this.#at = start + skip;
    while (ALNUM.test(this.src[this.#at] ?? '')) this.#at++;
    this.#push(kind, this.src.slice(start, this.#at), start);
  }

  #identifier(start: number): void {
    this.#word('identifier', start, 0);
    const token = this.#tokens[this.#tokens.length - 1] as Token;
    if (KEYWORDS.has(token.value)) token.kind = 'keyword';
    else if (token.value === 'true' || token.value === 'false') token.kind = 'bool';
    else if (token.value === 'nil') token.kind = 'nil';
  }

  #quoted(start: number): void {
    let i = start + 1;
    for (;;) {
      const c = this.src[i];
      if (c === undefined || c === '\n') this.#fail(start, 'unterminated quoted string');
      if (c === '\\') i += 2;
      else if (c === '"') break;
      else i++;
    }
    this.#at = i + 1;
    this.#push('string', this.src.slice(start, this.#at), start);
  }

  #raw(start: number): void {
    const close = this.src.indexOf('`', start + 1);
    if (close < 0) this.#fail(start, 'unterminated raw quoted string');
    this.#at = close + 1;
    this.#push('rawString', this.src.slice(start, this.#at), start);
  }

  #char(start: number): void {
    let i = start + 1;
    for (;;) {
      const c = this.src[i];
      if (c === undefined || c === '\n') this.#fail(start, 'unterminated character constant');
      if (c === '\\') i += 2;
      else if (c === "'") break;
      else i++;
    }
    this.#at = i + 1;
    this.#push('char', this.src.slice(start, this.#at), start);
  }

  #number(start: number): void {
    // Go's scanNumber, loosely: sign, digits with `_`, hex/octal/binary prefixes, fraction, exponent.
    const match = /[+-]?(?:0[xX][0-9a-fA-F_]*(?:\.[0-9a-fA-F_]*)?(?:[pP][+-]?[0-9_]+)?|0[bB][01_]+|0[oO][0-7_]+|(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?(?:[eE][+-]?[0-9_]+)?)i?/y;
    match.lastIndex = start;
    const m = match.exec(this.src);
    const text = m?.[0] ?? '';
    if (text === '' || text === '+' || text === '-' || ALNUM.test(this.src[start + text.length] ?? '')) {
      this.#fail(start, `bad number syntax: ${JSON.stringify(this.src.slice(start, start + text.length + 1))}`);
    }
    this.#at = start + text.length;
    this.#push('number', text, start);
  }

  #push(kind: TokenKind, value: string, offset: number): void {
    // Tokens come in source order, so the line count only moves forward.
    for (; this.#lineAt < offset; this.#lineAt++) {
      if (this.src.charCodeAt(this.#lineAt) === 10) {
        this.#line++;
        this.#lineStart = this.#lineAt + 1;
      }
    }
    this.#tokens.push({ kind, value, offset, line: this.#line, col: offset - this.#lineStart + 1 });
  }

  #fail(offset: number, message: string): never {
    const { line, col } = position(this.src, offset);
    throw new TemplateError(`template: ${this.name}:${line}:${col}: ${message}`);
  }
}

/** 1-based line and column of an offset. */
export function position(src: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < src.length; i++) {
    if (src.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}
