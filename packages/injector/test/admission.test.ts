import { readFile } from 'node:fs/promises';
import { createTestCertificates, createRecordingLogger } from '@coffer/testkit';
import type { IPod } from 'kubernetes-models/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settingsFromEnv, startInjector, type RunningInjector } from '../src/index.js';
import { admissionReview, annotatedPod, appContainer, TOKEN_MOUNT, TOKEN_VOLUME } from './pods.js';
import { agentConfigJson, call, containerNamed, parsedAgentConfig, patchedPod } from './webhook-client.js';

const V = 'vault.hashicorp.com/';
const IMAGE = 'registry.example.com/coffer:0.1.0';
const BASE = { [`${V}agent-inject`]: 'true', [`${V}role`]: 'web' };
const MAP_TEMPLATE = (path: string) => `{{ with secret "${path}" }}{{ range $k, $v := .Data }}{{ $k }}: {{ $v }}\n{{ end }}{{ end }}`;

describe('AdmissionReview over HTTPS: annotated pods in, JSON patch out', () => {
  let injector: RunningInjector;
  let caPem: string;

  beforeAll(async () => {
    const certs = await createTestCertificates();
    caPem = await readFile(certs.caFile, 'utf8');
    const settings = settingsFromEnv({
      AGENT_INJECT_LISTEN: '127.0.0.1:0',
      AGENT_INJECT_VAULT_ADDR: 'https://coffer.coffer.svc:8200',
      AGENT_INJECT_VAULT_IMAGE: IMAGE,
      AGENT_INJECT_TLS_CERT_FILE: certs.certFile,
      AGENT_INJECT_TLS_KEY_FILE: certs.keyFile,
    });
    injector = await startInjector({ settings, logger: createRecordingLogger().logger });
  });
  afterAll(() => injector?.close());

  /** Posts the pod; returns the AdmissionReview answer and, when allowed, the patched and validated pod. */
  const admit = async (pod: IPod, options: { namespace?: string; apiVersion?: string } = {}) => {
    const answer = await call(injector.url, { path: '/mutate', caPem, body: admissionReview(pod, options) });
    expect(answer.status).toBe(200);
    const response = answer.json.response;
    return { review: answer.json, response, pod: response.allowed ? patchedPod(pod, response) : undefined };
  };

  it('one secret: memory volume, mounts, init container and sidecar running coffer agent, status annotation', async () => {
    const { review, response, pod } = await admit(annotatedPod({ ...BASE, [`${V}agent-inject-secret-config`]: 'secret/data/app/config' }));
    expect(review).toMatchObject({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { allowed: true, patchType: 'JSONPatch' } });
    expect(response.warnings).toBeUndefined();
    const spec = pod!.spec!;
    expect(spec.volumes?.map((v) => v.name)).toEqual([TOKEN_VOLUME, 'home-init', 'home-sidecar', 'vault-secrets']);
    expect(spec.volumes?.find((v) => v.name === 'vault-secrets')).toEqual({ name: 'vault-secrets', emptyDir: { medium: 'Memory' } });
    expect(spec.containers.map((c) => c.name)).toEqual(['web', 'vault-agent']);
    expect(spec.initContainers?.map((c) => c.name)).toEqual(['vault-agent-init']);
    expect(containerNamed(spec.containers, 'web')?.volumeMounts).toContainEqual({ name: 'vault-secrets', mountPath: '/vault/secrets' });
    expect(pod!.metadata?.annotations?.[`${V}agent-inject-status`]).toBe('injected');

    for (const name of ['vault-agent-init', 'vault-agent']) {
      const agent = containerNamed([...spec.containers, ...spec.initContainers!], name)!;
      expect(agent.image).toBe(IMAGE);
      expect(agent.command).toEqual(['/bin/sh', '-ec']);
      expect(agent.args?.[0]).toContain('exec coffer agent -config=/home/vault/config.json');
      expect(agent.volumeMounts).toEqual([
        { name: name === 'vault-agent' ? 'home-sidecar' : 'home-init', mountPath: '/home/vault' },
        { name: TOKEN_VOLUME, mountPath: TOKEN_MOUNT, readOnly: true },
        { name: 'vault-secrets', mountPath: '/vault/secrets' },
      ]);
      expect(agent.resources).toEqual({ requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: '250m', memory: '128Mi' } });
      expect(agent.securityContext).toMatchObject({ runAsUser: 100, runAsGroup: 1000, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
      const parsed = await parsedAgentConfig(agent);
      expect(parsed.exitAfterAuth).toBe(name === 'vault-agent-init');
      expect(parsed.vault.address).toBe('https://coffer.coffer.svc:8200');
      expect(parsed.autoAuth?.method).toMatchObject({ type: 'kubernetes', mountPath: 'auth/kubernetes', role: 'web', tokenPath: `${TOKEN_MOUNT}/token` });
      expect(parsed.autoAuth?.sinks).toEqual([{ type: 'file', path: '/home/vault/.vault-token', mode: 0o640 }]);
      expect(parsed.templates.map((t) => [t.destination, t.contents])).toEqual([['/vault/secrets/config', MAP_TEMPLATE('secret/data/app/config')]]);
      expect(parsed.templateConfig.exitOnRetryFailure).toBe(true);
      expect(parsed.warnings).toEqual([]);
    }
  });

  it('several secrets with templates, file names, commands, delimiters and the json default template', async () => {
    const { pod } = await admit(
      annotatedPod({
        ...BASE,
        [`${V}agent-inject-default-template`]: 'json',
        [`${V}agent-inject-secret-db-creds`]: 'database/creds/app',
        [`${V}agent-inject-template-db-creds`]: '{{ with secret "database/creds/app" }}DB_USER={{ .Data.username }}{{ end }}',
        [`${V}agent-inject-file-db-creds`]: 'db/env',
        [`${V}agent-inject-command-db-creds`]: 'pkill -HUP web || true',
        [`${V}agent-inject-secret-API`]: 'secret/data/app/api',
        [`${V}agent-inject-template-API`]: '[[ with secret "secret/data/app/api" ]][[ .Data.data.key ]][[ end ]]',
        [`${V}agent-template-left-delim-API`]: '[[',
        [`${V}agent-template-right-delim-API`]: ']]',
        [`${V}agent-inject-secret-plain`]: 'secret/data/app/plain',
        [`${V}error-on-missing-key-plain`]: 'true',
      }),
    );
    const parsed = await parsedAgentConfig(containerNamed(pod!.spec!.containers, 'vault-agent'));
    const byDestination = Object.fromEntries(parsed.templates.map((t) => [t.destination, t]));
    expect(Object.keys(byDestination).sort()).toEqual(['/vault/secrets/api', '/vault/secrets/db/env', '/vault/secrets/plain']);
    expect(byDestination['/vault/secrets/db/env']).toMatchObject({ command: 'pkill -HUP web || true', contents: '{{ with secret "database/creds/app" }}DB_USER={{ .Data.username }}{{ end }}' });
    expect(byDestination['/vault/secrets/api']).toMatchObject({ leftDelimiter: '[[', rightDelimiter: ']]' });
    expect(byDestination['/vault/secrets/plain']).toMatchObject({ contents: '{{ with secret "secret/data/app/plain" }}{{ .Data | toJSON }}\n{{ end }}', errorOnMissingKey: true });
  });

  it('custom perms reach the template (and the agent reads them as octal)', async () => {
    const { pod } = await admit(annotatedPod({ ...BASE, [`${V}agent-inject-secret-tls`]: 'secret/data/app/tls', [`${V}agent-inject-perms-tls`]: '0400' }));
    const json = agentConfigJson(containerNamed(pod!.spec!.initContainers, 'vault-agent-init'));
    expect(json.template[0].perms).toBe('0400');
    expect((await parsedAgentConfig(containerNamed(pod!.spec!.initContainers, 'vault-agent-init'))).templates[0]?.perms).toBe(0o400);
  });

  it('a Job with agent-pre-populate-only gets the init container only, so it can finish', async () => {
    const job = annotatedPod({ ...BASE, [`${V}agent-inject-secret-config`]: 'secret/data/app/config', [`${V}agent-pre-populate-only`]: 'true' }, { restartPolicy: 'Never' });
    job.metadata!.ownerReferences = [{ apiVersion: 'batch/v1', kind: 'Job', name: 'migrate', uid: '5f0c1f3e-0c5b-4b8e-9b8a-2f7c1d0e9a11', controller: true }];
    const { pod } = await admit(job);
    expect(pod!.spec!.containers.map((c) => c.name)).toEqual(['web']);
    expect(pod!.spec!.initContainers?.map((c) => c.name)).toEqual(['vault-agent-init']);
    expect(pod!.spec!.volumes?.map((v) => v.name)).toEqual([TOKEN_VOLUME, 'home-init', 'vault-secrets']);
    expect((await parsedAgentConfig(pod!.spec!.initContainers?.[0])).exitAfterAuth).toBe(true);
  });

  it('native sidecar (agent-enable-native-sidecar): the sidecar becomes an init container with restartPolicy Always, after the init agent', async () => {
    const { pod } = await admit(
      annotatedPod({ ...BASE, [`${V}agent-inject-secret-config`]: 'secret/data/app/config', [`${V}agent-enable-native-sidecar`]: 'true' }, { initContainers: [appContainer('migrate')] }),
    );
    const spec = pod!.spec!;
    expect(spec.containers.map((c) => c.name)).toEqual(['web']);
    expect(spec.initContainers?.map((c) => [c.name, c.restartPolicy])).toEqual([
      ['migrate', undefined],
      ['vault-agent-init', undefined],
      ['vault-agent', 'Always'],
    ]);
    // Pre-populate also mounts the secrets into the pod's own init containers, as vault-k8s does.
    expect(containerNamed(spec.initContainers, 'migrate')?.volumeMounts).toContainEqual({ name: 'vault-secrets', mountPath: '/vault/secrets' });
    expect((await parsedAgentConfig(containerNamed(spec.initContainers, 'vault-agent'))).exitAfterAuth).toBe(false);
  });

  it('a pod already injected is allowed unchanged', async () => {
    const { response, pod } = await admit(annotatedPod({ ...BASE, [`${V}agent-inject-secret-config`]: 'secret/data/app/config', [`${V}agent-inject-status`]: 'injected' }));
    expect(response).toEqual({ uid: expect.any(String), allowed: true });
    expect(pod!.spec!.containers).toHaveLength(1);
  });

  it('pods without agent-inject, or with it false, are allowed unchanged', async () => {
    for (const annotations of [{}, { [`${V}agent-inject`]: 'false', [`${V}agent-inject-secret-x`]: 'secret/x' }]) {
      const { response } = await admit(annotatedPod(annotations));
      expect(response.allowed).toBe(true);
      expect(response.patch).toBeUndefined();
    }
  });

  it('invalid annotations are refused, each named in the message', async () => {
    const { response } = await admit(
      annotatedPod({
        [`${V}agent-inject`]: 'true',
        [`${V}agent-inject-secret-config`]: 'secret/data/app/config',
        [`${V}agent-inject-perms-config`]: '0999',
        [`${V}agent-pre-populate-only`]: 'sometimes',
        [`${V}agent-limits-mem`]: '64 megabytes',
        [`${V}agent-inject-file-config`]: '../../etc/passwd',
      }),
    );
    expect(response.allowed).toBe(false);
    expect(response.patch).toBeUndefined();
    const message: string = response.status.message;
    expect(message).toContain(`${V}agent-inject-perms-config: "0999" is not an octal file mode`);
    expect(message).toContain(`${V}agent-pre-populate-only: "sometimes" is not true or false`);
    expect(message).toContain(`${V}agent-limits-mem: "64 megabytes" is not a resource quantity`);
    expect(message).toContain(`${V}agent-inject-file-config: "../../etc/passwd" leaves the secrets directory /vault/secrets`);
    expect(message).toContain(`no role for the agent to log in with: set ${V}role`);

    const { response: bad } = await admit(annotatedPod({ [`${V}agent-inject`]: 'yes please', [`${V}role`]: 'web' }));
    expect(bad).toMatchObject({ allowed: false, status: { message: `${V}agent-inject: "yes please" is not true or false` } });
  });

  it('the coffer.dev/ spelling of every annotation works (and wins over vault.hashicorp.com/)', async () => {
    const { pod } = await admit(
      annotatedPod({
        'coffer.dev/agent-inject': 'true',
        'coffer.dev/role': 'web',
        [`${V}role`]: 'ignored',
        'coffer.dev/agent-inject-secret-config': 'secret/data/app/config',
        'coffer.dev/agent-inject-perms-config': '0440',
        'coffer.dev/agent-limits-mem': '96Mi',
      }),
    );
    expect(pod!.metadata?.annotations?.[`${V}agent-inject-status`]).toBe('injected');
    const agent = containerNamed(pod!.spec!.containers, 'vault-agent');
    expect(agent?.resources?.limits).toEqual({ cpu: '250m', memory: '96Mi' });
    const parsed = await parsedAgentConfig(agent);
    expect(parsed.autoAuth?.method).toMatchObject({ role: 'web' });
    expect(parsed.templates[0]).toMatchObject({ destination: '/vault/secrets/config', perms: 0o440 });
  });

  it('kube-system and kube-public are refused', async () => {
    for (const namespace of ['kube-system', 'kube-public']) {
      const { response } = await admit(annotatedPod({ ...BASE, [`${V}agent-inject-secret-x`]: 'secret/x' }, {}, namespace), { namespace });
      expect(response).toMatchObject({ allowed: false, status: { code: 403, message: `cannot inject the Coffer agent into the system namespace ${namespace}` } });
    }
  });

  it('v1beta1 reviews are answered in v1beta1', async () => {
    const { review } = await admit(annotatedPod({ ...BASE, [`${V}agent-inject-secret-x`]: 'secret/x' }), { apiVersion: 'admission.k8s.io/v1beta1' });
    expect(review.apiVersion).toBe('admission.k8s.io/v1beta1');
    expect(review.response.allowed).toBe(true);
  });

  it('malformed requests get 400; /health/ready answers 204; /metrics counts injections and refusals', async () => {
    expect((await call(injector.url, { path: '/mutate', caPem, body: { kind: 'Pod' } })).status).toBe(400);
    expect((await call(injector.url, { path: '/mutate', caPem, body: '{"kind":', contentType: 'application/json' })).status).toBe(400);
    expect((await call(injector.url, { path: '/health/ready', caPem })).status).toBe(204);
    const metrics = await call(injector.url, { path: '/metrics', caPem });
    expect(metrics.text).toMatch(/vault_agent_injector_injections_by_namespace_total\{namespace="app",injection_type="init_and_sidecar"\} \d+/);
    expect(metrics.text).toMatch(/vault_agent_injector_injections_by_namespace_total\{namespace="app",injection_type="init_only"\} 1/);
    expect(metrics.text).toMatch(/vault_agent_injector_failed_injections_by_namespace_total\{namespace="kube-system"\} 1/);
  });
});
