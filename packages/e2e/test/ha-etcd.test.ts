import { request as httpRequest } from 'node:http';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startEtcd, type EtcdCluster } from '@coffer/testkit';
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../src/coffer-process.js';
import { startHaCluster, type HaCluster, type HaNode } from '../src/ha-cluster.js';

/** Sends a request from a chosen loopback address, so audit entries can tell the client from the standby. */
function fromAddress(url: string, method: string, localAddress: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; json: any; headers: Record<string, unknown> }>((resolve, reject) => {
    const req = httpRequest(url, { method, localAddress, headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => (text += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : undefined, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`never happened: ${what}`);
}

describe('HA on etcd: three Coffer processes', () => {
  let etcd: EtcdCluster;
  let cluster: HaCluster;
  let prefix: string;
  const as = (node: HaNode, method: string, path: string, body?: unknown) =>
    api(node.address, method, path, { token: cluster.rootToken, ...(body !== undefined ? { body } : {}) });

  beforeAll(async () => {
    etcd = await startEtcd();
    prefix = etcd.uniquePrefix('ha').replace(/^\/|\/$/g, '');
    cluster = await startHaCluster({ endpoints: etcd.endpoints.join(','), prefix, size: 3 });
    const active = await cluster.active();
    await as(active, 'POST', 'sys/mounts/secret', { type: 'kv-v2' });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stopAll();
    await etcd?.close();
  });

  it('has exactly one active node; standbys answer health 429 (200 with standbyok) and agree on the leader', async () => {
    const active = await cluster.active();
    for (const node of cluster.nodes) {
      const health = await api(node.address, 'GET', 'sys/health');
      const leader = await api(node.address, 'GET', 'sys/leader');
      expect(leader.json).toMatchObject({ ha_enabled: true, leader_address: active.address, leader_cluster_address: `https://127.0.0.1:${active.clusterPort}` });
      if (node === active) {
        expect(health.status).toBe(200);
        expect(leader.json.is_self).toBe(true);
      } else {
        expect(health.status).toBe(429);
        expect(health.json.standby).toBe(true);
        expect((await api(node.address, 'GET', 'sys/health?standbyok=true')).status).toBe(200);
        expect(leader.json.is_self).toBe(false);
      }
    }
  });

  it('forwards every method (LIST included) from a standby and relays the same answers; audits the real client address', async () => {
    const active = await cluster.active();
    const standby = cluster.nodes.find((n) => n !== active) as HaNode;
    const token = { 'x-vault-token': cluster.rootToken };
    const write = await fromAddress(`${standby.address}/v1/secret/data/fwd/one`, 'POST', '127.0.0.2', token, JSON.stringify({ data: { v: 'via-standby' } }));
    expect(write.status, standby.process.output().split('\n').filter((l) => /forward/.test(l)).join('\n')).toBe(200);
    const viaStandby = await fromAddress(`${standby.address}/v1/secret/data/fwd/one`, 'GET', '127.0.0.2', token);
    const viaActive = await fromAddress(`${active.address}/v1/secret/data/fwd/one`, 'GET', '127.0.0.2', token);
    expect(viaStandby.status).toBe(200);
    expect(viaStandby.json.data).toEqual(viaActive.json.data);
    const list = await fromAddress(`${standby.address}/v1/secret/metadata/fwd`, 'LIST', '127.0.0.2', token);
    expect(list.json.data.keys).toEqual(['one']);
    const forged = await fromAddress(`${standby.address}/v1/secret/data/fwd/one`, 'GET', '127.0.0.3', {
      ...token,
      'x-forwarded-for': '6.6.6.6',
      'x-coffer-forwarded-for': '6.6.6.6',
    });
    expect(forged.status).toBe(200);
    expect((await fromAddress(`${standby.address}/v1/secret/data/fwd/one`, 'DELETE', '127.0.0.2', token)).status).toBe(204);
    expect((await fromAddress(`${standby.address}/v1/secret/data/fwd/one`, 'GET', '127.0.0.2', token)).status).toBe(404);
    // Forwarding can be refused: 307 to the active node.
    const redirect = await fromAddress(`${standby.address}/v1/secret/data/fwd/one?x=1`, 'GET', '127.0.0.2', { ...token, 'x-vault-no-request-forwarding': 'true' });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.location).toBe(`${active.address}/v1/secret/data/fwd/one?x=1`);

    const log = await readFile(join(active.dir, 'audit.log'), 'utf8');
    const entries = log.split('\n').filter(Boolean).map((l) => JSON.parse(l)).filter((e) => e.request?.path === 'secret/data/fwd/one');
    const addresses = new Set(entries.map((e) => e.request.remote_address));
    expect(addresses).toEqual(new Set(['127.0.0.2', '127.0.0.3']));
    expect(log).not.toContain('6.6.6.6');
  });

  it('fails over to a standby after kill -9 under write load; every acknowledged write is there, none applied twice', async () => {
    const active = await cluster.active();
    const acknowledged: string[] = [];
    let stop = false;
    let failures = 0;
    const writer = async (w: number) => {
      for (let n = 0; !stop; n++) {
        const key = `load/w${w}-n${n}`;
        const node = cluster.nodes[(w + n) % cluster.nodes.length] as HaNode;
        try {
          const res = await as(node, 'POST', `secret/data/${key}`, { data: { v: key } });
          if (res.status === 200) acknowledged.push(key);
          else failures++;
        } catch {
          failures++;
        }
      }
    };
    const writers = Array.from({ length: 4 }, (_, w) => writer(w));
    await eventually(async () => acknowledged.length > 40, 'writes flowing');
    const killedAt = Date.now();
    await active.process.kill();
    const next = await cluster.active([active]);
    const before = acknowledged.length;
    await eventually(async () => acknowledged.length > before + 20, 'writes accepted by the new active node');
    const failoverMs = Date.now() - killedAt;
    stop = true;
    await Promise.all(writers);
    console.log(`failover after kill -9: ${next.name} active and accepting writes ${failoverMs} ms after the kill (lock_timeout 3 s); ${failures} requests failed meanwhile`);
    for (const key of acknowledged) {
      const meta = await as(next, 'GET', `secret/metadata/${key}`);
      expect(meta.json?.data?.current_version, key).toBe(1);
    }
    await cluster.start(active);
  });

  it('fences a paused leader: after SIGSTOP past its TTL and SIGCONT it writes nothing and becomes a standby', async () => {
    const old = await cluster.active();
    const pid = old.process.child.pid as number;
    const client = new Etcd3({ hosts: etcd.endpoints as string[] });
    process.kill(pid, 'SIGSTOP');
    // A write sent to the paused leader waits in its socket; it will run after SIGCONT. On resume
    // the node may notice the lost lease before it reads the request, and a standby would forward
    // it to the new leader, which may rightly apply it; X-Vault-No-Request-Forwarding (and no
    // redirect following) pins the request to the old node, so only its own write path is tested.
    const pending = fetch(`${old.address}/v1/secret/data/fenced/late`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'X-Vault-Token': cluster.rootToken, 'X-Vault-No-Request-Forwarding': 'true', 'Content-Type': 'application/json' },
      body: JSON.stringify({ data: { v: 'from-the-old-leader' } }),
    }).then(
      (res) => ({ status: res.status }),
      () => ({ status: -1 }),
    );
    const next = await cluster.active([old]);
    process.kill(pid, 'SIGCONT');
    const late = await pending;
    expect(late.status).not.toBe(200);
    await eventually(async () => (await api(old.address, 'GET', 'sys/leader')).json.is_self === false, 'old leader steps down');
    expect((await as(next, 'GET', 'secret/data/fenced/late')).status).toBe(404);
    // Straight from etcd: no key of that secret was written by anyone.
    const keys = await client.getAll().prefix(`/${prefix}/`).keys();
    expect(keys.filter((k) => k.includes('fenced'))).toEqual([]);
    client.close();
  });

  it('hands over at once on sys/step-down and on SIGTERM; sys/leader agrees everywhere afterwards', async () => {
    const first = await cluster.active();
    // A new barrier term on this leader must reach whichever standby takes over next.
    expect((await as(first, 'POST', 'sys/rotate')).status).toBe(204);
    const term = (await as(first, 'GET', 'sys/key-status')).json.data.term;
    expect((await as(first, 'POST', 'secret/data/after-rotate', { data: { v: 'new-term' } })).status).toBe(200);
    const stepDownAt = Date.now();
    expect((await as(first, 'PUT', 'sys/step-down')).status).toBe(204);
    const second = await cluster.active([first]);
    console.log(`step-down: ${second.name} active ${Date.now() - stepDownAt} ms after sys/step-down`);
    expect((await as(second, 'GET', 'sys/key-status')).json.data.term).toBe(term);
    expect((await as(second, 'GET', 'secret/data/after-rotate')).json.data.data).toEqual({ v: 'new-term' });
    const termAt = Date.now();
    await second.process.stop();
    const third = await cluster.active([second]);
    console.log(`SIGTERM: ${third.name} active ${Date.now() - termAt} ms after the signal`);
    await cluster.start(second);
    for (const node of cluster.nodes) {
      await eventually(async () => (await api(node.address, 'GET', 'sys/leader')).json.leader_address === third.address, `${node.name} agrees`);
    }
  });
});
