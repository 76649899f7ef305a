import { InMemoryStorage } from '@coffer/sdk';
import { createRecordingLogger, startKubernetesFake, type KubernetesFake, type RecordingLogger } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../src/core/core.js';
import { engineRegistry } from '../src/engines/registry.js';
import { buildApp } from '../src/http/app.js';
import { call, createTestApp, initAndUnseal, type TestApp } from './helpers.js';

/**
 * createTestApp's server, built here with a recording logger instead of the silent one, so refused
 * logins can be checked for their logged reason through the real mount's child logger.
 */
async function createLoggedTestApp(log: RecordingLogger): Promise<TestApp> {
  const storage = new InMemoryStorage();
  const now = () => new Date();
  const core = new Core({
    physical: storage,
    logger: log.logger,
    now,
    defaultLeaseTtl: 768 * 3600,
    maxLeaseTtl: 768 * 3600,
    registry: engineRegistry(now),
    defaultMounts: { mounts: [{ path: 'cubbyhole/', type: 'cubbyhole' }, { path: 'sys/', type: 'system' }], auth: [{ path: 'token/', type: 'token' }] },
  });
  await core.start();
  const app = await buildApp({
    core,
    logger: log.logger,
    info: { version: '1.19.0+coffer.test', buildDate: '2026-01-01T00:00:00Z', storageType: 'inmem' },
    maxRequestSize: 32 * 1024 * 1024,
    maxRequestDuration: 90,
  });
  return { app, core, storage, close: async () => (await app.close(), await core.seal()) };
}

let fake: KubernetesFake;
beforeAll(async () => {
  fake = await startKubernetesFake();
});
afterAll(() => fake.close());

const login = (t: TestApp, mount: string, body: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: `/v1/auth/${mount}/login`, payload: body, remoteAddress: '10.0.0.5' });

