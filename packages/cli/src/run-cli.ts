import { CommanderError } from 'commander';
import { normaliseArgv } from './argv.js';
import { Context, type CliIo } from './context.js';
import { readCliEnv } from './env.js';
import { CliError, EXIT } from './exit-codes.js';
import { booleanFlags, buildProgram } from './program.js';

/**
 * Runs one `coffer` command line and resolves with its exit code. Everything outside the process
 * (environment, streams, home directory, shutdown signal) comes in through `io`, so tests run it
 * in-process and main.ts is only glue.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const write = (text: string) => io.stderr.write(`${text}\n`);
  let ctx: Context;
  try {
    ctx = new Context(io, readCliEnv(io.env));
  } catch (error) {
    write((error as Error).message);
    return error instanceof CliError ? error.exitCode : EXIT.local;
  }
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(normaliseArgv(argv, booleanFlags(program)), { from: 'user' });
    return ctx.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExitCode(error);
    if (error instanceof CliError) {
      write(error.message);
      return error.exitCode;
    }
    // Not expected: say what happened, without a stack trace or anything the error might carry.
    write(`Error: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT.local;
  }
}

/** Commander has already printed its message (and the usage); only the code is left to choose. */
function commanderExitCode(error: CommanderError): number {
  switch (error.code) {
    case 'commander.helpDisplayed':
    case 'commander.version':
      return EXIT.ok;
    case 'commander.unknownCommand':
      return EXIT.unknownCommand;
    default:
      return EXIT.local;
  }
}
