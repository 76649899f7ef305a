import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeStorageConformance } from '@coffer/sdk/testing';
import { openFileStorage } from './index.js';

describeStorageConformance(
  'file',
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'coffer-storage-file-'));
    const storage = await openFileStorage({ path: join(dir, 'store') });
    return {
      storage,
      cleanup: async () => {
        await storage.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
  { largeValueBytes: 32 * 1024 * 1024 },
);
