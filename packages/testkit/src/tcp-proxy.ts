import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

/** A loopback TCP relay that can stall traffic, to simulate a partition without killing anyone. */
export interface TcpProxy {
  readonly port: number;
  /** `http://127.0.0.1:<port>`, to use as an endpoint in place of the target's. */
  readonly url: string;
  /**
   * Holds every byte in both directions (existing and new connections) without closing anything,
   * like a network that silently drops into a black hole; held bytes are delivered on `resume()`.
   */
  pause(): void;
  resume(): void;
  /** Cuts every connection (both ends see a reset) but keeps listening. */
  cutConnections(): void;
  close(): Promise<void>;
}

interface Pipe {
  client: Socket;
  upstream: Socket;
  held: { to: Socket; chunk: Buffer }[];
}

/** Relays 127.0.0.1:<free port> to `target` (`host:port` or a URL). */
export async function startTcpProxy(target: string | { host: string; port: number }): Promise<TcpProxy> {
  const { host, port } = typeof target === 'string' ? parseTarget(target) : target;
  const pipes = new Set<Pipe>();
  let paused = false;

  const server = createServer((client) => {
    const upstream = connect({ host, port });
    const pipe: Pipe = { client, upstream, held: [] };
    pipes.add(pipe);
    const relay = (to: Socket) => (chunk: Buffer) => {
      if (paused) pipe.held.push({ to, chunk });
      else to.write(chunk);
    };
    client.on('data', relay(upstream));
    upstream.on('data', relay(client));
    const done = () => {
      pipes.delete(pipe);
      client.destroy();
      upstream.destroy();
    };
    client.on('close', done);
    upstream.on('close', done);
    client.on('error', done);
    upstream.on('error', done);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const listening = (server.address() as AddressInfo).port;
  const cutConnections = () => {
    for (const pipe of pipes) {
      pipe.client.resetAndDestroy();
      pipe.upstream.resetAndDestroy();
    }
    pipes.clear();
  };

  return {
    port: listening,
    url: `http://127.0.0.1:${listening}`,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const pipe of pipes) {
        for (const { to, chunk } of pipe.held.splice(0)) to.write(chunk);
      }
    },
    cutConnections,
    async close() {
      cutConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

function parseTarget(target: string): { host: string; port: number } {
  const url = new URL(target.includes('://') ? target : `tcp://${target}`);
  const port = Number(url.port);
  if (!url.hostname || !Number.isInteger(port) || port <= 0) throw new Error(`proxy target needs host:port, got ${target}`);
  return { host: url.hostname, port };
}
