import { setMaxListeners } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogFn, Logger } from '@coffer/sdk';

export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  bindings: Record<string, unknown>;
  message: string | undefined;
}

/** A real Logger that keeps what it was told, so tests can read the log. */
export function collectingLogger(): Logger & { records: LogRecord[] } {
  const records: LogRecord[] = [];
  const at =
    (level: LogRecord['level']): LogFn =>
    (first: string | Record<string, unknown>, message?: string) => {
      if (typeof first === 'string') records.push({ level, bindings: {}, message: first });
      else records.push({ level, bindings: first, message });
    };
  const logger: Logger & { records: LogRecord[] } = {
    records,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: () => logger,
  };
  return logger;
}

/** A fresh directory under the system temp dir, removed by the returned cleanup. */
export async function tempDir(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'coffer-audit-'));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** A signal that never aborts, shared by many direct sink writes (hence no listener limit). */
export const never: AbortSignal = new AbortController().signal;
setMaxListeners(0, never);

/** A clock the test moves by hand. */
export function manualClock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}
