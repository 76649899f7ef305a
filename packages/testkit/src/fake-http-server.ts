import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';

/** One request a fake received, for assertions. */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

export interface FakeReply {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings as they are. */
  body?: unknown;
}

export type FakeHandler = (request: RecordedRequest) => FakeReply | Promise<FakeReply>;

export interface FakeServerOptions {
  /** PEM key and certificate: serve https. */
  tls?: { key: string; cert: string };
  /** Content type of JSON replies. */
  contentType?: string;
}

/**
 * The HTTP(S) server under every cloud fake: binds 127.0.0.1 only, records each request, and can
 * go `down()` (stop listening and cut open connections, so clients see ECONNREFUSED) and come back
 * `up()` on the same port.
 */
export class FakeHttpServer {
  readonly requests: RecordedRequest[] = [];
  readonly #server: http.Server;
  readonly #sockets = new Set<Socket>();
  readonly #waiters = new Set<() => void>();
  #port = 0;
  #listening = false;

  private constructor(handler: FakeHandler, options: FakeServerOptions) {
    const listener = (req: http.IncomingMessage, res: http.ServerResponse) =>
      void this.#serve(handler, options, req, res);
    this.#server = options.tls
      ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, listener)
      : http.createServer(listener);
    this.#server.on('connection', (socket: Socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  static async start(handler: FakeHandler, options: FakeServerOptions = {}): Promise<FakeHttpServer> {
    const server = new FakeHttpServer(handler, options);
    await server.up();
    return server;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    const scheme = this.#server instanceof https.Server ? 'https' : 'http';
    return `${scheme}://127.0.0.1:${this.#port}`;
  }

  /** Listens again (on the same port after a `down()`). */
  async up(): Promise<void> {
    if (this.#listening) return;
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#port, '127.0.0.1', () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#listening = true;
  }

  /** Stops answering: closes the listener and every open connection. */
  async down(): Promise<void> {
    if (!this.#listening) return;
    this.#listening = false;
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  async close(): Promise<void> {
    await this.down();
  }

  /** Resolves once `count` recorded requests match (counting those already recorded). */
  waitForRequests(match: (request: RecordedRequest) => boolean, count = 1): Promise<RecordedRequest[]> {
    return new Promise((resolve) => {
      const check = () => {
        const found = this.requests.filter(match);
        if (found.length < count) return false;
        this.#waiters.delete(check as () => void);
        resolve(found);
        return true;
      };
      if (!check()) this.#waiters.add(check as () => void);
    });
  }

  async #serve(
    handler: FakeHandler,
    options: FakeServerOptions,
    req: http.IncomingMessage,
    res: http.ServerResponse,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: { ...req.headers },
      body: Buffer.concat(chunks).toString('utf8'),
    };
    this.requests.push(request);
    for (const waiter of [...this.#waiters]) waiter();
    let reply: FakeReply;
    try {
      reply = await handler(request);
    } catch (error) {
      reply = { status: 500, body: { error: String(error) } };
    }
    const text =
      reply.body === undefined ? '' : typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      ...(reply.body !== undefined && typeof reply.body !== 'string'
        ? { 'content-type': options.contentType ?? 'application/json' }
        : {}),
      ...reply.headers,
    });
    res.end(text);
  }
}

/** Parses a JSON request body; undefined when it is not a JSON object. */
export function jsonBody(request: RecordedRequest): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(request.body || '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
