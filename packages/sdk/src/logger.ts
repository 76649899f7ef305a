/**
 * The logging shape packages depend on. pino satisfies it; packages never import a logger library,
 * they receive one. Objects come first, as in pino: `log.info({ mount }, 'mounted')`.
 */
export interface LogFn {
  (message: string): void;
  (bindings: Record<string, unknown>, message?: string): void;
}

export interface Logger {
  debug: LogFn;
  info: LogFn;
  warn: LogFn;
  error: LogFn;
  child(bindings: Record<string, unknown>): Logger;
}

const noop: LogFn = () => {};

/** A logger that drops everything, for tests and libraries used without one. */
export const silentLogger: Logger = {
  debug: noop,
  info: noop,
  warn: noop,
  error: noop,
  child: () => silentLogger,
};
