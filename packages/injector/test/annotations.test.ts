import type { IPod } from 'kubernetes-models/v1';
import { describe, expect, it } from 'vitest';
import { mutate, settingsFromEnv, SettingsError, type AdmissionRequest } from '../src/index.js';
import { admissionReview, annotatedPod, appContainer, TOKEN_MOUNT, TOKEN_VOLUME } from './pods.js';
import { agentConfigJson, containerNamed, parsedAgentConfig, patchedPod } from './webhook-client.js';

const V = 'vault.hashicorp.com/';
const BASE = { [`${V}agent-inject`]: 'true', [`${V}role`]: 'web', [`${V}agent-inject-secret-config`]: 'secret/data/app/config' };
const ENV = {
  AGENT_INJECT_VAULT_ADDR: 'https://coffer.coffer.svc:8200',
  AGENT_INJECT_VAULT_IMAGE: 'registry.example.com/coffer:0.1.0',
  AGENT_INJECT_TLS_AUTO: 'coffer-agent-injector-cfg',
  AGENT_INJECT_TLS_AUTO_HOSTS: 'coffer-agent-injector-svc,coffer-agent-injector-svc.coffer.svc',
};

/** mutate() as the handler calls it, with the injector's settings from these variables. */
function admit(pod: IPod, env: Record<string, string> = {}) {
  const request = admissionReview(pod).request as AdmissionRequest;
  const result = mutate(request, settingsFromEnv({ ...ENV, ...env }).agent);
  return { response: result.response, pod: result.response.allowed ? patchedPod(pod, result.response) : undefined };
}

