import type { AuditSink } from '@coffer/sdk';
import { abortReason } from './signal.js';

/** `file_path = "stdout"`: one line per entry on standard output (containers), resolved once Node handed it on. */
export class StdoutSink implements AuditSink {
  readonly type = 'file';
  readonly #stream: NodeJS.WritableStream;

  constructor(stream: NodeJS.WritableStream = process.stdout) {
    this.#stream = stream;
  }

  write(line: string, options: { signal: AbortSignal }): Promise<void> {
    const { signal } = options;
    if (signal.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => reject(abortReason(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      this.#stream.write(`${line}\n`, (error) => {
        signal.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      });
    });
  }

  async close(): Promise<void> {}
}

/** `file_path = "discard"`: accepts and drops every entry (tests, benchmarks). */
export class DiscardSink implements AuditSink {
  readonly type = 'file';

  async write(): Promise<void> {}

  async close(): Promise<void> {}
}
