import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { readFile } from 'node:fs/promises';
import type { Server as HttpServer } from 'node:http';
import { CofferError } from '@coffer/sdk';
import { ListRewritingSocket } from './list-shim.js';

export interface ListenerSpec {
  host: string;
  port: number;
  tls: { certFile: string; keyFile: string; minVersion?: 'TLSv1.2' | 'TLSv1.3' } | null;
  /** sys/metrics answers without a token on this listener (Vault's `unauthenticated_metrics_access`). */
  unauthenticatedMetrics?: boolean;
}

export interface Listening {
  /** e.g. `https://127.0.0.1:8200` */
  address: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Accepts connections (plain TCP or TLS), passes each through the LIST shim, and hands it to the
 * HTTP server, which never listens itself. Tracks sockets so close() does not hang on keep-alive.
 */
export async function listen(server: HttpServer, spec: ListenerSpec): Promise<Listening> {
  const sockets = new Set<Socket>();
  const accept = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    server.emit('connection', new ListRewritingSocket(socket, { unauthenticatedMetrics: spec.unauthenticatedMetrics ?? false }));
  };

  let netServer: NetServer;
  if (spec.tls) {
    const [cert, key] = await Promise.all([readTlsFile(spec.tls.certFile), readTlsFile(spec.tls.keyFile)]);
    const tlsServer = createTlsServer({ cert, key, minVersion: spec.tls.minVersion ?? 'TLSv1.2', ALPNProtocols: ['http/1.1'] });
    tlsServer.on('secureConnection', (socket: TLSSocket) => accept(socket));
    // A failed handshake is the client's problem; it must not crash or log secrets.
    tlsServer.on('tlsClientError', (_error, socket) => socket.destroy());
    netServer = tlsServer;
  } else {
    netServer = createNetServer(accept);
  }

  await new Promise<void>((resolve, reject) => {
    netServer.once('error', reject);
    netServer.listen(spec.port, spec.host, () => {
      netServer.off('error', reject);
      resolve();
    });
  });
  const bound = netServer.address();
  const port = typeof bound === 'object' && bound ? bound.port : spec.port;
  const host = spec.host.includes(':') ? `[${spec.host}]` : spec.host;
  return {
    address: `${spec.tls ? 'https' : 'http'}://${host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        netServer.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

async function readTlsFile(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new CofferError('invalid_request', `cannot read TLS file "${path}": ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, {
      cause,
    });
  }
}
