import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, isIPv6, type Socket } from 'node:net';
import { abortReason } from './signal.js';

/** One open transport to a log receiver. `broken` once it errored or closed: the sink then dials again. */
export interface Connection {
  readonly broken: boolean;
  /** Resolves once the kernel took the bytes; rejects on error, on `signal`, or after `timeoutMs`. */
  send(data: Buffer, timeoutMs: number, signal: AbortSignal): Promise<void>;
  destroy(): void;
}

export type TransportType = 'tcp' | 'udp' | 'unix';

/** A connect or write that ran past its time: the receiver is stuck, so retrying would only wait again. */
export class TransportTimeoutError extends Error {
  override readonly name = 'TransportTimeoutError';
}

/** `host:port` or `[v6]:port`. */
export function parseHostPort(address: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address.trim());
  const port = Number(m?.[3]);
  if (!m || port < 1 || port > 65535) throw new Error(`address "${address}" must be host:port`);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

/** Dials a receiver, giving up after `timeoutMs` (0: only `signal` bounds it). */
export function dial(type: TransportType, address: string, timeoutMs: number, signal: AbortSignal): Promise<Connection> {
  return type === 'udp' ? dialUdp(address, timeoutMs, signal) : dialStream(type, address, timeoutMs, signal);
}

function bounded<T>(
  timeoutMs: number,
  signal: AbortSignal,
  what: string,
  start: (settle: { resolve(value: T): void; reject(error: Error): void }) => () => void,
): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    let cancel: () => void = () => {};
    let done = false;
    const finish = (error: Error | undefined, value?: T) => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      if (error) {
        cancel();
        reject(error);
      } else resolve(value as T);
    };
    const onAbort = () => finish(abortReason(signal));
    const timer = timeoutMs > 0 ? setTimeout(() => finish(new TransportTimeoutError(`${what} timed out after ${timeoutMs} ms`)), timeoutMs) : undefined;
    signal.addEventListener('abort', onAbort, { once: true });
    cancel = start({ resolve: (value) => finish(undefined, value), reject: (error) => finish(error) });
  });
}

function dialStream(type: 'tcp' | 'unix', address: string, timeoutMs: number, signal: AbortSignal): Promise<Connection> {
  const target = type === 'unix' ? { path: address } : { ...parseHostPort(address), noDelay: true };
  return bounded<Connection>(timeoutMs, signal, `connecting to ${address}`, ({ resolve, reject }) => {
    const socket = connect(target);
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(new StreamConnection(socket));
    });
    return () => socket.destroy();
  });
}

class StreamConnection implements Connection {
  readonly #socket: Socket;
  #broken = false;

  constructor(socket: Socket) {
    this.#socket = socket;
    const mark = () => {
      this.#broken = true;
    };
    socket.on('error', mark);
    socket.on('close', mark);
    // Receivers do not talk back; reading (and dropping) anything lets a peer's FIN be seen at once.
    socket.on('data', () => {});
  }

  get broken(): boolean {
    return this.#broken || this.#socket.destroyed;
  }

  send(data: Buffer, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.broken) return Promise.reject(new Error('connection closed'));
    return bounded<void>(timeoutMs, signal, 'socket write', ({ resolve, reject }) => {
      this.#socket.write(data, (error) => (error ? reject(error) : resolve()));
      // A write that timed out may have left half a line on the wire: this connection is done.
      return () => this.destroy();
    });
  }

  destroy(): void {
    this.#broken = true;
    this.#socket.destroy();
  }
}

function dialUdp(address: string, timeoutMs: number, signal: AbortSignal): Promise<Connection> {
  const { host, port } = parseHostPort(address);
  return bounded<Connection>(timeoutMs, signal, `connecting to ${address}`, ({ resolve, reject }) => {
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.connect(port, host, () => {
      socket.off('error', reject);
      resolve(new DatagramConnection(socket));
    });
    return () => socket.close();
  });
}

class DatagramConnection implements Connection {
  readonly #socket: UdpSocket;
  #broken = false;
  #closed = false;

  constructor(socket: UdpSocket) {
    this.#socket = socket;
    // An ICMP "port unreachable" for an earlier datagram surfaces here: dial again next time.
    socket.on('error', () => {
      this.#broken = true;
    });
  }

  get broken(): boolean {
    return this.#broken;
  }

  send(data: Buffer, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (this.#broken) return Promise.reject(new Error('socket closed'));
    return bounded<void>(timeoutMs, signal, 'datagram send', ({ resolve, reject }) => {
      this.#socket.send(data, (error) => {
        if (!error) return resolve();
        this.#broken = true;
        reject(error);
      });
      return () => this.destroy();
    });
  }

  destroy(): void {
    this.#broken = true;
    if (this.#closed) return;
    this.#closed = true;
    this.#socket.close();
  }
}
