import { silentLogger } from '@coffer/sdk';
import { startServer, type RunningServer } from '@coffer/server';

/** A live Coffer (in memory, one key share, unsealed, HTTP on 127.0.0.1) for the end-to-end test. */
export interface TestServer {
  address: string;
  /** Calls the API with the root token; returns the JSON body, throws on >= 400. */
  api(method: string, path: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

export async function startTestServer(): Promise<TestServer> {
  const running: RunningServer = await startServer({
    config: {
      storage: { type: 'inmem' },
      seals: [],
      audit: { devices: [], allowApi: true },
      listeners: [{ type: 'tcp', address: '127.0.0.1:0', host: '127.0.0.1', port: 0, tls: null, maxRequestSize: 32 * 1024 * 1024, maxRequestDurationSeconds: 90, unauthenticatedMetricsAccess: false }],
      defaultLeaseTtl: 768 * 3600,
      maxLeaseTtl: 768 * 3600,
      logLevel: 'error',
      logFormat: 'standard',
      ui: false,
      readCacheEntries: 131_072,
    },
    logger: silentLogger,
  });
  const address = running.addresses[0] as string;
  let token: string | undefined;
  const api = async (method: string, path: string, body?: unknown): Promise<any> => {
    const response = await fetch(`${address}/v1/${path}`, {
      method,
      headers: { ...(token ? { 'x-vault-token': token } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const init = await api('PUT', 'sys/init', { secret_shares: 1, secret_threshold: 1 });
  await api('PUT', 'sys/unseal', { key: init.keys_base64[0] });
  token = init.root_token;
  return { address, api, close: () => running.close() };
}
