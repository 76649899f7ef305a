import { generateKeyPairSync } from 'node:crypto';
import { CompactSign } from 'jose';
import { createRecordingLogger, startKubernetesFake, type KubernetesFake, type RecordingLogger } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineHarness, type EngineHarness } from '../engine-harness.js';
import { createJwtAuthEngine } from './jwt-engine.js';

/** The fake Kubernetes API doubles as the identity provider: it signs JWTs and serves discovery and a JWKS. */
let idp: KubernetesFake;
beforeAll(async () => {
  idp = await startKubernetesFake();
});
afterAll(() => idp.close());

interface Harness extends EngineHarness {
  log: RecordingLogger;
  login(jwt: string, role?: string, remoteAddress?: string): ReturnType<EngineHarness['call']>;
  /** Claims valid now: issuer, subject `svc-1`, audience `coffer`, five minutes of validity. */
  claims(extra?: Record<string, unknown>): Record<string, unknown>;
  reasons(): string[];
}

async function harness(config: Record<string, unknown> = {}, role: Record<string, unknown> = {}): Promise<Harness> {
  const log = createRecordingLogger();
  const h = await createEngineHarness((deps) => createJwtAuthEngine({ ...deps, logger: log.logger }), { mountPath: 'jwt/', mountType: 'jwt', maxLeaseTtl: 86_400 });
  await h.call('write', 'config', { jwks_url: idp.jwksUrl, jwks_ca_pem: idp.caPem, bound_issuer: idp.issuer, ...config });
  await h.call('write', 'role/ci', {
    role_type: 'jwt',
    user_claim: 'sub',
    bound_audiences: 'coffer',
    claim_mappings: { project: 'project' },
    token_policies: 'ci',
    token_ttl: '10m',
    ...role,
  });
  const seconds = () => Math.floor(h.clock.now().getTime() / 1000);
  return Object.assign(h, {
    log,
    login: (jwt: string, roleName = 'ci', remoteAddress = '10.0.0.1') => h.call('write', 'login', { role: roleName, jwt }, { remoteAddress }),
    claims: (extra: Record<string, unknown> = {}) => ({ iss: idp.issuer, sub: 'svc-1', aud: 'coffer', iat: seconds(), nbf: seconds(), exp: seconds() + 300, ...extra }),
    reasons: () => log.records.filter((r) => r.message === 'jwt login refused').map((r) => String(r.bindings.reason)),
  });
}

const refused = (message: string) => ({ code: 'invalid_request', message });
const jwksFetches = () => idp.requests.filter((r) => r.path === '/openid/v1/jwks').length;

