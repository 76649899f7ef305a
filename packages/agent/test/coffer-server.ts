import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@coffer/sdk';
import { startServer, type RunningServer, type ServerConfig } from '@coffer/server';

/** A real Coffer server for agent tests: initialised with one key share, unsealed, reachable over HTTP. */
export interface TestServer {
  address: string;
  rootToken: string;
  /** Calls the API with the root token (or `token`); returns the JSON body, throws on >= 400. */
  api(method: string, path: string, body?: unknown, token?: string): Promise<any>;
  /** File storage only: stop, start again on the same port and data, unseal. */
  restart(): Promise<void>;
  stop(): Promise<void>;
  close(): Promise<void>;
}

function config(storage: ServerConfig['storage'], port: number): ServerConfig {
  return {
    storage,
    seals: [],
    audit: { devices: [], allowApi: true },
    listeners: [
      { type: 'tcp', address: `127.0.0.1:${port}`, host: '127.0.0.1', port, tls: null, maxRequestSize: 32 * 1024 * 1024, maxRequestDurationSeconds: 90, unauthenticatedMetricsAccess: false },
    ],
    defaultLeaseTtl: 768 * 3600,
    maxLeaseTtl: 768 * 3600,
    logLevel: 'error',
    logFormat: 'standard',
    ui: false,
    readCacheEntries: 131_072,
  };
}

export async function startTestServer(options: { fileStorage?: boolean } = {}): Promise<TestServer> {
  const storage: ServerConfig['storage'] = options.fileStorage
    ? { type: 'file', path: await mkdtemp(join(tmpdir(), 'coffer-agent-storage-')) }
    : { type: 'inmem' };
  let running: RunningServer | undefined = await startServer({ config: config(storage, 0), logger: silentLogger });
  const address = running.addresses[0] as string;
  const port = Number(new URL(address).port);

  const call = async (method: string, path: string, body: unknown, token: string | undefined): Promise<any> => {
    const response = await fetch(`${address}/v1/${path}`, {
      method,
      headers: { ...(token ? { 'x-vault-token': token } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const init = await call('PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 }, undefined);
  const unsealKey = init.keys_base64[0] as string;
  const rootToken = init.root_token as string;
  const unseal = () => call('PUT', 'sys/unseal', { key: unsealKey }, undefined);
  await unseal();

  const server: TestServer = {
    address,
    rootToken,
    api: (method, path, body, token) => call(method, path, body, token ?? rootToken),
    async stop() {
      await running?.close();
      running = undefined;
    },
    async restart() {
      await server.stop();
      running = await startServer({ config: config(storage, port), logger: silentLogger });
      await unseal();
    },
    close: () => server.stop(),
  };
  return server;
}

/**
 * AppRole at auth/approle with a role whose tokens carry `policy`, and the role's IDs written to
 * files the agent reads.
 */
export async function setupAppRole(
  server: TestServer,
  dir: string,
  options: { policy: string; rules: string; tokenTtl?: string; tokenMaxTtl?: string },
): Promise<{ roleIdFile: string; secretIdFile: string; roleId: string }> {
  const { writeFile } = await import('node:fs/promises');
  await server.api('PUT', 'sys/auth/approle', { type: 'approle' }).catch((error: Error) => {
    if (!/already in use|path is already/.test(error.message)) throw error;
  });
  await server.api('PUT', `sys/policies/acl/${options.policy}`, { policy: options.rules });
  await server.api('PUT', 'auth/approle/role/app', {
    token_policies: [options.policy],
    ...(options.tokenTtl ? { token_ttl: options.tokenTtl } : {}),
    ...(options.tokenMaxTtl ? { token_max_ttl: options.tokenMaxTtl } : {}),
  });
  const roleId = (await server.api('GET', 'auth/approle/role/app/role-id')).data.role_id as string;
  const secretId = (await server.api('PUT', 'auth/approle/role/app/secret-id', {})).data.secret_id as string;
  const roleIdFile = join(dir, 'role-id');
  const secretIdFile = join(dir, 'secret-id');
  await writeFile(roleIdFile, `${roleId}\n`);
  await writeFile(secretIdFile, `${secretId}\n`);
  return { roleIdFile, secretIdFile, roleId };
}
