import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, createTestApp, initAndUnseal, type TestApp } from './helpers.js';

describe('sys/health', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await createTestApp();
  });
  afterEach(async () => t.close());

  const health = (query = '', method: 'GET' | 'HEAD' = 'GET') => t.app.inject({ method, url: `/v1/sys/health${query}` });

  it('answers 501 uninitialised, 503 sealed, 200 active, each with a body', async () => {
    const uninit = await health();
    expect(uninit.statusCode).toBe(501);
    expect(uninit.json()).toMatchObject({ initialized: false, sealed: true, standby: false });
    expect(uninit.json()).not.toHaveProperty('cluster_id');

    const { rootToken } = await initAndUnseal(t, 1, 1);
    const active = await health();
    expect(active.statusCode).toBe(200);
    expect(active.json()).toMatchObject({
      initialized: true,
      sealed: false,
      standby: false,
      performance_standby: false,
      replication_performance_mode: 'disabled',
      replication_dr_mode: 'disabled',
      enterprise: false,
    });
    expect(active.json().cluster_name).toMatch(/^vault-cluster-[0-9a-f]{8}$/);
    expect(typeof active.json().server_time_utc).toBe('number');
    expect(typeof active.json().version).toBe('string');

    await call(t, rootToken, 'PUT', '/v1/sys/seal');
    const sealed = await health();
    expect(sealed.statusCode).toBe(503);
    expect(sealed.json()).toMatchObject({ initialized: true, sealed: true });
  });

  it('honours every code override, including ones a single node never emits', async () => {
    expect((await health('?uninitcode=299')).statusCode).toBe(299);
    expect((await health('?uninitcode=204&sealedcode=204')).statusCode).toBe(204);
    const all = '?activecode=299&standbycode=299&drsecondarycode=299&performancestandbycode=299&haunhealthycode=299&removedcode=299&sealedcode=299&uninitcode=299&standbyok=true&perfstandbyok=true';
    const res = await health(all);
    expect(res.statusCode).toBe(299);
    expect(res.json()).toMatchObject({ initialized: false });
    await initAndUnseal(t);
    expect((await health('?activecode=218')).statusCode).toBe(218);
    expect((await health('?standbyok=true')).statusCode).toBe(200);
    expect((await health('?sealedcode=204')).statusCode).toBe(200);
  });

  it('answers HEAD with the status only', async () => {
    const res = await health('', 'HEAD');
    expect(res.statusCode).toBe(501);
    expect(res.body).toBe('');
  });

  it.each(['?activecode=abc', '?sealedcode=-1', '?uninitcode=1000', '?standbycode=42', '?standbyok=maybe'])(
    'refuses the bad parameter %s with 400',
    async (query) => {
      const res = await health(query);
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0]).toMatch(/^invalid /);
    },
  );

  it('is unauthenticated and reports sys/leader for a single node', async () => {
    await initAndUnseal(t);
    const leader = await t.app.inject({ url: '/v1/sys/leader' });
    expect(leader.statusCode).toBe(200);
    expect(leader.json()).toMatchObject({ ha_enabled: false, is_self: false, leader_address: '' });
  });
});