describe('kubernetes auth through the whole server, against the Kubernetes API fake over https', () => {
  const log = createRecordingLogger();
  let t: TestApp;
  let root: string;
  const reasons = () => log.records.filter((r) => r.message === 'kubernetes login refused');
  const jwt = (namespace = 'app', name = 'web', audiences = ['coffer'], expiresIn?: number) =>
    fake.issueServiceAccountToken({ namespace, name, audiences, ...(expiresIn !== undefined ? { expiresIn } : {}) });

  beforeAll(async () => {
    t = await createLoggedTestApp(log);
    root = (await initAndUnseal(t)).rootToken;
    for (const [path, config] of [
      ['kubernetes', { token_reviewer_jwt: fake.reviewerToken }],
      ['k8s-client', {}],
    ] as const) {
      expect((await call(t, root, 'POST', `/v1/sys/auth/${path}`, { type: 'kubernetes' })).statusCode).toBe(204);
      const configured = await call(t, root, 'POST', `/v1/auth/${path}/config`, { kubernetes_host: fake.url, kubernetes_ca_cert: fake.caPem, disable_local_ca_jwt: true, ...config });
      expect(configured.statusCode).toBe(204);
    }
    const role = { bound_service_account_names: 'web', bound_service_account_namespaces: 'app', audience: 'coffer', token_policies: 'web', token_ttl: '20m', token_max_ttl: '1h' };
    expect((await call(t, root, 'POST', '/v1/auth/kubernetes/role/web', role)).statusCode).toBe(204);
    await call(t, root, 'POST', '/v1/auth/k8s-client/role/web', { ...role, audience: '' });
  });
  afterAll(() => t.close());

  it('logs app/web in to role web: Vault’s auth block, metadata and display name', async () => {
    const token = await jwt();
    const res = await login(t, 'kubernetes', { role: 'web', jwt: token });
    expect(res.statusCode).toBe(200);
    const auth = res.json().auth;
    expect(auth).toMatchObject({
      policies: ['default', 'web'],
      token_policies: ['default', 'web'],
      lease_duration: 1200,
      renewable: true,
      orphan: true,
      metadata: { role: 'web', service_account_name: 'web', service_account_namespace: 'app', service_account_secret_name: '', service_account_uid: expect.any(String) },
    });
    const self = (await call(t, auth.client_token, 'GET', '/v1/auth/token/lookup-self')).json().data;
    expect(self).toMatchObject({ display_name: 'kubernetes-app-web', path: 'auth/kubernetes/login', meta: auth.metadata });
    expect(fake.tokenReviews.at(-1)).toMatchObject({ bearerToken: fake.reviewerToken, token, audiences: ['coffer'], authenticated: true });
    expect((await call(t, root, 'GET', '/v1/auth/kubernetes/config')).json().data).toMatchObject({ token_reviewer_jwt_set: true, kubernetes_host: fake.url });
  });

  it('refuses another account, another namespace, a wrong audience, an expired token and an unauthenticated review with 403, logging why', async () => {
    const cases: [Promise<string>, string, RegExp][] = [
      [jwt('app', 'db'), 'service account name not authorized', /service account name "db"/],
      [jwt('other', 'web'), 'namespace not authorized', /namespace "other"/],
      [jwt('app', 'web', ['vault']), 'invalid audience (aud) claim: audience claim does not match any expected audience', /invalid audience/],
      [jwt('app', 'web', ['coffer'], -120), 'invalid expiration time (exp) claim: token is expired', /token is expired/],
    ];
    for (const [token, error, reason] of cases) {
      const res = await login(t, 'kubernetes', { role: 'web', jwt: await token });
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ errors: [error] });
      expect(String(reasons().at(-1)?.bindings.reason)).toMatch(reason);
    }
    const token = await jwt();
    fake.deny();
    const res = await login(t, 'kubernetes', { role: 'web', jwt: token });
    fake.allow();
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ errors: ['permission denied'] });
    expect(reasons().at(-1)?.bindings).toMatchObject({ mount: 'kubernetes/', type: 'kubernetes', role: 'web', reason: 'lookup failed: service account jwt not valid' });
    expect(log.text()).not.toContain(token.split('.')[2]);
  });

  it("reviews with the client's own JWT on a mount without a reviewer JWT", async () => {
    const token = await fake.issueServiceAccountToken({ namespace: 'app', name: 'web' });
    const res = await login(t, 'k8s-client', { role: 'web', jwt: token });
    expect(res.statusCode).toBe(200);
    expect(fake.tokenReviews.at(-1)).toMatchObject({ bearerToken: token, token, authenticated: true });
  });

  it('answers 403 while the API server is down and logs a warning; logins work again once it is back', async () => {
    const token = await jwt();
    await fake.down();
    let res;
    try {
      res = await login(t, 'kubernetes', { role: 'web', jwt: token });
    } finally {
      await fake.up();
    }
    expect(res.statusCode).toBe(403);
    expect(reasons().at(-1)).toMatchObject({ level: 'warn', bindings: { reason: expect.stringMatching(/cannot reach the Kubernetes API .*ECONNREFUSED/) } });
    expect((await login(t, 'kubernetes', { role: 'web', jwt: token })).statusCode).toBe(200);
  });

  it("renews within the role's max TTL, and refuses renewal once the role is deleted", async () => {
    await call(t, root, 'POST', '/v1/auth/kubernetes/role/short', { bound_service_account_names: 'web', bound_service_account_namespaces: 'app', audience: 'coffer', token_ttl: '10m', token_max_ttl: '30m' });
    const token = (await login(t, 'kubernetes', { role: 'short', jwt: await jwt() })).json().auth.client_token;
    const renewed = await call(t, token, 'POST', '/v1/auth/token/renew-self', { increment: '2h' });
    expect(renewed.statusCode).toBe(200);
    expect(renewed.json().auth.lease_duration).toBeLessThanOrEqual(1800);
    await call(t, root, 'DELETE', '/v1/auth/kubernetes/role/short');
    const refused = await call(t, token, 'POST', '/v1/auth/token/renew-self', {});
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors).toEqual(['role short does not exist during renewal']);
  });
});

