/** A config file that cannot be used: one `file:line: problem` per line, in file order. */
export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';
}

/** Collects everything wrong with a file so it can be fixed in one pass. */
export class Problems {
  readonly #list: { line: number | undefined; message: string; col: number | undefined }[] = [];

  constructor(readonly fileName: string) {}

  add(line: number | undefined, message: string, col?: number): void {
    this.#list.push({ line, message, col });
  }

  where(line: number | undefined): string {
    return line === undefined ? this.fileName : `${this.fileName}:${line}`;
  }

  throwIfAny(): void {
    if (this.#list.length === 0) return;
    const lines = [...this.#list]
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0))
      .map((p) => `${p.line === undefined ? this.fileName : `${this.fileName}:${p.line}${p.col === undefined ? '' : `:${p.col}`}`}: ${p.message}`);
    throw new AgentConfigError(lines.join('\n'));
  }
}
