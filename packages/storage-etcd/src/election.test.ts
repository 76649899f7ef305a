import { isHAStorage, type HAStorage, type LeaderInfo } from '@coffer/sdk';
import { startEtcd, type EtcdCluster } from '@coffer/testkit';
import type { Etcd3 } from 'etcd3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LEADER_KEY_PREFIX, type EtcdStorage } from './index.js';
import { bytes, cofferError, etcdKeys, eventually, haStorage, openTestStorage, rawClient, text } from '../test/support.js';

const node = (id: string): LeaderInfo => ({ id, apiAddr: `https://${id}:8200`, clusterAddr: `https://${id}:8201` });
const forever = new AbortController().signal;

describe('election', () => {
  let etcd: EtcdCluster;
  let raw: Etcd3;
  let opened: EtcdStorage[] = [];
  beforeAll(async () => {
    etcd = await startEtcd();
    raw = rawClient(etcd);
  });
  afterEach(async () => {
    await Promise.all(opened.map((s) => s.close()));
    opened = [];
  });
  afterAll(async () => {
    raw?.close();
    await etcd?.close();
  });

  /** `count` HA storages sharing one fresh path, as separate nodes would. */
  async function nodes(count: number): Promise<{ path: string; lockPrefix: string; storages: (EtcdStorage & HAStorage)[] }> {
    const path = etcd.uniquePrefix('e');
    const storages = await Promise.all(
      Array.from({ length: count }, () => openTestStorage(etcd, { path, ha_enabled: true, lock_timeout: '2s' })),
    );
    opened.push(...storages);
    return { path, lockPrefix: `${path}${LEADER_KEY_PREFIX}`, storages: storages.map(haStorage) };
  }

  it('is an HAStorage only with ha_enabled', async () => {
    const plain = await openTestStorage(etcd);
    opened.push(plain);
    expect(isHAStorage(plain)).toBe(false);
    const { storages } = await nodes(1);
    expect(storages[0]?.haEnabled).toBe(true);
  });

  it('elects exactly one of two campaigners and hands over at once on resign', async () => {
    const { lockPrefix, storages } = await nodes(3);
    const [a, b, watcher] = [storages[0]!, storages[1]!, storages[2]!];
    const seen: (string | undefined)[] = [];
    const stopWatching = watcher.watchLeader((leader) => seen.push(leader?.id));
    expect(await watcher.leader()).toBeUndefined();

    const leadershipA = await a.campaign(node('a'), forever);
    let bElected = false;
    const campaignB = b.campaign(node('b'), forever).then((l) => ((bElected = true), l));
    await eventually(async () => ((await etcdKeys(raw, lockPrefix)).length === 2 ? true : undefined), 'b to stand');
    expect(await a.leader()).toEqual(node('a'));
    expect(await b.leader()).toEqual(node('a'));
    expect(bElected).toBe(false);
    await leadershipA.storage.put('shared', bytes('from a'));

    const resignedAt = Date.now();
    await leadershipA.resign();
    expect(leadershipA.lost.aborted).toBe(true);
    const leadershipB = await campaignB;
    const tookOver = Date.now() - resignedAt;
    expect(await watcher.leader(), `b took over ${tookOver} ms after a resigned`).toEqual(node('b'));
    await eventually(async () => (seen.at(-1) === 'b' ? true : undefined), 'the watcher to see b');
    expect(seen.filter(Boolean)).toEqual(['a', 'b']);
    stopWatching();

    expect((await cofferError(leadershipA.storage.put('shared', bytes('late')))).message).toMatch(/^leadership lost/);
    await leadershipB.storage.put('shared', bytes('from b'));
    expect(text(await a.get('shared'))).toBe('from b');
    expect(leadershipB.lost.aborted).toBe(false);
  });

  it('withdraws a campaign when its signal aborts', async () => {
    const { lockPrefix, storages } = await nodes(2);
    const [a, b] = [storages[0]!, storages[1]!];
    await a.campaign(node('a'), forever);
    const controller = new AbortController();
    const campaign = b.campaign(node('b'), controller.signal);
    await eventually(async () => ((await etcdKeys(raw, lockPrefix)).length === 2 ? true : undefined), 'b to stand');
    controller.abort(new Error('shutting down'));
    await expect(campaign).rejects.toThrow('shutting down');
    await eventually(async () => ((await etcdKeys(raw, lockPrefix)).length === 1 ? true : undefined), "b's key to go");
    await expect(b.campaign(node('b'), AbortSignal.abort(new Error('already')))).rejects.toThrow('already');
  });

  it('loses leadership when its lease is revoked behind its back, and etcd refuses its writes', async () => {
    const { path, lockPrefix, storages } = await nodes(2);
    const [a, b] = [storages[0]!, storages[1]!];
    const leadership = await a.campaign(node('a'), forever);
    const [key] = await etcdKeys(raw, lockPrefix);
    await raw.leaseClient.leaseRevoke({ ID: BigInt(`0x${key!.slice(lockPrefix.length)}`).toString() });
    const error = await cofferError(leadership.storage.put('after', bytes('x')));
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/^leadership lost/);
    expect(leadership.lost.aborted).toBe(true);
    expect(await etcdKeys(raw, `${path}after`)).toEqual([]);
    const next = await b.campaign(node('b'), forever);
    expect(next.lost.aborted).toBe(false);
  });

  it('loses leadership when its key is deleted behind its back', async () => {
    const { lockPrefix, storages } = await nodes(1);
    const leadership = await storages[0]!.campaign(node('a'), forever);
    const [key] = await etcdKeys(raw, lockPrefix);
    await raw.delete().key(key!);
    await eventually(async () => (leadership.lost.aborted ? true : undefined), 'lost to fire');
    expect(String(leadership.lost.reason)).toMatch(/leadership lost: the leader key was deleted/);
  });

  it('gives leadership up when the storage closes, so another node takes over', async () => {
    const { storages } = await nodes(2);
    const [a, b] = [storages[0]!, storages[1]!];
    const leadership = await a.campaign(node('a'), forever);
    const campaignB = b.campaign(node('b'), forever);
    await a.close();
    expect(leadership.lost.aborted).toBe(true);
    expect((await campaignB).lost.aborted).toBe(false);
    expect(await b.leader()).toEqual(node('b'));
    await expect(a.campaign(node('a'), forever)).rejects.toThrow(/closed/);
  });
});