describe('jwt auth through the whole server, with the fake as identity provider', () => {
  let t: TestApp;
  let root: string;
  const claims = (extra: Record<string, unknown> = {}) => {
    const now = Math.floor(Date.now() / 1000);
    return { iss: fake.issuer, sub: 'deploy-bot', aud: 'coffer', iat: now, nbf: now, exp: now + 300, env: 'prod', ...extra };
  };
  const jwtLogin = async (token: string, mount = 'jwt') => login(t, mount, { role: 'ci', jwt: token });

  beforeAll(async () => {
    t = await createTestApp();
    root = (await initAndUnseal(t)).rootToken;
    const role = { role_type: 'jwt', user_claim: 'sub', bound_audiences: 'coffer', bound_claims: { env: 'prod' }, claim_mappings: { env: 'env' }, token_policies: 'ci', token_ttl: '15m' };
    for (const [path, config] of [
      ['jwt', { jwks_url: fake.jwksUrl, jwks_ca_pem: fake.caPem, bound_issuer: fake.issuer }],
      ['jwt-pem', { jwt_validation_pubkeys: [fake.publicKeyPem], bound_issuer: fake.issuer }],
    ] as const) {
      expect((await call(t, root, 'POST', `/v1/sys/auth/${path}`, { type: 'jwt' })).statusCode).toBe(204);
      expect((await call(t, root, 'POST', `/v1/auth/${path}/config`, config)).statusCode).toBe(204);
      expect((await call(t, root, 'POST', `/v1/auth/${path}/role/ci`, role)).statusCode).toBe(204);
    }
  });
  afterAll(() => t.close());

  it('logs in with a JWKS-signed token and with static PEM keys', async () => {
    for (const mount of ['jwt', 'jwt-pem']) {
      const res = await jwtLogin(await fake.signJwt(claims()), mount);
      expect(res.statusCode).toBe(200);
      expect(res.json().auth).toMatchObject({ policies: ['ci', 'default'], lease_duration: 900, metadata: { env: 'prod', role: 'ci' }, orphan: true });
      const self = (await call(t, res.json().auth.client_token, 'GET', '/v1/auth/token/lookup-self')).json().data;
      expect(self).toMatchObject({ display_name: `${mount}-deploy-bot`, path: `auth/${mount}/login` });
    }
  });

  it('refuses alg none, an unknown kid, a wrong aud or iss, expired and not-yet-valid tokens, and bad bound claims, with Vault’s 400 and reason', async () => {
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.`;
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, RegExp][] = [
      [unsigned, /token must be signed/],
      [await fake.signJwt(claims(), { kid: 'unknown-kid' }), /no key with kid "unknown-kid"/],
      [await fake.signJwt(claims({ aud: 'other' })), /invalid audience \(aud\) claim/],
      [await fake.signJwt(claims({ iss: 'https://evil.example' })), /invalid issuer \(iss\) claim/],
      [await fake.signJwt(claims({ iat: now - 900, nbf: now - 900, exp: now - 600 })), /token is expired/],
      [await fake.signJwt(claims({ nbf: now + 600 })), /token not yet valid/],
      [await fake.signJwt(claims({ env: 'dev' })), /claim "env" does not match any associated bound claim values/],
    ];
    for (const [token, reason] of cases) {
      const res = await jwtLogin(token);
      expect(res.statusCode).toBe(400);
      expect(res.json().errors[0]).toMatch(reason);
    }
  });

  it('renews with the role, and refuses once the role is gone', async () => {
    const token = (await jwtLogin(await fake.signJwt(claims()))).json().auth.client_token;
    expect((await call(t, token, 'POST', '/v1/auth/token/renew-self', {})).statusCode).toBe(200);
    await call(t, root, 'DELETE', '/v1/auth/jwt/role/ci');
    const refused = await call(t, token, 'POST', '/v1/auth/token/renew-self', {});
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors).toEqual(['role ci does not exist during renewal']);
  });
});
