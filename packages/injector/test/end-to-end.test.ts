import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAgentConfig, runAgent } from '@coffer/agent';
import { createRecordingLogger, createTestCertificates, startKubernetesFake, type KubernetesFake } from '@coffer/testkit';
import type { IContainer, IPod } from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsFromEnv, startInjector, type RunningInjector } from '../src/index.js';
import { startTestServer, type TestServer } from './coffer-server.js';
import { admissionReview, annotatedPod, TOKEN_MOUNT } from './pods.js';
import { agentConfigJson, call, containerNamed, patchedPod } from './webhook-client.js';

const V = 'vault.hashicorp.com/';

/** Polls until `check` is truthy; the test timeout bounds it (no timed assertions). */
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (;;) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * The injected container's config with the pod's paths mapped into a temp dir, as the kubelet
 * would mount them: /vault/secrets, /home/vault, and the service-account token.
 */
function relocated(container: IContainer | undefined, dir: string, home: string): string {
  return JSON.stringify(agentConfigJson(container))
    .replaceAll('"/vault/secrets/', `"${dir}/secrets/`)
    .replaceAll('"/home/vault/', `"${dir}/${home}/`)
    .replaceAll(`"${TOKEN_MOUNT}/`, `"${dir}/serviceaccount/`);
}

describe('end to end: annotations in, secrets rendered by the injected agent against a live Coffer', () => {
  let server: TestServer;
  let k8s: KubernetesFake;
  let injector: RunningInjector;
  let caPem: string;
  let dir: string;

  beforeAll(async () => {
    const certs = await createTestCertificates();
    caPem = await readFile(certs.caFile, 'utf8');
    [server, k8s] = await Promise.all([startTestServer(), startKubernetesFake()]);
    await server.api('PUT', 'sys/mounts/secret', { type: 'kv', options: { version: '2' } });
    await server.api('PUT', 'secret/data/app/config', { data: { username: 'app', password: 's3cret-1' } });
    await server.api('PUT', 'sys/policies/acl/web', { policy: 'path "secret/data/app/*" { capabilities = ["read"] }' });
    await server.api('PUT', 'sys/auth/kubernetes', { type: 'kubernetes' });
    await server.api('PUT', 'auth/kubernetes/config', { kubernetes_host: k8s.url, kubernetes_ca_cert: k8s.caPem, token_reviewer_jwt: k8s.reviewerToken });
    await server.api('PUT', 'auth/kubernetes/role/web', { bound_service_account_names: ['web'], bound_service_account_namespaces: ['app'], token_policies: ['web'] });

    const settings = settingsFromEnv({
      AGENT_INJECT_LISTEN: '127.0.0.1:0',
      AGENT_INJECT_VAULT_ADDR: server.address,
      AGENT_INJECT_VAULT_IMAGE: 'registry.example.com/coffer:0.1.0',
      AGENT_INJECT_TLS_CERT_FILE: certs.certFile,
      AGENT_INJECT_TLS_KEY_FILE: certs.keyFile,
    });
    injector = await startInjector({ settings, logger: createRecordingLogger().logger });
    dir = await mkdtemp(join(tmpdir(), 'coffer-injector-e2e-'));
    await Promise.all(['secrets', 'home-init', 'home-sidecar', 'serviceaccount'].map((d) => mkdir(join(dir, d))));
    // The kubelet's projected token for the pod's service account app/web.
    await writeFile(join(dir, 'serviceaccount', 'token'), await k8s.issueServiceAccountToken({ namespace: 'app', name: 'web', pod: { name: 'web-1' } }));
  });
  afterAll(async () => {
    await injector?.close();
    await server?.close();
    await k8s?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('the init container renders every file once and exits; the sidecar keeps them current', async () => {
    const pod: IPod = annotatedPod({
      [`${V}agent-inject`]: 'true',
      [`${V}role`]: 'web',
      [`${V}agent-inject-secret-config`]: 'secret/data/app/config',
      [`${V}agent-inject-template-config`]: '{{- with secret "secret/data/app/config" -}}\nusername={{ .Data.data.username }}\npassword={{ .Data.data.password }}\n{{- end }}\n',
      [`${V}agent-inject-perms-config`]: '0400',
      [`${V}agent-inject-secret-raw.txt`]: 'secret/data/app/config',
      [`${V}template-static-secret-render-interval`]: '1s',
    });
    const answer = await call(injector.url, { path: '/mutate', caPem, body: admissionReview(pod) });
    const injected = patchedPod(pod, answer.json.response);

    const logger = createRecordingLogger();
    const init = await parseAgentConfig(relocated(containerNamed(injected.spec!.initContainers, 'vault-agent-init'), dir, 'home-init'), { fileName: 'config.json' });
    expect(await runAgent(init, { logger: logger.logger })).toBe(0);
    expect(await readFile(join(dir, 'secrets', 'config'), 'utf8')).toBe('username=app\npassword=s3cret-1\n');
    expect((await stat(join(dir, 'secrets', 'config'))).mode & 0o777).toBe(0o400);
    const raw = await readFile(join(dir, 'secrets', 'raw.txt'), 'utf8');
    // vault-k8s's default map template prints KV v2's data and metadata maps, Go style.
    expect(raw).toMatch(/^data: map\[password:s3cret-1 username:app\]\nmetadata: map\[.*version:1\]\n$/);
    expect((await readFile(join(dir, 'home-init', '.vault-token'), 'utf8')).length).toBeGreaterThan(10);
    expect(k8s.tokenReviews.filter((r) => r.authenticated)).toHaveLength(1);

    const stop = new AbortController();
    const sidecar = await parseAgentConfig(relocated(containerNamed(injected.spec!.containers, 'vault-agent'), dir, 'home-sidecar'), { fileName: 'config.json' });
    expect(sidecar.exitAfterAuth).toBe(false);
    const running = runAgent(sidecar, { logger: logger.logger, signal: stop.signal });
    await waitFor(async () => (await stat(join(dir, 'home-sidecar', '.vault-token')).then(() => true)));
    await server.api('PUT', 'secret/data/app/config', { data: { username: 'app', password: 's3cret-2' } });
    await waitFor(async () => (await readFile(join(dir, 'secrets', 'config'), 'utf8')).includes('s3cret-2'));
    stop.abort();
    expect(await running).toBe(0);
    expect(logger.text()).not.toContain('s3cret');
  });
});
