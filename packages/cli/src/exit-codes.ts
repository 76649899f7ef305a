/**
 * Vault's exit-code convention, which scripts written for `vault` rely on: 1 for local problems
 * (bad flags, wrong arguments, unreadable files), 2 for remote ones (API errors, TLS, "no value
 * found"). `status` is the documented exception: 2 means sealed, 1 any error. `audit verify`
 * (Coffer's own) keeps to the convention: 2 for a broken log (a finding about the data, as a
 * refused key request is about the server), 1 for a file it could not read or a malformed -key.
 */
export const EXIT = {
  ok: 0,
  local: 1,
  remote: 2,
  sealed: 2,
  /** `audit verify` found the chain broken: never 1, which a script reads as "bad invocation". */
  auditBroken: 2,
  /** hashicorp/cli answers an unknown command with 127, as shells do. */
  unknownCommand: 127,
} as const;

/** A failure the command already described; `message` goes to stderr as is. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** Wrong input from the user (exit 1). */
export const usageError = (message: string): CliError => new CliError(message, EXIT.local);

/** The server, the network or TLS said no (exit 2). */
export const remoteError = (message: string): CliError => new CliError(message, EXIT.remote);
