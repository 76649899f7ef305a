import type { AuditSink } from '@coffer/sdk';
import { dial, TransportTimeoutError, type Connection, type TransportType } from './socket-connection.js';
import { WriteQueue } from './write-queue.js';

export interface SocketSinkOptions {
  /** `host:port` for tcp and udp, a path for unix. */
  address: string;
  socketType: TransportType;
  /** Bound on each connect and write, in ms (Vault's `write_timeout`, default 2s); 0: only the broker's bound. */
  writeTimeoutMs: number;
  /** How a line goes on the wire; default: the line and a newline, as Vault's JSON encoder writes it. */
  frame?: (line: string) => string;
}

/**
 * Sends each entry as a JSON line to a TCP, UDP or unix-socket receiver, as Vault's socket device.
 * It dials lazily and dials again after any failure (Vault retries a failed write once on a fresh
 * connection; so do we, except after a timeout). Unlike Vault, a receiver that accepts but stops
 * reading cannot hold requests: the write fails after `write_timeout` and the connection is
 * dropped, and a write every caller gave up on is dropped too.
 */
export class SocketSink implements AuditSink {
  readonly type: string;
  readonly #options: SocketSinkOptions;
  readonly #queue: WriteQueue;
  #connection: Connection | undefined;
  #closed = false;

  constructor(options: SocketSinkOptions, type = 'socket') {
    this.type = type;
    this.#options = options;
    // One datagram per entry; stream transports take queued entries in one write.
    this.#queue = new WriteQueue((lines, signal) => this.#send(lines, signal), {
      maxBatch: options.socketType === 'udp' ? 1 : 256,
    });
  }

  write(line: string, options: { signal: AbortSignal }): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('audit socket is closed'));
    return this.#queue.push(line, options.signal);
  }

  /** SIGHUP: drop the connection; the next entry dials again (a receiver that moved is found). */
  reopen(): Promise<void> {
    return this.#queue.control(async () => this.#drop());
  }

  close(): Promise<void> {
    this.#closed = true;
    return this.#queue.control(async () => this.#drop());
  }

  async #send(lines: readonly string[], signal: AbortSignal): Promise<void> {
    const frame = this.#options.frame ?? ((line: string) => `${line}\n`);
    const data = Buffer.from(lines.map(frame).join(''), 'utf8');
    try {
      await this.#sendOnce(data, signal);
    } catch (error) {
      this.#drop();
      if (signal.aborted || error instanceof TransportTimeoutError) throw error;
      await this.#sendOnce(data, signal);
    }
  }

  async #sendOnce(data: Buffer, signal: AbortSignal): Promise<void> {
    const { socketType, address, writeTimeoutMs } = this.#options;
    if (!this.#connection || this.#connection.broken) {
      this.#drop();
      this.#connection = await dial(socketType, address, writeTimeoutMs, signal);
    }
    await this.#connection.send(data, writeTimeoutMs, signal);
  }

  #drop(): void {
    this.#connection?.destroy();
    this.#connection = undefined;
  }
}
