import http from 'node:http';
import https from 'node:https';

export interface JsonRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON. */
  body?: unknown;
  signal?: AbortSignal;
}

export interface JsonReply {
  status: number;
  text: string;
  /** The body parsed as JSON; undefined when it is not JSON. */
  json: unknown;
}

const TIMEOUT_MS = 10_000;
const MAX_REPLY_BYTES = 1 << 20;

/**
 * A small JSON-over-HTTP(S) client for the auth methods' calls out (Kubernetes TokenReview, JWKS,
 * OIDC discovery). With a CA PEM, https is verified against that CA only (Kubernetes and private
 * identity providers use their own CAs); without one, against Node's bundled roots. One keep-alive
 * agent per client, so a login does not pay a TLS handshake each time. Network failures reject
 * with Node's error (its `code` says what happened); HTTP errors resolve with their status.
 */
export class HttpJsonClient {
  readonly #https: https.Agent;
  readonly #http = new http.Agent({ keepAlive: true });

  constructor(caPem?: string) {
    this.#https = new https.Agent({ keepAlive: true, minVersion: 'TLSv1.2', ...(caPem ? { ca: caPem } : {}) });
  }

  async request(request: JsonRequest): Promise<JsonReply> {
    try {
      return await this.#send(request);
    } catch (error) {
      // A keep-alive socket the server closed meanwhile fails on reuse (Node's documented race);
      // one fresh attempt tells a stale socket from a server that is really gone.
      if ((error as { reusedSocket?: unknown }).reusedSocket !== true) throw error;
      return this.#send(request);
    }
  }

  close(): void {
    this.#https.destroy();
    this.#http.destroy();
  }

  #send(request: JsonRequest): Promise<JsonReply> {
    const url = new URL(request.url);
    const secure = url.protocol === 'https:';
    if (!secure && url.protocol !== 'http:') return Promise.reject(new Error(`unsupported URL scheme "${url.protocol}"`));
    const body = request.body === undefined ? undefined : JSON.stringify(request.body);
    return new Promise((resolve, reject) => {
      const req = (secure ? https : http).request(url, {
        method: request.method,
        agent: secure ? this.#https : this.#http,
        headers: {
          accept: 'application/json',
          ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}),
          ...request.headers,
        },
        ...(request.signal ? { signal: request.signal } : {}),
      });
      req.setTimeout(TIMEOUT_MS, () => req.destroy(Object.assign(new Error('request timed out'), { code: 'ETIMEDOUT' })));
      req.on('error', (error: Error & { code?: string }) => {
        const stale = req.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
        reject(stale ? Object.assign(error, { reusedSocket: true }) : error);
      });
      req.on('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_REPLY_BYTES) response.destroy(new Error('reply too large'));
          else chunks.push(chunk);
        });
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: response.statusCode ?? 0, text, json: parseJson(text) });
        });
      });
      req.end(body);
    });
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A network failure in a few words for logs (`ECONNREFUSED`, a TLS verification error, a timeout). */
export function describeNetworkError(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : undefined;
  const message = typeof e.message === 'string' ? e.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}
