import { abortReason } from './signal.js';

interface LineJob {
  kind: 'line';
  line: string;
  settled: boolean;
  /** Called when the job's own signal aborts while its batch is being written. */
  onAbandon?: () => void;
  resolve(): void;
  reject(error: Error): void;
}

interface ControlJob {
  kind: 'control';
  run(): Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

/**
 * Serialises a sink's I/O: lines leave in the order they were given, control steps (reopen,
 * close) run between them, and lines that queue up while a write is in flight go out together in
 * the next one (group commit). A line whose signal aborts while it waits is dropped and never
 * written; one that aborts during its write is rejected at once, though the write may still land.
 */
export class WriteQueue {
  readonly #write: (lines: readonly string[], signal: AbortSignal) => Promise<void>;
  readonly #maxBatch: number;
  readonly #jobs: (LineJob | ControlJob)[] = [];
  #draining = false;

  /**
   * `write` gets a signal that aborts once every line of the batch was given up by its caller: a
   * transport that can cancel (a socket) should then drop the stuck write instead of holding the
   * queue.
   */
  constructor(write: (lines: readonly string[], signal: AbortSignal) => Promise<void>, options: { maxBatch?: number } = {}) {
    this.#write = write;
    this.#maxBatch = options.maxBatch ?? 1024;
  }

  push(line: string, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(abortReason(signal));
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = this.#jobs.indexOf(job);
        if (at >= 0) this.#jobs.splice(at, 1);
        job.reject(abortReason(signal));
        job.onAbandon?.();
      };
      const job: LineJob = {
        kind: 'line',
        line,
        settled: false,
        resolve: () => {
          if (job.settled) return;
          job.settled = true;
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error) => {
          if (job.settled) return;
          job.settled = true;
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#jobs.push(job);
      void this.#drain();
    });
  }

  /** Runs `run` once every earlier line is written, before any later one. */
  control(run: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#jobs.push({ kind: 'control', run, resolve, reject });
      void this.#drain();
    });
  }

  async #drain(): Promise<void> {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#jobs.length) {
        const first = this.#jobs[0] as LineJob | ControlJob;
        if (first.kind === 'control') {
          this.#jobs.shift();
          await first.run().then(first.resolve, first.reject);
          continue;
        }
        const batch: LineJob[] = [];
        while (batch.length < this.#maxBatch && this.#jobs[0]?.kind === 'line') {
          batch.push(this.#jobs.shift() as LineJob);
        }
        const abandoned = new AbortController();
        for (const job of batch) {
          job.onAbandon = () => {
            if (batch.every((j) => j.settled)) abandoned.abort(new Error('every caller gave up on this write'));
          };
        }
        try {
          await this.#write(
            batch.map((job) => job.line),
            abandoned.signal,
          );
          for (const job of batch) job.resolve();
        } catch (error) {
          const failure = error instanceof Error ? error : new Error(String(error));
          for (const job of batch) job.reject(failure);
        }
      }
    } finally {
      this.#draining = false;
    }
  }
}
