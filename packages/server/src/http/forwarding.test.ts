import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { CofferError, InMemoryStorage, silentLogger, type LeaderInfo } from '@coffer/sdk';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import type { Core } from '../core/core.js';
import { clusterCa, issueNodeIdentity, type ClusterIdentity } from '../core/ha/cluster-tls.js';
import { Forwarder } from './forwarding.js';

/**
 * The forwarder on its own: a standby app whose every request goes to `Forwarder.handle`, and a
 * stand-in active node on the cluster port that misbehaves on cue. What matters is the line between
 * "never sent" (redirect the client) and "sent, outcome unknown" (an error, never a redirect:
 * the client would send a write the active node may already have applied a second time).
 */
describe('Forwarder', () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close();
  });

  async function identities(): Promise<{ standby: ClusterIdentity; active: ClusterIdentity }> {
    const ca = await clusterCa(new InMemoryStorage(), true);
    if (!ca) throw new Error('no cluster CA');
    return { standby: await issueNodeIdentity(ca, '127.0.0.1'), active: await issueNodeIdentity(ca, '127.0.0.1') };
  }

  /** A cluster listener that reads each request and then does `behave` with the socket. */
  async function fakeActive(identity: ClusterIdentity, behave: (socket: TLSSocket) => void): Promise<{ port: number; requests: string[] }> {
    const requests: string[] = [];
    const server = createTlsServer({ cert: identity.certPem, key: identity.keyPem, ca: identity.caPem, requestCert: true, rejectUnauthorized: true });
    server.on('secureConnection', (socket) => {
      let head = '';
      socket.on('data', (chunk: Buffer) => {
        head += chunk.toString('latin1');
        if (!head.includes('\r\n\r\n')) return;
        requests.push(head.split('\r\n')[0] as string);
        head = '';
        behave(socket);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => server.close(resolve)));
    return { port: (server.address() as AddressInfo).port, requests };
  }

  async function standbyApp(identity: ClusterIdentity | undefined, leader: LeaderInfo): Promise<FastifyInstance> {
    const core = {
      haState: () => ({ enabled: true, self: { id: 'standby', apiAddr: 'http://127.0.0.1:1', clusterAddr: 'https://127.0.0.1:2' }, leader }),
      clusterIdentity: async () => identity,
    } as unknown as Core;
    const forwarder = new Forwarder(core, silentLogger);
    const app = Fastify();
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    app.setErrorHandler((error, _request, reply) => {
      const status = error instanceof CofferError && error.code === 'upstream' ? 502 : 500;
      void reply.code(status).send({ errors: [(error as Error).message] });
    });
    app.all('/*', (request, reply) => forwarder.handle(request, reply));
    closers.push(async () => {
      await forwarder.close();
      await app.close();
    });
    return app;
  }

  const leaderAt = (clusterPort: number): LeaderInfo => ({
    id: 'active',
    apiAddr: 'http://127.0.0.1:8200',
    clusterAddr: `https://127.0.0.1:${clusterPort}`,
  });

  it('relays the active node’s answer unchanged', async () => {
    const { standby, active } = await identities();
    const { port } = await fakeActive(active, (socket) => {
      socket.end('HTTP/1.1 201 Created\r\ncontent-type: application/json\r\nx-from: active\r\ncontent-length: 11\r\nconnection: close\r\n\r\n{"ok":true}');
    });
    const app = await standbyApp(standby, leaderAt(port));
    const res = await app.inject({ method: 'POST', url: '/v1/secret/data/x', payload: { data: { a: 1 } } });
    expect(res.statusCode).toBe(201);
    expect(res.headers['x-from']).toBe('active');
    expect(res.json()).toEqual({ ok: true });
  });

  it('answers 502, not a redirect, when the connection drops after the request was sent', async () => {
    const { standby, active } = await identities();
    const fake = await fakeActive(active, (socket) => socket.destroy());
    const app = await standbyApp(standby, leaderAt(fake.port));
    const res = await app.inject({ method: 'POST', url: '/v1/secret/data/x', payload: { data: { a: 1 } } });
    expect(fake.requests).toEqual(['POST /v1/secret/data/x HTTP/1.1']);
    expect(res.statusCode).toBe(502);
    expect(res.headers.location).toBeUndefined();
    expect(res.json().errors[0]).toMatch(/may or may not have been applied/);
  });

  it('redirects when the request could not be sent: nothing listens, or the TLS handshake fails', async () => {
    const { standby } = await identities();
    const refused = await standbyApp(standby, leaderAt(1));
    const res = await refused.inject({ method: 'PUT', url: '/v1/secret/data/x?list=true', payload: {} });
    expect(res.statusCode).toBe(307);
    expect(res.headers.location).toBe('http://127.0.0.1:8200/v1/secret/data/x?list=true');

    // A peer from another cluster CA: the handshake fails before any byte of the request leaves.
    const stranger = (await identities()).active;
    const other = await fakeActive(stranger, (socket) => socket.destroy());
    const mismatched = await standbyApp(standby, leaderAt(other.port));
    const res2 = await mismatched.inject({ method: 'POST', url: '/v1/secret/data/y', payload: {} });
    expect(other.requests).toEqual([]);
    expect(res2.statusCode).toBe(307);
  });

  it('redirects without trying when this node has no cluster identity yet', async () => {
    const app = await standbyApp(undefined, leaderAt(1));
    const res = await app.inject({ method: 'GET', url: '/v1/secret/data/x' });
    expect(res.statusCode).toBe(307);
  });
});
