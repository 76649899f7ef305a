import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';

// The built binary, as installed: these tests need `nx run @coffer/cli:build` first (nx runs it).
const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'main.js');
const run = promisify(execFile);

interface Spawned {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

function start(args: string[], env: Record<string, string>): Spawned {
  const child = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Polls until `check` holds (readiness, not timing: the test timeout bounds it). */
async function until(check: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 50));
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

async function coffer(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the coffer binary', () => {
  it('server -dev: banner, kv put/get from child processes, SIGTERM exits 0', async () => {
    const home = await mkdtemp(join(tmpdir(), 'coffer-bin-home-'));
    const port = await freePort();
    const server = start(['server', '--dev', '--dev-listen-address', `127.0.0.1:${port}`, '-dev-root-token-id=dev-root'], { HOME: home });
    await until(() => server.stdout().includes('Development mode should NOT be used') || server.child.exitCode !== null);
    const address = `http://127.0.0.1:${port}`;
    expect(server.stdout()).toContain(`export COFFER_ADDR='${address}'`);
    expect(server.stdout()).toMatch(/^Unseal Key: \S+$/m);
    expect(server.stdout()).toContain('Root Token: dev-root');

    const env = { HOME: home, COFFER_ADDR: address, COFFER_TOKEN: 'dev-root' };
    const put = await coffer(['kv', 'put', 'secret/hello', 'greeting=world'], env);
    expect(put.code).toBe(0);
    expect(put.stdout).toContain('secret/data/hello');
    const get = await coffer(['kv', 'get', '-field=greeting', 'secret/hello'], env);
    expect(get).toMatchObject({ code: 0, stdout: 'world' });
    // Dev mode logs the CLI in, as Vault's does: no token in the environment needed.
    const viaFile = await coffer(['kv', 'get', '-format=json', 'secret/hello'], { HOME: home, COFFER_ADDR: address });
    expect(JSON.parse(viaFile.stdout).data.data).toEqual({ greeting: 'world' });

    server.child.kill('SIGTERM');
    expect(await server.exited).toBe(0);
    expect(server.stderr()).toContain('server stopped');
  });

  it('server -config: storage on disk, log_level from the file, init over the wire, SIGINT exits 0', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-bin-config-'));
    const config = join(dir, 'coffer.hcl');
    await writeFile(
      config,
      [
        `storage "file" { path = "${join(dir, 'data')}" }`,
        'listener "tcp" {',
        '  address     = "127.0.0.1:0"',
        '  tls_disable = true',
        '}',
        'log_level = "warn"',
        '',
      ].join('\n'),
    );
    const server = start(['server', `-config=${config}`], { HOME: dir });
    await until(() => /Api Address: (\S+)/.test(server.stdout()) || server.child.exitCode !== null);
    const address = /Api Address: (\S+)/.exec(server.stdout())?.[1] as string;
    expect(address).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const init = await coffer(['operator', 'init', '-key-shares=1', '-key-threshold=1', '-format=json'], { HOME: dir, COFFER_ADDR: address });
    expect(init.code).toBe(0);
    const { unseal_keys_b64: keys } = JSON.parse(init.stdout) as { unseal_keys_b64: string[] };
    const unseal = await coffer(['operator', 'unseal', keys[0] as string], { HOME: dir, COFFER_ADDR: address });
    expect(unseal.code).toBe(0);
    expect((await coffer(['status'], { HOME: dir, COFFER_ADDR: address })).code).toBe(0);

    server.child.kill('SIGINT');
    expect(await server.exited).toBe(0);
    // log_level = "warn": the info-level lifecycle lines are not logged.
    expect(server.stderr()).not.toContain('"level":30');
  });

  it('a configuration error exits 1 with file:line messages and no stack trace', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-bin-bad-'));
    const config = join(dir, 'bad.hcl');
    await writeFile(config, ['listener "tcp" {', '  address = "not an address"', '  tls_disable = true', '}', ''].join('\n'));
    const result = await coffer(['server', '-config', config], { HOME: dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Error loading configuration from ${config}`);
    expect(result.stderr).toContain(`${config}:2: `);
    expect(result.stderr).toMatch(/storage stanza is required/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe('');
  });

  it('server without -config or -dev is a usage error', async () => {
    const result = await coffer(['server'], {});
    expect(result).toMatchObject({ code: 1, stderr: 'Must specify at least one config path using -config\n' });
  });
});
