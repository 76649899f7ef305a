import type { ServiceRegistrationConfig } from './config-types.js';
import { stringField, urlField } from './fields.js';
import { defineStanza, type StanzaKind } from './stanzas.js';

/** Where Kubernetes mounts every pod's service-account token and the cluster CA. */
export const IN_CLUSTER_TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/token';
export const IN_CLUSTER_CA_PATH = '/var/run/secrets/kubernetes.io/serviceaccount/ca.crt';

/** Environment variables that name the pod, Coffer's spelling first; they win over the stanza, as Vault's do. */
const NAMESPACE_ENV = ['COFFER_K8S_NAMESPACE', 'VAULT_K8S_NAMESPACE'];
const POD_NAME_ENV = ['COFFER_K8S_POD_NAME', 'VAULT_K8S_POD_NAME'];

/**
 * `service_registration "kubernetes" { namespace, pod_name }`: Vault's keys, which the Helm chart
 * leaves to the downward-API env vars (VAULT_K8S_NAMESPACE, VAULT_K8S_POD_NAME) that take
 * precedence. `kubernetes_host`, `token_path` and `ca_cert_path` are Coffer additions for running
 * outside a pod (tests, a node that reaches the API through a proxy); in a pod they default to
 * KUBERNETES_SERVICE_HOST/PORT and the mounted service account, as Vault's in-cluster client does.
 */
export function serviceRegistrationStanzas(env: Record<string, string | undefined>): StanzaKind<ServiceRegistrationConfig> {
  const fromEnv = (names: string[]) => names.map((name) => env[name]?.trim() ?? '').find((value) => value !== '');
  const kubernetes = defineStanza(
    {
      namespace: stringField(),
      pod_name: stringField(),
      kubernetes_host: urlField(),
      token_path: stringField(),
      ca_cert_path: stringField(),
    },
    (values, report): ServiceRegistrationConfig | undefined => {
      const namespace = fromEnv(NAMESPACE_ENV) ?? values.namespace;
      const podName = fromEnv(POD_NAME_ENV) ?? values.pod_name;
      if (namespace === undefined) report(undefined, `"namespace" must be set here or in ${NAMESPACE_ENV.join(' or ')}`);
      if (podName === undefined) report(undefined, `"pod_name" must be set here or in ${POD_NAME_ENV.join(' or ')}`);
      const host = values.kubernetes_host ?? inClusterHost(env);
      if (host === undefined) {
        report(
          undefined,
          'not running in a Kubernetes pod (KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are unset); set "kubernetes_host" to reach the API server',
        );
      }
      if (namespace === undefined || podName === undefined || host === undefined) return undefined;
      return {
        type: 'kubernetes',
        namespace,
        podName,
        kubernetesHost: host.replace(/\/+$/, ''),
        tokenPath: values.token_path ?? IN_CLUSTER_TOKEN_PATH,
        caCertPath: values.ca_cert_path ?? IN_CLUSTER_CA_PATH,
      };
    },
  );
  return {
    name: 'service_registration',
    min: 0,
    max: 1,
    example: 'service_registration "kubernetes" {}',
    types: { kubernetes },
  };
}

/** The API server as every pod sees it: the kubernetes Service's address the kubelet puts in the env. */
function inClusterHost(env: Record<string, string | undefined>): string | undefined {
  const host = env['KUBERNETES_SERVICE_HOST']?.trim();
  const port = env['KUBERNETES_SERVICE_PORT']?.trim();
  if (!host || !port) return undefined;
  return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
}
