import type { Storage } from '@coffer/sdk';
import { decodeLease, LEASE_PREFIX, type LeaseEntry } from './lease-entry.js';

const CONCURRENCY = 32;

/**
 * Walks every stored lease after unseal and hands each to `schedule`, a bounded number of reads at
 * a time and in the background, so unsealing with many leases is quick and storage is not stormed.
 */
export async function restoreLeases(storage: Storage, schedule: (entry: LeaseEntry) => void): Promise<number> {
  const pending: string[] = [];
  let restored = 0;
  const flush = async () => {
    const batch = pending.splice(0, pending.length);
    const entries = await Promise.all(batch.map((key) => storage.get(key)));
    for (const raw of entries) {
      if (!raw) continue;
      schedule(decodeLease(raw));
      restored++;
    }
  };
  const walk = async (folder: string): Promise<void> => {
    for (const name of await storage.list(folder)) {
      if (name.endsWith('/')) await walk(folder + name);
      else {
        pending.push(folder + name);
        if (pending.length >= CONCURRENCY) await flush();
      }
    }
  };
  await walk(LEASE_PREFIX);
  await flush();
  return restored;
}
