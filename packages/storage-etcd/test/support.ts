import { CofferError, isHAStorage, type HAStorage, type Logger } from '@coffer/sdk';
import type { EtcdCluster } from '@coffer/testkit';
import { Etcd3 } from 'etcd3';
import { openEtcdStorage, parseEtcdStorageConfig, type EtcdStorage } from '../src/index.js';

export const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
export const text = (value: Uint8Array | undefined): string | undefined =>
  value === undefined ? undefined : new TextDecoder().decode(value);

/** Opens a storage on `endpoints` under a fresh path; `options` are raw stanza options. */
export async function openTestStorage(
  etcd: EtcdCluster,
  options: Record<string, unknown> = {},
  logger?: Logger,
): Promise<EtcdStorage> {
  const config = parseEtcdStorageConfig({
    address: etcd.endpoints.join(','),
    path: etcd.uniquePrefix('s'),
    request_timeout: '3s',
    ...options,
  });
  return openEtcdStorage(config, logger ? { logger } : {});
}

/** A plain etcd3 client for asserting on etcd's own contents, outside the code under test. */
export function rawClient(etcd: EtcdCluster): Etcd3 {
  return new Etcd3({ hosts: [...etcd.endpoints] });
}

/** Every key (as text) under `prefix`, read straight from etcd. */
export async function etcdKeys(client: Etcd3, prefix: string): Promise<string[]> {
  return (await client.getAll().prefix(prefix).keys()).map(String).sort();
}

/** Resolves with the CofferError a promise rejects with (fails if it resolves or throws anything else). */
export async function cofferError(promise: Promise<unknown>): Promise<CofferError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof CofferError) return error;
    throw error;
  }
  throw new Error('expected a CofferError, but the call succeeded');
}

/** Polls `check` until it returns a value other than undefined; no fixed sleeps in tests. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The storage as an HAStorage (it was opened with ha_enabled). */
export function haStorage(storage: EtcdStorage): EtcdStorage & HAStorage {
  if (!isHAStorage(storage)) throw new Error('expected an HA storage (ha_enabled)');
  return storage;
}
