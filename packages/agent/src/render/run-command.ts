import { spawn } from 'node:child_process';

export interface CommandResult {
  /** null when killed by a signal (e.g. the timeout). */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** The end of stderr, for the log when the command fails. */
  stderrTail: string;
}

const STDERR_TAIL = 1024;

/**
 * Runs a template's command as consul-template does: a string through `/bin/sh -c`, a list as
 * argv. It is killed (SIGTERM, then SIGKILL) when it outlives the timeout.
 */
export function runCommand(command: string | readonly string[], timeoutMs: number, env: NodeJS.ProcessEnv): Promise<CommandResult> {
  const [file, ...args] = typeof command === 'string' ? ['/bin/sh', '-c', command] : command;
  return new Promise((resolve) => {
    let stderr = '';
    let timedOut = false;
    const child = spawn(file as string, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 2000).unref();
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ exitCode: 127, signal: null, timedOut, stderrTail: error.message });
    });
    child.on('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ exitCode, signal, timedOut, stderrTail: stderr.trim() });
    });
  });
}
