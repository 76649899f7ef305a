import { readFile } from 'node:fs/promises';
import https from 'node:https';

/** How to reach the Kubernetes API. */
export interface KubeConnection {
  /** `https://host:port`. */
  url: string;
  /** PEM of the API server's CA. */
  caPem: string;
  /** The bearer token, or a function reading it (projected tokens rotate: read at every call). */
  token: string | (() => Promise<string>);
}

const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** The in-cluster connection: the service environment variables and the pod's service-account files. */
export async function inClusterConnection(env: Readonly<Record<string, string | undefined>>): Promise<KubeConnection> {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'] ?? '443';
  if (!host) throw new Error('not running in a Kubernetes pod: KUBERNETES_SERVICE_HOST is not set');
  const caPem = await readFile(`${SA_DIR}/ca.crt`, 'utf8');
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    caPem,
    token: async () => (await readFile(`${SA_DIR}/token`, 'utf8')).trim(),
  };
}

/** The namespace this pod runs in, from its service-account files. */
export async function inClusterNamespace(): Promise<string> {
  return (await readFile(`${SA_DIR}/namespace`, 'utf8')).trim();
}

export interface KubeResponse {
  status: number;
  body: any;
}

/** A Kubernetes API error answer: its metav1.Status message. */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
    this.name = 'KubeApiError';
  }

  static from(what: string, response: KubeResponse): KubeApiError {
    const body = response.body as { message?: string; reason?: string } | undefined;
    return new KubeApiError(response.status, body?.reason ?? '', `${what}: ${response.status} ${body?.message ?? JSON.stringify(body)}`);
  }
}

/** Just the JSON calls the injector makes (Secrets, MutatingWebhookConfigurations). */
export class KubeClient {
  constructor(readonly connection: KubeConnection) {}

  async request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeResponse> {
    const token = typeof this.connection.token === 'string' ? this.connection.token : await this.connection.token();
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const url = new URL(path, this.connection.url);
    return new Promise<KubeResponse>((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          ca: this.connection.caPem,
          timeout: 15_000,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(payload ? { 'content-type': contentType, 'content-length': String(payload.length) } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text === '' ? undefined : JSON.parse(text);
            } catch {
              // Not JSON (a proxy's error page): keep the text for the message.
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${url.pathname}: no answer from the Kubernetes API within 15 s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}
