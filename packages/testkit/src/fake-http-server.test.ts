import { describe, expect, it } from 'vitest';
import { request } from '../test/http-client.js';
import { FakeHttpServer } from './fake-http-server.js';

describe('FakeHttpServer', () => {
  it('binds 127.0.0.1, records requests, and answers JSON', async () => {
    const server = await FakeHttpServer.start((r) => ({ status: 201, body: { echo: r.body, path: r.path } }));
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const reply = await request(`${server.url}/a/b?x=1`, { body: { hello: 'world' } });
      expect(reply.status).toBe(201);
      expect(reply.json).toEqual({ echo: '{"hello":"world"}', path: '/a/b' });
      expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/a/b' });
      expect(server.requests[0]?.query.get('x')).toBe('1');
    } finally {
      await server.close();
    }
  });

  it('goes down (connections refused) and comes back up on the same port', async () => {
    const server = await FakeHttpServer.start(() => ({ status: 200, body: {} }));
    try {
      const port = server.port;
      await server.down();
      const error = await request(server.url).catch((e: unknown) => e);
      expect((error as { code?: string }).code).toBe('ECONNREFUSED');
      await server.up();
      expect(server.port).toBe(port);
      expect((await request(server.url)).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('waits for requests that match', async () => {
    const server = await FakeHttpServer.start(() => ({ status: 204 }));
    try {
      const waiting = server.waitForRequests((r) => r.path === '/ping', 2);
      await request(`${server.url}/ping`);
      await request(`${server.url}/other`);
      await request(`${server.url}/ping`);
      expect((await waiting).map((r) => r.path)).toEqual(['/ping', '/ping']);
    } finally {
      await server.close();
    }
  });
});
