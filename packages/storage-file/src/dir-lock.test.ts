import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isCofferError } from '@coffer/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes, tempStore, text } from '../test/support.js';
import { LOCK_FILE, openFileStorage } from './index.js';

/** The error an open fails with; the test fails if the open succeeds. */
async function openError(path: string): Promise<{ code: string; message: string }> {
  try {
    const storage = await openFileStorage({ path });
    await storage.close();
  } catch (error) {
    if (isCofferError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected the open to fail');
}

const readProc = async (path: string) => (await readFile(path, 'utf8')).trim();
const startTime = async (pid: number) => {
  const stat = await readProc(`/proc/${pid}/stat`);
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
};

describe('directory lock', () => {
  let store: string;
  let remove: () => Promise<void>;
  const writeLock = async (owner: Record<string, unknown>) => {
    await mkdir(store, { recursive: true, mode: 0o700 });
    await writeFile(join(store, LOCK_FILE), `${JSON.stringify(owner)}\n`, { mode: 0o600 });
  };
  const lockOwner = async () => JSON.parse(await readFile(join(store, LOCK_FILE), 'utf8')) as { pid: number };

  beforeEach(async () => {
    ({ store, remove } = await tempStore());
  });
  afterEach(async () => {
    await remove();
  });

  it('refuses a second open in the same process, and frees the lock on close', async () => {
    const first = await openFileStorage({ path: store });
    await first.put('k', bytes('v'));
    const refused = await openError(store);
    expect(refused.code).toBe('unavailable');
    expect(refused.message).toMatch(/is locked: it is already open in this process/);
    expect((await lockOwner()).pid).toBe(process.pid);
    await first.close();
    const second = await openFileStorage({ path: store });
    expect(text(await second.get('k'))).toBe('v');
    await second.close();
  });

  it('refuses a lock held by another live process, naming it', async () => {
    const other = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    await once(other, 'spawn');
    try {
      const pid = other.pid as number;
      await writeLock({ pid, host: hostname(), boot: await readProc('/proc/sys/kernel/random/boot_id'), start: await startTime(pid) });
      const refused = await openError(store);
      expect(refused.code).toBe('unavailable');
      expect(refused.message).toContain(`locked by pid ${pid} on host ${hostname()}, which is running`);
      expect((await lockOwner()).pid).toBe(pid);
    } finally {
      other.kill('SIGKILL');
    }
  });

  it('takes over the lock of a process that died', async () => {
    const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await once(dead, 'exit');
    await writeLock({ pid: dead.pid, host: hostname() });
    const storage = await openFileStorage({ path: store });
    expect((await lockOwner()).pid).toBe(process.pid);
    await storage.close();
  });

  it('takes over a lock from before a reboot, or from an earlier process with our pid', async () => {
    await writeLock({ pid: process.ppid, host: hostname(), boot: 'an-earlier-boot' });
    await (await openFileStorage({ path: store })).close();
    await writeLock({ pid: process.pid, host: hostname() });
    await (await openFileStorage({ path: store })).close();
  });

  it('takes over a lock whose pid now belongs to a different process', async () => {
    await writeLock({ pid: process.ppid, host: hostname(), start: '1' });
    await (await openFileStorage({ path: store })).close();
  });

  it('refuses a lock from another host, or one it cannot read', async () => {
    await writeLock({ pid: 1, host: `not-${hostname()}` });
    expect((await openError(store)).message).toMatch(/locked by pid 1 on host not-.*remove the lock file only if/);
    await writeFile(join(store, LOCK_FILE), 'garbage');
    expect((await openError(store)).message).toMatch(/lock file is unreadable/);
  });
});
