import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initialiseAndUnseal, startCoffer, type CofferProcess } from '@coffer/e2e';

export type StorageKind = 'inmem' | 'file' | 'etcd';

export interface Target {
  storage: StorageKind;
  /** A file audit device (every request and response HMAC'd and appended). */
  audit: boolean;
}

export interface CofferUnderTest {
  origin: string;
  rootToken: string;
  unsealKey: string;
  process: CofferProcess;
  dir: string;
  /** SIGTERM to the current process (so a --cpu-prof profile gets written), then the temp folder goes. */
  stop(options?: { keepDir?: boolean }): Promise<void>;
}

let instances = 0;

export function storageStanza(storage: StorageKind, dir: string, etcdEndpoints?: readonly string[]): string | undefined {
  if (storage === 'inmem') return 'storage "inmem" {}';
  if (storage === 'file') return undefined; // startCoffer's default: file storage under dir/data
  if (!etcdEndpoints?.length) throw new Error('etcd storage needs etcd endpoints');
  // One prefix per server, so runs never see each other's keys; HA off: one node, no lock.
  return `storage "etcd" {\n  address = "${etcdEndpoints.join(',')}"\n  path = "/coffer-bench-${process.pid}-${instances++}/"\n  ha_enabled = "false"\n}`;
}

/** A real `coffer server` process on the given storage, initialised (one key share) and unsealed. */
export async function startCofferUnderTest(
  target: Target,
  options: { etcdEndpoints?: readonly string[]; nodeArgs?: string[]; dir?: string } = {},
): Promise<CofferUnderTest> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), `coffer-bench-${target.storage}-`)));
  const storageConfig = storageStanza(target.storage, dir, options.etcdEndpoints);
  const server = await startCoffer({
    dir,
    logLevel: 'warn',
    ...(storageConfig ? { storageConfig } : {}),
    ...(target.audit ? { extraConfig: `audit "file" {\n  file_path = "${join(dir, 'audit.log')}"\n}` } : {}),
    ...(options.nodeArgs ? { nodeArgs: options.nodeArgs } : {}),
  });
  const { rootToken, unsealKey } = await initialiseAndUnseal(server.address);
  const handle: CofferUnderTest = {
    origin: server.address,
    rootToken,
    unsealKey,
    process: server,
    dir,
    stop: async ({ keepDir = false } = {}) => {
      // `process` may have been replaced by a restart (the scale run does that).
      await handle.process.stop();
      if (!keepDir) await rm(dir, { recursive: true, force: true });
    },
  };
  return handle;
}
