import type { Logger } from '@coffer/sdk';

/** One log call a RecordingLogger received, with the bindings of the child loggers it went through. */
export interface LogRecord {
  level: 'debug' | 'info' | 'warn' | 'error';
  bindings: Record<string, unknown>;
  message: string | undefined;
}

export interface RecordingLogger {
  readonly logger: Logger;
  readonly records: LogRecord[];
  /** Every record's level, message and bindings as one JSON line each, for "never logged" assertions. */
  text(): string;
}

/** A Logger (pino's call shape) that keeps every call in memory, so tests can assert what was logged. */
export function createRecordingLogger(): RecordingLogger {
  const records: LogRecord[] = [];
  const make = (base: Record<string, unknown>): Logger => {
    const at =
      (level: LogRecord['level']) =>
      (first: string | Record<string, unknown>, message?: string): void => {
        if (typeof first === 'string') records.push({ level, bindings: { ...base }, message: first });
        else records.push({ level, bindings: { ...base, ...first }, message });
      };
    return {
      debug: at('debug'),
      info: at('info'),
      warn: at('warn'),
      error: at('error'),
      child: (bindings) => make({ ...base, ...bindings }),
    };
  };
  return { logger: make({}), records, text: () => records.map((r) => JSON.stringify(r)).join('\n') };
}
