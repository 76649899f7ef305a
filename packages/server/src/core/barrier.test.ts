import { randomBytes } from 'node:crypto';
import { InMemoryStorage, type Storage } from '@coffer/sdk';
import { describeStorageConformance } from '@coffer/sdk/testing';
import { describe, expect, it } from 'vitest';
import { Barrier, KEYRING_PATH } from './barrier.js';

const now = () => new Date('2026-12-01T00:00:00Z');
const text = (v: Uint8Array | undefined) => (v ? Buffer.from(v).toString('utf8') : undefined);

async function openBarrier() {
  const physical = new InMemoryStorage();
  const rootKey = randomBytes(32);
  const barrier = new Barrier(physical);
  await barrier.initialize(rootKey, now());
  return { physical, barrier, rootKey };
}

/** A new barrier over the same storage, as after a restart: nothing cached. */
async function restart(physical: Storage, rootKey: Uint8Array): Promise<Barrier> {
  const barrier = new Barrier(physical);
  await barrier.unseal(rootKey);
  return barrier;
}

// The barrier is itself a Storage, and must behave like one above any backend.
describeStorageConformance('barrier over in-memory', async () => ({ storage: (await openBarrier()).barrier }), { largeValueBytes: 1024 * 1024 });

describe('Barrier', () => {
  it('stores ciphertext framed as term ‖ 0x02 ‖ nonce ‖ ciphertext+tag', async () => {
    const { physical, barrier } = await openBarrier();
    await barrier.put('logical/x/secret', Buffer.from('hunter2-plaintext'));
    const raw = Buffer.from((await physical.get('logical/x/secret')) as Uint8Array);
    expect(raw.readUInt32BE(0)).toBe(1);
    expect(raw[4]).toBe(2);
    expect(raw.length).toBe(4 + 1 + 12 + 'hunter2-plaintext'.length + 16);
    expect(raw.includes(Buffer.from('hunter2'))).toBe(false);
    expect(text(await barrier.get('logical/x/secret'))).toBe('hunter2-plaintext');
  });

  it('uses a fresh nonce for every write', async () => {
    const { physical, barrier } = await openBarrier();
    await barrier.put('a', Buffer.from('same'));
    const first = Buffer.from((await physical.get('a')) as Uint8Array);
    await barrier.put('a', Buffer.from('same'));
    const second = Buffer.from((await physical.get('a')) as Uint8Array);
    expect(first.subarray(5, 17).equals(second.subarray(5, 17))).toBe(false);
  });

  it('refuses a value moved to another path', async () => {
    const { physical, barrier, rootKey } = await openBarrier();
    await barrier.put('sys/token/id/aaa', Buffer.from('{"policies":["default"]}'));
    await barrier.put('sys/token/id/bbb', Buffer.from('{"policies":["root"]}'));
    await physical.put('sys/token/id/aaa', (await physical.get('sys/token/id/bbb')) as Uint8Array);
    await expect((await restart(physical, rootKey)).get('sys/token/id/aaa')).rejects.toThrow(/failed authentication/);
  });

  it('refuses a tampered value', async () => {
    const { physical, barrier, rootKey } = await openBarrier();
    await barrier.put('k', Buffer.from('value'));
    const raw = Buffer.from((await physical.get('k')) as Uint8Array);
    raw[20] = (raw[20] ?? 0) ^ 1;
    await physical.put('k', raw);
    await expect((await restart(physical, rootKey)).get('k')).rejects.toThrow(/failed authentication/);
  });

  it('as the only writer, answers repeated reads from its cache; as a standby, always from storage', async () => {
    const { physical, barrier, rootKey } = await openBarrier();
    let gets = 0;
    const counted: Storage = {
      get: (key) => {
        gets++;
        return physical.get(key);
      },
      put: (key, value) => physical.put(key, value),
      delete: (key) => physical.delete(key),
      list: (prefix) => physical.list(prefix),
    };
    const active = await restart(counted, rootKey);
    await active.put('k', Buffer.from('v1'));
    gets = 0;
    for (let i = 0; i < 3; i++) expect(text(await active.get('k'))).toBe('v1');
    expect(await active.get('missing')).toBeUndefined();
    expect(await active.get('missing')).toBeUndefined();
    expect(gets).toBe(1);

    // Another node (here: another barrier over the same storage) writes; a standby must see it.
    active.setWriter(physical, false);
    expect(active.cachedEntries).toBe(0);
    await barrier.put('k', Buffer.from('v2'));
    expect(text(await active.get('k'))).toBe('v2');
    await barrier.put('k', Buffer.from('v3'));
    expect(text(await active.get('k'))).toBe('v3');

    // Taking over clears what the cache held before, and sealing drops it.
    active.setWriter(physical, true);
    expect(text(await active.get('k'))).toBe('v3');
    expect(active.cachedEntries).toBe(1);
    active.seal();
    expect(active.cachedEntries).toBe(0);
  });

  it('with the cache disabled, reads every value from storage', async () => {
    const { physical, rootKey } = await openBarrier();
    const uncached = new Barrier(physical, { maxEntries: 0, maxBytes: 0 });
    await uncached.unseal(rootKey);
    await uncached.put('k', Buffer.from('v'));
    expect(uncached.cachedEntries).toBe(0);
    await physical.delete('k');
    expect(await uncached.get('k')).toBeUndefined();
  });

  it('answers sealed when sealed, and unseals only with the right root key', async () => {
    const { physical, barrier, rootKey } = await openBarrier();
    await barrier.put('k', Buffer.from('v'));
    barrier.seal();
    await expect(barrier.get('k')).rejects.toMatchObject({ code: 'sealed' });
    await expect(barrier.put('k', Buffer.from('x'))).rejects.toMatchObject({ code: 'sealed' });
    const reopened = new Barrier(physical);
    await expect(reopened.unseal(randomBytes(32))).rejects.toThrow();
    expect(reopened.sealed).toBe(true);
    await reopened.unseal(rootKey);
    expect(text(await reopened.get('k'))).toBe('v');
  });

  it('rotates to a new term; old values still decrypt and new ones use the new term', async () => {
    const { physical, barrier, rootKey } = await openBarrier();
    await barrier.put('old', Buffer.from('under term 1'));
    const status = await barrier.rotate(new Date('2026-12-02T00:00:00Z'));
    expect(status.term).toBe(2);
    await barrier.put('new', Buffer.from('under term 2'));
    expect(Buffer.from((await physical.get('new')) as Uint8Array).readUInt32BE(0)).toBe(2);
    expect(Buffer.from((await physical.get('old')) as Uint8Array).readUInt32BE(0)).toBe(1);
    // After a restart (new Barrier over the same storage) both terms are there.
    const restarted = new Barrier(physical);
    await restarted.unseal(rootKey);
    expect(text(await restarted.get('old'))).toBe('under term 1');
    expect(text(await restarted.get('new'))).toBe('under term 2');
    expect(restarted.keyStatus().term).toBe(2);
  });

  it('counts encryptions per term', async () => {
    const { barrier } = await openBarrier();
    for (let i = 0; i < 5; i++) await barrier.put(`k${i}`, Buffer.from('x'));
    expect(barrier.keyStatus().encryptions).toBe(5);
    await barrier.rotate(now());
    expect(barrier.keyStatus().encryptions).toBe(0);
  });

  it('keeps the keyring encrypted under the root key', async () => {
    const { physical, rootKey } = await openBarrier();
    const raw = Buffer.from((await physical.get(KEYRING_PATH)) as Uint8Array);
    expect(raw.readUInt32BE(0)).toBe(0);
    expect(raw.includes(rootKey)).toBe(false);
    expect(raw.toString('latin1')).not.toMatch(/rootKey|activeTerm/);
  });

  it('refuses a second initialisation', async () => {
    const { barrier } = await openBarrier();
    await expect(barrier.initialize(randomBytes(32), now())).rejects.toThrow(/already initialized/);
  });
});
