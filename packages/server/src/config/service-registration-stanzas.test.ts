import { describe, expect, it } from 'vitest';
import { parseServerConfig } from './server-config.js';

const base = 'storage "inmem" {}\nlistener "tcp" { tls_disable = true }\n';
const parse = (text: string, env: Record<string, string> = {}) => parseServerConfig(base + text, { fileName: 'coffer.hcl', env });
const IN_CLUSTER = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' };

describe('service_registration stanza', () => {
  it('reads Vault’s keys and defaults to the in-cluster API server and service-account files', async () => {
    const config = await parse('service_registration "kubernetes" {\n  namespace = "vault"\n  pod_name = "vault-0"\n}\n', IN_CLUSTER);
    expect(config.serviceRegistration).toEqual({
      type: 'kubernetes',
      namespace: 'vault',
      podName: 'vault-0',
      kubernetesHost: 'https://10.96.0.1:443',
      tokenPath: '/var/run/secrets/kubernetes.io/serviceaccount/token',
      caCertPath: '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
    });
  });

  it('is absent unless configured', async () => {
    expect((await parse('')).serviceRegistration).toBeUndefined();
  });

  it('takes namespace and pod name from the downward-API env vars, which win over the stanza as in Vault; COFFER_ before VAULT_', async () => {
    const empty = await parse('service_registration "kubernetes" {}\n', { ...IN_CLUSTER, VAULT_K8S_NAMESPACE: 'ns', VAULT_K8S_POD_NAME: 'p-1' });
    expect(empty.serviceRegistration).toMatchObject({ namespace: 'ns', podName: 'p-1' });
    const both = await parse('service_registration "kubernetes" {\n  namespace = "cfg"\n  pod_name = "cfg-0"\n}\n', {
      ...IN_CLUSTER,
      VAULT_K8S_POD_NAME: 'vault-env',
      COFFER_K8S_POD_NAME: 'coffer-env',
    });
    expect(both.serviceRegistration).toMatchObject({ namespace: 'cfg', podName: 'coffer-env' });
  });

  it('takes the Coffer additions: kubernetes_host (IPv6 in-cluster hosts bracketed), token_path, ca_cert_path', async () => {
    const config = await parse(
      'service_registration "kubernetes" {\n  namespace = "a"\n  pod_name = "b"\n  kubernetes_host = "https://127.0.0.1:6443/"\n  token_path = "/t"\n  ca_cert_path = "/c"\n}\n',
    );
    expect(config.serviceRegistration).toMatchObject({ kubernetesHost: 'https://127.0.0.1:6443', tokenPath: '/t', caCertPath: '/c' });
    const v6 = await parse('service_registration "kubernetes" {\n  namespace = "a"\n  pod_name = "b"\n}\n', {
      KUBERNETES_SERVICE_HOST: 'fd00::1',
      KUBERNETES_SERVICE_PORT: '443',
    });
    expect(v6.serviceRegistration?.kubernetesHost).toBe('https://[fd00::1]:443');
  });

  it('refuses, on their lines: a missing pod name, no API server outside a pod, unknown keys and types, two stanzas', async () => {
    await expect(parse('service_registration "kubernetes" {\n  namespace = "a"\n}\n', IN_CLUSTER)).rejects.toThrow(
      /coffer\.hcl:3: service_registration "kubernetes": "pod_name" must be set here or in COFFER_K8S_POD_NAME or VAULT_K8S_POD_NAME/,
    );
    await expect(parse('service_registration "kubernetes" {\n  namespace = "a"\n  pod_name = "b"\n}\n')).rejects.toThrow(
      /not running in a Kubernetes pod .*"kubernetes_host"/,
    );
    await expect(parse('service_registration "kubernetes" {\n  pod_nam = "b"\n}\n', IN_CLUSTER)).rejects.toThrow(
      /coffer\.hcl:4: unknown key "pod_nam" in service_registration "kubernetes" \(did you mean "pod_name"\?\)/,
    );
    await expect(parse('service_registration "consul" {}\n')).rejects.toThrow(/unknown service_registration type "consul" \(supported: kubernetes\)/);
    await expect(
      parse('service_registration "kubernetes" {}\nservice_registration "kubernetes" {}\n', { ...IN_CLUSTER, VAULT_K8S_NAMESPACE: 'a', VAULT_K8S_POD_NAME: 'b' }),
    ).rejects.toThrow(/only one service_registration stanza is allowed/);
    await expect(parse('service_registration "kubernetes" {\n  kubernetes_host = "not a url"\n}\n', IN_CLUSTER)).rejects.toThrow(/kubernetes_host/);
  });
});
