import type { Storage } from '@coffer/sdk';
import { decodeJson, encodeJson } from '../../util/json-codec.js';
import { HttpJsonClient } from '../jwt/http-json-client.js';
import type { KubernetesConfig } from './kubernetes-config.js';
import type { LocalServiceAccount } from './local-service-account.js';

/** What a login needs to call the API server, with the in-pod defaults filled in. */
export interface Connection {
  config: KubernetesConfig;
  host: string;
  /** The configured reviewer JWT, else the pod's own token; undefined means "use the client's JWT". */
  reviewerJwt: string | undefined;
  client: HttpJsonClient;
}

/**
 * The mount's config (cached until the next write) and the HTTPS client for its API server. The
 * client trusts only `kubernetes_ca_cert` (or the pod's CA); it is rebuilt when that CA changes,
 * e.g. when the mounted ca.crt is rotated.
 */
export class KubernetesConnection {
  readonly #storage: Storage;
  readonly #local: LocalServiceAccount;
  #config: KubernetesConfig | undefined;
  #client: { ca: string; client: HttpJsonClient } | undefined;

  constructor(storage: Storage, local: LocalServiceAccount) {
    this.#storage = storage;
    this.#local = local;
  }

  async config(): Promise<KubernetesConfig | undefined> {
    if (this.#config) return this.#config;
    const raw = await this.#storage.get('config');
    this.#config = raw === undefined ? undefined : (decodeJson(raw, 'kubernetes config') as unknown as KubernetesConfig);
    return this.#config;
  }

  async saveConfig(config: KubernetesConfig): Promise<void> {
    await this.#storage.put('config', encodeJson(config as unknown as Record<string, unknown>));
    this.#config = config;
  }

  async connect(): Promise<Connection | undefined> {
    const config = await this.config();
    if (!config) return undefined;
    const local = !config.disableLocalCaJwt;
    const reviewerJwt = config.tokenReviewerJwt || (local ? await this.#local.token() : undefined) || undefined;
    const ca = config.caCert || (local ? await this.#local.caCert() : undefined) || '';
    if (this.#client?.ca !== ca) {
      this.#client?.client.close();
      // Without any CA, Node's bundled roots apply (Vault falls back to the system pool likewise).
      this.#client = { ca, client: new HttpJsonClient(ca === '' ? undefined : ca) };
    }
    return { config, host: config.host, reviewerJwt, client: this.#client.client };
  }

  close(): void {
    this.#client?.client.close();
    this.#client = undefined;
  }
}
