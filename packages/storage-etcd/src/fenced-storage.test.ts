import { CofferError, silentLogger } from '@coffer/sdk';
import { startEtcd, type EtcdCluster } from '@coffer/testkit';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FencedStorage } from './fenced-storage.js';
import type { EtcdStorage } from './index.js';
import { KeySpace } from './keys.js';
import { RequestRunner } from './request-runner.js';
import { bytes, cofferError, etcdKeys, openTestStorage, rawClient, text } from '../test/support.js';

/**
 * The fence on its own, with a leader key made by hand: whatever the local view says, etcd applies
 * a fenced write only while that exact key (same create revision, same lease) exists.
 */
describe('fenced writes', () => {
  let etcd: EtcdCluster;
  let raw: Etcd3;
  let plain: EtcdStorage;
  beforeAll(async () => {
    etcd = await startEtcd();
    raw = rawClient(etcd);
    plain = await openTestStorage(etcd);
  });
  afterAll(async () => {
    raw?.close();
    await plain?.close();
    await etcd?.close();
  });

  async function fenced() {
    const path = plain.config.path;
    const leaseId = await raw.lease(30, { autoKeepAlive: false }).grant();
    const key = Buffer.from(`${path}core/lock/${BigInt(leaseId).toString(16)}`);
    await raw.kv.put({ key, value: Buffer.from('{}'), lease: leaseId });
    const createRevision = (await raw.kv.range({ key })).kvs[0]!.create_revision;
    const lost = new AbortController();
    const refusals: string[] = [];
    const storage = new FencedStorage({
      reads: plain,
      client: raw,
      keys: new KeySpace(path),
      runner: new RequestRunner(3000, silentLogger),
      checkedValue: (_, value) => Buffer.from(value),
      requestOps: (writes) => plain.requestOps(writes),
      fence: { key, createRevision, leaseId },
      lost: lost.signal,
      alive: () => true, // the local view never notices: only etcd can refuse
      onFenceFailed: () => refusals.push('fence'),
    });
    return { storage, key, leaseId, lost, refusals, path };
  }

  it('writes and deletes while the leader key holds', async () => {
    const { storage, refusals } = await fenced();
    await storage.put('k', bytes('v'));
    expect(text(await storage.get('k'))).toBe('v');
    expect(await storage.list('')).toContain('k');
    await storage.delete('k');
    expect(await plain.get('k')).toBeUndefined();
    expect(refusals).toEqual([]);
  });

  it('is refused by etcd once the lease is gone', async () => {
    const { storage, leaseId, refusals, path } = await fenced();
    await raw.leaseClient.leaseRevoke({ ID: leaseId });
    const error = await cofferError(storage.put('after-revoke', bytes('x')));
    expect(error.code).toBe('unavailable');
    expect(error.message).toBe('leadership lost: etcd refused the write because the leader key is gone');
    await expect(storage.delete('k')).rejects.toThrow(/^leadership lost/);
    expect(refusals).toEqual(['fence', 'fence']);
    expect(await etcdKeys(raw, `${path}after-revoke`)).toEqual([]);
  });

  it('applies a batch in one fenced transaction, and a refused batch writes none of it', async () => {
    const { storage, leaseId, refusals, path } = await fenced();
    await storage.put('gone', bytes('x'));
    await storage.batch([
      { key: 'b1', value: bytes('1') },
      { key: 'b2', value: bytes('2') },
      { key: 'gone', value: undefined },
    ]);
    expect([text(await plain.get('b1')), text(await plain.get('b2')), await plain.get('gone')]).toEqual(['1', '2', undefined]);
    await raw.leaseClient.leaseRevoke({ ID: leaseId });
    await expect(storage.batch([{ key: 'late1', value: bytes('x') }, { key: 'b1', value: undefined }])).rejects.toThrow(/^leadership lost/);
    expect(await etcdKeys(raw, `${path}late1`)).toEqual([]);
    expect(text(await plain.get('b1'))).toBe('1');
    expect(refusals).toEqual(['fence']);
  });

  it('is refused by etcd when the key was recreated under the same name and lease', async () => {
    const { storage, key, leaseId, refusals, path } = await fenced();
    await raw.kv.deleteRange({ key });
    await raw.kv.put({ key, value: Buffer.from('{}'), lease: leaseId });
    await expect(storage.put('after-recreate', bytes('x'))).rejects.toThrow(/^leadership lost/);
    expect(refusals).toEqual(['fence']);
    expect(await etcdKeys(raw, `${path}after-recreate`)).toEqual([]);
  });

  it('refuses without asking etcd once leadership is known lost', async () => {
    const { storage, lost } = await fenced();
    const reason = new CofferError('unavailable', 'leadership lost: resigned');
    lost.abort(reason);
    await expect(storage.put('k', bytes('x'))).rejects.toBe(reason);
  });
});
