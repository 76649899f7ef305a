import { connect, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { createTestCertificates } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen, type Listening } from '../src/http/listener.js';
import { call, createTestApp, initAndUnseal, type TestApp } from './helpers.js';

/** Sends raw bytes on one keep-alive connection and collects each response (Content-Length framed). */
class RawClient {
  readonly #socket: Socket;
  #buffer = Buffer.alloc(0);
  #waiters: (() => void)[] = [];

  constructor(port: number) {
    this.#socket = connect(port, '127.0.0.1');
    this.#socket.on('data', (chunk) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  async send(raw: string | Buffer): Promise<{ status: number; headers: string; body: string }> {
    this.#socket.write(raw);
    for (;;) {
      const text = this.#buffer.toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      if (end !== -1) {
        const headers = text.slice(0, end);
        const length = Number(/content-length: (\d+)/i.exec(headers)?.[1] ?? 0);
        if (this.#buffer.length >= end + 4 + length) {
          const body = this.#buffer.subarray(end + 4, end + 4 + length).toString('utf8');
          this.#buffer = this.#buffer.subarray(end + 4 + length);
          return { status: Number(headers.split(' ')[1]), headers, body };
        }
      }
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  close(): void {
    this.#socket.destroy();
  }
}

describe('plain listener: LIST shim and raw paths', () => {
  let t: TestApp;
  let root: string;
  let listening: Listening;
  beforeAll(async () => {
    t = await createTestApp();
    root = (await initAndUnseal(t)).rootToken;
    await call(t, root, 'POST', '/v1/sys/mounts/secret', { type: 'kv', options: { version: '2' } });
    await call(t, root, 'POST', '/v1/secret/data/app/db', { data: { password: 'p' } });
    await call(t, root, 'POST', '/v1/secret/data/top', { data: { a: 1 } });
    listening = await listen(t.app.server, { host: '127.0.0.1', port: 0, tls: null });
  });
  afterAll(async () => {
    await listening.close();
    await t.close();
  });

  it('serves the LIST method, repeatedly, on a keep-alive connection with a large POST between', async () => {
    const client = new RawClient(listening.port);
    const list = `LIST /v1/secret/metadata/ HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${root}\r\n\r\n`;
    const first = await client.send(list);
    expect(first.status).toBe(200);
    expect(JSON.parse(first.body).data.keys).toEqual(['app/', 'top']);

    const payload = JSON.stringify({ data: { blob: 'L'.repeat(100_000) } });
    const post = await client.send(
      `POST /v1/secret/data/big HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${root}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
    );
    expect(post.status).toBe(200);

    const second = await client.send(`LIST /v1/secret/metadata/app?foo=1 HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${root}\r\n\r\n`);
    expect(second.status).toBe(200);
    expect(JSON.parse(second.body).data.keys).toEqual(['db']);
    client.close();
  });

  it('serves LIST through fetch (undici)', async () => {
    const res = await fetch(`${listening.address}/v1/secret/metadata/`, { method: 'LIST', headers: { 'X-Vault-Token': root } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: { keys: string[] } }).data.keys).toContain('big');
  });

  it.each([
    '/v1/secret/data/../../sys/mounts',
    '/v1/secret/data/%2e%2e/x',
    '/v1/secret/data/%2E%2E/%2e%2e/sys/mounts',
    '/v1/secret/data/./x',
    '/v1/secret//data/x',
  ])('refuses the raw path %s with 400', async (path) => {
    const client = new RawClient(listening.port);
    const res = await client.send(`GET ${path} HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${root}\r\n\r\n`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).errors[0]).toMatch(/invalid request path/);
    client.close();
  });

  it('answers raw non-UTF-8 bytes in the path with a 400, and keeps serving', async () => {
    const client = new RawClient(listening.port);
    const res = await client.send(
      Buffer.concat([Buffer.from('GET /v1/secret/data/'), Buffer.from([0xc3, 0x28]), Buffer.from(` HTTP/1.1\r\nHost: x\r\nX-Vault-Token: ${root}\r\n\r\n`)]),
    );
    expect(res.status).toBe(400);
    client.close();
    const ok = await fetch(`${listening.address}/v1/sys/health`);
    expect(ok.status).toBe(200);
  });

  it('refuses a garbage request line with 400 and keeps serving', async () => {
    const client = new RawClient(listening.port);
    const res = await client.send('BREW /v1/sys/health HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(res.status).toBe(400);
    client.close();
    expect((await fetch(`${listening.address}/v1/sys/health`)).status).toBe(200);
  });
});

describe('TLS listener', () => {
  let t: TestApp;
  let listening: Listening;
  let ca: Buffer;
  beforeAll(async () => {
    const certs = await createTestCertificates();
    ca = await readFile(certs.caFile);
    t = await createTestApp();
    listening = await listen(t.app.server, {
      host: '127.0.0.1',
      port: 0,
      tls: { certFile: certs.certFile, keyFile: certs.keyFile },
    });
  });
  afterAll(async () => {
    await listening.close();
    await t.close();
  });

  const get = (path: string, method = 'GET') =>
    new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpsRequest(`${listening.address}${path}`, { ca, method }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('serves https with a certificate the test CA vouches for', async () => {
    expect(listening.address).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await get('/v1/sys/seal-status');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ initialized: false, sealed: true });
  });

  it('serves LIST over TLS too', async () => {
    const res = await get('/v1/sys/mounts', 'LIST');
    // Sealed: the shim rewrote LIST into a list request, and the core answered 503.
    expect(res.status).toBe(503);
  });

  it('survives a client that is not speaking TLS', async () => {
    const client = new RawClient(listening.port);
    client.send('GET /v1/sys/health HTTP/1.1\r\n\r\n').catch(() => undefined);
    await new Promise((r) => setTimeout(r, 50));
    client.close();
    expect((await get('/v1/sys/health')).status).toBe(501);
  });
});
