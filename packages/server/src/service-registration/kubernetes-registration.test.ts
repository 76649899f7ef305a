import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRecordingLogger, startKubernetesFake, type KubernetesFake } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceRegistrationConfig } from '../config/config-types.js';
import type { NodeRole } from '../core/core.js';
import { KubernetesServiceRegistration } from './kubernetes-registration.js';

const NS = 'coffer';
const VERSIONS = { vault: '1.19.0+coffer.0.1.0', coffer: '0.1.0' };
/** Short back-off so retries happen quickly; nothing below asserts on how long anything took. */
const FAST = { initialBackoffMs: 10, maxBackoffMs: 50, shutdownGraceMs: 2_000 };

let fake: KubernetesFake;
let dir: string;
let tokenPath: string;

beforeAll(async () => {
  fake = await startKubernetesFake();
  dir = await mkdtemp(join(tmpdir(), 'coffer-sr-'));
  tokenPath = join(dir, 'token');
  await writeFile(tokenPath, await fake.issueServiceAccountToken({ namespace: NS, name: 'coffer' }));
});
afterAll(() => fake.close());

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never happened: ${what}`);
}

/** A node whose state the test sets by hand: the interface the core implements. */
class ManualNode {
  role: NodeRole = 'sealed';
  initialized = false;
  storageDown = false;
  readonly source = {
    role: () => this.role,
    initialized: async () => {
      if (this.storageDown) throw new Error('storage unavailable');
      return this.initialized;
    },
  };
}

function registration(pod: string, node: ManualNode, overrides: Partial<ServiceRegistrationConfig> = {}, timing = FAST) {
  const log = createRecordingLogger();
  const config: ServiceRegistrationConfig = {
    type: 'kubernetes',
    namespace: NS,
    podName: pod,
    kubernetesHost: fake.url,
    tokenPath,
    caCertPath: fake.caFile,
    ...overrides,
  };
  const sr = new KubernetesServiceRegistration(config, { logger: log.logger, state: node.source, versions: VERSIONS, timing });
  return { sr, log };
}

const labels = (pod: string) => fake.pod(NS, pod)?.metadata.labels ?? {};
const patchesOf = (pod: string) => fake.podPatches.filter((p) => p.name === pod);

describe('kubernetes service registration (against the API fake)', () => {
  it('follows the node: every change becomes one json-patch of the labels that changed; other labels stay', async () => {
    fake.setPod(NS, 'follow-0', { labels: { 'app.kubernetes.io/name': 'coffer' } });
    const node = new ManualNode();
    const { sr } = registration('follow-0', node);
    sr.start();
    await eventually(() => labels('follow-0')['vault-sealed'] === 'true', 'initial labels');
    expect(labels('follow-0')).toEqual({
      'app.kubernetes.io/name': 'coffer',
      'vault-active': 'false',
      'vault-sealed': 'true',
      'vault-initialized': 'false',
      'vault-perf-standby': 'false',
      'vault-version': '1.19.0',
      'coffer-active': 'false',
      'coffer-sealed': 'true',
      'coffer-initialized': 'false',
      'coffer-perf-standby': 'false',
      'coffer-version': '0.1.0',
    });
    const first = patchesOf('follow-0')[0];
    expect(first?.contentType).toBe('application/json-patch+json');
    expect(first?.patch).toContainEqual({ op: 'add', path: '/metadata/labels/vault-active', value: 'false' });

    node.role = 'standby';
    node.initialized = true;
    sr.notify();
    await eventually(() => labels('follow-0')['vault-sealed'] === 'false', 'standby labels');
    expect(patchesOf('follow-0').at(-1)?.patch).toEqual(
      expect.arrayContaining([
        { op: 'add', path: '/metadata/labels/vault-sealed', value: 'false' },
        { op: 'add', path: '/metadata/labels/vault-initialized', value: 'true' },
      ]),
    );
    expect((patchesOf('follow-0').at(-1)?.patch as unknown[]).length).toBe(4); // sealed + initialized, twice each

    node.role = 'active';
    sr.notify();
    await eventually(() => labels('follow-0')['vault-active'] === 'true', 'active');
    expect(labels('follow-0')['coffer-active']).toBe('true');

    await sr.stop();
    expect(labels('follow-0')).toMatchObject({ 'vault-active': 'false', 'vault-sealed': 'true', 'vault-initialized': 'true', 'coffer-active': 'false' });
    expect(labels('follow-0')['app.kubernetes.io/name']).toBe('coffer');
    // Stopped: later changes are not announced.
    const count = patchesOf('follow-0').length;
    node.role = 'active';
    sr.notify();
    await new Promise((r) => setImmediate(r));
    expect(patchesOf('follow-0').length).toBe(count);
  });

  it('retries with back-off while the API server is down, then labels the latest state', async () => {
    fake.setPod(NS, 'down-0');
    const node = new ManualNode();
    const { sr, log } = registration('down-0', node);
    await fake.down();
    try {
      sr.start();
      await eventually(() => log.records.filter((r) => r.level === 'warn').length >= 3, 'several failed attempts');
      // Changes while it is down are folded in: only the latest state is sent.
      node.initialized = true;
      node.role = 'standby';
      sr.notify();
      node.role = 'active';
      sr.notify();
    } finally {
      await fake.up();
    }
    await eventually(() => labels('down-0')['vault-active'] === 'true', 'labels after the API came back');
    expect(labels('down-0')).toMatchObject({ 'vault-sealed': 'false', 'vault-initialized': 'true' });
    // The fake applies the patch before its answer reaches the client, which logs on the answer.
    await eventually(() => log.records.some((r) => r.message?.includes('up to date again')), 'the recovery logged');
    await sr.stop();
  });

  it('waits for its pod to exist, saying why (404 hint), and keeps the role labels when storage is away', async () => {
    const node = new ManualNode();
    node.role = 'standby';
    node.initialized = true;
    const { sr, log } = registration('late-0', node);
    sr.start();
    await eventually(() => log.records.some((r) => String(r.bindings['hint'] ?? '').includes('pod_name')), 'a 404 hint');
    node.storageDown = true; // initialized() now fails: the last answer it gave stands in
    fake.setPod(NS, 'late-0');
    await eventually(() => labels('late-0')['vault-sealed'] === 'false', 'labels once the pod exists');
    expect(labels('late-0')).toMatchObject({ 'vault-active': 'false', 'vault-initialized': 'true' });
    await sr.stop();
  });

  it('re-reads the token file: a rotated token is used on the next call', async () => {
    const rotatingPath = join(dir, 'rotating-token');
    await writeFile(rotatingPath, await fake.issueServiceAccountToken({ namespace: NS, name: 'rotating' }));
    fake.setPod(NS, 'rotate-0');
    const node = new ManualNode();
    const { sr, log } = registration('rotate-0', node, { tokenPath: rotatingPath });
    sr.start();
    await eventually(() => labels('rotate-0')['vault-sealed'] === 'true', 'initial labels');
    // The account is recreated: its old token stops working, the kubelet writes a new one.
    fake.deleteServiceAccount(NS, 'rotating');
    node.role = 'standby';
    sr.notify();
    await eventually(() => log.records.some((r) => r.bindings['hint'] === 'the service-account token was refused'), 'a 401');
    await writeFile(rotatingPath, await fake.issueServiceAccountToken({ namespace: NS, name: 'rotating' }));
    await eventually(() => labels('rotate-0')['vault-sealed'] === 'false', 'labels with the new token');
    await sr.stop();
  });

  it('gives up on the shutdown labels after the grace period when the API server is gone, without hanging', async () => {
    fake.setPod(NS, 'gone-0');
    const node = new ManualNode();
    node.role = 'active';
    node.initialized = true;
    const { sr, log } = registration('gone-0', node, {}, { ...FAST, shutdownGraceMs: 300 });
    sr.start();
    await eventually(() => labels('gone-0')['vault-active'] === 'true', 'active');
    await fake.down();
    try {
      await sr.stop();
    } finally {
      await fake.up();
    }
    expect(log.records.some((r) => r.message?.includes('could not leave the shutdown labels'))).toBe(true);
    expect(labels('gone-0')['vault-active']).toBe('true');
  });
});
