import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { TestCertificates } from '@coffer/testkit';

/** The built CLI, as a user runs it (`npx nx run-many -t build,test` builds it before tests). */
export const CLI = resolve(import.meta.dirname, '../../cli/dist/main.js');

export interface CofferProcess {
  address: string;
  port: number;
  child: ChildProcess;
  /** Everything the process wrote, for failure messages and leak checks. */
  output(): string;
  /** SIGTERM and wait for the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash. */
  kill(): Promise<void>;
}

/** The process exited (or never listened) instead of serving; carries its exit code and output. */
export class CofferStartError extends Error {
  constructor(
    readonly exitCode: number | null,
    readonly output: string,
  ) {
    super(`coffer did not start (exit code ${String(exitCode)}):\n${output}`);
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

export interface StartCofferOptions {
  dir: string;
  tls?: TestCertificates;
  port?: number;
  /** More HCL for the config file, e.g. a `seal "awskms" { … }` stanza. */
  extraConfig?: string;
  /** Replaces the default `storage "file"` stanza (e.g. etcd for HA). */
  storageConfig?: string;
  /** More environment for the child, e.g. NODE_EXTRA_CA_CERTS. */
  env?: Record<string, string>;
  /** Flags for node itself, before the CLI (e.g. `--cpu-prof` for the benchmark's profiles). */
  nodeArgs?: string[];
  /** The config's `log_level` (default `info`); benchmarks use `warn` so logging is not what they measure. */
  logLevel?: string;
}

/**
 * Variables the seals read as overrides or fallbacks of their stanza (as Vault's do): one set on a
 * developer's machine or a CI runner (AWS_REGION, VAULT_ADDR…) would silently change the seal under
 * test, so the child never inherits them; a test passes what it means in `env`.
 */
const SEAL_ENVIRONMENT = /^(AWS_|AZURE_|GOOGLE_|GCPCKMS_|VAULT_|BAO_)/;

function childEnvironment(options: StartCofferOptions): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !SEAL_ENVIRONMENT.test(name)));
  return {
    ...inherited,
    // Google's auth library must never probe the GCE metadata server from a test.
    METADATA_SERVER_DETECTION: 'none',
    ...(options.tls ? { NODE_EXTRA_CA_CERTS: options.tls.caFile } : {}),
    ...options.env,
  };
}

/** Starts `coffer server --config` on file storage in `dir`, and waits until it answers. */
export async function startCoffer(options: StartCofferOptions): Promise<CofferProcess> {
  await mkdir(options.dir, { recursive: true });
  const port = options.port ?? (await freePort());
  const listener = options.tls
    ? `tls_cert_file = "${options.tls.certFile}"\n  tls_key_file = "${options.tls.keyFile}"`
    : 'tls_disable = true';
  const config = join(options.dir, 'coffer.hcl');
  await writeFile(
    config,
    `${options.storageConfig ?? `storage "file" {\n  path = "${join(options.dir, 'data')}"\n}`}\n\nlistener "tcp" {\n  address = "127.0.0.1:${port}"\n  ${listener}\n}\n\ndisable_mlock = true\nlog_level = "${options.logLevel ?? 'info'}"\n${options.extraConfig ? `\n${options.extraConfig}\n` : ''}`,
  );
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, 'server', `--config=${config}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnvironment(options),
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const address = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  const ready = await waitForListening(port, exited);
  if (!ready) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw new CofferStartError(await exited, output);
  }
  return {
    address,
    port,
    child,
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

async function waitForListening(port: number, exited: Promise<unknown>): Promise<boolean> {
  let gone = false;
  void exited.then(() => (gone = true));
  for (let attempt = 0; attempt < 300 && !gone; attempt++) {
    const alive = await probe(port);
    if (alive) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** The port accepts connections: the server is listening (TLS or not, no handshake needed). */
function probe(port: number): Promise<boolean> {
  return new Promise((resolveProbe) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolveProbe(true);
    });
    socket.once('error', () => resolveProbe(false));
  });
}

/** A JSON request to a running coffer over plain http. */
export async function api(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; signal?: AbortSignal } = {},
): Promise<{ status: number; json: any }> {
  const res = await fetch(`${base}/v1/${path}`, {
    method,
    headers: {
      ...(options.token ? { 'X-Vault-Token': options.token } : {}),
      ...(options.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
    },
    ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}
