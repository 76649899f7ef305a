import { InMemoryStorage, silentLogger, type Storage } from '@coffer/sdk';
import type { FastifyInstance } from 'fastify';
import { Core, type CoreOptions, type SealSet } from '../src/core/core.js';
import { engineRegistry } from '../src/engines/registry.js';
import { buildApp } from '../src/http/app.js';

export interface TestApp {
  app: FastifyInstance;
  core: Core;
  storage: InMemoryStorage;
  close(): Promise<void>;
}

/** The real app and core over in-memory storage, driven with inject() (no sockets). */
export async function createTestApp(
  options: { storage?: InMemoryStorage; maxRequestSize?: number; seals?: SealSet; audit?: CoreOptions['audit'] } = {},
): Promise<TestApp> {
  const storage = options.storage ?? new InMemoryStorage();
  const now = () => new Date();
  const core = new Core({
    physical: storage as Storage,
    logger: silentLogger,
    now,
    defaultLeaseTtl: 768 * 3600,
    maxLeaseTtl: 768 * 3600,
    registry: engineRegistry(now),
    defaultMounts: {
      mounts: [
        { path: 'cubbyhole/', type: 'cubbyhole' },
        { path: 'sys/', type: 'system' },
      ],
      auth: [{ path: 'token/', type: 'token' }],
    },
    ...(options.seals ? { seals: options.seals } : {}),
    ...(options.audit ? { audit: options.audit } : {}),
  });
  await core.start();
  const app = await buildApp({
    core,
    logger: silentLogger,
    info: { version: '1.19.0+coffer.test', buildDate: '2026-01-01T00:00:00Z', storageType: 'inmem' },
    maxRequestSize: options.maxRequestSize ?? 32 * 1024 * 1024,
    maxRequestDuration: 90,
  });
  return {
    app,
    core,
    storage,
    close: async () => {
      await app.close();
      await core.seal();
    },
  };
}

/** Initialises with the given shares and unseals with the first `threshold` keys. */
export async function initAndUnseal(t: TestApp, shares = 1, threshold = 1): Promise<{ keys: string[]; rootToken: string }> {
  const init = await t.app.inject({
    method: 'PUT',
    url: '/v1/sys/init',
    payload: { secret_shares: shares, secret_threshold: threshold },
  });
  if (init.statusCode !== 200) throw new Error(`init failed: ${init.body}`);
  const { keys, root_token: rootToken } = init.json() as { keys: string[]; root_token: string };
  for (const key of keys.slice(0, threshold)) {
    await t.app.inject({ method: 'PUT', url: '/v1/sys/unseal', payload: { key } });
  }
  return { keys, rootToken };
}

/** A JSON request with a token. */
export function call(t: TestApp, token: string, method: string, url: string, payload?: unknown) {
  return t.app.inject({
    method: method as 'GET',
    url,
    headers: { 'x-vault-token': token, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
  });
}
