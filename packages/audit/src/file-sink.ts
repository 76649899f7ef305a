import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditSink } from '@coffer/sdk';
import { readFileTail } from './file-tail.js';
import { HashChain, lineHash, parseChainLink, type ChainHead, type CheckpointReason } from './hash-chain.js';
import { createNanoClock } from './rfc3339.js';
import { WriteQueue } from './write-queue.js';

export interface FileSinkChainOptions {
  /** The checkpoint MAC key, from behind the barrier. */
  key: Uint8Array;
  /** A checkpoint every this many entries. */
  checkpointInterval: number;
  /** The device's prefix, repeated on checkpoint lines. */
  prefix?: string;
  now?: () => bigint;
}

export interface FileSinkOptions {
  path: string;
  /** Permission bits for the file, default 0o600; 0 leaves an existing file's mode alone. */
  mode?: number;
  /** fdatasync before a write resolves (per group of concurrent entries). */
  fsync?: boolean;
  chain?: FileSinkChainOptions | undefined;
}

/**
 * Appends one line per entry to a file. A write resolves once its bytes are in the kernel (the
 * process may crash without losing it) and, with `fsync`, once they are on the disk. Concurrent
 * entries go out in one write (group commit), which keeps fsync affordable. As Vault, a failed
 * write reopens the file once and retries; `reopen()` (SIGHUP) moves to a new file at the same
 * path after logrotate renamed the old one, with no entry lost: writes queue behind the reopen.
 */
export class FileSink implements AuditSink {
  readonly type = 'file';
  readonly path: string;
  readonly #mode: number;
  readonly #fsync: boolean;
  readonly #chain: HashChain | undefined;
  readonly #queue: WriteQueue;
  #handle: FileHandle | undefined;
  /** Whether the chain state came from a file yet (a reopened empty file links to the previous one). */
  #chainKnown = false;
  #closed = false;

  private constructor(options: FileSinkOptions) {
    this.path = options.path;
    this.#mode = options.mode ?? 0o600;
    this.#fsync = options.fsync ?? false;
    const chain = options.chain;
    this.#chain = chain
      ? new HashChain({
          key: chain.key,
          checkpointInterval: chain.checkpointInterval,
          prefix: chain.prefix ?? '',
          now: chain.now ?? createNanoClock(),
        })
      : undefined;
    this.#queue = new WriteQueue((lines) => this.#writeLines(lines));
  }

  /** Opens (and creates) the file now, so a device that cannot write is refused when enabled. */
  static async open(options: FileSinkOptions): Promise<FileSink> {
    const sink = new FileSink(options);
    await sink.#queue.control(() => sink.#ensureOpen().then(() => undefined));
    return sink;
  }

  /** The chain's last line (seq and hash), for tests and for linking a verification across files. */
  get chainHead(): ChainHead | undefined {
    return this.#chain?.head;
  }

  write(line: string, options: { signal: AbortSignal }): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`audit file ${this.path} is closed`));
    return this.#queue.push(line, options.signal);
  }

  reopen(): Promise<void> {
    return this.#queue.control(async () => {
      // A rotate checkpoint that cannot be written is not worth keeping the old file for: the
      // chain state is adopted only on success, so the new file still links correctly.
      await this.#closeHandle('rotate').catch(() => {});
      await this.#ensureOpen();
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    return this.#queue.control(() => this.#closeHandle('close'));
  }

  async #writeLines(lines: readonly string[]): Promise<void> {
    try {
      await this.#append(lines);
    } catch {
      // Vault reopens once and retries: a stale descriptor (the file system was remounted, the
      // file replaced) recovers, a real failure fails again and is reported.
      await this.#discardHandle();
      await this.#append(lines);
    }
  }

  async #append(lines: readonly string[]): Promise<void> {
    const handle = await this.#ensureOpen();
    if (!this.#chain) {
      await this.#writeText(handle, lines);
      return;
    }
    const draft = this.#chain.fork();
    await this.#writeText(handle, lines.flatMap((line) => draft.append(line)));
    this.#chain.adopt(draft);
  }

  async #ensureOpen(): Promise<FileHandle> {
    if (this.#handle) return this.#handle;
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    const tail = this.#chain ? await readFileTail(this.path) : undefined;
    const handle = await open(this.path, 'a', this.#mode === 0 ? 0o600 : this.#mode);
    try {
      // chmod an existing file too (Vault does), but never a device such as /dev/null.
      if (this.#mode !== 0 && (await handle.stat()).isFile()) await handle.chmod(this.#mode);
      if (this.#chain && tail) {
        if (tail.torn) await writeAll(handle, Buffer.from('\n'));
        this.#resumeChain(tail.line);
        const draft = this.#chain.fork();
        await this.#writeText(handle, [draft.checkpoint('start')]);
        this.#chain.adopt(draft);
      }
    } catch (error) {
      await handle.close().catch(() => {});
      throw error;
    }
    this.#handle = handle;
    return handle;
  }

  /**
   * Continues from the file's last chained line (a restart, or a reopen that found the same file);
   * an empty file after rotation continues from memory, so it links to the rotated file.
   */
  #resumeChain(lastLine: string | undefined): void {
    const chain = this.#chain as HashChain;
    const link = lastLine === undefined ? undefined : parseChainLink(lastLine);
    if (link && lastLine !== undefined) chain.resume({ seq: link.seq, hash: lineHash(lastLine) });
    else if (!this.#chainKnown && lastLine !== undefined) chain.resume({ seq: 0, hash: lineHash(lastLine) });
    this.#chainKnown = true;
  }

  async #writeText(handle: FileHandle, lines: readonly string[]): Promise<void> {
    await writeAll(handle, Buffer.from(`${lines.join('\n')}\n`, 'utf8'));
    if (this.#fsync) await handle.datasync();
  }

  async #closeHandle(reason: CheckpointReason): Promise<void> {
    const handle = this.#handle;
    if (!handle) return;
    this.#handle = undefined;
    try {
      if (this.#chain) {
        const draft = this.#chain.fork();
        await this.#writeText(handle, [draft.checkpoint(reason)]);
        this.#chain.adopt(draft);
      }
    } finally {
      await handle.close();
    }
  }

  async #discardHandle(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => {});
  }
}

async function writeAll(handle: FileHandle, buffer: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesWritten } = await handle.write(buffer, offset, buffer.length - offset);
    offset += bytesWritten;
  }
}
