import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '@coffer/sdk';
import { startKubernetesFake, type KubernetesFake } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServerConfig } from '../config/server-config.js';
import { startServer, type RunningServer } from '../start-server.js';

let fake: KubernetesFake;
let configText: string;

beforeAll(async () => {
  fake = await startKubernetesFake();
  const dir = await mkdtemp(join(tmpdir(), 'coffer-sr-server-'));
  const tokenPath = join(dir, 'token');
  await writeFile(tokenPath, await fake.issueServiceAccountToken({ namespace: 'vault', name: 'coffer' }));
  fake.setPod('vault', 'coffer-0', { labels: { 'app.kubernetes.io/name': 'coffer', 'vault-initialized': 'stale' } });
  configText = `
storage "inmem" {}
listener "tcp" {
  address     = "127.0.0.1:0"
  tls_disable = true
}
service_registration "kubernetes" {
  namespace       = "vault"
  pod_name        = "coffer-0"
  kubernetes_host = "${fake.url}"
  token_path      = "${tokenPath}"
  ca_cert_path    = "${fake.caFile}"
}
`;
});
afterAll(() => fake.close());

const labels = () => fake.pod('vault', 'coffer-0')?.metadata.labels ?? {};

async function until(wanted: Record<string, string>, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (Object.entries(wanted).every(([k, v]) => labels()[k] === v)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`never happened: ${what}; labels: ${JSON.stringify(labels())}`);
}

describe('service registration wired into the server (core role changes)', () => {
  it('labels the pod at start, on init, unseal, seal, unseal again and shutdown; requests never wait for it', async () => {
    const config = await parseServerConfig(configText, { fileName: 'coffer.hcl', env: {} });
    expect(config.serviceRegistration).toMatchObject({ namespace: 'vault', podName: 'coffer-0', kubernetesHost: fake.url });
    // The API server is away at start: the server starts and answers anyway, the labels come later.
    await fake.down();
    let server: RunningServer;
    try {
      server = await startServer({ config, logger: silentLogger });
      const status = await server.app.inject({ method: 'GET', url: '/v1/sys/seal-status' });
      expect(status.statusCode).toBe(200);
    } finally {
      await fake.up();
    }
    const { core } = server;
    await until({ 'vault-sealed': 'true', 'vault-active': 'false', 'vault-initialized': 'false', 'vault-version': '1.19.0' }, 'labels at start');
    expect(labels()['app.kubernetes.io/name']).toBe('coffer');

    const { keys } = await core.initialize({ secretShares: 1, secretThreshold: 1, recoveryShares: 0, recoveryThreshold: 0 });
    await until({ 'vault-initialized': 'true', 'coffer-initialized': 'true', 'vault-sealed': 'true' }, 'initialised');

    await core.submitUnsealKey(keys[0] as Uint8Array);
    await until({ 'vault-sealed': 'false', 'vault-active': 'true', 'coffer-active': 'true' }, 'unsealed and active');

    await core.seal();
    await until({ 'vault-sealed': 'true', 'vault-active': 'false' }, 'sealed');

    await core.submitUnsealKey(keys[0] as Uint8Array);
    await until({ 'vault-sealed': 'false', 'vault-active': 'true' }, 'active again');

    await server.close();
    expect(labels()).toMatchObject({
      'vault-active': 'false',
      'vault-sealed': 'true',
      'vault-initialized': 'true',
      'vault-perf-standby': 'false',
      'coffer-active': 'false',
      'coffer-sealed': 'true',
    });
  });
});
