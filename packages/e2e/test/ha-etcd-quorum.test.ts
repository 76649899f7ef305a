import { startEtcdCluster, type EtcdCluster } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../src/coffer-process.js';
import { startHaCluster, type HaCluster } from '../src/ha-cluster.js';

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

describe('Coffer on a three-member etcd cluster', () => {
  let etcd: EtcdCluster;
  let cluster: HaCluster;

  beforeAll(async () => {
    etcd = await startEtcdCluster(3);
    const prefix = etcd.uniquePrefix('quorum').replace(/^\/|\/$/g, '');
    cluster = await startHaCluster({ endpoints: etcd.endpoints.join(','), prefix, size: 1 });
    const active = await cluster.active();
    await api(active.address, 'POST', 'sys/mounts/secret', { token: cluster.rootToken, body: { type: 'kv-v2' } });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stopAll();
    await etcd?.close();
  });

  const write = async (key: string) =>
    api((cluster.nodes[0] as { address: string }).address, 'POST', `secret/data/${key}`, { token: cluster.rootToken, body: { data: { v: key } } });

  it('keeps serving when one member dies (at most a retried request), gives clear 503s without quorum, and recovers', async () => {
    const node = cluster.nodes[0] as { address: string };
    for (let i = 0; i < 5; i++) expect((await write(`before/${i}`)).status).toBe(200);

    // One member down: requests keep working; a client may have to retry one.
    await etcd.members[0]?.kill();
    let failed = 0;
    for (let i = 0; i < 20; i++) {
      let res = await write(`one-down/${i}`);
      if (res.status !== 200) {
        failed++;
        res = await write(`one-down/${i}`);
      }
      expect(res.status, JSON.stringify(res.json)).toBe(200);
    }
    expect(failed).toBeLessThanOrEqual(1);

    // Quorum lost: clear 503s, never a 500, never a crash.
    await etcd.members[1]?.kill();
    await eventually(async () => (await write('no-quorum')).status === 503, 'writes refused with 503');
    const refused = await write('no-quorum');
    expect(refused.status).toBe(503);
    expect(refused.json.errors[0]).toMatch(/etcd|active|storage/i);
    expect((await api(node.address, 'GET', 'sys/health')).status).not.toBe(500);

    // Quorum back: full service, nothing lost.
    await etcd.members[1]?.restart();
    await etcd.members[0]?.restart();
    await eventually(async () => (await write('after')).status === 200, 'service after quorum returns');
    for (let i = 0; i < 5; i++) {
      const read = await api(node.address, 'GET', `secret/data/before/${i}`, { token: cluster.rootToken });
      expect(read.json.data.data).toEqual({ v: `before/${i}` });
    }
    for (let i = 0; i < 20; i++) {
      const read = await api(node.address, 'GET', `secret/data/one-down/${i}`, { token: cluster.rootToken });
      expect(read.json.data.data).toEqual({ v: `one-down/${i}` });
    }
  });
});
