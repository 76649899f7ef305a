import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { silentLogger } from '@coffer/sdk';
import { startServer, type RunningServer, type ServerConfig } from '@coffer/server';
import type { TestCertificates } from '@coffer/testkit';
import { runCli } from '../src/index.js';
import type { PromptInput } from '../src/prompt.js';

/**
 * A real server on a free loopback port, in memory; TLS when certificates are given; Shamir unless
 * seals are given; audit devices as the config file would declare them.
 */
export async function startTestServer(
  tls?: TestCertificates,
  seals: ServerConfig['seals'] = [],
  audit: ServerConfig['audit'] = { devices: [], allowApi: true },
): Promise<RunningServer & { address: string }> {
  const config: ServerConfig = {
    storage: { type: 'inmem' },
    seals,
    audit,
    listeners: [
      {
        type: 'tcp',
        address: '127.0.0.1:0',
        host: '127.0.0.1',
        port: 0,
        tls: tls ? { certFile: tls.certFile, keyFile: tls.keyFile, minVersion: 'TLSv1.2' } : null,
        maxRequestSize: 32 * 1024 * 1024,
        maxRequestDurationSeconds: 90,
        unauthenticatedMetricsAccess: false,
      },
    ],
    defaultLeaseTtl: 768 * 3600,
    maxLeaseTtl: 768 * 3600,
    logLevel: 'error',
    logFormat: 'standard',
    ui: false,
    readCacheEntries: 131_072,
  };
  const running = await startServer({ config, logger: silentLogger });
  return Object.assign(running, { address: running.addresses[0] as string });
}

/** A file audit device as an `audit "file" { ... }` stanza declares it. */
export function configFileDevice(filePath: string, options: Record<string, string> = {}): ServerConfig['audit']['devices'][number] {
  return { path: 'file/', type: 'file', description: '', options: { file_path: filePath, ...options }, local: false, source: 'config' };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, callback: () => void): void {
    this.text += chunk.toString();
    callback();
  }
}

export interface CliRunOptions {
  stdin?: string;
  /** A stream to use as stdin instead of `stdin`'s text, e.g. a fake terminal for hidden prompts. */
  terminal?: PromptInput;
  env?: Record<string, string | undefined>;
}

export interface CliRunner {
  (args: string[], options?: CliRunOptions): Promise<CliResult>;
  homeDir: string;
}

/** runCli in-process with captured output, a private home directory and the given environment. */
export async function cliRunner(env: Record<string, string | undefined>): Promise<CliRunner> {
  const homeDir = await mkdtemp(join(tmpdir(), 'coffer-cli-home-'));
  const run = async (args: string[], options: CliRunOptions = {}) => {
    const stdout = new Capture();
    const stderr = new Capture();
    const code = await runCli(args, {
      env: { ...env, ...options.env },
      stdout,
      stderr,
      stdin: options.terminal ?? Readable.from(options.stdin === undefined ? [] : [options.stdin]),
      homeDir,
    });
    return { code, stdout: stdout.text, stderr: stderr.text };
  };
  return Object.assign(run, { homeDir });
}

/** A dev-like server: initialised with one key, unsealed; returns the root token. */
export async function initialisedServer(
  options: { audit?: ServerConfig['audit'] } = {},
): Promise<{ server: RunningServer & { address: string }; rootToken: string }> {
  const server = await startTestServer(undefined, [], options.audit);
  const cli = await cliRunner({ COFFER_ADDR: server.address });
  const init = await cli(['operator', 'init', '-key-shares=1', '-key-threshold=1', '-format=json']);
  if (init.code !== 0) throw new Error(`init failed: ${init.stderr}`);
  const { unseal_keys_b64: keys, root_token: rootToken } = JSON.parse(init.stdout) as { unseal_keys_b64: string[]; root_token: string };
  const unseal = await cli(['operator', 'unseal', keys[0] as string]);
  if (unseal.code !== 0) throw new Error(`unseal failed: ${unseal.stderr}`);
  return { server, rootToken };
}
