import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * An open log file shared by readers and the writer. Compaction replaces the file while reads may
 * still be in flight on the old one, so the handle is reference-counted: `retire` closes it once
 * the last reader has released it.
 */
export class LogFile {
  readonly handle: FileHandle;
  #readers = 0;
  #retired = false;
  #closing = false;
  #markClosed: () => void = () => {};
  readonly #closed = new Promise<void>((resolve) => {
    this.#markClosed = resolve;
  });

  constructor(handle: FileHandle) {
    this.handle = handle;
  }

  acquire(): void {
    this.#readers++;
  }

  release(): void {
    this.#readers--;
    if (this.#retired && this.#readers === 0) this.#close();
  }

  /** Closes the handle now or when the last reader releases it; resolves once closed. */
  retire(): Promise<void> {
    this.#retired = true;
    if (this.#readers === 0) this.#close();
    return this.#closed;
  }

  #close(): void {
    if (this.#closing) return;
    this.#closing = true;
    // Closing can only fail for a bad descriptor; there is nothing left to flush or lose.
    this.handle.close().then(this.#markClosed, this.#markClosed);
  }
}

/** Makes a rename or a new file in `path`'s directory durable. */
export async function syncDirectoryOf(path: string): Promise<void> {
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
