import { mkdtemp, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseServerConfig } from '@coffer/server';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadManifests, validateManifest, type Manifest } from '../src/deploy/manifests.js';

/**
 * CI's check of deploy/: every YAML document validates (kubernetes-models for built-in kinds, plus
 * an unknown-key check from its typings; our schemas for the ESO and CSI resources), the embedded
 * Coffer configs parse as the server would parse them in the pod, the objects fit together, and
 * the image definition keeps its promises. Plain manifests, no chart: see deploy/README.md.
 */
const DEPLOY = resolve(import.meta.dirname, '../../../deploy');
const { manifests, problems: yamlProblems } = loadManifests(DEPLOY);

type Obj = Record<string, any>;
const all = (kind: string): Obj[] => manifests.filter((m) => m.object['kind'] === kind).map((m) => m.object as Obj);
const named = (kind: string, name: string): Obj => {
  const found = all(kind).filter((o) => o['metadata']?.name === name);
  if (found.length === 0) throw new Error(`no ${kind} ${name} under deploy/`);
  return found[0] as Obj;
};
const label = (m: Manifest) => `${m.where} ${String(m.object['kind'])}/${String((m.object['metadata'] as Obj | undefined)?.['name'])}`;
const subset = (small: Record<string, string>, big: Record<string, string>) => Object.entries(small).every(([k, v]) => big[k] === v);

