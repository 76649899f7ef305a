import { randomUUID } from 'node:crypto';
import type { IContainer, IPod } from 'kubernetes-models/v1';

/** The projected token volume the API server's ServiceAccount admission adds before webhooks run. */
export const TOKEN_VOLUME = 'kube-api-access-x7k2p';
export const TOKEN_MOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';

/** An app container as it reaches the webhook: with the service-account token mount. */
export function appContainer(name: string, extra: Partial<IContainer> = {}): IContainer {
  return {
    name,
    image: 'registry.example.com/web:1.4',
    ...extra,
    volumeMounts: [...(extra.volumeMounts ?? []), { name: TOKEN_VOLUME, mountPath: TOKEN_MOUNT, readOnly: true }],
  };
}

/** A pod as the API server sends it to a mutating webhook at CREATE. */
export function annotatedPod(annotations: Record<string, string>, spec: Partial<NonNullable<IPod['spec']>> = {}, namespace = 'app'): IPod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'web-7d9f8c-', namespace, labels: { app: 'web' }, annotations },
    spec: {
      serviceAccountName: 'web',
      containers: [appContainer('web')],
      ...spec,
      volumes: [
        ...(spec.volumes ?? []),
        {
          name: TOKEN_VOLUME,
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
              { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
              { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
            ],
          },
        },
      ],
    },
  };
}

/** An AdmissionReview as the API server posts it. */
export function admissionReview(pod: IPod, options: { namespace?: string; apiVersion?: string; operation?: string } = {}): Record<string, unknown> {
  return {
    apiVersion: options.apiVersion ?? 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: randomUUID(),
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: { group: '', version: 'v1', kind: 'Pod' },
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      namespace: options.namespace ?? pod.metadata?.namespace ?? 'app',
      operation: options.operation ?? 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
      object: pod,
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
    },
  };
}
