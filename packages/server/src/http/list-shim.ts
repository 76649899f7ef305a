import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { Server as HttpServer } from 'node:http';

/**
 * Vault clients send the `LIST` method (hvac, node-vault, the Go client). Node's HTTP parser refuses
 * unknown methods before any framework sees the request, so each connection passes through this
 * wrapper, which rewrites `LIST <target>` at a request boundary into `GET <target>?list=true` —
 * exactly Vault's own rule that a GET with `list=true` is a list.
 *
 * A boundary is the start of the connection or the moment the previous response finished; clients
 * that pipeline a LIST behind an unfinished request get Node's 400, as they would from any server
 * without this shim. Only the request line is touched; bodies and headers pass through unchanged.
 */
const LIST = Buffer.from('LIST ');
/** A request line longer than this is not ours to rewrite; Node will judge it. */
const MAX_REQUEST_LINE = 16 * 1024;

export class ListRewritingSocket extends Duplex {
  readonly raw: Socket;
  /**
   * Set for connections on the cluster listener that presented a certificate from the cluster CA:
   * only these may say who the original client was (a standby forwarding a request).
   */
  readonly trustedPeer: boolean;
  /** Set for connections on a listener that serves sys/metrics without a token. */
  readonly unauthenticatedMetrics: boolean;
  #atBoundary = true;
  #pending: Buffer | undefined;

  constructor(raw: Socket, options: { trustedPeer?: boolean; unauthenticatedMetrics?: boolean } = {}) {
    super({ allowHalfOpen: false });
    this.raw = raw;
    this.trustedPeer = options.trustedPeer ?? false;
    this.unauthenticatedMetrics = options.unauthenticatedMetrics ?? false;
    raw.on('data', (chunk: Buffer) => {
      const out = this.#rewrite(chunk);
      if (out && out.length > 0 && !this.push(out)) raw.pause();
    });
    raw.on('end', () => {
      if (this.#pending) this.push(this.#pending);
      this.#pending = undefined;
      this.push(null);
    });
    raw.on('error', (error) => this.destroy(error));
    raw.on('close', () => this.destroy());
    raw.on('timeout', () => this.emit('timeout'));
  }

  /** Called by the HTTP layer when a response has been fully written. */
  markBoundary(): void {
    this.#atBoundary = true;
  }

  #rewrite(chunk: Buffer): Buffer | undefined {
    if (!this.#atBoundary) return chunk;
    const data = this.#pending ? Buffer.concat([this.#pending, chunk]) : chunk;
    this.#pending = undefined;
    const head = data.subarray(0, LIST.length);
    if (!LIST.subarray(0, head.length).equals(head)) {
      this.#atBoundary = false;
      return data;
    }
    const lineEnd = data.indexOf('\n');
    if (head.length < LIST.length || lineEnd === -1) {
      if (data.length > MAX_REQUEST_LINE) {
        this.#atBoundary = false;
        return data;
      }
      this.#pending = data;
      return undefined;
    }
    this.#atBoundary = false;
    const line = data.subarray(0, lineEnd).toString('latin1');
    const match = /^LIST (\S+)( HTTP\/\d\.\d\r?)$/.exec(line);
    if (!match) return data;
    const target = match[1] as string;
    const rewritten = `GET ${target}${target.includes('?') ? '&' : '?'}list=true${match[2]}`;
    return Buffer.concat([Buffer.from(rewritten, 'latin1'), data.subarray(lineEnd)]);
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.raw.write(chunk, encoding, callback);
  }

  /**
   * Node's HTTP layer corks the socket and writes a response's head and body as separate chunks;
   * without this they would reach the real socket one `write()` syscall each. Corking the raw
   * socket around them sends them in one `writev`.
   */
  override _writev(chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>, callback: (error?: Error | null) => void): void {
    this.raw.cork();
    const last = chunks.length - 1;
    chunks.forEach(({ chunk, encoding }, i) => {
      if (i === last) this.raw.write(chunk, encoding, callback);
      else this.raw.write(chunk, encoding);
    });
    this.raw.uncork();
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.raw.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.raw.destroy(error ?? undefined);
    callback(error);
  }

  // What Node's HTTP server and fastify read from a socket.
  get remoteAddress() {
    return this.raw.remoteAddress;
  }
  get remotePort() {
    return this.raw.remotePort;
  }
  get remoteFamily() {
    return this.raw.remoteFamily;
  }
  get localAddress() {
    return this.raw.localAddress;
  }
  get localPort() {
    return this.raw.localPort;
  }
  get encrypted(): boolean {
    return (this.raw as Socket & { encrypted?: boolean }).encrypted === true;
  }
  get bytesWritten() {
    return this.raw.bytesWritten;
  }
  address() {
    return this.raw.address();
  }
  setTimeout(ms: number, callback?: () => void): this {
    this.raw.setTimeout(ms);
    if (callback) this.once('timeout', callback);
    return this;
  }
  setNoDelay(noDelay?: boolean): this {
    this.raw.setNoDelay(noDelay);
    return this;
  }
  setKeepAlive(enable?: boolean, delay?: number): this {
    this.raw.setKeepAlive(enable, delay);
    return this;
  }
  ref(): this {
    this.raw.ref();
    return this;
  }
  unref(): this {
    this.raw.unref();
    return this;
  }
}

/** Marks the request boundary on our sockets whenever a response finishes. */
export function trackResponseBoundaries(server: HttpServer): void {
  server.on('request', (req, res) => {
    const socket = req.socket as unknown;
    if (socket instanceof ListRewritingSocket) res.on('finish', () => socket.markBoundary());
  });
}
