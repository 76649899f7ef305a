/**
 * Tokens of HCL native syntax, comments and newlines included, each with its raw text: the
 * formatter re-emits literals exactly as written and must keep every comment. It only runs on
 * text hcl2json has accepted, so it need not diagnose what it does not understand; such input
 * comes out as `other` tokens and the parser refuses it by line.
 */
export type TokenKind = 'ident' | 'string' | 'number' | 'heredoc' | 'punct' | 'comment' | 'newline' | 'other' | 'eof';

export interface Token {
  kind: TokenKind;
  text: string;
  line: number;
  column: number;
}

const PUNCT = new Set(['{', '}', '[', ']', '(', ')', '=', ',', ':']);
const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_-]/u;
const NUMBER = /\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEREDOC = /<<(-?)([\p{L}_][\p{L}\p{N}_-]*)\r?\n/uy;

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  let line = 1;
  let lineStart = 0;
  const push = (kind: TokenKind, start: number, end: number) => {
    tokens.push({ kind, text: text.slice(start, end).replace(/[ \t\r]+$/, ''), line, column: start - lineStart + 1 });
  };
  /** Moves to `end`, counting the newlines passed (block comments, heredocs). */
  const advance = (end: number) => {
    for (let i = at; i < end; i++) {
      if (text[i] === '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    at = end;
  };
  while (at < text.length) {
    const c = text[at] as string;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF') {
      at++;
    } else if (c === '\n') {
      push('newline', at, at + 1);
      advance(at + 1);
    } else if (c === '#' || text.startsWith('//', at)) {
      const end = text.indexOf('\n', at);
      push('comment', at, end < 0 ? text.length : end);
      at = end < 0 ? text.length : end;
    } else if (text.startsWith('/*', at)) {
      const close = text.indexOf('*/', at + 2);
      const end = close < 0 ? text.length : close + 2;
      push('comment', at, end);
      advance(end);
    } else if (c === '"') {
      const end = stringEnd(text, at);
      push('string', at, end);
      advance(end);
    } else if (text.startsWith('<<', at)) {
      const end = heredocEnd(text, at);
      push(end === at + 2 ? 'other' : 'heredoc', at, end);
      advance(end);
    } else if (IDENT_START.test(c)) {
      let end = at + 1;
      while (end < text.length && IDENT_PART.test(text[end] ?? '')) end++;
      push('ident', at, end);
      at = end;
    } else if (/\d/.test(c)) {
      NUMBER.lastIndex = at;
      NUMBER.exec(text);
      push('number', at, NUMBER.lastIndex);
      at = NUMBER.lastIndex;
    } else {
      push(PUNCT.has(c) ? 'punct' : 'other', at, at + 1);
      at++;
    }
  }
  tokens.push({ kind: 'eof', text: '', line, column: at - lineStart + 1 });
  return tokens;
}

/** The index just past a quoted string's closing quote, over escapes and `${…}`/`%{…}` templates. */
function stringEnd(text: string, start: number): number {
  let at = start + 1;
  while (at < text.length) {
    const c = text[at];
    if (c === '\\') at += 2;
    else if (c === '"' || c === '\n') return c === '"' ? at + 1 : at;
    else if ((c === '$' || c === '%') && text[at + 1] === '{' && text[at - 1] !== c) at = templateEnd(text, at + 2);
    else at++;
  }
  return at;
}

/** Past the `}` closing a template sequence, which may itself hold strings and braces. */
function templateEnd(text: string, start: number): number {
  let depth = 1;
  let at = start;
  while (at < text.length && depth > 0) {
    const c = text[at];
    if (c === '"') at = stringEnd(text, at);
    else {
      if (c === '{') depth++;
      else if (c === '}') depth--;
      at++;
    }
  }
  return at;
}

/** Past a heredoc's closing marker (its line's end is left for the newline token). */
function heredocEnd(text: string, start: number): number {
  HEREDOC.lastIndex = start;
  const open = HEREDOC.exec(text);
  if (!open) return start + 2;
  const marker = open[2] as string;
  let at = HEREDOC.lastIndex;
  while (at < text.length) {
    const newline = text.indexOf('\n', at);
    const end = newline < 0 ? text.length : newline;
    if (text.slice(at, end).trim() === marker) return end;
    if (newline < 0) break;
    at = newline + 1;
  }
  return text.length;
}
