import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

export interface AtomicWriteOptions {
  /** Permission bits; undefined keeps the current file's, or `defaultMode` for a new file. */
  mode: number | undefined;
  defaultMode?: number;
  createDirs?: boolean;
}

/**
 * Replaces a file in one step: the content goes to a temporary file beside it (same filesystem),
 * is flushed, gets its mode, and is renamed over the target, so a reader sees the old file or the
 * new one, never half of one.
 */
export async function writeFileAtomic(path: string, content: string | Buffer, options: AtomicWriteOptions): Promise<void> {
  const dir = dirname(path);
  if (options.createDirs) await mkdir(dir, { recursive: true });
  let mode = options.mode;
  if (mode === undefined) mode = (await stat(path).catch(() => undefined))?.mode ?? options.defaultMode ?? 0o644;
  mode &= 0o7777;
  const temp = join(dir, `.${basename(path)}.tmp.${randomBytes(4).toString('hex')}`);
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    // chmod after the write: the umask applies to open()'s mode, not to chmod.
    await chmod(temp, mode);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
