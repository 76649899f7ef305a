import { appendFile, open, readdir, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bytes, rejectionCode, tempStore, text } from '../test/support.js';
import { LOCK_FILE, LOG_FILE, openFileStorage } from './index.js';
import { BATCH_HEADER_BYTES, FILE_HEADER_BYTES, RECORD_HEADER_BYTES } from './record-format.js';

describe('recovery after a crash', () => {
  let store: string;
  let remove: () => Promise<void>;
  const logPath = () => join(store, LOG_FILE);
  const logSize = async () => (await stat(logPath())).size;

  beforeEach(async () => {
    ({ store, remove } = await tempStore());
  });
  afterEach(async () => {
    await remove();
  });

  /** Writes `earlier` (one batch each), then one more batch for `last`; returns where it starts. */
  async function writeStore(earlier: number, last?: { key: string; value: Uint8Array }): Promise<number> {
    const storage = await openFileStorage({ path: store });
    for (let i = 0; i < earlier; i++) await storage.put(`k/${i}`, bytes(`value ${i}`));
    const lastBatchAt = storage.stats().fileBytes;
    if (last !== undefined) await storage.put(last.key, last.value);
    await storage.close();
    return lastBatchAt;
  }

  async function expectEarlierIntact(earlier: number, lastKey?: string): Promise<void> {
    const storage = await openFileStorage({ path: store });
    try {
      for (let i = 0; i < earlier; i++) expect(text(await storage.get(`k/${i}`))).toBe(`value ${i}`);
      if (lastKey !== undefined) expect(await storage.get(lastKey)).toBeUndefined();
      expect(storage.stats().keys).toBe(earlier);
      // Still usable, and what it writes now survives another reopen.
      await storage.put('later', bytes('ok'));
    } finally {
      await storage.close();
    }
    const again = await openFileStorage({ path: store });
    expect(text(await again.get('later'))).toBe('ok');
    expect(again.stats().keys).toBe(earlier + 1);
    await again.close();
  }

  it('cuts off garbage appended after the last batch', async () => {
    await writeStore(20);
    const size = await logSize();
    await appendFile(logPath(), Buffer.from('not a batch at all, just noise'));
    await expectEarlierIntact(20);
    expect(await logSize()).toBeGreaterThan(size); // truncated back, then `later` appended
  });

  it('cuts off zeros a crash left after the last batch', async () => {
    await writeStore(20);
    await appendFile(logPath(), Buffer.alloc(8192));
    await expectEarlierIntact(20);
  });

  it('cuts off a last batch torn at any point', async () => {
    const value = bytes('v'.repeat(5000));
    const batchBytes = BATCH_HEADER_BYTES + RECORD_HEADER_BYTES + 'torn'.length + value.length;
    const cuts = [1, BATCH_HEADER_BYTES, BATCH_HEADER_BYTES + RECORD_HEADER_BYTES - 1, BATCH_HEADER_BYTES + 20, 4096, batchBytes - 1];
    await writeStore(20);
    for (const cut of cuts) {
      // 20 keys (plus a deleted one after the first round), then a batch that a crash tore.
      const storage = await openFileStorage({ path: store });
      await storage.delete('later');
      const start = storage.stats().fileBytes;
      await storage.put('torn', value);
      expect(storage.stats().fileBytes - start).toBe(batchBytes);
      await storage.close();
      await truncate(logPath(), start + cut);
      await expectEarlierIntact(20, 'torn');
    }
  });

  it('cuts off a last batch whose middle never reached the disk', async () => {
    const start = await writeStore(20, { key: 'torn', value: bytes('w'.repeat(20_000)) });
    const log = await open(logPath(), 'r+');
    await log.write(Buffer.alloc(4096), 0, 4096, start + 4096); // a page in the middle stayed zero
    await log.close();
    await expectEarlierIntact(20, 'torn');
  });

  it('removes the temp file of an interrupted compaction', async () => {
    await writeStore(20);
    await writeFile(join(store, `${LOG_FILE}.tmp`), Buffer.from('half a compaction'));
    await expectEarlierIntact(20);
    expect((await readdir(store)).sort()).toEqual([LOG_FILE]);
  });

  it('refuses, as internal, a log damaged before its last batch', async () => {
    await writeStore(20);
    const log = await open(logPath(), 'r+');
    await log.write(Buffer.from('#'), 0, 1, FILE_HEADER_BYTES + BATCH_HEADER_BYTES + RECORD_HEADER_BYTES + 4);
    await log.close();
    expect(await rejectionCode(openFileStorage({ path: store }))).toBe('internal');
    expect(await readdir(store)).not.toContain(LOCK_FILE);
  });

  it('refuses, as internal, a damaged batch header with intact batches after it', async () => {
    await writeStore(20);
    const log = await open(logPath(), 'r+');
    await log.write(Buffer.alloc(BATCH_HEADER_BYTES, 0xff), 0, BATCH_HEADER_BYTES, FILE_HEADER_BYTES);
    await log.close();
    expect(await rejectionCode(openFileStorage({ path: store }))).toBe('internal');
  });

  it('refuses a file that is not a store', async () => {
    await writeStore(1);
    await writeFile(logPath(), Buffer.from('{"this is": "some other file format"}'));
    expect(await rejectionCode(openFileStorage({ path: store }))).toBe('internal');
  });
});
