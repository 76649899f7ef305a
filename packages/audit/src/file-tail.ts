import { open } from 'node:fs/promises';

export interface FileTail {
  /** The last complete (newline-terminated) line, without its newline; undefined for an empty file. */
  line: string | undefined;
  /** The file ends with a partial line (a write cut short): the next write must start a new line. */
  torn: boolean;
}

const FIRST_CHUNK = 64 * 1024;

/**
 * Reads only the end of a file, growing the window until it holds a whole line: audit files grow
 * to gigabytes, and a restart must continue the chain from the last line without reading them.
 */
export async function readFileTail(path: string): Promise<FileTail> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { line: undefined, torn: false };
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return { line: undefined, torn: false };
    let window = Math.min(size, FIRST_CHUNK);
    for (;;) {
      const buffer = Buffer.alloc(window);
      await readFully(handle, buffer, size - window);
      const torn = buffer[buffer.length - 1] !== 0x0a;
      const end = buffer.lastIndexOf(0x0a);
      if (end < 0 && window === size) return { line: undefined, torn };
      if (end >= 0) {
        // lastIndexOf with a negative offset counts from the end, so a newline at 0 needs care.
        const start = end === 0 ? -1 : buffer.lastIndexOf(0x0a, end - 1);
        if (start >= 0 || window === size) {
          return { line: buffer.subarray(start + 1, end).toString('utf8'), torn };
        }
      }
      window = Math.min(size, window * 2);
    }
  } finally {
    await handle.close();
  }
}

async function readFully(handle: Awaited<ReturnType<typeof open>>, buffer: Buffer, position: number): Promise<void> {
  let offset = 0;
  while (offset < buffer.length) {
    const { bytesRead } = await handle.read(buffer, offset, buffer.length - offset, position + offset);
    if (bytesRead === 0) throw new Error('audit file shrank while its tail was read');
    offset += bytesRead;
  }
}
