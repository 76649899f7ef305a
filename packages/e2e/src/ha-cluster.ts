import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, freePort, startCoffer, type CofferProcess } from './coffer-process.js';

export interface HaNode {
  name: string;
  dir: string;
  port: number;
  clusterPort: number;
  process: CofferProcess;
  address: string;
}

export interface HaCluster {
  nodes: HaNode[];
  rootToken: string;
  unsealKey: string;
  /** (Re)starts a node on its own ports and data, and unseals it. */
  start(node: HaNode): Promise<void>;
  /** Polls until exactly one node says it is active, and returns it. */
  active(exclude?: HaNode[]): Promise<HaNode>;
  stopAll(): Promise<void>;
}

/**
 * Coffer processes sharing one etcd (HA on, a short lock TTL), each with its own API and cluster
 * port and its own audit file. The first is initialised (one key share); every node is unsealed.
 */
export async function startHaCluster(options: {
  endpoints: string;
  prefix: string;
  size: number;
  lockTimeout?: string;
  /** More HCL for one node's config (e.g. its own `service_registration` pod name). */
  nodeConfig?: (node: HaNode, index: number) => string;
}): Promise<HaCluster> {
  const base = await mkdtemp(join(tmpdir(), 'coffer-ha-'));
  const nodes: HaNode[] = [];
  for (let i = 0; i < options.size; i++) {
    const port = await freePort();
    const clusterPort = await freePort();
    nodes.push({ name: `n${i}`, dir: join(base, `n${i}`), port, clusterPort, address: `http://127.0.0.1:${port}`, process: undefined as unknown as CofferProcess });
  }
  let unsealKey = '';
  const launch = async (node: HaNode) => {
    node.process = await startCoffer({
      dir: node.dir,
      port: node.port,
      storageConfig: `storage "etcd" {\n  address = "${options.endpoints}"\n  path = "/${options.prefix}/"\n  ha_enabled = "true"\n  lock_timeout = "${options.lockTimeout ?? '3s'}"\n}`,
      extraConfig: [
        `api_addr = "http://127.0.0.1:${node.port}"`,
        `cluster_addr = "https://127.0.0.1:${node.clusterPort}"`,
        `audit "file" {\n  file_path = "${join(node.dir, 'audit.log')}"\n}`,
        options.nodeConfig?.(node, nodes.indexOf(node)) ?? '',
      ].join('\n'),
    });
    if (unsealKey) {
      const res = await api(node.address, 'PUT', 'sys/unseal', { body: { key: unsealKey } });
      if (res.status !== 200 || res.json.sealed !== false) throw new Error(`unseal ${node.name} failed: ${JSON.stringify(res.json)}`);
    }
  };
  for (const node of nodes.slice(0, 1)) await launch(node);
  const first = nodes[0] as HaNode;
  const init = await api(first.address, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  if (init.status !== 200) throw new Error(`init failed: ${JSON.stringify(init.json)}`);
  unsealKey = init.json.keys[0];
  await api(first.address, 'PUT', 'sys/unseal', { body: { key: unsealKey } });
  for (const node of nodes.slice(1)) await launch(node);

  const cluster: HaCluster = {
    nodes,
    rootToken: init.json.root_token,
    unsealKey,
    start: launch,
    async active(exclude = []) {
      for (let i = 0; i < 400; i++) {
        const states = await Promise.all(
          nodes
            .filter((n) => !exclude.includes(n) && n.process.child.exitCode === null && n.process.child.signalCode === null)
            .map(async (n) => ({ n, leader: await api(n.address, 'GET', 'sys/leader').catch(() => undefined) })),
        );
        const actives = states.filter((s) => s.leader?.json?.is_self === true);
        if (actives.length === 1) return (actives[0] as { n: HaNode }).n;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('no single active node');
    },
    async stopAll() {
      await Promise.all(nodes.map((n) => (n.process.child.exitCode === null ? n.process.stop() : Promise.resolve(null))));
    },
  };
  return cluster;
}
