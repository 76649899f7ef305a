import { readFile } from 'node:fs/promises';
import https from 'node:https';
import type { ServiceRegistrationConfig } from '../config/config-types.js';
import type { JsonPatchOp, PodLabels } from './pod-labels.js';

const REQUEST_TIMEOUT_MS = 10_000;
const MAX_REPLY_BYTES = 4 << 20;

/** The API server answered with an error status (its `metav1.Status` message when there is one). */
export class KubernetesApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'KubernetesApiError';
  }
}

/**
 * The two calls service registration makes on its own pod: GET (to see its labels) and a JSON
 * patch of them. The service-account token and the CA are read from their files on every call:
 * projected tokens rotate (hourly by default) and the CA can be rotated too, and a state change is
 * rare enough that the reads cost nothing. Only the configured CA is trusted.
 */
export class KubernetesPodClient {
  readonly #config: ServiceRegistrationConfig;
  readonly #podUrl: string;

  constructor(config: ServiceRegistrationConfig) {
    this.#config = config;
    const ns = encodeURIComponent(config.namespace);
    const pod = encodeURIComponent(config.podName);
    this.#podUrl = `${config.kubernetesHost}/api/v1/namespaces/${ns}/pods/${pod}`;
  }

  /** The pod's labels; undefined when the pod has no `metadata.labels` at all. */
  async podLabels(signal?: AbortSignal): Promise<PodLabels | undefined> {
    const pod = (await this.#call('GET', undefined, signal)) as { metadata?: { labels?: PodLabels } } | undefined;
    if (!pod?.metadata) throw new KubernetesApiError(0, 'the API server returned a pod without metadata');
    return pod.metadata.labels ?? undefined;
  }

  async patchPod(patch: JsonPatchOp[], signal?: AbortSignal): Promise<void> {
    await this.#call('PATCH', patch, signal);
  }

  async #call(method: 'GET' | 'PATCH', body: unknown, signal: AbortSignal | undefined): Promise<unknown> {
    const [token, ca] = await Promise.all([readFile(this.#config.tokenPath, 'utf8'), readFile(this.#config.caCertPath, 'utf8')]);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(this.#podUrl, {
        method,
        ca,
        minVersion: 'TLSv1.2',
        timeout: REQUEST_TIMEOUT_MS,
        ...(signal ? { signal } : {}),
        headers: {
          authorization: `Bearer ${token.trim()}`,
          accept: 'application/json',
          ...(payload === undefined ? {} : { 'content-type': 'application/json-patch+json', 'content-length': Buffer.byteLength(payload) }),
        },
      });
      req.on('timeout', () => req.destroy(new Error(`no answer from ${this.#config.kubernetesHost} within ${REQUEST_TIMEOUT_MS / 1000}s`)));
      req.on('error', reject);
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_REPLY_BYTES) res.destroy(new Error('the API server reply is too large'));
          else chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text === '' ? undefined : JSON.parse(text);
          } catch {
            json = undefined;
          }
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve(json);
          const message = (json as { message?: unknown } | undefined)?.message;
          reject(new KubernetesApiError(status, `${method} pod ${this.#config.namespace}/${this.#config.podName}: ${status} ${typeof message === 'string' ? message : text.slice(0, 200)}`));
        });
      });
      req.end(payload);
    });
  }
}
