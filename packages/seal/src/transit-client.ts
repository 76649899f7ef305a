import http from 'node:http';
import https from 'node:https';
import { readFile } from 'node:fs/promises';
import { CofferError } from '@coffer/sdk';
import type { TransitSealConfig } from './transit-config.js';

export interface TransitReply {
  status: number;
  body: Record<string, unknown>;
}

const TIMEOUT_MS = 30_000;
const MAX_REPLY_BYTES = 1 << 20;

/**
 * A minimal Vault API client for the transit seal: JSON POSTs with `X-Vault-Token` (and
 * `X-Vault-Namespace`), over http or https with the stanza's TLS settings, on a keep-alive agent.
 * Network failures reject with Node's error (its `code` says what happened); HTTP errors resolve.
 */
export class TransitClient {
  readonly #base: URL;
  readonly #config: TransitSealConfig;
  readonly #agent: http.Agent;

  private constructor(config: TransitSealConfig, agent: http.Agent) {
    this.#base = new URL(config.address);
    this.#config = config;
    this.#agent = agent;
  }

  static async create(config: TransitSealConfig): Promise<TransitClient> {
    if (new URL(config.address).protocol === 'http:')
      return new TransitClient(config, new http.Agent({ keepAlive: true }));
    const [ca, cert, key] = await Promise.all([
      readOptional(config.tlsCaCert, 'tls_ca_cert'),
      readOptional(config.tlsClientCert, 'tls_client_cert'),
      readOptional(config.tlsClientKey, 'tls_client_key'),
    ]);
    const agent = new https.Agent({
      keepAlive: true,
      rejectUnauthorized: !config.tlsSkipVerify,
      ...(ca ? { ca } : {}),
      ...(cert && key ? { cert, key } : {}),
      ...(config.tlsServerName ? { servername: config.tlsServerName } : {}),
    });
    return new TransitClient(config, agent);
  }

  async post(path: string, payload: Record<string, unknown>, signal?: AbortSignal): Promise<TransitReply> {
    try {
      return await this.#send(path, payload, signal);
    } catch (error) {
      // A keep-alive connection the server closed meanwhile fails on reuse (Node's documented
      // race); one fresh attempt tells a stale socket from a server that is really gone.
      if ((error as { reusedSocket?: unknown }).reusedSocket !== true) throw error;
      return this.#send(path, payload, signal);
    }
  }

  #send(path: string, payload: Record<string, unknown>, signal?: AbortSignal): Promise<TransitReply> {
    const url = new URL(`/v1/${path}`, this.#base);
    const body = JSON.stringify(payload);
    const transport = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = transport.request(url, {
        method: 'POST',
        agent: this.#agent,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'x-vault-token': this.#config.token.reveal(),
          'x-vault-request': 'true',
          ...(this.#config.namespace ? { 'x-vault-namespace': this.#config.namespace } : {}),
        },
        ...(signal ? { signal } : {}),
      });
      request.setTimeout(TIMEOUT_MS, () =>
        request.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })),
      );
      request.on('error', (error: Error & { code?: string }) => {
        const stale = request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        reject(stale ? Object.assign(error, { reusedSocket: true }) : error);
      });
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_REPLY_BYTES) response.destroy(new Error('reply too large'));
          else chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, body: parseJson(Buffer.concat(chunks).toString('utf8')) }),
        );
      });
      request.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

function parseJson(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : {};
  } catch {
    return {};
  }
}

async function readOptional(path: string | undefined, option: string): Promise<string | undefined> {
  if (path === undefined) return undefined;
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new CofferError(
      'invalid_request',
      `seal "transit": cannot read the "${option}" file ${path} (${String(code ?? 'error')})`,
    );
  }
}