describe('annotations and injector settings', () => {
  it('native sidecars by default from AGENT_INJECT_KUBERNETES_VERSION >= 1.29; the annotation overrides; refused on an older cluster', () => {
    const native = admit(annotatedPod(BASE), { AGENT_INJECT_KUBERNETES_VERSION: 'v1.30.2' }).pod!;
    expect(native.spec!.initContainers?.map((c) => [c.name, c.restartPolicy])).toEqual([['vault-agent-init', undefined], ['vault-agent', 'Always']]);
    const optOut = admit(annotatedPod({ ...BASE, [`${V}agent-enable-native-sidecar`]: 'false' }), { AGENT_INJECT_KUBERNETES_VERSION: '1.31' }).pod!;
    expect(optOut.spec!.containers.map((c) => c.name)).toEqual(['web', 'vault-agent']);
    const old = admit(annotatedPod({ ...BASE, [`${V}agent-enable-native-sidecar`]: 'true' }), { AGENT_INJECT_KUBERNETES_VERSION: '1.28' });
    expect(old.response.status?.message).toContain(`${V}agent-enable-native-sidecar: native sidecars need Kubernetes 1.29 or later; the injector is configured for 1.28`);
    expect(admit(annotatedPod(BASE), { AGENT_INJECT_KUBERNETES_VERSION: '1.28' }).pod!.spec!.containers).toHaveLength(2);
  });

  it('agent-inject-containers limits the mounts; an unknown name is a warning', () => {
    const pod = annotatedPod({ ...BASE, [`${V}agent-inject-containers`]: 'web,wbe' }, { containers: [appContainer('web'), appContainer('metrics')] });
    const { response, pod: out } = admit(pod);
    expect(response.warnings).toEqual([`${V}agent-inject-containers: the pod has no container named wbe`]);
    const mounted = (name: string) => containerNamed(out!.spec!.containers, name)?.volumeMounts?.some((m) => m.name === 'vault-secrets');
    expect([mounted('web'), mounted('metrics')]).toEqual([true, false]);
  });

  it('agent-init-first puts the agent before the pod\'s own init containers (service meshes)', () => {
    const pod = annotatedPod({ ...BASE, [`${V}agent-init-first`]: 'true' }, { initContainers: [appContainer('istio-init'), appContainer('migrate')] });
    const out = admit(pod).pod!;
    expect(out.spec!.initContainers?.map((c) => c.name)).toEqual(['vault-agent-init', 'istio-init', 'migrate']);
    expect(containerNamed(out.spec!.initContainers, 'migrate')?.volumeMounts).toContainEqual({ name: 'vault-secrets', mountPath: '/vault/secrets' });
  });

  it('service-account-token-volume-name: a projected token volume, at the app\'s mount path or vault-k8s\'s default one', async () => {
    const projected = {
      name: 'vault-token',
      projected: { sources: [{ serviceAccountToken: { path: 'coffer-token', audience: 'coffer', expirationSeconds: 600 } }] },
    };
    const annotations = { ...BASE, [`${V}agent-service-account-token-volume-name`]: 'vault-token' };
    const mountedByApp = admit(annotatedPod(annotations, { volumes: [projected], containers: [appContainer('web', { volumeMounts: [{ name: 'vault-token', mountPath: '/var/run/secrets/coffer' }] })] })).pod!;
    const agent = containerNamed(mountedByApp.spec!.containers, 'vault-agent');
    expect(agent?.volumeMounts).toContainEqual({ name: 'vault-token', mountPath: '/var/run/secrets/coffer', readOnly: true });
    expect((await parsedAgentConfig(agent)).autoAuth?.method).toMatchObject({ tokenPath: '/var/run/secrets/coffer/coffer-token' });

    const notMounted = admit(annotatedPod(annotations, { volumes: [projected] })).pod!;
    expect((await parsedAgentConfig(containerNamed(notMounted.spec!.containers, 'vault-agent'))).autoAuth?.method).toMatchObject({
      tokenPath: '/var/run/secrets/vault.hashicorp.com/serviceaccount/coffer-token',
    });
    const missing = admit(annotatedPod({ ...BASE, [`${V}agent-service-account-token-volume-name`]: 'nope' }));
    expect(missing.response.status?.message).toContain(`${V}agent-service-account-token-volume-name: the pod has no volume named "nope"`);
  });

  it('a pod without a service-account token mount is refused with the reason', () => {
    const pod = annotatedPod(BASE, { automountServiceAccountToken: false, containers: [{ name: 'web', image: 'web:1' }] });
    expect(admit(pod).response.status?.message).toContain('no service-account token for the agent to log in with: no container mounts a service-account token (is automountServiceAccountToken false?)');
  });

  it('resources: annotations override, an empty value or setting removes a limit, a request above its limit is refused', () => {
    const agent = (pod: IPod | undefined) => containerNamed(pod!.spec!.containers, 'vault-agent')!;
    expect(agent(admit(annotatedPod({ ...BASE, [`${V}agent-limits-cpu`]: '', [`${V}agent-requests-mem`]: '20Mi' })).pod).resources).toEqual({
      requests: { cpu: '50m', memory: '20Mi' },
      limits: { memory: '128Mi' },
    });
    expect(agent(admit(annotatedPod(BASE), { AGENT_INJECT_CPU_LIMIT: '', AGENT_INJECT_MEM_LIMIT: '96Mi' }).pod).resources?.limits).toEqual({ memory: '96Mi' });
    const refused = admit(annotatedPod({ ...BASE, [`${V}agent-requests-mem`]: '256Mi' }));
    expect(refused.response.status?.message).toContain(`${V}agent-requests-mem (256Mi) is more than ${V}agent-limits-mem (128Mi)`);
  });

  it('security context: run-as annotations, run-as-same-user, and off', () => {
    const sc = (annotations: Record<string, string>, env: Record<string, string> = {}) =>
      containerNamed(admit(annotatedPod({ ...BASE, ...annotations }, { containers: [appContainer('web', { securityContext: { runAsUser: 1234 } })] }), env).pod!.spec!.containers, 'vault-agent')!.securityContext;
    expect(sc({ [`${V}agent-run-as-user`]: '2000', [`${V}agent-run-as-group`]: '3000' })).toMatchObject({ runAsUser: 2000, runAsGroup: 3000, runAsNonRoot: true });
    expect(sc({ [`${V}agent-run-as-same-user`]: 'true' })).toMatchObject({ runAsUser: 1234 });
    expect(sc({ [`${V}agent-run-as-user`]: '0' })).toMatchObject({ runAsUser: 0, runAsNonRoot: false });
    expect(sc({ [`${V}agent-set-security-context`]: 'false' })).toBeUndefined();
    expect(sc({}, { AGENT_INJECT_RUN_AS_USER: '65532' })).toMatchObject({ runAsUser: 65532 });
  });

  it('vault connection and auth annotations reach the agent config', async () => {
    const out = admit(
      annotatedPod({
        [`${V}agent-inject`]: 'true',
        [`${V}agent-inject-secret-config`]: 'secret/data/app/config',
        [`${V}auth-config-role`]: 'from-auth-config',
        [`${V}auth-path`]: 'k8s-east',
        [`${V}namespace`]: 'team-a',
        [`${V}service`]: 'https://coffer.other.svc:8200/',
        [`${V}tls-skip-verify`]: 'true',
        [`${V}ca-cert`]: '/vault/tls/ca.crt',
        [`${V}tls-secret`]: 'coffer-ca',
        [`${V}tls-server-name`]: 'coffer.internal',
        [`${V}client-max-retries`]: '3',
        [`${V}auth-min-backoff`]: '2s',
        [`${V}template-static-secret-render-interval`]: '30s',
        [`${V}agent-inject-token`]: 'true',
        [`${V}log-level`]: 'debug',
      }),
    ).pod!;
    const sidecar = containerNamed(out.spec!.containers, 'vault-agent');
    expect(sidecar?.volumeMounts).toContainEqual({ name: 'vault-tls-secrets', mountPath: '/vault/tls', readOnly: true });
    const parsed = await parsedAgentConfig(sidecar);
    expect(parsed.vault).toMatchObject({ address: 'https://coffer.other.svc:8200', tlsSkipVerify: true, caCert: '/vault/tls/ca.crt', tlsServerName: 'coffer.internal', numRetries: 3 });
    // The missing `auth/` prefix is added (vault-k8s#75).
    expect(parsed.autoAuth?.method).toMatchObject({ mountPath: 'auth/k8s-east', namespace: 'team-a', role: 'from-auth-config', minBackoffMs: 2000 });
    expect(parsed.autoAuth?.sinks.map((s) => s.path)).toEqual(['/home/vault/.vault-token', '/vault/secrets/token']);
    expect(parsed.templateConfig.staticSecretRenderIntervalMs).toBe(30_000);
    expect(parsed.logLevel).toBe('debug');
  });

  it('jwt auth reads the service-account token without deleting it', async () => {
    const out = admit(annotatedPod({ ...BASE, [`${V}auth-type`]: 'jwt', [`${V}auth-path`]: 'auth/jwt' })).pod!;
    const parsed = await parsedAgentConfig(containerNamed(out.spec!.containers, 'vault-agent'));
    expect(parsed.autoAuth?.method).toMatchObject({ type: 'jwt', mountPath: 'auth/jwt', role: 'web', path: `${TOKEN_MOUNT}/token`, removeJwtAfterReading: false });
    const refused = admit(annotatedPod({ ...BASE, [`${V}auth-type`]: 'aws' }));
    expect(refused.response.status?.message).toContain(`${V}auth-type: "aws" is not supported`);
    const badKey = admit(annotatedPod({ ...BASE, [`${V}auth-config-audience`]: 'coffer' }));
    expect(badKey.response.status?.message).toContain(`${V}auth-config-audience: the Coffer agent's kubernetes method takes only role, token_path`);
  });

  it('secret-volume-path per secret adds its own volume; NAME keeps its case only with preserve-secret-case', () => {
    const out = admit(
      annotatedPod({
        ...BASE,
        [`${V}agent-inject-secret-Cert`]: 'pki/issue/web',
        [`${V}secret-volume-path-Cert`]: '/etc/tls',
        [`${V}agent-inject-secret-KeepMe`]: 'secret/data/app/k',
        [`${V}preserve-secret-case-KeepMe`]: 'true',
      }),
    ).pod!;
    expect(out.spec!.volumes?.map((v) => v.name)).toContain('vault-secrets-custom-0');
    expect(containerNamed(out.spec!.containers, 'web')?.volumeMounts).toContainEqual({ name: 'vault-secrets-custom-0', mountPath: '/etc/tls' });
    const destinations = agentConfigJson(containerNamed(out.spec!.containers, 'vault-agent')).template.map((t: { destination: string }) => t.destination);
    expect(destinations.sort()).toEqual(['/etc/tls/cert', '/vault/secrets/KeepMe', '/vault/secrets/config']);
  });

  it('unknown and unsupported annotations are warnings, not refusals; agent-configmap is refused', () => {
    const { response } = admit(annotatedPod({ ...BASE, [`${V}agent-cache-enable`]: 'true', 'coffer.dev/agent-inject-secrt-x': 'secret/x' }));
    expect(response.allowed).toBe(true);
    expect(response.warnings).toEqual([
      `${V}agent-cache-enable is not supported by the Coffer agent injector and was ignored`,
      'coffer.dev/agent-inject-secrt-x is not an annotation the Coffer agent injector knows; ignored',
    ]);
    expect(admit(annotatedPod({ ...BASE, [`${V}agent-configmap`]: 'my-config' })).response.status?.message).toContain(`${V}agent-configmap: agent configuration from a ConfigMap is not supported`);
  });

  it('only pods being created and still Pending are injected', () => {
    const running = annotatedPod(BASE) as IPod & { status: { phase: string } };
    running.status = { phase: 'Running' };
    expect(admit(running).response).toEqual({ uid: expect.any(String), allowed: true });
    const request = admissionReview(annotatedPod(BASE), { operation: 'UPDATE' }).request as AdmissionRequest;
    expect(mutate(request, settingsFromEnv(ENV).agent).response.patch).toBeUndefined();
  });

  it('the volumes list is created whole when the pod has none, appended to otherwise', () => {
    const pod = annotatedPod(BASE);
    const request = admissionReview(pod).request as AdmissionRequest;
    const ops = JSON.parse(Buffer.from(mutate(request, settingsFromEnv(ENV).agent).response.patch as string, 'base64').toString('utf8'));
    expect(ops.filter((o: { path: string }) => o.path.startsWith('/spec/volumes')).map((o: { path: string }) => o.path)).toEqual(['/spec/volumes/-', '/spec/volumes/-', '/spec/volumes/-']);
    expect(ops.at(-1)).toEqual({ op: 'add', path: '/metadata/annotations/vault.hashicorp.com~1agent-inject-status', value: 'injected' });
    const bare = { ...pod, spec: { ...pod.spec!, volumes: [] } };
    const bareOps = JSON.parse(Buffer.from(mutate({ ...request, object: bare }, settingsFromEnv(ENV).agent).response.patch as string, 'base64').toString('utf8'));
    expect(bareOps[0]).toMatchObject({ op: 'add', path: '/spec/volumes', value: [{ name: 'home-init' }, { name: 'home-sidecar' }, { name: 'vault-secrets' }].map((v) => expect.objectContaining(v)) });
    expect(pod.spec!.volumes?.[0]?.name).toBe(TOKEN_VOLUME);
  });

  it('settings: vault-k8s variables with small defaults; every problem reported at once', () => {
    const settings = settingsFromEnv(ENV);
    expect(settings.agent.resources).toEqual({ 'requests-cpu': '50m', 'requests-mem': '64Mi', 'requests-ephemeral': '', 'limits-cpu': '250m', 'limits-mem': '128Mi', 'limits-ephemeral': '' });
    expect(settings.listen).toEqual({ host: '0.0.0.0', port: 8080 });
    expect(settings.tls).toEqual({ mode: 'auto', webhookName: 'coffer-agent-injector-cfg', hosts: ['coffer-agent-injector-svc', 'coffer-agent-injector-svc.coffer.svc'], secretName: 'coffer-agent-injector-certs', namespace: undefined });
    expect(settingsFromEnv({ ...ENV, AGENT_INJECT_REVOKE_ON_SHUTDOWN: 'true' }).ignored).toEqual(['AGENT_INJECT_REVOKE_ON_SHUTDOWN']);
    let error: unknown;
    try {
      settingsFromEnv({ AGENT_INJECT_CPU_LIMIT: 'lots', AGENT_INJECT_DEFAULT_TEMPLATE: 'yaml', AGENT_INJECT_TLS_AUTO: 'cfg' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    expect((error as SettingsError).problems).toEqual([
      'AGENT_INJECT_VAULT_ADDR is required: the address injected agents use to reach Coffer',
      "AGENT_INJECT_VAULT_IMAGE is required: the Coffer image the injected agents run (the injector's own image)",
      'AGENT_INJECT_DEFAULT_TEMPLATE: "yaml" is not map or json',
      'AGENT_INJECT_CPU_LIMIT: "lots" is not a resource quantity such as "250m" or "64Mi"',
      'AGENT_INJECT_TLS_AUTO_HOSTS is required with AGENT_INJECT_TLS_AUTO: the names the API server calls the webhook by (service, service.namespace, service.namespace.svc)',
    ]);
  });
});
