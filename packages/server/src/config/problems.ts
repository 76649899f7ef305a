import { CofferError } from '@coffer/sdk';

interface Problem {
  line: number | undefined;
  column: number | undefined;
  message: string;
  /** Replaces the `file:line` prefix for problems that are not in the file (environment variables). */
  source: string | undefined;
}

/**
 * Collects everything wrong with a config file so the operator can fix it in one pass, then throws
 * a single `invalid_request` listing one problem per line, in file order: `config.hcl:7: …`.
 */
export class Problems {
  readonly #fileName: string;
  readonly #list: Problem[] = [];

  constructor(fileName: string) {
    this.#fileName = fileName;
  }

  get size(): number {
    return this.#list.length;
  }

  /** A problem at a line (and column) of the file; no line means the file as a whole. */
  add(line: number | undefined, message: string, column?: number): void {
    this.#list.push({ line, column, message, source: undefined });
  }

  /** A problem outside the file, such as an environment variable. */
  addElsewhere(source: string, message: string): void {
    this.#list.push({ line: undefined, column: undefined, message, source });
  }

  throwIfAny(): void {
    if (this.#list.length === 0) return;
    const order = (p: Problem) => (p.source !== undefined ? Infinity : (p.line ?? 0));
    const lines = [...this.#list]
      // Stable: problems on one line keep the order they were found in.
      .sort((a, b) => order(a) - order(b))
      .map((p) => `${this.#where(p)}: ${p.message}`);
    throw new CofferError('invalid_request', lines.join('\n'));
  }

  #where(p: Problem): string {
    if (p.source !== undefined) return p.source;
    if (p.line === undefined) return this.#fileName;
    return p.column === undefined ? `${this.#fileName}:${p.line}` : `${this.#fileName}:${p.line}:${p.column}`;
  }
}
