import { InMemoryStorage, silentLogger } from '@coffer/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../src/core/core.js';
import { engineRegistry } from '../src/engines/registry.js';
import { buildApp } from '../src/http/app.js';
import { listen } from '../src/http/listener.js';
import { meteredStorage } from '../src/metrics/metered-storage.js';
import { Metrics } from '../src/metrics/metrics.js';
import { call, initAndUnseal, type TestApp } from './helpers.js';

describe('sys/metrics', () => {
  let t: TestApp;
  let root: string;
  beforeAll(async () => {
    const metrics = new Metrics();
    const storage = new InMemoryStorage();
    const now = () => new Date();
    const core = new Core({
      physical: meteredStorage(storage, metrics),
      logger: silentLogger,
      now,
      defaultLeaseTtl: 3600,
      maxLeaseTtl: 3600,
      registry: engineRegistry(now),
      defaultMounts: { mounts: [{ path: 'sys/', type: 'system' }], auth: [{ path: 'token/', type: 'token' }] },
      metrics,
    });
    const app = await buildApp({ core, metrics, logger: silentLogger, info: { version: 'x', buildDate: 'x', storageType: 'inmem' }, maxRequestSize: 1 << 20, maxRequestDuration: 90 });
    t = { app, core, storage, close: async () => { await app.close(); await core.seal(); } };
    root = (await initAndUnseal(t)).rootToken;
    await call(t, root, 'POST', '/v1/sys/mounts/secret', { type: 'kv-v2' });
    await call(t, root, 'POST', '/v1/secret/data/a', { data: { v: 1 } });
    await call(t, root, 'GET', '/v1/secret/data/a');
  });
  afterAll(async () => t.close());

  it('serves Prometheus text with request, storage, seal, lease and Node metrics', async () => {
    const res = await t.app.inject({ url: '/v1/sys/metrics?format=prometheus', headers: { 'x-vault-token': root } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.body;
    expect(text).toMatch(/coffer_requests_total\{mount="kv",operation="read",status="200"\} 1/);
    expect(text).toMatch(/coffer_request_duration_seconds_bucket\{le="[^"]+",mount="kv",operation="update"\}/);
    expect(text).toMatch(/coffer_storage_operation_duration_seconds_count\{op="put"\} \d+/);
    expect(text).toMatch(/coffer_sealed 0/);
    expect(text).toMatch(/coffer_active 1/);
    expect(text).toMatch(/coffer_leases_scheduled\{kind="token"\} \d+/);
    expect(text).toMatch(/coffer_leases_scheduled\{kind="secret"\} 0/);
    expect(text).toMatch(/coffer_leases_irrevocable 0/);
    expect(text).toMatch(/coffer_nodejs_eventloop_lag_seconds/);
    expect(text).not.toContain('secret/data/a');
  });

  it('is token-guarded and follows the ACL', async () => {
    expect((await t.app.inject({ url: '/v1/sys/metrics?format=prometheus' })).statusCode).toBe(403);
    const user = (await call(t, root, 'POST', '/v1/auth/token/create', { policies: ['default'] })).json().auth.client_token;
    expect((await call(t, user, 'GET', '/v1/sys/metrics?format=prometheus')).statusCode).toBe(403);
    await call(t, root, 'PUT', '/v1/sys/policies/acl/prometheus', { policy: 'path "sys/metrics" { capabilities = ["read"] }' });
    const scraper = (await call(t, root, 'POST', '/v1/auth/token/create', { policies: ['prometheus'] })).json().auth.client_token;
    expect((await call(t, scraper, 'GET', '/v1/sys/metrics?format=prometheus')).statusCode).toBe(200);
    const json = await call(t, scraper, 'GET', '/v1/sys/metrics');
    expect(Array.isArray(json.json())).toBe(true);
    expect((await call(t, scraper, 'GET', '/v1/sys/metrics?format=xml')).statusCode).toBe(400);
  });

  it("answers without a token on a listener with unauthenticated_metrics_access, and only there", async () => {
    const open = await listen(t.app.server, { host: '127.0.0.1', port: 0, tls: null, unauthenticatedMetrics: true });
    const guarded = await listen(t.app.server, { host: '127.0.0.1', port: 0, tls: null });
    try {
      const scrape = await fetch(`${open.address}/v1/sys/metrics?format=prometheus`);
      expect(scrape.status).toBe(200);
      expect(await scrape.text()).toMatch(/coffer_sealed 0/);
      expect((await fetch(`${open.address}/v1/sys/metrics`)).headers.get('content-type')).toMatch(/application\/json/);
      expect((await fetch(`${open.address}/v1/sys/metrics?format=xml`)).status).toBe(400);
      // Nothing else on that listener loosens: other paths and methods still need a token.
      expect((await fetch(`${open.address}/v1/secret/data/a`)).status).toBe(403);
      expect((await fetch(`${open.address}/v1/sys/metrics`, { method: 'POST', body: '{}' })).status).toBe(403);
      // The other listener guards it as before, and the internal route cannot be named directly.
      expect((await fetch(`${guarded.address}/v1/sys/metrics?format=prometheus`)).status).toBe(403);
      expect((await fetch(`${guarded.address}/v1/sys/metrics/unauthenticated?format=prometheus`)).status).toBe(403);
    } finally {
      await open.close();
      await guarded.close();
    }
  });
});
