import { spawn } from 'node:child_process';
import { CLI } from './coffer-process.js';

export interface CliProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `coffer` CLI as its own process, as an operator would, with only the given
 * environment on top of PATH and HOME (so no COFFER_* or VAULT_* from the caller leaks in).
 */
export function runCliProcess(args: readonly string[], env: Record<string, string>): Promise<CliProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
