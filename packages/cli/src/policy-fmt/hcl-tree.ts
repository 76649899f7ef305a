import { tokenize, type Token } from './hcl-lexer.js';

/**
 * An HCL document as the formatter needs it: items in source order, every comment kept (own-line
 * comments as nodes, end-of-line ones on the node they follow), and whether a blank line came
 * before each node. Expressions are literals (raw text), lists and objects; anything else (an
 * operator, a function call, a reference) is refused, since policies never need one.
 */
export interface Body {
  nodes: BodyNode[];
}

export type BodyNode = Attribute | Block | CommentNode;

interface NodeBase {
  line: number;
  blankBefore: boolean;
  /** A comment on the same line after the node (after its closing bracket for multi-line ones). */
  comment?: string;
}

export interface Attribute extends NodeBase {
  kind: 'attribute';
  /** As written: an identifier, or a quoted string in an object. */
  key: string;
  value: Expr;
}

export interface Block extends NodeBase {
  kind: 'block';
  type: string;
  /** As written, quotes included. */
  labels: string[];
  body: Body;
  /** A comment after the opening brace. */
  openComment?: string;
}

export interface CommentNode {
  kind: 'comment';
  text: string;
  line: number;
  blankBefore: boolean;
}

export type Expr = Literal | ListExpr | ObjectExpr;

export interface Literal {
  kind: 'literal';
  text: string;
  line: number;
}

export interface ListExpr {
  kind: 'list';
  line: number;
  items: (ListItem | CommentNode)[];
  /** Written over several lines: it stays so. */
  multiline: boolean;
  openComment?: string;
}

export interface ListItem {
  kind: 'item';
  value: Expr;
  blankBefore: boolean;
  comment?: string;
}

export interface ObjectExpr {
  kind: 'object';
  line: number;
  /** Attributes (keys as written) and comments. */
  body: Body;
  openComment?: string;
}

/** Refused input: the formatter cannot keep its meaning. */
export class HclShapeError extends Error {
  readonly line: number;
  readonly column: number;

  constructor(token: Token, message: string) {
    super(message);
    this.name = 'HclShapeError';
    this.line = token.line;
    this.column = token.column;
  }
}

/** Parses a whole document (already accepted by hcl2json) into its tree. */
export function parseHclTree(text: string): Body {
  const parser = new Parser(tokenize(text));
  const body = parser.body('eof');
  parser.expect('eof');
  return body;
}

/** What a run of newlines and comments held, before the next node. */
interface Trivia {
  comments: CommentNode[];
  blankBefore: boolean;
}

