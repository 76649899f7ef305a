import { readFile } from 'node:fs/promises';
import https from 'node:https';
import { PassThrough } from 'node:stream';
import { createTestCertificates } from '@coffer/testkit';
import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

describe('injector', () => {
  it('serves the webhook from AGENT_INJECT_* settings until the signal, then exits 0', async () => {
    const certs = await createTestCertificates();
    const stop = new AbortController();
    const stderr = new PassThrough();
    let log = '';
    stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
    const env = {
      AGENT_INJECT_LISTEN: '127.0.0.1:0',
      AGENT_INJECT_VAULT_ADDR: 'https://coffer.coffer.svc:8200',
      AGENT_INJECT_VAULT_IMAGE: 'registry.example.com/coffer:0.1.0',
      AGENT_INJECT_TLS_CERT_FILE: certs.certFile,
      AGENT_INJECT_TLS_KEY_FILE: certs.keyFile,
    };
    const exit = runCli(['injector'], { env, stdout: new PassThrough(), stderr, signal: stop.signal });
    while (!log.includes('agent injector listening')) await new Promise((resolve) => setTimeout(resolve, 20));
    const url = JSON.parse(log.split('\n').find((line) => line.includes('agent injector listening')) as string).url as string;
    const ca = await readFile(certs.caFile, 'utf8');
    const status = await new Promise<number>((resolve, reject) =>
      https.get(new URL('/health/ready', url), { ca, agent: false }, (res) => resolve(res.statusCode ?? 0)).on('error', reject),
    );
    expect(status).toBe(204);
    stop.abort();
    expect(await exit).toBe(0);
  });

  it('reports every settings problem and exits 1', async () => {
    const stderr = new PassThrough();
    let text = '';
    stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
    const code = await runCli(['injector'], { env: { AGENT_INJECT_MEM_LIMIT: 'much' }, stdout: new PassThrough(), stderr });
    expect(code).toBe(1);
    expect(text).toContain('AGENT_INJECT_VAULT_ADDR is required');
    expect(text).toContain('AGENT_INJECT_MEM_LIMIT: "much" is not a resource quantity');
    expect(text).toContain('TLS: set AGENT_INJECT_TLS_AUTO');
  });
});
