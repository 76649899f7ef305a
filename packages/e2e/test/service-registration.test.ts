import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEtcd, startKubernetesFake, type EtcdCluster, type KubernetesFake } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHaCluster, type HaCluster, type HaNode } from '../src/ha-cluster.js';
import { eventually } from '../src/poll.js';

const NS = 'coffer';

/**
 * Three HA nodes on etcd, each labelling "its pod" in the Kubernetes API fake, as the StatefulSet
 * in deploy/ runs them: the `-active` Service must follow the active node through a failover.
 */
describe('service registration follows a failover (three HA nodes on etcd, Kubernetes API fake)', () => {
  let etcd: EtcdCluster;
  let fake: KubernetesFake;
  let cluster: HaCluster;
  const podOf = (node: HaNode) => `coffer-${cluster.nodes.indexOf(node)}`;
  const labels = (node: HaNode) => fake.pod(NS, podOf(node))?.metadata.labels ?? {};
  /** The pods an `-active` Service (selector vault-active=true) would route to. */
  const activePods = () => cluster.nodes.filter((n) => labels(n)['vault-active'] === 'true').map(podOf);
  /** What the recorded patches last set `vault-active` to on this pod. */
  const lastActivePatch = (node: HaNode): unknown => {
    const ops = fake.podPatches
      .filter((p) => p.name === podOf(node))
      .flatMap((p) => p.patch as Array<{ path: string; value: unknown }>)
      .flatMap((op) => (op.path === '/metadata/labels' ? [(op.value as Record<string, unknown>)['vault-active']] : op.path === '/metadata/labels/vault-active' ? [op.value] : []));
    return ops.at(-1);
  };
  const alive = (node: HaNode) => node.process.child.exitCode === null && node.process.child.signalCode === null;

  beforeAll(async () => {
    fake = await startKubernetesFake();
    etcd = await startEtcd();
    const dir = await mkdtemp(join(tmpdir(), 'coffer-sr-e2e-'));
    const tokenPath = join(dir, 'token');
    await writeFile(tokenPath, await fake.issueServiceAccountToken({ namespace: NS, name: 'coffer', expiresIn: 24 * 3600 }));
    for (let i = 0; i < 3; i++) fake.setPod(NS, `coffer-${i}`, { labels: { 'app.kubernetes.io/name': 'coffer', 'app.kubernetes.io/component': 'server' } });
    const prefix = etcd.uniquePrefix('sr').replace(/^\/|\/$/g, '');
    cluster = await startHaCluster({
      endpoints: etcd.endpoints.join(','),
      prefix,
      size: 3,
      nodeConfig: (_node, index) =>
        `service_registration "kubernetes" {\n  namespace = "${NS}"\n  pod_name = "coffer-${index}"\n  kubernetes_host = "${fake.url}"\n  token_path = "${tokenPath}"\n  ca_cert_path = "${fake.caFile}"\n}`,
    });
  }, 120_000);
  afterAll(async () => {
    await cluster?.stopAll();
    await etcd?.close();
    await fake?.close();
  });

  it('labels exactly one pod active, the other two unsealed standbys', async () => {
    const active = await cluster.active();
    await eventually(
      () => cluster.nodes.every((n) => labels(n)['vault-sealed'] === 'false') && activePods().length === 1 && activePods()[0] === podOf(active),
      'one active pod label, three unsealed',
    );
    for (const node of cluster.nodes) {
      expect(labels(node)).toMatchObject({
        'vault-active': String(node === active),
        'vault-sealed': 'false',
        'vault-initialized': 'true',
        'vault-perf-standby': 'false',
        'coffer-active': String(node === active),
        'app.kubernetes.io/component': 'server',
      });
      expect(labels(node)['vault-version']).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });

  it('SIGKILL of the active node: the new active is labelled true; the crashed pod, restarted as the kubelet would, is labelled false', async () => {
    const old = await cluster.active();
    await old.process.kill();
    const next = await cluster.active([old]);
    expect(next).not.toBe(old);
    await eventually(() => labels(next)['vault-active'] === 'true', `${podOf(next)} labelled active`);
    expect(lastActivePatch(next)).toBe('true');
    // The container restarts in the same pod: its first labels say sealed and not active.
    await cluster.start(old);
    await eventually(() => labels(old)['vault-active'] === 'false' && labels(old)['vault-sealed'] === 'false', `${podOf(old)} back as a standby`);
    expect(lastActivePatch(old)).toBe('false');
    expect(activePods()).toEqual([podOf(next)]);
  });

  it('SIGTERM of the active node: it labels itself not active and sealed on the way out; another takes the label', async () => {
    const old = await cluster.active();
    const code = await old.process.stop();
    expect(code).toBe(0);
    // Shutdown waits for its own labels to land before the process exits.
    expect(labels(old)).toMatchObject({ 'vault-active': 'false', 'vault-sealed': 'true', 'coffer-active': 'false' });
    expect(lastActivePatch(old)).toBe('false');
    const next = await cluster.active([old]);
    await eventually(() => labels(next)['vault-active'] === 'true', `${podOf(next)} labelled active`);
    expect(activePods()).toEqual([podOf(next)]);
    expect(cluster.nodes.filter(alive).length).toBe(2);
  });
});