class Parser {
  readonly #tokens: Token[];
  #at = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  peek(): Token {
    return this.#tokens[this.#at] as Token;
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== 'eof') this.#at++;
    return token;
  }

  expect(kind: Token['kind'], text?: string): Token {
    const token = this.next();
    if (token.kind !== kind || (text !== undefined && token.text !== text)) {
      const wanted = text === undefined ? kind : `"${text}"`;
      throw new HclShapeError(token, `expected ${wanted}, found ${describe(token)}`);
    }
    return token;
  }

  /**
   * Newlines and comments up to the next significant token. A comment on the line of what came
   * before goes to `trailing` (when one is given and it takes it); the others become nodes.
   */
  trivia(trailing?: (text: string) => void): Trivia {
    const comments: CommentNode[] = [];
    let newlines = 0;
    let sawNewline = false;
    for (;;) {
      const token = this.peek();
      if (token.kind === 'newline') {
        newlines++;
        sawNewline = true;
        this.next();
      } else if (token.kind === 'comment') {
        this.next();
        if (!sawNewline && trailing && comments.length === 0) trailing(token.text);
        else comments.push({ kind: 'comment', text: token.text, line: token.line, blankBefore: newlines >= 2 });
        newlines = 0;
      } else {
        return { comments, blankBefore: newlines >= 2 };
      }
    }
  }

  /** Attributes, blocks and comments until the `close` token (not consumed). */
  body(close: '}' | 'eof'): Body {
    const nodes: BodyNode[] = [];
    let last: BodyNode | undefined;
    const attach = (text: string) => {
      if (last && last.kind !== 'comment') last.comment = last.comment ? `${last.comment} ${text}` : text;
    };
    for (;;) {
      const { comments, blankBefore } = this.trivia(last ? attach : undefined);
      nodes.push(...comments);
      const token = this.peek();
      if (close === 'eof' ? token.kind === 'eof' : token.text === '}' && token.kind === 'punct') return { nodes };
      if (token.kind !== 'ident') throw new HclShapeError(token, `expected an attribute or a block, found ${describe(token)}`);
      last = this.item(blankBefore);
      nodes.push(last);
      const after = this.peek();
      if (after.kind !== 'newline' && after.kind !== 'comment' && after.kind !== 'eof' && after.text !== '}') {
        throw new HclShapeError(after, `expected the end of the line, found ${describe(after)}`);
      }
    }
  }

  item(blankBefore: boolean): Attribute | Block {
    const name = this.next();
    if (this.peek().text === '=' && this.peek().kind === 'punct') {
      this.next();
      return { kind: 'attribute', key: name.text, value: this.expr(), line: name.line, blankBefore };
    }
    const labels: string[] = [];
    while (this.peek().kind === 'string' || this.peek().kind === 'ident') labels.push(this.next().text);
    this.expect('punct', '{');
    const block: Block = { kind: 'block', type: name.text, labels, line: name.line, blankBefore, body: { nodes: [] } };
    const opener = this.trivia((text) => (block.openComment = text));
    block.body = this.body('}');
    block.body.nodes.unshift(...opener.comments);
    this.expect('punct', '}');
    return block;
  }

  expr(): Expr {
    const token = this.next();
    if (token.kind === 'punct' && token.text === '[') return this.list(token);
    if (token.kind === 'punct' && token.text === '{') return this.object(token);
    if (token.kind === 'string' || token.kind === 'number' || token.kind === 'heredoc' || token.kind === 'ident') {
      const after = this.peek();
      if (after.kind === 'punct' && (after.text === '(' || after.text === '[')) {
        throw new HclShapeError(after, 'policy fmt only formats literal values, lists and maps');
      }
      if (after.kind === 'other') throw new HclShapeError(after, 'policy fmt only formats literal values, lists and maps');
      return { kind: 'literal', text: token.text, line: token.line };
    }
    throw new HclShapeError(token, `expected a value, found ${describe(token)}`);
  }

  list(open: Token): ListExpr {
    const list: ListExpr = { kind: 'list', line: open.line, items: [], multiline: false };
    let last: ListItem | undefined;
    const attach = (text: string) => {
      if (last) last.comment = text;
      else list.openComment = text;
    };
    for (;;) {
      const before = this.#at;
      const { comments, blankBefore } = this.trivia(attach);
      if (this.#tokens.slice(before, this.#at).some((t) => t.kind === 'newline')) list.multiline = true;
      list.items.push(...comments);
      if (this.peek().kind === 'punct' && this.peek().text === ']') {
        this.next();
        return list;
      }
      last = { kind: 'item', value: this.expr(), blankBefore };
      list.items.push(last);
      this.#skipSeparator(']');
    }
  }

  object(open: Token): ObjectExpr {
    const object: ObjectExpr = { kind: 'object', line: open.line, body: { nodes: [] } };
    let last: Attribute | undefined;
    const attach = (text: string) => {
      if (last) last.comment = text;
      else object.openComment = text;
    };
    for (;;) {
      const { comments, blankBefore } = this.trivia(attach);
      object.body.nodes.push(...comments);
      if (this.peek().kind === 'punct' && this.peek().text === '}') {
        this.next();
        return object;
      }
      const key = this.next();
      if (key.kind !== 'ident' && key.kind !== 'string' && key.kind !== 'number') {
        throw new HclShapeError(key, `expected a map key, found ${describe(key)}`);
      }
      const equals = this.next();
      if (equals.kind !== 'punct' || (equals.text !== '=' && equals.text !== ':')) {
        throw new HclShapeError(equals, `expected "=" after the key ${key.text}, found ${describe(equals)}`);
      }
      last = { kind: 'attribute', key: key.text, value: this.expr(), line: key.line, blankBefore };
      object.body.nodes.push(last);
      this.#skipSeparator('}');
    }
  }

  /** An optional comma after a list element or map entry; a comment before it stays with the entry. */
  #skipSeparator(close: string): void {
    const token = this.peek();
    if (token.kind === 'punct' && token.text === ',') this.next();
    else if (token.kind !== 'newline' && token.kind !== 'comment' && token.text !== close) {
      throw new HclShapeError(token, `expected "," or "${close}", found ${describe(token)}`);
    }
  }
}

function describe(token: Token): string {
  if (token.kind === 'eof') return 'the end of the file';
  if (token.kind === 'newline') return 'a new line';
  return `"${token.text}"`;
}
