import { connect, createServer, type TLSSocket } from 'node:tls';
import { InMemoryStorage } from '@coffer/sdk';
import { describe, expect, it } from 'vitest';
import { clusterCa, issueNodeIdentity } from './cluster-tls.js';

describe('cluster TLS', () => {
  it('creates the CA once and lets two nodes authenticate each other mutually', async () => {
    const storage = new InMemoryStorage();
    expect(await clusterCa(storage, false)).toBeUndefined();
    const ca = await clusterCa(storage, true);
    expect(await clusterCa(storage, false)).toEqual(ca);
    const server = await issueNodeIdentity(ca!, '127.0.0.1');
    const client = await issueNodeIdentity(ca!, '127.0.0.1');

    const listener = createServer({ cert: server.certPem, key: server.keyPem, ca: server.caPem, requestCert: true, rejectUnauthorized: true }, (socket) =>
      socket.end(`hello ${(socket as TLSSocket).authorized}`),
    );
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
    const port = (listener.address() as { port: number }).port;
    const talk = (identity: { certPem?: string; keyPem?: string }) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect({
          port,
          host: '127.0.0.1',
          ca: client.caPem,
          ...(identity.certPem ? { cert: identity.certPem, key: identity.keyPem } : {}),
          checkServerIdentity: () => undefined,
        });
        let text = '';
        socket.on('data', (d) => (text += d.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
    expect(await talk(client)).toBe('hello true');
    // Without a certificate from the cluster CA the server refuses the connection (with TLS 1.3 the
    // client learns it after its side of the handshake: an error or an empty close, never a reply).
    const refused = async (identity: { certPem?: string; keyPem?: string }) => (await talk(identity).catch(() => '')) === '';
    expect(await refused({})).toBe(true);
    const stranger = await issueNodeIdentity((await clusterCa(new InMemoryStorage(), true))!, '127.0.0.1');
    expect(await refused(stranger)).toBe(true);
    listener.close();
  });
});
