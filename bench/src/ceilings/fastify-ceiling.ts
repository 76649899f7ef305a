import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort } from '@coffer/e2e';

export interface CeilingServer {
  origin: string;
  path: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the bare fastify process (a separate process, like the server under test) and waits for it. */
export async function startFastifyCeiling(): Promise<CeilingServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [resolve(import.meta.dirname, 'fastify-ceiling-server.js'), String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  await new Promise<void>((ready, fail) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) ready();
    });
    child.once('exit', (code) => fail(new Error(`the fastify ceiling server exited (${code}) before listening`)));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    path: '/v1/ceiling',
    pid: child.pid as number,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