describe('jwt login', () => {
  it('accepts a token signed by a key of the JWKS, with claim mappings in the metadata', async () => {
    const h = await harness();
    expect(h.compiled.isUnauthenticated('login')).toBe(true);
    const jwt = await idp.signJwt(h.claims({ project: 'billing' }));
    expect(await h.login(jwt)).toEqual({
      auth: {
        policies: ['ci'],
        displayName: 'jwt-svc-1',
        metadata: { project: 'billing', role: 'ci' },
        ttl: 600,
        internal: { role: 'ci' },
        renewable: true,
        orphan: true,
      },
    });
  });

  it('accepts tokens checked against static PEM keys, and through OIDC discovery', async () => {
    const pem = await harness({ jwks_url: undefined, jwks_ca_pem: undefined, jwt_validation_pubkeys: [idp.publicKeyPem] });
    expect(await pem.login(await idp.signJwt(pem.claims()))).toHaveProperty('auth');
    const discovery = await harness({ jwks_url: undefined, jwks_ca_pem: undefined, oidc_discovery_url: idp.issuer, oidc_discovery_ca_pem: idp.caPem });
    expect(await discovery.login(await idp.signJwt(discovery.claims()))).toHaveProperty('auth');
  });

  it('refuses alg none, HMAC algorithms, algorithms outside jwt_supported_algs and malformed tokens', async () => {
    const h = await harness();
    const body = Buffer.from(JSON.stringify(h.claims())).toString('base64url');
    const unsigned = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${body}.`;
    await expect(h.login(unsigned)).rejects.toMatchObject(refused('error validating token: invalid algorithm (alg) header parameter: token must be signed'));
    const hmac = await new CompactSign(new TextEncoder().encode(JSON.stringify(h.claims())))
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode(idp.publicKeyPem));
    await expect(h.login(hmac)).rejects.toMatchObject(
      refused('error validating token: invalid algorithm (alg) header parameter: token signed with unexpected algorithm "HS256"'),
    );
    await expect(h.login('a.b')).rejects.toMatchObject(refused('error validating token: error parsing token: malformed JWT'));
    const esOnly = await harness({ jwt_supported_algs: 'ES256' });
    await expect(esOnly.login(await idp.signJwt(esOnly.claims()))).rejects.toMatchObject(
      refused('error validating token: invalid algorithm (alg) header parameter: token signed with unexpected algorithm "RS256"'),
    );
  });

  it('refuses a kid the JWKS does not have (after one refetch), and a key it does not trust', async () => {
    const h = await harness();
    expect(await h.login(await idp.signJwt(h.claims()))).toHaveProperty('auth');
    const before = jwksFetches();
    await expect(h.login(await idp.signJwt(h.claims(), { kid: 'stranger' }))).rejects.toMatchObject(
      refused('error validating token: error verifying token signature: no key with kid "stranger" verifies it'),
    );
    expect(jwksFetches()).toBe(before + 1);
    // Within the cooldown, another unknown kid does not send the provider another request.
    await expect(h.login(await idp.signJwt(h.claims(), { kid: 'stranger-2' }))).rejects.toMatchObject({ code: 'invalid_request' });
    expect(jwksFetches()).toBe(before + 1);
    // A key of our own, claiming the provider's kid.
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = await new CompactSign(new TextEncoder().encode(JSON.stringify(h.claims())))
      .setProtectedHeader({ alg: 'RS256', kid: await currentKid() })
      .sign(privateKey);
    await expect(h.login(forged)).rejects.toMatchObject({ message: expect.stringMatching(/^error validating token: error verifying token signature/) });
  });

  it('refetches the JWKS when the provider rotates to a new key', async () => {
    const h = await harness();
    expect(await h.login(await idp.signJwt(h.claims()))).toHaveProperty('auth');
    const before = jwksFetches();
    await idp.rotateSigningKey();
    expect(await h.login(await idp.signJwt(h.claims()))).toHaveProperty('auth');
    expect(jwksFetches()).toBe(before + 1);
  });

  it('refuses a wrong audience, issuer or subject, and an audience the role does not bind', async () => {
    const h = await harness({}, { bound_subject: 'svc-1' });
    await expect(h.login(await idp.signJwt(h.claims({ aud: ['other'] })))).rejects.toMatchObject(
      refused('error validating token: invalid audience (aud) claim: audience claim does not match any expected audience'),
    );
    await expect(h.login(await idp.signJwt(h.claims({ iss: 'https://evil' })))).rejects.toMatchObject(refused('error validating token: invalid issuer (iss) claim'));
    await expect(h.login(await idp.signJwt(h.claims({ sub: 'svc-2' })))).rejects.toMatchObject(refused('error validating token: invalid subject (sub) claim'));
    await h.call('write', 'role/open', { role_type: 'jwt', user_claim: 'sub', bound_subject: 'svc-1' });
    await expect(h.login(await idp.signJwt(h.claims()), 'open')).rejects.toMatchObject(refused('audience claim found in JWT but no audiences bound to the role'));
    expect(await h.login(await idp.signJwt(h.claims({ aud: undefined })), 'open')).toHaveProperty('auth');
    expect(h.reasons()).toHaveLength(4);
  });

  it('refuses expired, not-yet-valid and future-issued tokens, with the clock skew leeway', async () => {
    const h = await harness();
    const jwt = await idp.signJwt(h.claims());
    // The harness clock is 0.123 s past a whole second; cap compares with sub-second precision.
    h.clock.advance(300 + 59);
    expect(await h.login(jwt)).toHaveProperty('auth');
    h.clock.advance(1);
    await expect(h.login(jwt)).rejects.toMatchObject(refused('error validating token: invalid expiration time (exp) claim: token is expired'));
    const now = Math.floor(h.clock.now().getTime() / 1000);
    await expect(h.login(await idp.signJwt(h.claims({ nbf: now + 120 })))).rejects.toMatchObject(
      refused('error validating token: invalid not before (nbf) claim: token not yet valid'),
    );
    await expect(h.login(await idp.signJwt(h.claims({ nbf: undefined, iat: now + 120 })))).rejects.toMatchObject(
      refused('error validating token: invalid not before (nbf) claim: token not yet valid'),
    );
    await expect(h.login(await idp.signJwt(h.claims({ nbf: now - 10, iat: now + 120 })))).rejects.toMatchObject(
      refused('error validating token: invalid issued at (iat) claim: token issued in the future'),
    );
    // Without leeway, one second past exp is too late.
    await h.call('write', 'role/ci', { clock_skew_leeway: -1 });
    const strict = await idp.signJwt(h.claims());
    h.clock.advance(301);
    await expect(h.login(strict)).rejects.toMatchObject({ message: expect.stringMatching(/token is expired/) });
  });

  it('needs a time claim, and gives a token without exp the expiration leeway', async () => {
    const h = await harness();
    await expect(h.login(await idp.signJwt(h.claims({ iat: undefined, nbf: undefined, exp: undefined })))).rejects.toMatchObject(
      refused('error validating token: no issued at (iat), not before (nbf), or expiration time (exp) claims in token'),
    );
    const noExp = await idp.signJwt(h.claims({ exp: undefined }));
    h.clock.advance(150 + 59);
    expect(await h.login(noExp)).toHaveProperty('auth');
    h.clock.advance(1);
    await expect(h.login(noExp)).rejects.toMatchObject({ message: expect.stringMatching(/token is expired/) });
  });

  it('matches bound claims exactly or by glob, including JSON pointers and lists', async () => {
    const h = await harness({}, { bound_claims: { env: ['prod', 'staging'], '/ci/ref': 'main', admin: true } });
    const ok = h.claims({ env: 'staging', ci: { ref: 'main' }, admin: true });
    expect(await h.login(await idp.signJwt(ok))).toHaveProperty('auth');
    await expect(h.login(await idp.signJwt({ ...ok, env: 'dev' }))).rejects.toMatchObject(
      refused('error validating claims: claim "env" does not match any associated bound claim values'),
    );
    await expect(h.login(await idp.signJwt({ ...ok, admin: 'true' }))).rejects.toMatchObject({ message: expect.stringMatching(/claim "admin" does not match/) });
    await expect(h.login(await idp.signJwt({ ...ok, ci: {} }))).rejects.toMatchObject(refused('error validating claims: claim "/ci/ref" is missing'));
    await h.call('write', 'role/ci', { bound_claims_type: 'glob', bound_claims: { repo: 'org/*', branch: ['release-*', 'main'] } });
    expect(await h.login(await idp.signJwt(h.claims({ repo: 'org/api', branch: ['feature', 'release-1.2'] })))).toHaveProperty('auth');
    await expect(h.login(await idp.signJwt(h.claims({ repo: 'other/api', branch: 'main' })))).rejects.toMatchObject({ message: expect.stringMatching(/claim "repo" does not match/) });
  });

  it('needs the user claim as a string and, when configured, the groups claim', async () => {
    const h = await harness({}, { user_claim: 'email', groups_claim: '/groups' });
    await expect(h.login(await idp.signJwt(h.claims({ groups: ['a'] })))).rejects.toMatchObject(refused('claim "email" not found in token'));
    await expect(h.login(await idp.signJwt(h.claims({ email: 5, groups: ['a'] })))).rejects.toMatchObject(refused('claim "email" could not be converted to string'));
    await expect(h.login(await idp.signJwt(h.claims({ email: 'a@b' })))).rejects.toMatchObject(refused('failed to fetch groups: "/groups" claim not found in token'));
    await expect(h.login(await idp.signJwt(h.claims({ email: 'a@b', groups: ['a'], project: 3 })))).rejects.toMatchObject(refused("error converting claim 'project' to string"));
    expect(await h.login(await idp.signJwt(h.claims({ email: 'a@b', groups: ['a'] })))).toMatchObject({ auth: { displayName: 'jwt-a@b' } });
  });

  it('answers 502 when the JWKS cannot be fetched, and logs why', async () => {
    const h = await harness();
    // A restarted server has the config in storage but no keys fetched yet.
    const log = createRecordingLogger();
    const fresh = await createEngineHarness((deps) => createJwtAuthEngine({ ...deps, logger: log.logger }), { mountPath: 'jwt/', storage: h.storage });
    const jwt = await idp.signJwt(h.claims());
    await idp.down();
    try {
      await expect(fresh.call('write', 'login', { role: 'ci', jwt })).rejects.toMatchObject({ code: 'upstream', message: expect.stringMatching(/^error validating token: cannot fetch the JWKS/) });
    } finally {
      await idp.up();
    }
    expect(log.records.find((r) => r.level === 'warn')?.bindings.reason).toMatch(/ECONNREFUSED/);
    expect(await h.login(jwt)).toHaveProperty('auth');
  });

  it('checks token_bound_cidrs, uses default_role, and answers Vault’s 400s for missing input', async () => {
    const h = await harness({ default_role: 'CI' }, { token_bound_cidrs: '10.0.0.0/8' });
    const jwt = await idp.signJwt(h.claims());
    expect(await h.call('write', 'login', { jwt }, { remoteAddress: '10.1.1.1' })).toHaveProperty('auth');
    await expect(h.login(jwt, 'ci', '192.168.0.1')).rejects.toMatchObject({ code: 'permission_denied', message: 'permission denied' });
    await expect(h.login(jwt, 'nope')).rejects.toMatchObject(refused('role "nope" could not be found'));
    await expect(h.call('write', 'login', { role: 'ci' })).rejects.toMatchObject(refused('missing token'));
    const bare = await createEngineHarness(createJwtAuthEngine, { mountPath: 'jwt/' });
    await expect(bare.call('write', 'login', { role: 'ci', jwt })).rejects.toMatchObject(refused('could not load configuration'));
    const noDefault = await harness();
    await expect(noDefault.call('write', 'login', { jwt })).rejects.toMatchObject(refused('missing role'));
  });

  it('logs each refusal with its reason and never the token', async () => {
    const h = await harness();
    const jwt = await idp.signJwt(h.claims({ aud: 'other' }));
    await expect(h.login(jwt)).rejects.toThrow();
    expect(h.log.records.at(-1)).toMatchObject({ level: 'info', message: 'jwt login refused', bindings: { role: 'ci', reason: expect.stringMatching(/invalid audience/) } });
    expect(h.log.text()).not.toContain(jwt.split('.')[2]);
  });
});

describe('jwt renewal', () => {
  const renewal = (role: string) => ({ policies: ['ci'], metadata: { role }, internal: { role }, issueTime: new Date(0) });

  it("applies the role's current TTLs, and refuses once the role is gone", async () => {
    const h = await harness();
    await h.call('write', 'role/ci', { token_ttl: '20m', token_max_ttl: '1h', token_period: 0 });
    expect(await h.engine.renewAuth?.(renewal('ci'))).toEqual({ ttl: 1200, maxTtl: 3600, period: 0 });
    await h.call('delete', 'role/ci');
    await expect(h.engine.renewAuth?.(renewal('ci'))).rejects.toMatchObject(refused('role ci does not exist during renewal'));
  });
});

/** The kid of the provider's current signing key. */
async function currentKid(): Promise<string> {
  const { kid } = JSON.parse(Buffer.from((await idp.signJwt({})).split('.')[0] as string, 'base64url').toString()) as { kid: string };
  return kid;
}
