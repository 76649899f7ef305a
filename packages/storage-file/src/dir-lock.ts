import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { CofferError } from '@coffer/sdk';
import { ioError, isErrnoException } from './errors.js';

export const LOCK_FILE = 'LOCK';

/** What a lock file records about its owner: enough to tell a live owner from a dead one. */
interface LockOwner {
  pid: number;
  host: string;
  /** Linux boot id: a lock from before a reboot is stale whatever its pid. */
  boot?: string;
  /** Process start time (clock ticks since boot) from /proc: tells a reused pid from the owner. */
  start?: string;
}

// Directories locked by this process: a second open here must fail even though the pid is alive.
const heldHere = new Set<string>();

/**
 * An exclusive lock on a storage directory: a file created atomically (written aside, then hard-
 * linked into place, so it is never seen half-written) holding the owner's pid. A lock whose owner
 * is gone (dead pid, reused pid, rebooted machine) is taken over; any other lock is refused.
 */
export class DirLock {
  readonly #path: string;
  readonly #content: string;

  private constructor(path: string, content: string) {
    this.#path = path;
    this.#content = content;
  }

  static async acquire(dir: string): Promise<DirLock> {
    const path = join(dir, LOCK_FILE);
    if (heldHere.has(path)) throw lockedError(dir, 'it is already open in this process');
    const owner: LockOwner = { pid: process.pid, host: hostname() };
    const boot = await readProc('/proc/sys/kernel/random/boot_id');
    const start = await processStartTime(process.pid);
    if (boot !== undefined) owner.boot = boot;
    if (start !== undefined) owner.start = start;
    const content = `${JSON.stringify(owner)}\n`;
    for (let attempt = 0; attempt < 3; attempt++) {
      if (await tryCreate(path, content)) {
        heldHere.add(path);
        return new DirLock(path, content);
      }
      const existing = await readIfExists(path);
      if (existing === undefined) continue; // released meanwhile: try again
      const verdict = await judge(existing, owner);
      if (verdict !== 'stale') throw lockedError(dir, verdict);
      await takeOver(path, existing, dir);
    }
    throw lockedError(dir, 'another process keeps taking the lock');
  }

  /** Removes the lock file if it is still ours. */
  async release(): Promise<void> {
    heldHere.delete(this.#path);
    try {
      if ((await readIfExists(this.#path)) === this.#content) await unlink(this.#path);
    } catch (error) {
      throw ioError('could not remove the storage lock file', error);
    }
  }
}

async function tryCreate(path: string, content: string): Promise<boolean> {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    const handle = await open(aside, 'wx', 0o600);
    try {
      await handle.writeFile(content);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await link(aside, path);
    return true;
  } catch (error) {
    if (isErrnoException(error, 'EEXIST')) return false;
    throw ioError('could not create the storage lock file', error);
  } finally {
    await unlink(aside).catch(() => {});
  }
}

/** 'stale', or why the lock is held by someone else. */
async function judge(existing: string, self: LockOwner): Promise<string> {
  const owner = parseOwner(existing);
  if (owner === undefined) return 'the lock file is unreadable (remove it if no server uses this directory)';
  const who = `pid ${owner.pid} on host ${owner.host}`;
  if (owner.host !== self.host) return `it is locked by ${who}; remove the lock file only if that server is gone`;
  if (owner.boot !== undefined && self.boot !== undefined && owner.boot !== self.boot) return 'stale';
  // Our own pid but not held here: a previous run that had the same pid (pid 1 in a container).
  if (owner.pid === self.pid) return 'stale';
  if (!isAlive(owner.pid)) return 'stale';
  const start = await processStartTime(owner.pid);
  if (owner.start !== undefined && start !== undefined && start !== owner.start) return 'stale';
  return `it is locked by ${who}, which is running`;
}

/**
 * Removes a stale lock. The rename is the arbiter when two processes take over at once: only one
 * moves the file. If what we moved is not the lock we judged stale, another process had already
 * taken over, and its lock is put back.
 */
async function takeOver(path: string, stale: string, dir: string): Promise<void> {
  const aside = `${path}.stale.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    await rename(path, aside);
  } catch (error) {
    if (isErrnoException(error, 'ENOENT')) return;
    throw ioError('could not take over a stale storage lock', error);
  }
  const moved = await readIfExists(aside);
  if (moved !== stale) {
    await link(aside, path).catch(() => {});
    await unlink(aside).catch(() => {});
    throw lockedError(dir, 'another process took the lock at the same time');
  }
  await unlink(aside).catch(() => {});
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (!Number.isSafeInteger(value.pid) || typeof value.host !== 'string') return undefined;
    const owner: LockOwner = { pid: value.pid as number, host: value.host };
    if (typeof value.boot === 'string') owner.boot = value.boot;
    if (typeof value.start === 'string') owner.start = value.start;
    return owner;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return isErrnoException(error, 'EPERM');
  }
}

async function processStartTime(pid: number): Promise<string | undefined> {
  const stat = await readProc(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  // Fields after the command name, which may itself contain spaces and parentheses.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19];
}

async function readProc(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch {
    return undefined;
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (isErrnoException(error, 'ENOENT')) return undefined;
    throw ioError('could not read the storage lock file', error);
  }
}

function lockedError(dir: string, reason: string): CofferError {
  return new CofferError('unavailable', `storage directory ${dir} is locked: ${reason}`);
}
