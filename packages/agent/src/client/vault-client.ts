import { readdir, readFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import type { VaultConnection } from '../config/agent-config.js';

/** A Vault response with status 400 or above (or an unreadable one). `errors` are Vault's messages. */
export class VaultResponseError extends Error {
  override readonly name = 'VaultResponseError';
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly errors: string[],
    readonly body: unknown,
  ) {
    super(`${method} /v1/${path}: ${status}${errors.length ? `: ${errors.join('; ')}` : ''}`);
  }
}

/** The request never got an answer: connection refused, TLS failure, timeout. */
export class VaultTransportError extends Error {
  override readonly name = 'VaultTransportError';
}

export interface VaultRequest {
  method: 'GET' | 'PUT' | 'POST' | 'DELETE' | 'LIST';
  path: string;
  token?: string;
  body?: unknown;
  query?: Record<string, string>;
  namespace?: string;
}

const TIMEOUT_MS = 60_000;

/**
 * Vault's HTTP API as the Go client speaks it: `X-Vault-Request`, the token and namespace headers,
 * LIST sent as `GET ?list=true`, JSON bodies. The TLS material is read once, when created.
 */
export class VaultClient {
  private constructor(
    readonly address: string,
    private readonly tls: { ca?: Buffer[]; cert?: Buffer; key?: Buffer; servername?: string; rejectUnauthorized: boolean },
    private readonly namespace: string | undefined,
  ) {}

  static async create(connection: VaultConnection): Promise<VaultClient> {
    const ca: Buffer[] = [];
    if (connection.caCert) ca.push(await readFile(connection.caCert));
    if (connection.caPath) {
      for (const name of (await readdir(connection.caPath)).sort()) {
        if (/\.(pem|crt)$/i.test(name)) ca.push(await readFile(join(connection.caPath, name)));
      }
    }
    const tls = {
      ...(ca.length ? { ca } : {}),
      ...(connection.clientCert ? { cert: await readFile(connection.clientCert) } : {}),
      ...(connection.clientKey ? { key: await readFile(connection.clientKey) } : {}),
      ...(connection.tlsServerName ? { servername: connection.tlsServerName } : {}),
      rejectUnauthorized: !connection.tlsSkipVerify,
    };
    return new VaultClient(connection.address, tls, connection.namespace);
  }

  /** The parsed JSON body of a 2xx answer (undefined for 204); any other status throws. */
  async request(req: VaultRequest): Promise<unknown> {
    const query = { ...(req.query ?? {}) };
    let method: string = req.method;
    if (method === 'LIST') {
      method = 'GET';
      query.list = 'true';
    }
    const url = new URL(`${this.address}/v1/${req.path.split('/').map(encodeURIComponent).join('/')}`);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers: Record<string, string> = { 'x-vault-request': 'true' };
    if (req.token) headers['x-vault-token'] = req.token;
    const namespace = req.namespace ?? this.namespace;
    if (namespace) headers['x-vault-namespace'] = namespace;
    let payload: Buffer | undefined;
    if (req.body !== undefined) {
      payload = Buffer.from(JSON.stringify(req.body));
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(payload.length);
    }
    const { status, text } = await this.#exchange(method, url, headers, payload);
    const body = parseJson(text);
    if (status >= 400) {
      const errors = Array.isArray((body as { errors?: unknown })?.errors) ? ((body as { errors: unknown[] }).errors.map(String)) : [];
      throw new VaultResponseError(req.method, req.path, status, errors, body);
    }
    return body;
  }

  #exchange(method: string, url: URL, headers: Record<string, string>, payload: Buffer | undefined): Promise<{ status: number; text: string }> {
    const options: RequestOptions & Record<string, unknown> = { method, headers, agent: false, timeout: TIMEOUT_MS };
    const https = url.protocol === 'https:';
    if (https) Object.assign(options, this.tls);
    const send = https ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const fail = (cause: unknown) =>
        reject(new VaultTransportError(`${method} ${url.origin}${url.pathname}: ${(cause as Error)?.message ?? String(cause)}`, { cause }));
      const request = send(url, options, (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', fail);
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000}s`)));
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
