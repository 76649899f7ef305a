import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import { createSecureContext, createServer, type SecureContext, type TLSSocket } from 'node:tls';
import type { Core } from '../core/core.js';
import { ListRewritingSocket } from './list-shim.js';
import type { Listening } from './listener.js';

/**
 * The cluster listener: where standbys forward requests to the active node. Mutual TLS with the
 * cluster CA (behind the barrier): a node serves it only once unsealed, and only peers holding a
 * certificate from the same CA get through. Connections are handed to the same HTTP app, marked as
 * trusted so the forwarded client address is believed.
 */
export async function listenCluster(server: HttpServer, core: Core, host: string, port: number): Promise<Listening> {
  const sockets = new Set<Socket>();
  let context: { pem: string; context: SecureContext } | undefined;
  const tlsServer = createServer({
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.2',
    SNICallback: (_name, callback) => {
      core
        .clusterIdentity()
        .then((identity) => {
          if (!identity) return callback(new Error('this node has no cluster identity yet (sealed?)'), undefined);
          if (context?.pem !== identity.certPem) {
            context = {
              pem: identity.certPem,
              context: createSecureContext({ cert: identity.certPem, key: identity.keyPem, ca: identity.caPem }),
            };
          }
          callback(null, context.context);
        })
        .catch((error: Error) => callback(error, undefined));
    },
  });
  tlsServer.on('secureConnection', (socket: TLSSocket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    server.emit('connection', new ListRewritingSocket(socket, { trustedPeer: socket.authorized }));
  });
  tlsServer.on('tlsClientError', (_error, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    tlsServer.once('error', reject);
    tlsServer.listen(port, host, () => {
      tlsServer.off('error', reject);
      resolve();
    });
  });
  const bound = tlsServer.address();
  const actualPort = typeof bound === 'object' && bound ? bound.port : port;
  return {
    address: `https://${host.includes(':') ? `[${host}]` : host}:${actualPort}`,
    port: actualPort,
    close: () =>
      new Promise<void>((resolve) => {
        tlsServer.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
