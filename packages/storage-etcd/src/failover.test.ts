import { join } from 'node:path';
import type { HAStorage, LeaderInfo } from '@coffer/sdk';
import { startEtcd, startTcpProxy, type EtcdCluster } from '@coffer/testkit';
import type { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LEADER_KEY_PREFIX, type EtcdStorage } from './index.js';
import { buildForFixtures, packageDir } from '../test/build.js';
import { Child } from '../test/child.js';
import { bytes, cofferError, etcdKeys, eventually, haStorage, openTestStorage, rawClient, text } from '../test/support.js';

const campaigner = join(packageDir, 'test/fixtures/campaigner.mjs');
const node = (id: string): LeaderInfo => ({ id, apiAddr: `https://${id}:8200`, clusterAddr: `https://${id}:8201` });
const forever = new AbortController().signal;
const LOCK_TIMEOUT = '2s';

describe('failover between processes', () => {
  let etcd: EtcdCluster;
  let raw: Etcd3;
  const cleanup: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    buildForFixtures();
    etcd = await startEtcd();
    raw = rawClient(etcd);
  });
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
    raw?.close();
    await etcd?.close();
  });

  async function standby(path: string): Promise<EtcdStorage & HAStorage> {
    const storage = haStorage(await openTestStorage(etcd, { path, ha_enabled: true, lock_timeout: LOCK_TIMEOUT }));
    cleanup.push(() => storage.close());
    return storage;
  }

  async function leadingChild(path: string): Promise<Child> {
    const child = new Child(campaigner, [etcd.endpoints.join(','), path, 'a', LOCK_TIMEOUT]);
    cleanup.push(() => child.kill());
    await child.waitFor(/^leader$/, 'leading');
    return child;
  }

  const standing = (lockPrefix: string, count: number) =>
    eventually(async () => ((await etcdKeys(raw, lockPrefix)).length === count ? true : undefined), `${count} candidates`);

  it('a standby leads within the lock timeout after kill -9 of the leader', async () => {
    const path = etcd.uniquePrefix('kill');
    const a = await leadingChild(path);
    const b = await standby(path);
    const campaign = b.campaign(node('b'), forever);
    await standing(`${path}${LEADER_KEY_PREFIX}`, 2);
    expect(await b.leader()).toEqual(node('a'));

    const killedAt = Date.now();
    a.signal('SIGKILL');
    const leadership = await campaign;
    const after = Date.now() - killedAt;
    expect(await b.leader(), `b led ${after} ms after kill -9 (lock_timeout ${LOCK_TIMEOUT})`).toEqual(node('b'));
    await leadership.storage.put('after-failover', bytes('b'));
    expect(text(await b.get('after-failover'))).toBe('b');
  });

  it('a leader paused past its TTL writes nothing once resumed', async () => {
    const path = etcd.uniquePrefix('stop');
    const a = await leadingChild(path);
    await a.waitFor(/^ok 2$/, 'a few writes');
    const b = await standby(path);
    const campaign = b.campaign(node('b'), forever);
    await standing(`${path}${LEADER_KEY_PREFIX}`, 2);

    a.signal('SIGSTOP');
    const stoppedAt = Date.now();
    const leadershipB = await campaign;
    const tookOver = Date.now() - stoppedAt;
    await leadershipB.storage.put('w/marker', bytes('b'));
    // Everything `a` printed before it stopped has been read by now (B waited out a whole TTL).
    const beforeResume = a.lines.length;
    const lastSeq = Math.max(...a.lines.map((l) => /^ok (\d+)$/.exec(l)?.[1]).filter(Boolean).map(Number));
    a.signal('SIGCONT');
    const lostLine = await a.waitFor(/^lost /, 'a to notice', beforeResume);
    const lostAt = a.lines.indexOf(lostLine);
    await a.waitFor(/^fail \d+/, 'refused writes', lostAt + 4);
    await a.kill();

    const oks = a.lines.flatMap((l) => /^ok (\d+)$/.exec(l)?.[1] ?? []).map(Number);
    const tried = a.lines.flatMap((l) => /^(?:ok|fail) (\d+)/.exec(l)?.[1] ?? []).map(Number);
    const stored = (await etcdKeys(raw, `${path}w/`)).map((k) => k.slice(`${path}w/`.length));
    const context = `b took over ${tookOver} ms after SIGSTOP; a printed:\n${a.lines.join('\n')}\netcd holds: ${stored}`;
    expect(stored, context).toContain('marker');
    const storedSeqs = stored.filter((k) => k !== 'marker').map(Number);
    // Every acknowledged write is there; the one in flight at SIGSTOP may or may not be (etcd may
    // have applied it while `a` still led); nothing `a` tried after waking up is.
    for (const seq of oks) expect(storedSeqs, context).toContain(seq);
    for (const seq of storedSeqs) expect(seq <= lastSeq + 1 && (oks.includes(seq) || seq === lastSeq + 1), context).toBe(true);
    const afterWake = tried.filter((seq) => seq > lastSeq + 1);
    expect(afterWake.length, context).toBeGreaterThanOrEqual(3);
    for (const seq of afterWake) expect(oks, context).not.toContain(seq);
    expect(text(await b.get('w/marker'))).toBe('b');
  });

  it('a leader cut off from etcd steps down when its keepalives fail, and its writes never land', async () => {
    const path = etcd.uniquePrefix('cut');
    const proxy = await startTcpProxy(etcd.endpoints[0] as string);
    cleanup.push(() => proxy.close());
    const a = haStorage(await openTestStorage(etcd, { address: proxy.url, path, ha_enabled: true, lock_timeout: LOCK_TIMEOUT }));
    cleanup.push(() => a.close());
    const leadershipA = await a.campaign(node('a'), forever);
    const b = await standby(path);
    const campaign = b.campaign(node('b'), forever);
    await standing(`${path}${LEADER_KEY_PREFIX}`, 2);

    proxy.pause();
    const inflight = cofferError(leadershipA.storage.put('inflight', bytes('a')));
    await new Promise((resolve) => leadershipA.lost.addEventListener('abort', resolve, { once: true }));
    expect(String(leadershipA.lost.reason)).toMatch(/leadership lost: no keepalive succeeded in time/);
    expect((await inflight).message).toMatch(/^leadership lost/);
    await campaign;
    proxy.resume();
    // Traffic flows again (held bytes first), so the held write has reached etcd and been judged.
    expect(await a.get('nothing')).toBeUndefined();
    expect(await etcdKeys(raw, `${path}inflight`)).toEqual([]);
    expect((await cofferError(leadershipA.storage.put('later', bytes('a')))).message).toMatch(/^leadership lost/);
    expect(await b.leader()).toEqual(node('b'));
  });
});
