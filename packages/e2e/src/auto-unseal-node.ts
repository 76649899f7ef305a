import { expect } from 'vitest';
import { api, CofferStartError, startCoffer, type CofferProcess } from './coffer-process.js';
import { eventually } from './poll.js';
import type { SealFixture } from './seal-fixtures.js';

/**
 * The Coffer under test across its restarts: same directory, same port, same seal stanza. Keeps
 * every run's output, so a leak check covers the whole life of the node, not just its last process.
 */
export class AutoUnsealNode {
  readonly #runs: CofferProcess[] = [];
  readonly #failedStarts: CofferStartError[] = [];
  #current: CofferProcess | undefined;

  constructor(
    readonly dir: string,
    readonly port: number,
    readonly fixture: SealFixture,
  ) {}

  get address(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.#current = await startCoffer({ dir: this.dir, port: this.port, extraConfig: this.fixture.stanza });
    this.#runs.push(this.#current);
  }

  /** Starts a process that must exit instead of serving; returns how it failed. */
  async startFails(): Promise<CofferStartError> {
    const failure = await this.start().then(
      () => new Error('coffer started, but it was expected to exit'),
      (error: unknown) => error,
    );
    if (!(failure instanceof CofferStartError)) throw failure;
    this.#failedStarts.push(failure);
    return failure;
  }

  /** SIGTERM; a clean exit is part of what is tested. */
  async stop(): Promise<void> {
    const exitCode = await this.#current?.stop();
    this.#current = undefined;
    expect(exitCode).toBe(0);
  }

  async kill(): Promise<void> {
    await this.#current?.kill();
    this.#current = undefined;
  }

  /** Everything every run of the process wrote. */
  log(): string {
    return [...this.#runs.map((run) => run.output()), ...this.#failedStarts.map((f) => f.output)].join('\n');
  }

  /** The current run's structured log lines (pino JSON), skipping the startup banner. */
  logLines(): Record<string, unknown>[] {
    const output = this.#current?.output() ?? '';
    return output.split('\n').flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  async sealStatus(): Promise<Record<string, unknown>> {
    const res = await api(this.address, 'GET', 'sys/seal-status');
    expect(res.status).toBe(200);
    return res.json;
  }

  /** Waits (polling, with no operator input) until the node reports itself unsealed. */
  async waitUnsealed(): Promise<void> {
    await eventually(async () => (await this.sealStatus()).sealed === false, `${this.fixture.type}: unsealed`);
  }

  /** Stops the process if it is still running (afterAll). */
  async close(): Promise<void> {
    await this.#current?.stop();
    this.#current = undefined;
  }
}
