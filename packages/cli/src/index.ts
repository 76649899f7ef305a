export { runCli } from './run-cli.js';
export type { CliIo } from './context.js';
export type { EnvRecord } from './env.js';
export { EXIT } from './exit-codes.js';
