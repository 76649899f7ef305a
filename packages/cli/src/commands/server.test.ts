import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cliRunner } from '../../test/harness.js';
import { runCli } from '../run-cli.js';

describe('server -dev in-process', () => {
  it('serves until the signal fires, logs the CLI in with the root token, then returns 0', async () => {
    const runner = await cliRunner({});
    const stdout = new PassThrough();
    let banner = '';
    stdout.on('data', (chunk: Buffer) => (banner += chunk.toString()));
    const stop = new AbortController();
    const exit = runCli(['server', '-dev', '-dev-listen-address=127.0.0.1:0', '-dev-root-token-id=in-process', '-log-level=error'], {
      env: {},
      stdout,
      stderr: new PassThrough(),
      homeDir: runner.homeDir,
      signal: stop.signal,
    });
    while (!banner.includes('Development mode should NOT')) await new Promise((resolve) => setTimeout(resolve, 20));
    const address = /export COFFER_ADDR='(\S+)'/.exec(banner)?.[1] as string;
    expect(banner).toMatch(/Listener 1: tcp \(addr: "127\.0\.0\.1:\d+", max_request_duration: "1m30s", max_request_size: "33554432", tls: "disabled"\)/);
    expect(await readFile(join(runner.homeDir, '.coffer-token'), 'utf8')).toBe('in-process');

    // KV v2 at secret/, reached with the token file only.
    const put = await runner(['kv', 'put', `-address=${address}`, 'secret/x', 'a=1']);
    expect(put.code).toBe(0);
    expect(put.stdout).toContain('secret/data/x');

    stop.abort();
    expect(await exit).toBe(0);
    expect((await runner(['status', `-address=${address}`])).code).toBe(1);
  });

  it('refuses a bad -dev-listen-address and an unknown -log-level (exit 1)', async () => {
    const cli = await cliRunner({});
    expect((await cli(['server', '-dev', '-dev-listen-address=nope'])).stderr).toContain('Error parsing -dev-listen-address "nope"');
    expect((await cli(['server', '-dev', '-log-level=loud'])).code).toBe(1);
  });
});
