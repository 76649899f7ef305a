import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '@coffer/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collectingLogger, never, tempDir } from '../test/support.js';
import { createAuditBroker } from './audit-broker.js';
import { openAuditDevice } from './audit-device.js';
import { SocketSink } from './socket-sink.js';

/** A real TCP (or unix) receiver collecting newline-delimited lines; `reading: false` accepts and never reads. */
class Receiver {
  readonly lines: string[] = [];
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();

  private constructor(reading: boolean) {
    this.#server = createServer((socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
      socket.on('error', () => {});
      if (!reading) {
        socket.pause();
        return;
      }
      let buffered = '';
      socket.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        const parts = buffered.split('\n');
        buffered = parts.pop() ?? '';
        this.lines.push(...parts);
      });
    });
  }

  static async start(options: { reading?: boolean; port?: number; path?: string } = {}): Promise<Receiver> {
    const receiver = new Receiver(options.reading ?? true);
    await new Promise<void>((resolve, reject) => {
      receiver.#server.once('error', reject);
      if (options.path) receiver.#server.listen(options.path, resolve);
      else receiver.#server.listen(options.port ?? 0, '127.0.0.1', resolve);
    });
    return receiver;
  }

  get address(): string {
    return `127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

const receivers: Receiver[] = [];
let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
  await dir.cleanup();
});

async function receiver(options: Parameters<typeof Receiver.start>[0] = {}): Promise<Receiver> {
  const started = await Receiver.start(options);
  receivers.push(started);
  return started;
}

async function until(check: () => boolean, attempts = 200): Promise<void> {
  for (let i = 0; i < attempts && !check(); i += 1) await sleep(10);
  expect(check()).toBe(true);
}

const entry = (i: number) => `{"type":"request","request":{"id":"r${i}"}}`;

describe('socket sink', () => {
  it('sends JSON lines over TCP and unix sockets', async () => {
    const tcp = await receiver();
    const unixPath = join(dir.path, 'audit.sock');
    const unix = await receiver({ path: unixPath });
    for (const [peer, sink] of [
      [tcp, new SocketSink({ address: tcp.address, socketType: 'tcp', writeTimeoutMs: 2000 })],
      [unix, new SocketSink({ address: unixPath, socketType: 'unix', writeTimeoutMs: 2000 })],
    ] as const) {
      await Promise.all([1, 2, 3].map((i) => sink.write(entry(i), { signal: never })));
      await until(() => peer.lines.length === 3);
      expect(peer.lines).toEqual([entry(1), entry(2), entry(3)]);
      await sink.close();
    }
  });

  it('sends one datagram per entry over UDP', async () => {
    const udp: UdpSocket = createSocket('udp4');
    const got: string[] = [];
    udp.on('message', (message) => got.push(message.toString('utf8')));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const sink = new SocketSink({ address: `127.0.0.1:${udp.address().port}`, socketType: 'udp', writeTimeoutMs: 2000 });
    await sink.write(entry(1), { signal: never });
    await sink.write(entry(2), { signal: never });
    await until(() => got.length === 2);
    expect(got).toEqual([`${entry(1)}\n`, `${entry(2)}\n`]);
    await sink.close();
    udp.close();
  });

  it('fails a write after write_timeout when the receiver accepts but never reads', async () => {
    const stuck = await receiver({ reading: false });
    const sink = new SocketSink({ address: stuck.address, socketType: 'tcp', writeTimeoutMs: 200 });
    const big = `{"type":"request","pad":"${'x'.repeat(1 << 20)}"}`;
    let failure: unknown;
    // The kernel's buffers take the first few megabytes; after that a write can only wait.
    for (let i = 0; i < 64 && failure === undefined; i += 1) {
      await sink.write(big, { signal: never }).catch((error: unknown) => (failure = error));
    }
    expect(String(failure)).toMatch(/timed out after 200 ms/);
    await sink.close();
  });

  it('keeps the server answering: the broker resolves through a file device while the socket device hangs', async () => {
    const stuck = await receiver({ reading: false });
    const logger = collectingLogger();
    const broker = createAuditBroker({ logger, deviceTimeoutMs: 300 });
    broker.addDevice(await openAuditDevice({ path: 'file/', type: 'file', options: { file_path: join(dir.path, 'audit.log') } }));
    broker.addDevice(
      await openAuditDevice({
        path: 'socket/',
        type: 'socket',
        // log_raw keeps the padding large (HMACs would shrink it), so the kernel buffers fill up.
        options: { address: stuck.address, write_timeout: '200ms', log_raw: 'true' },
      }),
    );
    const pad = 'y'.repeat(1 << 20);
    for (let i = 0; i < 40; i += 1) {
      await broker.logRequest({ request: { id: `r${i}`, operation: 'update', path: 'secret/data/big', data: { pad } } });
    }
    await broker.idle();
    const socketStats = broker.stats().devices.find((d) => d.path === 'socket/');
    expect(socketStats?.lastError).toMatch(/timed out/);
    expect(socketStats?.timeouts).toBeGreaterThan(0);
    expect(broker.stats().refused.request).toBe(0);
    expect((await readFile(join(dir.path, 'audit.log'), 'utf8')).split('\n')).toHaveLength(41);
    expect(logger.records.some((r) => r.bindings['device'] === 'socket/' && r.level === 'error')).toBe(true);
    await broker.close();
  });

  it('reconnects after the receiver restarts, and after it was down', async () => {
    const first = await receiver();
    const port = first.port;
    const sink = new SocketSink({ address: first.address, socketType: 'tcp', writeTimeoutMs: 2000 });
    await sink.write(entry(1), { signal: never });
    await until(() => first.lines.length === 1);
    receivers.splice(receivers.indexOf(first), 1);
    await first.stop();

    // The first line after the receiver died may vanish into the dead connection (TCP cannot
    // tell); once the close is seen, writes fail: nothing listens.
    let failure: unknown;
    for (let n = 0; n < 50 && failure === undefined; n += 1) {
      await sink.write(entry(2), { signal: never }).catch((error: unknown) => (failure = error));
      await sleep(10);
    }
    expect(String(failure)).toMatch(/ECONNREFUSED|EPIPE|ECONNRESET/);

    const second = await receiver({ port });
    let i = 3;
    for (; i < 50 && second.lines.length === 0; i += 1) {
      await sink.write(entry(i), { signal: never });
      await sleep(10);
    }
    expect(second.lines.length).toBeGreaterThan(0);
    await sink.close();
  });

  it('rejects an unreachable receiver fast and refuses bad options', async () => {
    const sink = new SocketSink({ address: '127.0.0.1:1', socketType: 'tcp', writeTimeoutMs: 2000 });
    await expect(sink.write(entry(1), { signal: never })).rejects.toThrow(/ECONNREFUSED/);
    await sink.close();
    await expect(openAuditDevice({ path: 'socket/', type: 'socket', options: { socket_type: 'sctp' } })).rejects.toThrow(
      /address is required; socket_type must be tcp, udp or unix/,
    );
    void silentLogger;
  });
});
