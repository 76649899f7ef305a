import { startEtcd, type EtcdCluster } from '@coffer/testkit';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EtcdStorage } from './index.js';
import { bytes, cofferError, etcdKeys, openTestStorage, rawClient, text } from '../test/support.js';

const MiB = 1024 * 1024;

describe('etcd storage', () => {
  let etcd: EtcdCluster;
  let storage: EtcdStorage;
  let raw: Etcd3;
  const member = () => etcd.members[0]!;

  beforeAll(async () => {
    etcd = await startEtcd();
    storage = await openTestStorage(etcd);
    raw = rawClient(etcd);
  });
  afterAll(async () => {
    raw?.close();
    await storage?.close();
    await etcd?.close();
  });

  it('keeps every key under its path, as the bytes it was given', async () => {
    await storage.put('a/b', bytes('v'));
    expect(await etcdKeys(raw, storage.config.path)).toEqual([`${storage.config.path}a/b`]);
    expect(text(await raw.get(`${storage.config.path}a/b`).buffer() ?? undefined)).toBe('v');
  });

  it('lists keys without reading values', async () => {
    for (let i = 0; i < 8; i++) await storage.put(`big/v${i}`, new Uint8Array(MiB).fill(i));
    const sent = async () => (await member().metric('etcd_network_client_grpc_sent_bytes_total')) ?? NaN;
    const before = await sent();
    expect(await storage.list('big/')).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7']);
    const listed = (await sent()) - before;
    await storage.get('big/v0');
    const fetched = (await sent()) - before - listed;
    // etcd's own count of bytes sent to clients: eight megabytes of values stayed home.
    expect(listed, `LIST sent ${listed} bytes`).toBeLessThan(64 * 1024);
    expect(fetched, `GET sent ${fetched} bytes`).toBeGreaterThan(MiB);
  });

  it('lists across many pages, skipping over folders it has already seen', async () => {
    const keys = [
      ...Array.from({ length: 2100 }, (_, i) => `many/flat${String(i).padStart(4, '0')}`),
      ...Array.from({ length: 2100 }, (_, i) => `many/sub/deep${i}`),
      'many/z',
    ];
    for (let i = 0; i < keys.length; i += 100) {
      const ops = keys.slice(i, i + 100).map((k) => raw.put(`${storage.config.path}${k}`).value('x'));
      await raw.if(`${storage.config.path}none`, 'Version', '==', 0).then(...ops).commit();
    }
    const listed = await storage.list('many/');
    expect(listed.length).toBe(2102);
    expect(listed.slice(0, 2)).toEqual(['flat0000', 'flat0001']);
    expect(listed.slice(-2)).toEqual(['sub/', 'z']);
    expect((await storage.list('many/sub/')).length).toBe(2100);
  });

  it('refuses a value over the request limit before it reaches etcd', async () => {
    const received = async () => (await member().metric('etcd_network_client_grpc_received_bytes_total')) ?? NaN;
    const before = await received();
    const error = await cofferError(storage.put('huge', new Uint8Array(1.5 * MiB)));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/value too large for etcd storage: 1572864 bytes, the limit is \d+ bytes/);
    expect((await received()) - before).toBeLessThan(64 * 1024);
    // The largest value it allows does fit etcd's limit.
    const max = storage.maxValueBytes(Buffer.from(`${storage.config.path}huge`));
    await storage.put('huge', new Uint8Array(max));
    expect((await storage.get('huge'))?.length).toBe(max);
  });

  it('refuses a batch whose values fit one by one but not together, before it reaches etcd', async () => {
    const half = new Uint8Array(0.9 * MiB);
    const error = await cofferError(storage.batch([{ key: 'too-big/a', value: half }, { key: 'too-big/b', value: half }]));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/batch too large for etcd storage: \d+ bytes, the limit is \d+ bytes/);
    expect(await storage.list('too-big/')).toEqual([]);
  });

  it('stops at once when the caller aborts', async () => {
    const controller = new AbortController();
    const reason = new Error('caller gave up');
    const pending = storage.get('a/b', { signal: controller.signal });
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await expect(storage.put('x', bytes('y'), { signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(await storage.get('x')).toBeUndefined();
  });
});

describe('etcd storage when etcd is down', () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.close();
  });

  it('retries within request_timeout, then answers unavailable', async () => {
    const storage = await openTestStorage(etcd, { request_timeout: '1s' });
    try {
      await storage.put('k', bytes('v'));
      await etcd.members[0]!.kill();
      const calls = [() => storage.get('k'), () => storage.put('k', bytes('w')), () => storage.list(''), () => storage.delete('k')];
      for (const call of calls) {
        const error = await cofferError(call());
        expect(error.code).toBe('unavailable');
        expect(error.message).toBe('storage unavailable: etcd did not answer within 1000 ms');
        expect(error.retryable).toBe(true);
      }
    } finally {
      await storage.close();
    }
  });

  it('rides out a restart of etcd inside one request', async () => {
    const storage = await openTestStorage(etcd, { request_timeout: '20s' });
    try {
      if (etcd.members[0]!.running) await etcd.members[0]!.kill();
      const pending = storage.put('restarted', bytes('yes'));
      await etcd.members[0]!.restart();
      await pending;
      expect(text(await storage.get('restarted'))).toBe('yes');
    } finally {
      await storage.close();
    }
  });

  it('ends a retrying request when the caller aborts', async () => {
    const storage = await openTestStorage(etcd, { request_timeout: '60s' });
    try {
      await etcd.members[0]!.kill();
      const controller = new AbortController();
      const pending = storage.get('k', { signal: controller.signal });
      controller.abort(new Error('shutting down'));
      await expect(pending).rejects.toThrow('shutting down');
    } finally {
      await storage.close();
    }
  });
});

describe('etcd storage at etcd limits', () => {
  let etcd: EtcdCluster;
  beforeAll(async () => {
    etcd = await startEtcd({ maxRequestBytes: 256 * 1024, quotaBackendBytes: 2 * MiB });
  });
  afterAll(async () => {
    await etcd?.close();
  });

  it("maps etcd's own request limit to invalid_request when max_send_size claims more", async () => {
    const storage = await openTestStorage(etcd, { max_send_size: '1MiB' });
    try {
      const error = await cofferError(storage.put('k', new Uint8Array(512 * 1024)));
      expect(error.code).toBe('invalid_request');
      expect(error.message).toBe('the value is too large for etcd: its request limit refused it');
    } finally {
      await storage.close();
    }
  });

  it('refuses writes when etcd is out of space while reads and deletes keep working', async () => {
    const storage = await openTestStorage(etcd);
    try {
      const written: string[] = [];
      let failure;
      for (let i = 0; i < 100 && !failure; i++) {
        try {
          await storage.put(`fill/${i}`, new Uint8Array(100 * 1024).fill(i));
          written.push(`${i}`);
        } catch (error) {
          failure = error;
        }
      }
      const error = await cofferError(Promise.reject(failure));
      expect(error.code).toBe('unavailable');
      expect(error.message).toMatch(/^storage unavailable: etcd is out of space/);
      expect(error.retryable).toBe(false);
      expect(written.length).toBeGreaterThan(0);
      expect((await cofferError(storage.put('small', bytes('x')))).message).toMatch(/out of space/);
      expect((await storage.get(`fill/${written[0]}`))?.length).toBe(100 * 1024);
      expect((await storage.list('fill/')).sort()).toEqual([...written].sort());
      await storage.delete(`fill/${written[0]}`);
      expect(await storage.get(`fill/${written[0]}`)).toBeUndefined();
    } finally {
      await storage.close();
    }
  });
});
