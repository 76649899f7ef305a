import { addEntry, LineIndex, type PosNode } from './positions.js';

export interface JsonScan {
  root: PosNode;
  /** Keys given twice in one object: JSON.parse would silently keep the last one. */
  duplicates: Array<{ key: string; line: number; firstLine: number }>;
}

export interface JsonSyntaxError {
  line: number;
  column: number;
  message: string;
}

/**
 * A strict JSON scanner (RFC 8259) that records the line of every key. It exists because
 * JSON.parse's errors on Node 20 often carry no position; this one names line and column.
 * Values themselves still come from JSON.parse.
 */
export function scanJsonPositions(text: string): JsonScan | JsonSyntaxError {
  const scanner = new JsonScanner(text);
  try {
    const root = scanner.document();
    return { root, duplicates: scanner.duplicates };
  } catch (error) {
    if (error instanceof ScanError) return scanner.locate(error);
    throw error;
  }
}

class ScanError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;
const ESCAPE = /\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})/y;

class JsonScanner {
  readonly duplicates: JsonScan['duplicates'] = [];
  readonly #text: string;
  readonly #lines: LineIndex;
  #at = 0;

  constructor(text: string) {
    this.#text = text;
    this.#lines = new LineIndex(text);
  }

  locate(error: ScanError): JsonSyntaxError {
    return { line: this.#lines.line(error.offset), column: this.#lines.column(error.offset), message: error.message };
  }

  document(): PosNode {
    const root = this.#value();
    this.#space();
    if (this.#at < this.#text.length) this.#fail('unexpected text after the end of the JSON document');
    return root;
  }

  #value(): PosNode {
    this.#space();
    const node: PosNode = { line: this.#lines.line(this.#at) };
    const c = this.#text[this.#at];
    if (c === '{') this.#object(node);
    else if (c === '[') this.#array(node);
    else if (c === '"') this.#string();
    else if (!this.#match(NUMBER) && !this.#match(LITERAL)) {
      this.#fail(c === undefined ? 'unexpected end of the file; a value was expected' : 'a value was expected');
    }
    return node;
  }

  #object(node: PosNode): void {
    this.#at++;
    const seen = new Map<string, number>();
    this.#space();
    if (this.#text[this.#at] === '}') {
      this.#at++;
      return;
    }
    for (;;) {
      this.#space();
      if (this.#text[this.#at] !== '"') this.#fail('expected a property name in double quotes');
      const line = this.#lines.line(this.#at);
      const key = JSON.parse(this.#string()) as string;
      const firstLine = seen.get(key);
      if (firstLine === undefined) seen.set(key, line);
      else this.duplicates.push({ key, line, firstLine });
      this.#space();
      if (this.#text[this.#at] !== ':') this.#fail(`expected ":" after the property name "${key}"`);
      this.#at++;
      addEntry(node, key, { line, value: this.#value() });
      this.#space();
      const c = this.#text[this.#at++];
      if (c === '}') return;
      if (c !== ',') this.#fail(`expected "," or "}" after the value of "${key}"`, this.#at - 1);
    }
  }

  #array(node: PosNode): void {
    this.#at++;
    node.items = [];
    this.#space();
    if (this.#text[this.#at] === ']') {
      this.#at++;
      return;
    }
    for (;;) {
      node.items.push(this.#value());
      this.#space();
      const c = this.#text[this.#at++];
      if (c === ']') return;
      if (c !== ',') this.#fail('expected "," or "]" after an array element', this.#at - 1);
    }
  }

  /** Returns the string's source text, quotes included. */
  #string(): string {
    const start = this.#at++;
    for (;;) {
      const c = this.#text[this.#at];
      if (c === undefined) this.#fail('unterminated string', start);
      if (c === '"') break;
      if (c === '\\') {
        if (!this.#match(ESCAPE)) this.#fail('invalid escape sequence in string');
      } else if (c.charCodeAt(0) < 0x20) {
        this.#fail('control character (such as a line break) inside a string');
      } else {
        this.#at++;
      }
    }
    this.#at++;
    return this.#text.slice(start, this.#at);
  }

  #match(pattern: RegExp): boolean {
    pattern.lastIndex = this.#at;
    if (!pattern.test(this.#text)) return false;
    this.#at = pattern.lastIndex;
    return true;
  }

  #space(): void {
    while (/[ \t\r\n]/.test(this.#text[this.#at] ?? '')) this.#at++;
  }

  #fail(message: string, offset = this.#at): never {
    throw new ScanError(offset, message);
  }
}
