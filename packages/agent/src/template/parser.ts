import type { Node, ParsedTemplate, Pipe } from './ast.js';
import { lex, type Delimiters, type Token } from './lexer.js';
import { parsePipeline, TokenStream } from './parse-pipeline.js';
import { unquoteGo } from './unquote.js';

/**
 * Go text/template's parser for the control structures: if / else if / else, with / else with /
 * else, range (with break and continue), define, block and template. Lists end at `{{end}}` or
 * `{{else}}`; the caller decides which is allowed.
 */
export function parseTemplate(
  source: string,
  name: string,
  functions: ReadonlySet<string>,
  delims?: Delimiters,
): ParsedTemplate {
  const ts = new TokenStream(lex(source, name, delims), name, source, functions);
  const parser = new Parser(ts);
  const root = parser.list('top');
  return { name, root, defines: parser.defines };
}

type Ending = { kind: 'end' } | { kind: 'else'; token: Token } | { kind: 'eof' };

class Parser {
  readonly defines = new Map<string, Node[]>();
  #rangeDepth = 0;

  constructor(readonly ts: TokenStream) {}

  /** Nodes until `{{end}}`/`{{else}}` (inside a structure) or the end of input (at top level). */
  list(context: 'top' | 'structure'): Node[] {
    const nodes = this.#listUntil(context);
    if (context === 'top' && nodes.ending.kind !== 'eof') {
      this.ts.fail(this.ts.previous() ?? this.ts.peek(), `unexpected {{${nodes.ending.kind}}}`);
    }
    return nodes.nodes;
  }

  #listUntil(context: 'top' | 'structure'): { nodes: Node[]; ending: Ending } {
    const nodes: Node[] = [];
    for (;;) {
      const token = this.ts.next();
      if (token.kind === 'eof') {
        if (context === 'structure') this.ts.fail(token, 'unexpected EOF');
        return { nodes, ending: { kind: 'eof' } };
      }
      if (token.kind === 'text') {
        nodes.push({ kind: 'text', text: token.value });
        continue;
      }
      // leftDelim: an action or a keyword.
      const head = this.ts.peek();
      if (head.kind === 'keyword') {
        if (head.value === 'end') {
          this.ts.next();
          this.ts.expect('rightDelim', 'end');
          if (context === 'top') this.ts.fail(head, 'unexpected {{end}}');
          return { nodes, ending: { kind: 'end' } };
        }
        if (head.value === 'else') {
          this.ts.next();
          if (context === 'top') this.ts.fail(head, 'unexpected {{else}}');
          return { nodes, ending: { kind: 'else', token: head } };
        }
        const node = this.#keyword(this.ts.next());
        if (node) nodes.push(node);
        continue;
      }
      const pipe = parsePipeline(this.ts, 'command');
      this.ts.expect('rightDelim', 'command');
      nodes.push({ kind: 'action', where: this.ts.where(head, this.ts.previous()), pipe });
    }
  }

  #keyword(token: Token): Node | undefined {
    switch (token.value) {
      case 'if':
      case 'with':
        return this.#branch(token, token.value);
      case 'range':
        return this.#range(token);
      case 'template':
        return this.#templateCall(token);
      case 'define':
        this.#define(token);
        return undefined;
      case 'block':
        return this.#block(token);
      case 'break':
      case 'continue': {
        if (this.#rangeDepth === 0) this.ts.fail(token, `{{${token.value}}} outside {{range}}`);
        this.ts.expect('rightDelim', token.value);
        return { kind: token.value, where: this.ts.where(token) };
      }
      default:
        this.ts.unexpected(token, 'input');
    }
  }

  /** `if`/`with` with their `else if`/`else with` chains, which nest as Go's parser nests them. */
  #branch(token: Token, kind: 'if' | 'with'): Node {
    const depth = this.ts.vars.length;
    const pipe = parsePipeline(this.ts, kind);
    this.ts.expect('rightDelim', kind);
    const body = this.#listUntil('structure');
    let elseList: Node[] | undefined;
    if (body.ending.kind === 'else') {
      const next = this.ts.peek();
      if (next.kind === 'keyword' && next.value === kind) {
        // `{{else if …}}` is `{{else}}{{if …}}…{{end}}{{end}}` sharing one {{end}}.
        this.ts.next();
        elseList = [this.#branch(next, kind)];
      } else {
        this.ts.expect('rightDelim', 'else');
        const rest = this.#listUntil('structure');
        if (rest.ending.kind === 'else') this.ts.fail(rest.ending.token, `expected end; found {{else}}`);
        elseList = rest.nodes;
      }
    }
    this.ts.vars.length = depth;
    return { kind, where: this.#where(token, pipe), pipe, list: body.nodes, elseList };
  }

  #range(token: Token): Node {
    const depth = this.ts.vars.length;
    const pipe = parsePipeline(this.ts, 'range');
    this.ts.expect('rightDelim', 'range');
    this.#rangeDepth++;
    const body = this.#listUntil('structure');
    this.#rangeDepth--;
    let elseList: Node[] | undefined;
    if (body.ending.kind === 'else') {
      this.ts.expect('rightDelim', 'else');
      const rest = this.#listUntil('structure');
      if (rest.ending.kind === 'else') this.ts.fail(rest.ending.token, `expected end; found {{else}}`);
      elseList = rest.nodes;
    }
    this.ts.vars.length = depth;
    return { kind: 'range', where: this.#where(token, pipe), pipe, list: body.nodes, elseList };
  }

  #templateName(context: string): string {
    const token = this.ts.next();
    if (token.kind === 'string') return unquoteGo(token.value);
    if (token.kind === 'rawString') return token.value.slice(1, -1);
    this.ts.unexpected(token, `${context} clause`);
  }

  #templateCall(token: Token): Node {
    const name = this.#templateName('template');
    let pipe: Pipe | undefined;
    if (this.ts.peek().kind !== 'rightDelim') pipe = parsePipeline(this.ts, 'template clause');
    this.ts.expect('rightDelim', 'template clause');
    return { kind: 'template', where: this.ts.where(token, this.ts.previous()), name, pipe };
  }

  #define(token: Token): void {
    const name = this.#templateName('define');
    this.ts.expect('rightDelim', 'define clause');
    this.#body(token, name);
  }

  #block(token: Token): Node {
    const name = this.#templateName('block');
    const pipe = parsePipeline(this.ts, 'block clause');
    this.ts.expect('rightDelim', 'block clause');
    this.#body(token, name);
    return { kind: 'template', where: this.ts.where(token), name, pipe };
  }

  /** A define/block body: its own variable scope (only `$`), ending at {{end}}. */
  #body(token: Token, name: string): void {
    const saved = this.ts.vars.splice(0);
    this.ts.vars.push('$');
    const savedRange = this.#rangeDepth;
    this.#rangeDepth = 0;
    const body = this.#listUntil('structure');
    this.#rangeDepth = savedRange;
    this.ts.vars.splice(0, this.ts.vars.length, ...saved);
    if (body.ending.kind === 'else') this.ts.fail(body.ending.token, 'unexpected {{else}}');
    if (this.defines.has(name) && (this.defines.get(name)?.length ?? 0) > 0 && body.nodes.length > 0) {
      this.ts.fail(token, `template: multiple definition of template "${name}"`);
    }
    this.defines.set(name, body.nodes);
  }

  #where(token: Token, pipe: Pipe) {
    return { line: token.line, col: token.col, text: `${token.value} ${pipe.where.text}` };
  }
}
