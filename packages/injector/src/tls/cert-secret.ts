import { KubeApiError, type KubeClient } from '../kube/kube-client.js';

/** What the shared Secret holds; every replica serves `tls.crt` and any of them can renew it with `ca.key`. */
export interface StoredCertificates {
  /** The CA bundle for the caBundle: the current CA last, the one it replaced (if any) before it. */
  caBundlePem: string;
  /** The key of the current (last) CA. */
  caKeyPem: string;
  certPem: string;
  keyPem: string;
}

/** The Secret as last read: absent, present but empty or unusable, or holding certificates. */
export interface SecretState {
  exists: boolean;
  /** For the optimistic-concurrency update: another replica's write in between makes ours a conflict. */
  resourceVersion: string | undefined;
  object: Record<string, any> | undefined;
  stored: StoredCertificates | undefined;
}

const KEYS = { caBundlePem: 'ca.crt', caKeyPem: 'ca.key', certPem: 'tls.crt', keyPem: 'tls.key' } as const;

/**
 * The certificate Secret in the Kubernetes API. Writes are conditional: a create that finds the
 * Secret already there, or an update whose resourceVersion is stale, reports `conflict`, and the
 * caller reads again and uses what the other replica wrote.
 */
export class CertSecret {
  constructor(
    private readonly kube: KubeClient,
    readonly namespace: string,
    readonly name: string,
  ) {}

  get path(): string {
    return `/api/v1/namespaces/${encodeURIComponent(this.namespace)}/secrets`;
  }

  async read(): Promise<SecretState> {
    const response = await this.kube.request('GET', `${this.path}/${encodeURIComponent(this.name)}`);
    if (response.status === 404) return { exists: false, resourceVersion: undefined, object: undefined, stored: undefined };
    if (response.status !== 200) throw KubeApiError.from(`reading Secret ${this.namespace}/${this.name}`, response);
    const object = response.body as Record<string, any>;
    const data = (object['data'] ?? {}) as Record<string, string>;
    const decoded = Object.fromEntries(
      Object.entries(KEYS).map(([field, key]) => [field, data[key] ? Buffer.from(data[key], 'base64').toString('utf8') : '']),
    ) as unknown as StoredCertificates;
    const complete = Object.values(decoded).every((v) => v !== '');
    return { exists: true, resourceVersion: object['metadata']?.resourceVersion, object, stored: complete ? decoded : undefined };
  }

  async write(state: SecretState, stored: StoredCertificates): Promise<'written' | 'conflict'> {
    const data = Object.fromEntries(Object.entries(KEYS).map(([field, key]) => [key, Buffer.from(stored[field as keyof StoredCertificates], 'utf8').toString('base64')]));
    if (!state.exists) {
      const response = await this.kube.request('POST', this.path, {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: this.name, namespace: this.namespace, labels: { 'app.kubernetes.io/managed-by': 'coffer-agent-injector' } },
        type: 'Opaque',
        data,
      });
      if (response.status === 201 || response.status === 200) return 'written';
      if (response.status === 409) return 'conflict';
      throw KubeApiError.from(`creating Secret ${this.namespace}/${this.name}`, response);
    }
    // An update keeps what the operator put there (labels, the type of a pre-created Secret).
    const object = state.object ?? {};
    const body = { ...object, data, metadata: { ...object['metadata'], resourceVersion: state.resourceVersion } };
    const response = await this.kube.request('PUT', `${this.path}/${encodeURIComponent(this.name)}`, body);
    if (response.status === 200) return 'written';
    if (response.status === 409) return 'conflict';
    throw KubeApiError.from(`updating Secret ${this.namespace}/${this.name}`, response);
  }
}
