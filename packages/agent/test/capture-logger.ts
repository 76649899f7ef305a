import type { LogFn, Logger } from '@coffer/sdk';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

/** A Logger that keeps every line, so tests can wait for an event and check what was (not) logged. */
export class CaptureLogger implements Logger {
  constructor(
    readonly lines: LogLine[] = [],
    private readonly bindings: Record<string, unknown> = {},
  ) {}

  #log(level: LogLine['level']): LogFn {
    return ((a: string | Record<string, unknown>, b?: string) => {
      const fields = typeof a === 'string' ? { ...this.bindings } : { ...this.bindings, ...a };
      const message = typeof a === 'string' ? a : (b ?? '');
      this.lines.push({ level, message, fields });
      if (process.env.AGENT_TEST_LOGS) console.log(level, message, JSON.stringify(fields));
    }) as LogFn;
  }

  debug = this.#log('debug');
  info = this.#log('info');
  warn = this.#log('warn');
  error = this.#log('error');

  child(bindings: Record<string, unknown>): Logger {
    return new CaptureLogger(this.lines, { ...this.bindings, ...bindings });
  }

  /** Every line as text, for "never contains" checks. */
  text(): string {
    return this.lines.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.fields)}`).join('\n');
  }

  count(message: string | RegExp): number {
    return this.lines.filter((l) => (typeof message === 'string' ? l.message === message : message.test(l.message))).length;
  }
}

/** Polls until `check` returns a truthy value (no timed assertions: the test timeout bounds it). */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, intervalMs = 50): Promise<Exclude<Awaited<T>, null | undefined | false | '' | 0>> {
  const started = Date.now();
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Exclude<Awaited<T>, null | undefined | false | '' | 0>;
    } catch {
      // not yet
    }
    if (Date.now() - started > 120_000) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
