import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { api } from '../coffer-process.js';
import { startHaCluster, type HaNode } from '../ha-cluster.js';
import { mount } from '../coffer-setup.js';
import { checkLedger, valueFor, type LedgerCheck } from './kv-ledger.js';
import { WriteLoad } from './write-load.js';

export interface FailoverLoopOptions {
  /** etcd client URLs, comma-separated. */
  etcdEndpoints: string;
  /** A key prefix no one else uses, without slashes (the cluster stores under `/${prefix}/`). */
  etcdPrefix: string;
  /** How many times the active node is killed (default 10). */
  kills?: number;
  /** Concurrent writers spread over all three nodes (default 4). */
  writers?: number;
  /** The etcd lock TTL (default 3s). */
  lockTimeout?: string;
  log?: (line: string) => void;
}

export interface FailoverLoopResult {
  kills: number;
  /** Per kill: SIGKILL of the active node to the first write acknowledged by the new one. */
  takeoverMs: number[];
  medianMs: number;
  worstMs: number;
  acknowledged: number;
  unconfirmed: number;
  /** Acknowledged writes missing afterwards (must be none). */
  lost: string[];
  check: LedgerCheck;
  /** The nodes' log lines about forwarding (failures, redirects), to explain a write applied twice. */
  forwardingLog: string[];
}

const FORWARDING = /forward/i;
/** Forwarding to a leader that is gone (connection refused) is expected after a kill; the rest is news. */
const linesAbout = (output: string) =>
  output
    .split('\n')
    .filter((line) => FORWARDING.test(line) && !line.includes('ECONNREFUSED'))
    .slice(0, 100);

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? (sorted[Math.floor((sorted.length - 1) / 2)] as number) : 0;
}

/** Writes to `node` with fresh keys until one is acknowledged; every attempt goes in the ledger. */
async function firstWrite(node: HaNode, token: string, round: number, acked: Set<string>, unconfirmed: Set<string>): Promise<void> {
  for (let attempt = 0; attempt < 3000; attempt++) {
    const key = `probe/k${round}-a${attempt}`;
    unconfirmed.add(key);
    const res = await api(node.address, 'POST', `failover/data/${key}`, {
      token,
      body: { data: { value: valueFor(key) } },
      signal: AbortSignal.timeout(15_000),
    }).catch(() => undefined);
    if (res?.status === 200) {
      unconfirmed.delete(key);
      acked.add(key);
      return;
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`${node.name} never accepted a write after becoming active`);
}

/**
 * Three HA nodes on etcd under a KV v2 write load spread over all of them (standbys forward): the
 * active node is killed with SIGKILL again and again and restarted as a standby each time. Reports
 * how long each takeover took and checks that no acknowledged write was lost or applied twice.
 */
export async function runFailoverLoop(options: FailoverLoopOptions): Promise<FailoverLoopResult> {
  const kills = options.kills ?? 10;
  const log = options.log ?? (() => {});
  const cluster = await startHaCluster({ endpoints: options.etcdEndpoints, prefix: options.etcdPrefix, size: 3, lockTimeout: options.lockTimeout ?? '3s' });
  const token = cluster.rootToken;
  const takeoverMs: number[] = [];
  const probesAcked = new Set<string>();
  const probesUnconfirmed = new Set<string>();
  const forwardingLog: string[] = [];
  let load: WriteLoad | undefined;
  try {
    await mount((await cluster.active()).address, token, 'failover', 'kv-v2');
    load = new WriteLoad({
      token,
      mount: 'failover',
      prefix: 'load/',
      writers: options.writers ?? 4,
      target: (w, n) => (cluster.nodes[(w + n) % cluster.nodes.length] as HaNode).address,
    });
    load.start();
    for (let round = 1; round <= kills; round++) {
      const active = await cluster.active();
      await load.waitForAcknowledged(load.acknowledged.size + 20, `writes flowing before kill ${round}`);
      const killedAt = performance.now();
      await active.process.kill();
      forwardingLog.push(...linesAbout(active.process.output()).map((l) => `${active.name}: ${l}`));
      const next = await cluster.active([active]);
      await firstWrite(next, token, round, probesAcked, probesUnconfirmed);
      takeoverMs.push(Math.round(performance.now() - killedAt));
      await cluster.start(active);
      // The restarted node must have joined as a standby before the next kill, or that kill would
      // measure a cluster of two.
      for (let i = 0; i < 400; i++) {
        const leader = await api(active.address, 'GET', 'sys/leader').catch(() => undefined);
        if (leader?.json?.is_self === false && leader.json.leader_address === next.address) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      log(`failover ${round}/${kills}: ${active.name} killed, ${next.name} active and writing after ${takeoverMs.at(-1)} ms; ${load.acknowledged.size} writes acknowledged so far`);
    }
    await load.stop();
    for (const node of cluster.nodes) forwardingLog.push(...linesAbout(node.process.output()).map((l) => `${node.name}: ${l}`));
    const finalActive = await cluster.active();
    const check = await checkLedger({
      address: finalActive.address,
      token,
      mount: 'failover',
      acknowledged: [...load.acknowledged, ...probesAcked],
      unconfirmed: [...load.unconfirmed, ...probesUnconfirmed],
      listPrefixes: ['load/', 'probe/'],
    });
    return {
      kills,
      takeoverMs,
      medianMs: median(takeoverMs),
      worstMs: Math.max(0, ...takeoverMs),
      acknowledged: load.acknowledged.size + probesAcked.size,
      unconfirmed: load.unconfirmed.size + probesUnconfirmed.size,
      lost: check.missing,
      check,
      forwardingLog,
    };
  } finally {
    await load?.stop();
    await cluster.stopAll();
    // startHaCluster puts every node's folder in one temp folder of its own.
    await rm(dirname((cluster.nodes[0] as HaNode).dir), { recursive: true, force: true });
  }
}
