import type { Arg, Command, Pipe, Where } from './ast.js';
import type { Token, TokenKind } from './lexer.js';
import { TemplateError } from './template-error.js';
import { unquoteGo } from './unquote.js';

/**
 * The token cursor and the expression half of the parser: pipelines, commands and operands, as
 * Go's parse.go builds them. Variables are checked for declaration at parse time, as Go does.
 */
export class TokenStream {
  #at = 0;
  /** Declared variables, innermost last; `$` is always there. */
  readonly vars: string[] = ['$'];

  constructor(
    readonly tokens: Token[],
    readonly name: string,
    readonly source: string,
    readonly functions: ReadonlySet<string>,
  ) {}

  peek(): Token {
    return this.tokens[this.#at] as Token;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.#at++;
    return token;
  }

  previous(): Token | undefined {
    return this.tokens[this.#at - 1];
  }

  expect(kind: TokenKind, context: string): Token {
    const token = this.next();
    if (token.kind !== kind) this.unexpected(token, context);
    return token;
  }

  unexpected(token: Token, context: string): never {
    const shown = token.kind === 'eof' ? 'EOF' : token.kind === 'rightDelim' ? `"${token.value}"` : `<${token.value}>`;
    this.fail(token, `unexpected ${shown} in ${context}`);
  }

  fail(token: Token, message: string): never {
    throw new TemplateError(`template: ${this.name}:${token.line}:${token.col}: ${message}`);
  }

  where(from: Token, to?: Token): Where {
    const end = to ? to.offset + to.value.length : from.offset + from.value.length;
    return { line: from.line, col: from.col, text: this.source.slice(from.offset, end) };
  }

  /** Whether the next token starts right where the previous one ended (`$x.Field`, `(…).Field`). */
  adjacent(): boolean {
    const prev = this.previous();
    return prev !== undefined && prev.offset + prev.value.length === this.peek().offset;
  }
}

/** A pipeline up to (not including) the closing `}}` or `)`. */
export function parsePipeline(ts: TokenStream, context: string, end: 'rightDelim' | 'rightParen' = 'rightDelim'): Pipe {
  const first = ts.peek();
  const pipe: Pipe = { where: ts.where(first), decl: [], isAssign: false, cmds: [] };
  parseDeclarations(ts, pipe, context);
  for (;;) {
    const token = ts.peek();
    if (token.kind === end) break;
    if (token.kind === 'pipe') {
      if (pipe.cmds.length === 0) ts.unexpected(token, context);
      ts.next();
      continue;
    }
    if (!startsOperand(token.kind)) ts.unexpected(token, context);
    pipe.cmds.push(parseCommand(ts, context, end));
  }
  if (pipe.cmds.length === 0) ts.fail(first, `missing value for ${context}`);
  pipe.cmds.slice(1).forEach((cmd, i) => {
    const head = cmd.args[0];
    if (head && ['bool', 'dot', 'nil', 'number', 'string'].includes(head.kind)) {
      ts.fail(ts.peek(), `non executable command in pipeline stage ${i + 2}`);
    }
  });
  const last = ts.previous() ?? first;
  pipe.where = ts.where(first, last);
  return pipe;
}

function parseDeclarations(ts: TokenStream, pipe: Pipe, context: string): void {
  const variable = ts.peek();
  if (variable.kind !== 'variable') return;
  const after = ts.tokens[ts.tokens.indexOf(variable) + 1];
  if (after?.kind === 'declare' || after?.kind === 'assign') {
    ts.next();
    ts.next();
    pipe.isAssign = after.kind === 'assign';
    if (pipe.isAssign && !ts.vars.includes(variable.value)) ts.fail(variable, `undefined variable "${variable.value}"`);
    pipe.decl.push(variable.value);
    if (!pipe.isAssign) ts.vars.push(variable.value);
    return;
  }
  if (after?.kind === 'comma') {
    if (context !== 'range') ts.fail(after, `too many declarations in ${context}`);
    ts.next();
    ts.next();
    const second = ts.next();
    if (second.kind !== 'variable') ts.fail(second, 'range can only initialize variables');
    const op = ts.next();
    if (op.kind !== 'declare' && op.kind !== 'assign') ts.unexpected(op, context);
    pipe.isAssign = op.kind === 'assign';
    pipe.decl.push(variable.value, second.value);
    if (!pipe.isAssign) ts.vars.push(variable.value, second.value);
  }
}

function startsOperand(kind: TokenKind): boolean {
  return ['bool', 'char', 'dot', 'field', 'identifier', 'number', 'nil', 'rawString', 'string', 'variable', 'leftParen'].includes(kind);
}

function parseCommand(ts: TokenStream, context: string, end: 'rightDelim' | 'rightParen'): Command {
  const first = ts.peek();
  const args: Arg[] = [];
  for (;;) {
    const token = ts.peek();
    if (token.kind === end || token.kind === 'pipe') break;
    if (!startsOperand(token.kind)) ts.unexpected(token, 'operand');
    args.push(parseOperand(ts, context));
    // Go wants a space (or the end, or a pipe) after each operand: `.a.b.` is an error.
    const next = ts.peek();
    if (next.kind !== end && next.kind !== 'pipe' && ts.adjacent()) ts.unexpected(next, 'operand');
  }
  return { where: ts.where(first, ts.previous()), args };
}

function parseOperand(ts: TokenStream, context: string): Arg {
  const first = ts.peek();
  const node = parseTerm(ts, context);
  const fields: string[] = [];
  while (ts.peek().kind === 'field' && ts.adjacent()) fields.push(ts.next().value.slice(1));
  if (fields.length === 0) return node;
  const where = ts.where(first, ts.previous());
  switch (node.kind) {
    case 'field':
      return { kind: 'field', where, names: [...node.names, ...fields] };
    case 'variable':
      return { kind: 'variable', where, name: node.name, fields: [...node.fields, ...fields] };
    case 'bool':
    case 'string':
    case 'number':
    case 'nil':
    case 'dot':
      ts.fail(first, `unexpected . after term "${node.where.text}"`);
    default:
      return { kind: 'chain', where, node, fields };
  }
}

function parseTerm(ts: TokenStream, context: string): Arg {
  const token = ts.next();
  const where = ts.where(token);
  switch (token.kind) {
    case 'identifier':
      if (!ts.functions.has(token.value)) ts.fail(token, `function "${token.value}" not defined`);
      return { kind: 'identifier', where, name: token.value };
    case 'dot':
      return { kind: 'dot', where };
    case 'nil':
      return { kind: 'nil', where };
    case 'variable':
      if (!ts.vars.includes(token.value)) ts.fail(token, `undefined variable "${token.value}"`);
      return { kind: 'variable', where, name: token.value, fields: [] };
    case 'field':
      return { kind: 'field', where, names: [token.value.slice(1)] };
    case 'bool':
      return { kind: 'bool', where, value: token.value === 'true' };
    case 'char':
    case 'number':
      return { kind: 'number', where, ...parseNumber(ts, token) };
    case 'string':
    case 'rawString':
      return { kind: 'string', where, value: token.kind === 'rawString' ? token.value.slice(1, -1) : unquote(ts, token) };
    case 'leftParen': {
      const pipe = parsePipeline(ts, context, 'rightParen');
      const close = ts.expect('rightParen', context);
      return { kind: 'pipe', where: ts.where(token, close), pipe };
    }
    default:
      ts.unexpected(token, context);
  }
}

function unquote(ts: TokenStream, token: Token): string {
  try {
    return unquoteGo(token.value);
  } catch (error) {
    ts.fail(token, (error as Error).message);
  }
}

function parseNumber(ts: TokenStream, token: Token): { value: number; isInt: boolean } {
  if (token.kind === 'char') {
    const text = unquote(ts, { ...token, value: `"${token.value.slice(1, -1).replace(/"/g, '\\"')}"` });
    const code = text.codePointAt(0);
    if (code === undefined || [...text].length !== 1) ts.fail(token, `malformed character constant: ${token.value}`);
    return { value: code, isInt: true };
  }
  const raw = token.value.replace(/_/g, '');
  if (raw.endsWith('i')) ts.fail(token, `complex numbers are not supported: ${token.value}`);
  const sign = raw.startsWith('-') ? -1 : 1;
  const body = raw.replace(/^[+-]/, '');
  let value: number;
  let isInt = true;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) value = parseInt(body.slice(2), 16);
  else if (/^0[bB][01]+$/.test(body)) value = parseInt(body.slice(2), 2);
  else if (/^0[oO]?[0-7]+$/.test(body)) value = parseInt(body.replace(/^0[oO]?/, ''), 8);
  else if (/^[0-9]+$/.test(body)) value = Number(body);
  else {
    value = Number(body);
    isInt = false;
  }
  if (!Number.isFinite(value)) ts.fail(token, `bad number syntax: "${token.value}"`);
  return { value: sign * value, isInt };
}
