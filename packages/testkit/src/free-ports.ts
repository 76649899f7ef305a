import { createServer, type AddressInfo, type Server } from 'node:net';

/**
 * `count` distinct free TCP ports on 127.0.0.1. All listeners are held open at once so the kernel
 * cannot hand out the same port twice; a port can still be taken by someone else between this call
 * and its use, which is why process starters retry on "address already in use".
 */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((server) => (server.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
