import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ResponseError, TransportError } from './api-error.js';
import { asSecret, dataOf, type Secret } from './secret.js';

export interface ClientConfig {
  /** e.g. `https://127.0.0.1:8200` */
  address: string;
  token?: string;
  /** PEM trust anchors replacing the system's, from `-ca-cert`/`COFFER_CACERT`. */
  ca?: Buffer;
  skipVerify: boolean;
  timeoutMs?: number;
  /** `-wrap-ttl`/VAULT_WRAP_TTL: every response comes back wrapped in a single-use token. */
  wrapTtl?: string;
}

export interface RawResponse {
  status: number;
  text: string;
  /** The JSON body, or undefined when empty or not JSON. */
  body: unknown;
}

export interface SendOptions {
  query?: Record<string, string>;
  body?: unknown;
  contentType?: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;

/**
 * Vault's HTTP API from the CLI's side, as the Go client (api.Logical, api.Sys) behaves: every
 * request carries `X-Vault-Request: true` and the token; statuses of 400 and above become a
 * ResponseError; reads and lists of nothing (404) are `undefined`, not errors.
 */
export class ApiClient {
  readonly #config: ClientConfig;

  constructor(config: ClientConfig) {
    this.#config = config;
  }

  get address(): string {
    return this.#config.address;
  }

  get token(): string | undefined {
    return this.#config.token;
  }

  withToken(token: string | undefined): ApiClient {
    const { token: _old, ...rest } = this.#config;
    return new ApiClient(token === undefined ? rest : { ...rest, token });
  }

  async send(method: string, path: string, options: SendOptions = {}): Promise<RawResponse> {
    const url = this.#url(path, options.query);
    const headers: Record<string, string> = { 'x-vault-request': 'true' };
    if (this.#config.token) headers['x-vault-token'] = this.#config.token;
    if (this.#config.wrapTtl) headers['x-vault-wrap-ttl'] = this.#config.wrapTtl;
    let payload: Buffer | undefined;
    if (options.body !== undefined) {
      payload = Buffer.from(JSON.stringify(options.body));
      headers['content-type'] = options.contentType ?? 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const response = await this.#exchange(method, url, headers, payload);
    if (response.status >= 400) throw new ResponseError(method, url.toString(), response.status, response.text, response.body);
    return response;
  }

  /** GET; 404 without data is "nothing there". */
  read(path: string, query?: Record<string, string>): Promise<Secret | undefined> {
    return this.#tolerating404('GET', path, query ? { query } : {});
  }

  /** A list, sent as the Go client does: GET with `list=true`. */
  list(path: string): Promise<Secret | undefined> {
    return this.#tolerating404('GET', path.endsWith('/') ? path : `${path}/`, { query: { list: 'true' } });
  }

  async write(path: string, data: Record<string, unknown>): Promise<Secret | undefined> {
    return asSecret((await this.send('PUT', path, { body: data })).body);
  }

  async mergePatch(path: string, data: Record<string, unknown>): Promise<Secret | undefined> {
    return asSecret((await this.send('PATCH', path, { body: data, contentType: 'application/merge-patch+json' })).body);
  }

  async delete(path: string, query?: Record<string, string>): Promise<Secret | undefined> {
    return asSecret((await this.send('DELETE', path, query ? { query } : {})).body);
  }

  async #tolerating404(method: string, path: string, options: SendOptions): Promise<Secret | undefined> {
    try {
      return asSecret((await this.send(method, path, options)).body);
    } catch (error) {
      if (!(error instanceof ResponseError) || error.status !== 404) throw error;
      const secret = asSecret(error.body);
      const data = dataOf(secret);
      const hasContent = (data !== undefined && Object.keys(data).length > 0) || (secret?.warnings?.length ?? 0) > 0;
      return hasContent ? secret : undefined;
    }
  }

  #url(path: string, query: Record<string, string> | undefined): URL {
    const base = this.#config.address.replace(/\/+$/, '');
    const encoded = path
      .split('/')
      .map((segment) => encodeURIComponent(segment))
      .join('/');
    const url = new URL(`${base}/v1/${encoded}`);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    return url;
  }

  #exchange(method: string, url: URL, headers: Record<string, string>, payload: Buffer | undefined): Promise<RawResponse> {
    const timeout = this.#config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const options: RequestOptions & { ca?: Buffer; rejectUnauthorized?: boolean } = {
      method,
      headers,
      // One connection per request: a CLI run is short, and nothing must keep the process alive.
      agent: false,
      timeout,
    };
    if (url.protocol === 'https:') {
      if (this.#config.ca) options.ca = this.#config.ca;
      options.rejectUnauthorized = !this.#config.skipVerify;
    }
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<RawResponse>((resolve, reject) => {
      const fail = (cause: unknown) => reject(new TransportError(method, url.toString(), cause));
      let request;
      try {
        request = send(url, options, (response: IncomingMessage) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', fail);
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: response.statusCode ?? 0, text, body: parseJson(text) });
          });
        });
      } catch (error) {
        fail(error);
        return;
      }
      request.on('timeout', () => request.destroy(new Error(`request timed out after ${timeout / 1000}s`)));
      request.on('error', fail);
      request.end(payload);
    });
  }
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
