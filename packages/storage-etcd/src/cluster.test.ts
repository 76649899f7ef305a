import type { HAStorage } from '@coffer/sdk';
import { startEtcdCluster, type EtcdCluster, type EtcdMember } from '@coffer/testkit';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EtcdStorage } from './index.js';
import { bytes, cofferError, eventually, haStorage, openTestStorage, text } from '../test/support.js';

describe('a three-member etcd cluster', () => {
  let etcd: EtcdCluster;
  const opened: EtcdStorage[] = [];
  beforeAll(async () => {
    etcd = await startEtcdCluster(3);
  });
  afterAll(async () => {
    await Promise.all(opened.map((s) => s.close()));
    await etcd?.close();
  });

  async function open(path: string): Promise<EtcdStorage & HAStorage> {
    // A lease longer than an etcd re-election, so losing one member costs no failover.
    const storage = haStorage(await openTestStorage(etcd, { path, ha_enabled: true, lock_timeout: '5s', request_timeout: '5s' }));
    opened.push(storage);
    return storage;
  }

  const isRaftLeader = async (m: EtcdMember) => m.running && (await m.metric('etcd_server_is_leader')) === 1;

  /** Makes `target` etcd's raft leader (etcd's own move-leader, sent to the current leader). */
  async function makeRaftLeader(target: EtcdMember): Promise<void> {
    if (await isRaftLeader(target)) return;
    const current = (await Promise.all(etcd.members.map(async (m) => ((await isRaftLeader(m)) ? m : undefined)))).find(Boolean);
    const client = new Etcd3({ hosts: current!.clientUrl });
    try {
      const { members } = await client.cluster.memberList({});
      await client.maintenance.moveLeader({ targetID: members.find((m) => m.name === target.name)!.ID });
    } finally {
      client.close();
    }
    await eventually(async () => ((await isRaftLeader(target)) ? true : undefined), `${target.name} to lead etcd`);
  }

  it('keeps serving through the loss of one member, gives clear 503s without quorum, and recovers', async () => {
    const path = etcd.uniquePrefix('c');
    const [active, standby] = [await open(path), await open(path)];
    const seen: (string | undefined)[] = [];
    const stopWatching = standby.watchLeader((leader) => seen.push(leader?.id));
    const info = { id: 'a', apiAddr: 'https://a:8200', clusterAddr: 'https://a:8201' };
    const leadership = await active.campaign(info, new AbortController().signal);
    await leadership.storage.put('before', bytes('1'));

    // The first endpoint dies (Vault's #4961 broke leader lookups there), and it is etcd's raft
    // leader, so the writes below span an etcd re-election.
    const [first, second] = etcd.members as [EtcdMember, EtcdMember, EtcdMember];
    await makeRaftLeader(first);
    await first.kill();
    for (let i = 0; i < 20; i++) await leadership.storage.put(`during/${i}`, bytes(String(i)));
    expect(await standby.leader()).toMatchObject({ id: 'a' });
    expect(await standby.list('during/')).toHaveLength(20);
    expect(leadership.lost.aborted).toBe(false);
    await eventually(async () => (seen.includes('a') ? true : undefined), 'the standby to see the leader');

    // Quorum lost: every call ends in a clear 503 within request_timeout.
    await second.kill();
    const probe = haStorage(await openTestStorage(etcd, { path, request_timeout: '1s', ha_enabled: true }));
    opened.push(probe);
    for (const call of [() => probe.get('before'), () => probe.put('x', bytes('x')), () => probe.list(''), () => probe.leader()]) {
      const error = await cofferError(call());
      expect(error.code).toBe('unavailable');
      expect(error.message).toMatch(/^storage unavailable: etcd did not answer within \d+ ms$/);
    }
    await eventually(async () => (leadership.lost.aborted ? true : undefined), 'the leader to step down');
    expect((await cofferError(leadership.storage.put('x', bytes('x')))).message).toMatch(/^leadership lost/);

    // Quorum back: full service, nothing lost.
    await first.restart();
    await eventually(async () => ((await standby.get('before')) ? true : undefined), 'reads to work again');
    await standby.put('after', bytes('2'));
    expect(text(await active.get('before'))).toBe('1');
    expect(text(await active.get('after'))).toBe('2');
    expect(await active.list('during/')).toHaveLength(20);
    stopWatching();
  });
});
