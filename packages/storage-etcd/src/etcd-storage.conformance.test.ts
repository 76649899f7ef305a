import { describeStorageConformance } from '@coffer/sdk/testing';
import { startEtcd, startEtcdCluster } from '@coffer/testkit';
import { haStorage, openTestStorage } from '../test/support.js';

// Under etcd's 1.5 MiB request limit, with room for the key.
const largeValueBytes = 1024 * 1024;

describeStorageConformance(
  'etcd (one member)',
  async () => {
    const etcd = await startEtcd();
    const storage = await openTestStorage(etcd);
    return {
      storage,
      cleanup: async () => {
        await storage.close();
        await etcd.close();
      },
    };
  },
  { largeValueBytes },
);

describeStorageConformance(
  'etcd (three members)',
  async () => {
    const etcd = await startEtcdCluster(3);
    const storage = await openTestStorage(etcd);
    return {
      storage,
      cleanup: async () => {
        await storage.close();
        await etcd.close();
      },
    };
  },
  { largeValueBytes },
);

describeStorageConformance(
  "etcd, the leader's fenced storage",
  async () => {
    const etcd = await startEtcd();
    const storage = haStorage(await openTestStorage(etcd, { ha_enabled: true, lock_timeout: '5s' }));
    const leadership = await storage.campaign(
      { id: 'n1', apiAddr: 'https://n1:8200', clusterAddr: 'https://n1:8201' },
      new AbortController().signal,
    );
    return {
      storage: leadership.storage,
      cleanup: async () => {
        await storage.close();
        await etcd.close();
      },
    };
  },
  { largeValueBytes },
);
