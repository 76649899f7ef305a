import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

/** A fixture process whose stdout lines the test can wait for. */
export class Child {
  readonly lines: string[] = [];
  readonly #proc: ChildProcess;
  readonly #stderr: string[] = [];
  readonly #waiters = new Set<() => void>();
  #exited = false;

  constructor(script: string, args: string[]) {
    this.#proc = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.#proc.stdout! }).on('line', (line) => {
      this.lines.push(line);
      for (const wake of this.#waiters) wake();
    });
    this.#proc.stderr!.on('data', (chunk: Buffer) => this.#stderr.push(chunk.toString()));
    this.#proc.on('exit', () => {
      this.#exited = true;
      for (const wake of this.#waiters) wake();
    });
  }

  get pid(): number {
    return this.#proc.pid as number;
  }

  signal(signal: NodeJS.Signals): void {
    this.#proc.kill(signal);
  }

  /** Resolves with the first line (from `from` on) that matches; fails if the child exits first. */
  waitFor(match: RegExp, what: string, from = 0): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const line = this.lines.slice(from).find((l) => match.test(l));
        if (line !== undefined) {
          this.#waiters.delete(check);
          resolve(line);
        } else if (this.#exited) {
          this.#waiters.delete(check);
          reject(new Error(`fixture exited before ${what}:\n${this.lines.join('\n')}\n${this.#stderr.join('')}`));
        }
      };
      this.#waiters.add(check);
      check();
    });
  }

  async kill(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise((resolve) => this.#proc.once('exit', resolve));
    this.#proc.kill('SIGKILL');
    await exited;
  }
}
