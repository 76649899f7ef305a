import type { AuditSink } from '@coffer/sdk';
import { raceSignal } from './signal.js';
import { SocketSink } from './socket-sink.js';
import { TransportTimeoutError } from './socket-connection.js';

type DgramSocketClass = typeof import('node-unix-socket').DgramSocket;
type DgramSocket = InstanceType<DgramSocketClass>;

/**
 * Delivers finished syslog messages to the local syslog socket (`/dev/log`). That socket is a unix
 * *datagram* socket on most systems (journald, rsyslog), which Node cannot open, so this uses the
 * native `node-unix-socket` addon, loaded only when a local syslog device exists. syslog-ng's
 * stream socket works too: a datagram refused with EPROTOTYPE switches to a stream connection.
 */
export class LocalSyslogTransport implements AuditSink {
  readonly type = 'syslog';
  readonly #path: string;
  readonly #timeoutMs: number;
  #socket: DgramSocket | undefined;
  #stream: SocketSink | undefined;

  constructor(path: string, timeoutMs: number) {
    this.#path = path;
    this.#timeoutMs = timeoutMs;
  }

  async write(message: string, options: { signal: AbortSignal }): Promise<void> {
    if (this.#stream) return this.#stream.write(message, options);
    try {
      await raceSignal(this.#sendDatagram(Buffer.from(message, 'utf8')), options.signal);
    } catch (error) {
      // The addon reports errno text only; EPROTOTYPE means the socket is a stream socket.
      if (!/wrong type/i.test((error as Error).message)) throw error;
      this.#stream = new SocketSink(
        { address: this.#path, socketType: 'unix', writeTimeoutMs: this.#timeoutMs, frame: (m) => `${m}\n` },
        'syslog',
      );
      await this.#stream.write(message, options);
    }
  }

  async close(): Promise<void> {
    this.#socket?.close();
    this.#socket = undefined;
    await this.#stream?.close();
  }

  async #sendDatagram(data: Buffer): Promise<void> {
    let socket = this.#socket;
    if (!socket) {
      const opened = await openDatagramSocket(() => {
        // The addon closes a socket after an error event: open a fresh one next time.
        if (this.#socket === opened) this.#socket = undefined;
      });
      this.#socket = socket = opened;
    }
    const target = socket;
    await new Promise<void>((resolve, reject) => {
      const timer =
        this.#timeoutMs > 0
          ? setTimeout(() => reject(new TransportTimeoutError(`syslog send timed out after ${this.#timeoutMs} ms`)), this.#timeoutMs)
          : undefined;
      try {
        target.sendTo(data, 0, data.length, this.#path, (error) => {
          if (timer) clearTimeout(timer);
          if (error) reject(new Error(`local syslog ${this.#path}: ${error.message}`));
          else resolve();
        });
      } catch (error) {
        // A closed socket throws at once.
        if (timer) clearTimeout(timer);
        if (this.#socket === target) this.#socket = undefined;
        reject(error);
      }
    });
  }
}

async function openDatagramSocket(onError: () => void): Promise<DgramSocket> {
  let module: { DgramSocket: DgramSocketClass };
  try {
    module = await import('node-unix-socket');
  } catch (error) {
    throw new Error('local syslog needs the node-unix-socket package (unix datagram sockets); set `address` to use a remote receiver', {
      cause: error,
    });
  }
  const socket = new module.DgramSocket();
  // Errors of a send arrive through its callback; an unhandled event would crash the process.
  socket.on('error', onError);
  return socket;
}
