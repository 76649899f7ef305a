import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, startCoffer } from '../coffer-process.js';
import { initialiseAndUnseal, mount } from '../coffer-setup.js';
import { runHttpFuzz, type HttpFuzzResult } from './http-fuzz.js';

export interface FuzzRunOptions {
  count: number;
  seed: number;
  concurrency?: number;
  dir?: string;
  log?: (line: string) => void;
}

export interface FuzzRunResult extends HttpFuzzResult {
  /** SIGTERM exit code after the run (0 when the server shut down cleanly). */
  exitCode: number | null;
  /** The server's own log lines that mention an error, for the report (a few at most). */
  errorLines: string[];
}

/**
 * A real server to fuzz: file storage, a file audit device (so hashing and writing entries sees
 * the odd input too), KV v2 at `fuzz/`, transit with a key, AppRole, and a canary secret at a
 * mount the generator never names.
 */
export async function fuzzFreshServer(options: FuzzRunOptions): Promise<FuzzRunResult> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'coffer-fuzz-')));
  const server = await startCoffer({ dir, logLevel: 'warn', extraConfig: `audit "file" {\n  file_path = "${join(dir, 'audit.log')}"\n}` });
  try {
    const { rootToken } = await initialiseAndUnseal(server.address);
    await mount(server.address, rootToken, 'fuzz', 'kv-v2');
    await mount(server.address, rootToken, 'canary', 'kv-v2');
    await mount(server.address, rootToken, 'transit', 'transit');
    await api(server.address, 'POST', 'transit/keys/fuzz', { token: rootToken, body: { type: 'aes256-gcm96' } });
    await api(server.address, 'POST', 'sys/auth/approle', { token: rootToken, body: { type: 'approle' } });
    await api(server.address, 'POST', 'auth/approle/role/fuzz', { token: rootToken, body: { token_policies: ['default'] } });
    for (const name of ['a', 'b/c', 'x']) await api(server.address, 'POST', `fuzz/data/${name}`, { token: rootToken, body: { data: { v: name } } });
    const canary = { path: 'canary/data/known', value: `canary-${options.seed}` };
    const written = await api(server.address, 'POST', canary.path, { token: rootToken, body: { data: { value: canary.value } } });
    if (written.status !== 200) throw new Error(`canary write answered ${written.status}`);

    const result = await runHttpFuzz({
      address: server.address,
      port: server.port,
      rootToken,
      count: options.count,
      seed: options.seed,
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      isAlive: () => server.child.exitCode === null && server.child.signalCode === null,
      canary,
      ...(options.log ? { log: options.log } : {}),
    });
    const exitCode = result.crashed ? server.child.exitCode : await server.stop();
    const errorLines = server
      .output()
      .split('\n')
      .filter((line) => /error|uncaught|unhandled|fatal/i.test(line))
      .slice(0, 5);
    return { ...result, exitCode, errorLines };
  } finally {
    if (server.child.exitCode === null && server.child.signalCode === null) await server.kill();
    if (!options.dir) await rm(dir, { recursive: true, force: true });
  }
}