describe('deploy/: every manifest validates against its schema', () => {
  it('parses every YAML file', () => {
    expect(yamlProblems).toEqual([]);
    expect(manifests.length).toBeGreaterThanOrEqual(25);
  });

  it('validates each object (types, enums, required fields, no unknown keys)', async () => {
    const problems: string[] = [];
    for (const manifest of manifests) {
      for (const problem of await validateManifest(manifest.object)) problems.push(`${label(manifest)}: ${problem}`);
    }
    expect(problems).toEqual([]);
  });

  it('fails on broken objects: a bad type, a misspelt key, a missing required field, an unknown kind, bad YAML', async () => {
    const statefulSet = structuredClone(named('StatefulSet', 'coffer'));
    statefulSet['spec'].replicas = 'three';
    expect((await validateManifest(statefulSet)).join('\n')).toMatch(/replicas must be integer/);

    const typo = structuredClone(named('StatefulSet', 'coffer'));
    const container = typo['spec'].template.spec.containers[0];
    container.livenesProbe = container.livenessProbe;
    delete container.livenessProbe;
    expect(await validateManifest(typo)).toEqual([
      'spec.template.spec.containers[0].livenesProbe: unknown key "livenesProbe" (did you mean "livenessProbe"?)',
    ]);

    const webhook = structuredClone(named('MutatingWebhookConfiguration', 'coffer-agent-injector-cfg'));
    delete webhook['webhooks'][0].sideEffects;
    webhook['webhooks'][0].failurePolicy = 'Sometimes';
    const webhookProblems = (await validateManifest(webhook)).join('\n');
    expect(webhookProblems).toMatch(/sideEffects/);
    expect(webhookProblems).toMatch(/failurePolicy must be equal to one of the allowed values/);

    expect(await validateManifest({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual(['no schema for example.com/v1 Widget']);

    const store = structuredClone(named('SecretStore', 'coffer'));
    delete store['spec'].provider.vault.server;
    store['spec'].provider.vault.auth.kubernetes.roel = 'eso';
    expect(await validateManifest(store)).toEqual([
      'spec.provider.vault: missing required key "server"',
      'spec.provider.vault.auth.kubernetes.roel: unknown key "roel"',
    ]);
    const spc = structuredClone(named('SecretProviderClass', 'coffer-app-config'));
    spc['spec'].parameters.objects = '- objectName: a\n  secretKey: b\n- objectName: a\n  secretPath: secret/data/x\n';
    expect(await validateManifest(spc)).toEqual([
      'spec.parameters.objects[0]: missing required key "secretPath"',
      'spec.parameters.objects: objectName "a" is used twice',
    ]);

    const dir = await mkdtemp(join(tmpdir(), 'coffer-deploy-'));
    await writeFile(join(dir, 'bad.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   bad: indent\n');
    expect(loadManifests(dir).problems.join('\n')).toMatch(/^bad\.yaml#1: /);
  });
});

describe('deploy/: the Coffer server configs', () => {
  /** The container's environment as the kubelet builds it: downward-API values, then $(VAR) expanded in order. */
  let podEnv: Record<string, string>;
  beforeAll(() => {
    const container = named('StatefulSet', 'coffer')['spec'].template.spec.containers[0];
    const fields: Record<string, string> = { 'metadata.name': 'coffer-1', 'metadata.namespace': 'coffer', 'status.podIP': '10.1.2.3' };
    podEnv = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };
    for (const { name, value, valueFrom } of container.env as Obj[]) {
      podEnv[name] = valueFrom ? (fields[valueFrom.fieldRef.fieldPath] as string) : String(value).replace(/\$\((\w+)\)/g, (_, v: string) => podEnv[v] ?? `$(${v})`);
    }
  });

  const configMaps = () => all('ConfigMap').filter((c) => c['metadata'].name === 'coffer-config');

  it('ships one ConfigMap per seal (awskms, azurekeyvault, gcpckms, static), each parsing as the pod would read it', async () => {
    const seals: string[] = [];
    for (const configMap of configMaps()) {
      const seal = configMap['metadata'].labels['coffer.dev/seal'] as string;
      const config = await parseServerConfig(configMap['data']['coffer.hcl'], { fileName: `config/${seal}.yaml coffer.hcl`, env: podEnv });
      expect(config.seals.map((s) => s.type)).toEqual([seal]);
      expect(config.storage).toMatchObject({ type: 'etcd', etcd: { haEnabled: true, path: '/coffer/' } });
      expect(config.serviceRegistration).toEqual({
        type: 'kubernetes',
        namespace: 'coffer',
        podName: 'coffer-1',
        kubernetesHost: 'https://10.96.0.1:443',
        tokenPath: '/var/run/secrets/kubernetes.io/serviceaccount/token',
        caCertPath: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
      });
      expect(config.apiAddr).toBe('http://10.1.2.3:8200');
      expect(config.clusterAddr).toBe('https://coffer-1.coffer-internal:8201');
      expect(config.listeners[0]).toMatchObject({ host: '0.0.0.0', port: 8200 });
      seals.push(seal);
    }
    expect(seals.sort()).toEqual(['awskms', 'azurekeyvault', 'gcpckms', 'static']);
  });

  it('the static seal reads its key from the Secret volume the StatefulSet mounts', async () => {
    const text = configMaps().find((c) => c['metadata'].labels['coffer.dev/seal'] === 'static')?.['data']['coffer.hcl'] as string;
    const config = await parseServerConfig(text, { fileName: 'static', env: podEnv });
    const spec = named('StatefulSet', 'coffer')['spec'].template.spec;
    const mount = spec.containers[0].volumeMounts.find((m: Obj) => m['name'] === 'static-seal');
    expect(config.seals[0]).toMatchObject({ currentKey: { kind: 'file', path: `${mount.mountPath}/key` } });
    expect(spec.volumes.find((v: Obj) => v['name'] === 'static-seal').secret).toEqual({ secretName: 'coffer-static-seal', optional: true });
  });

  it('a broken config is refused with its line', async () => {
    const text = (configMaps()[0]?.['data']['coffer.hcl'] as string).replace('ha_enabled', 'ha_enable');
    await expect(parseServerConfig(text, { fileName: 'coffer.hcl', env: podEnv })).rejects.toThrow(/coffer\.hcl:\d+: .*ha_enable/);
  });
});

describe('deploy/: the objects fit together', () => {
  const statefulSet = () => named('StatefulSet', 'coffer');
  const podLabels = () => statefulSet()['spec'].template.metadata.labels as Record<string, string>;

  it('the StatefulSet: 3 replicas, parallel, one per node, probes on sys/health, a preStop pause, its config mounted', () => {
    const spec = statefulSet()['spec'];
    expect(spec).toMatchObject({ replicas: 3, podManagementPolicy: 'Parallel', serviceName: 'coffer-internal' });
    const anti = spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    expect(anti.topologyKey).toBe('kubernetes.io/hostname');
    expect(subset(anti.labelSelector.matchLabels, podLabels())).toBe(true);
    const container = spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet).toEqual({ path: '/v1/sys/health?standbyok=true&sealedcode=503&uninitcode=503', port: 8200 });
    expect(container.livenessProbe.httpGet.path).toBe('/v1/sys/health?standbyok=true&sealedcode=200&uninitcode=200');
    expect(container.lifecycle.preStop.exec.command.join(' ')).toMatch(/sleep \d+/);
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    const configVolume = spec.template.spec.volumes.find((v: Obj) => v['configMap']);
    expect(configVolume.configMap.name).toBe('coffer-config');
    const configMount = container.volumeMounts.find((m: Obj) => m['name'] === configVolume.name);
    expect(container.args).toContain(`--config=${configMount.mountPath}/coffer.hcl`);
    expect(named('ServiceAccount', spec.template.spec.serviceAccountName)).toBeDefined();
  });

  it('Services: active and standby select on the vault-active label service registration sets; the headless one publishes not-ready pods', () => {
    const services = all('Service').filter((s) => s['metadata'].namespace === 'coffer' && s['metadata'].name.startsWith('coffer') && !s['metadata'].name.includes('injector'));
    expect(services.map((s) => s['metadata'].name).sort()).toEqual(['coffer', 'coffer-active', 'coffer-internal', 'coffer-standby']);
    for (const service of services) {
      const { 'vault-active': active, ...rest } = service['spec'].selector as Record<string, string>;
      expect(subset(rest, podLabels()), service['metadata'].name).toBe(true);
      expect(active).toBe({ 'coffer-active': 'true', 'coffer-standby': 'false' }[service['metadata'].name as string]);
    }
    expect(named('Service', 'coffer-internal')['spec']).toMatchObject({ clusterIP: 'None', publishNotReadyAddresses: true });
    expect(named('PodDisruptionBudget', 'coffer')['spec'].maxUnavailable).toBe(1);
    expect(subset(named('PodDisruptionBudget', 'coffer')['spec'].selector.matchLabels, podLabels())).toBe(true);
  });

  it('RBAC: the server may get and patch pods (service registration) and create TokenReviews (auth-delegator)', () => {
    const binding = named('RoleBinding', 'coffer-discovery');
    expect(binding['subjects']).toEqual([{ kind: 'ServiceAccount', name: 'coffer', namespace: 'coffer' }]);
    const role = named('Role', binding['roleRef'].name);
    expect(role['rules']).toContainEqual({ apiGroups: [''], resources: ['pods'], verbs: ['get', 'patch'] });
    const delegator = named('ClusterRoleBinding', 'coffer-auth-delegator');
    expect(delegator['roleRef']).toMatchObject({ kind: 'ClusterRole', name: 'system:auth-delegator' });
    expect(delegator['subjects']).toEqual([{ kind: 'ServiceAccount', name: 'coffer', namespace: 'coffer' }]);
  });

  it('the webhook reaches the injector on /mutate, fails open, skips kube-system and the injector itself', () => {
    const [hook] = named('MutatingWebhookConfiguration', 'coffer-agent-injector-cfg')['webhooks'];
    expect(hook).toMatchObject({ failurePolicy: 'Ignore', sideEffects: 'None', clientConfig: { service: { path: '/mutate', namespace: 'coffer' } } });
    expect(hook.namespaceSelector.matchExpressions).toContainEqual({ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system', 'kube-public'] });
    const service = named('Service', hook.clientConfig.service.name);
    const injector = named('Deployment', 'coffer-agent-injector');
    const injectorLabels = injector['spec'].template.metadata.labels as Record<string, string>;
    expect(subset(service['spec'].selector, injectorLabels)).toBe(true);
    expect(service['spec'].ports[0].targetPort).toBe(injector['spec'].template.spec.containers[0].ports[0].containerPort);
    expect(hook.objectSelector.matchExpressions[0]).toMatchObject({ key: 'app.kubernetes.io/name', operator: 'NotIn', values: [injectorLabels['app.kubernetes.io/name']] });
    expect(injector['spec'].template.spec.containers[0].image).toBe(statefulSet()['spec'].template.spec.containers[0].image);
  });

  it('the example app asks for /vault/secrets/config with the vault-k8s annotations', () => {
    const annotations = named('Deployment', 'web')['spec'].template.metadata.annotations as Record<string, string>;
    expect(annotations).toMatchObject({
      'vault.hashicorp.com/agent-inject': 'true',
      'vault.hashicorp.com/role': 'web',
      'vault.hashicorp.com/agent-inject-secret-config': 'secret/data/app/config',
    });
  });
});

describe('deploy/Dockerfile', () => {
  const text = readFileSync(join(DEPLOY, 'Dockerfile'), 'utf8');
  const instructions = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));

  it('is multi-stage on Node 20 slim, installs production dependencies only, runs as a non-root user with `coffer` as entry point', () => {
    const froms = instructions.filter((i) => i.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(instructions.find((i) => i.startsWith('ARG NODE_IMAGE='))).toMatch(/^ARG NODE_IMAGE=node:20[\w.-]*-slim$/);
    expect(instructions.some((i) => /npm ci --omit=dev/.test(i))).toBe(true);
    const finalStage = instructions.slice(instructions.lastIndexOf(froms.at(-1) as string));
    expect(finalStage.find((i) => i.startsWith('USER '))).toMatch(/^USER [1-9]\d*(:[1-9]\d*)?$/);
    expect(finalStage).toContain('ENTRYPOINT ["coffer"]');
    expect(finalStage.some((i) => /npm ci(?! --omit=dev)/.test(i))).toBe(false);
  });
});
