import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCertificates, createRecordingLogger, startKubernetesFake, type KubernetesFake, type RecordingLogger } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineHarness, type EngineHarness } from '../engine-harness.js';
import { kubernetesAuthEngineFactory } from './kubernetes-engine.js';

/** Every harness starts at this instant; the fake shares the harness clock so tokens fit its window. */
const START = new Date('2024-05-01T10:00:00.123Z');
let clock: (() => Date) | undefined;
let fake: KubernetesFake;
let dir: string;

beforeAll(async () => {
  fake = await startKubernetesFake({ now: () => clock?.() ?? START });
  dir = await mkdtemp(join(tmpdir(), 'coffer-k8s-local-'));
});
afterAll(() => fake.close());

interface Harness extends EngineHarness {
  log: RecordingLogger;
  login(jwt: string, role?: string, remoteAddress?: string): ReturnType<EngineHarness['call']>;
  /** The reasons logged for refused logins. */
  reasons(): string[];
}

async function harness(config: Record<string, unknown> = {}, role: Record<string, unknown> = {}, local = { tokenPath: join(dir, 'none'), caPath: join(dir, 'none') }): Promise<Harness> {
  const log = createRecordingLogger();
  const factory = kubernetesAuthEngineFactory(local);
  const h = await createEngineHarness((deps) => factory({ ...deps, logger: log.logger }), { mountPath: 'kubernetes/', mountType: 'kubernetes', maxLeaseTtl: 86_400 });
  clock = () => h.clock.now();
  await h.call('write', 'config', { kubernetes_host: fake.url, kubernetes_ca_cert: fake.caPem, token_reviewer_jwt: fake.reviewerToken, ...config });
  await h.call('write', 'role/web', {
    bound_service_account_names: 'web',
    bound_service_account_namespaces: 'app',
    audience: 'coffer',
    token_policies: 'web',
    token_ttl: '1h',
    token_max_ttl: '4h',
    ...role,
  });
  return Object.assign(h, {
    log,
    login: (jwt: string, roleName = 'web', remoteAddress = '10.0.0.1') => h.call('write', 'login', { role: roleName, jwt }, { remoteAddress }),
    reasons: () => log.records.filter((r) => r.message === 'kubernetes login refused').map((r) => String(r.bindings.reason)),
  });
}

const token = (options: { namespace?: string; name?: string; audiences?: string[]; expiresIn?: number } = {}) =>
  fake.issueServiceAccountToken({ namespace: options.namespace ?? 'app', name: options.name ?? 'web', audiences: options.audiences ?? ['coffer'], ...(options.expiresIn !== undefined ? { expiresIn: options.expiresIn } : {}) });

const denied = (message = 'permission denied') => ({ code: 'permission_denied', message });

describe('kubernetes login', () => {
  it('is the one unauthenticated path', async () => {
    const h = await harness();
    expect(h.compiled.isUnauthenticated('login')).toBe(true);
    expect(h.compiled.isUnauthenticated('role/web')).toBe(false);
  });

  it('logs app/web in to role web: TokenReview with the reviewer JWT and the role audience, Vault metadata', async () => {
    const h = await harness();
    const jwt = await token({ audiences: ['coffer', 'other'] });
    const uid = (JSON.parse(Buffer.from(jwt.split('.')[1] as string, 'base64url').toString()) as { 'kubernetes.io': { serviceaccount: { uid: string } } })['kubernetes.io'].serviceaccount.uid;
    expect(await h.login(jwt)).toEqual({
      auth: {
        policies: ['web'],
        displayName: 'kubernetes-app-web',
        metadata: { service_account_uid: uid, service_account_name: 'web', service_account_namespace: 'app', service_account_secret_name: '', role: 'web' },
        ttl: 3600,
        maxTtl: 14_400,
        internal: { role: 'web' },
        renewable: true,
        orphan: true,
      },
    });
    expect(fake.tokenReviews.at(-1)).toMatchObject({ bearerToken: fake.reviewerToken, token: jwt, audiences: ['coffer'], authenticated: true });
  });

  it('refuses another account, another namespace, a wrong audience and an expired token with 403 and a logged reason', async () => {
    const h = await harness();
    await expect(h.login(await token({ name: 'db' }))).rejects.toMatchObject(denied('service account name not authorized'));
    await expect(h.login(await token({ namespace: 'other' }))).rejects.toMatchObject(denied('namespace not authorized'));
    await expect(h.login(await token({ audiences: ['vault'] }))).rejects.toMatchObject(
      denied('invalid audience (aud) claim: audience claim does not match any expected audience'),
    );
    const expired = await token({ expiresIn: 600 });
    h.clock.advance(600 + 61);
    clock = () => h.clock.now();
    await expect(h.login(expired)).rejects.toMatchObject(denied('invalid expiration time (exp) claim: token is expired'));
    expect(h.reasons()).toEqual([
      'service account name "db" is not in bound_service_account_names',
      'namespace "other" is not in bound_service_account_namespaces nor matched by the namespace selector',
      'invalid audience (aud) claim: audience claim does not match any expected audience',
      'invalid expiration time (exp) claim: token is expired',
    ]);
    expect(h.log.records.at(-1)?.bindings).toMatchObject({ role: 'web', namespace: 'app', service_account: 'web' });
  });

  it('refuses with a bare 403 when TokenReview answers unauthenticated, and logs why', async () => {
    const h = await harness();
    const jwt = await token();
    fake.deny();
    await expect(h.login(jwt)).rejects.toMatchObject(denied());
    fake.allow();
    expect(h.reasons()).toEqual(['lookup failed: service account jwt not valid']);
    // A token the API server no longer accepts (its account was deleted) is refused the same way.
    await fake.issueServiceAccountToken({ namespace: 'app', name: 'gone' });
    await h.call('write', 'role/gone', { bound_service_account_names: 'gone', bound_service_account_namespaces: 'app' });
    const orphaned = await fake.issueServiceAccountToken({ namespace: 'app', name: 'gone' });
    fake.deleteServiceAccount('app', 'gone');
    await expect(h.login(orphaned, 'gone')).rejects.toMatchObject(denied());
    expect(h.reasons()[1]).toMatch(/^lookup failed: \[invalid bearer token, service account app\/gone has been deleted\]/);
  });

  it("uses the client's own JWT as the TokenReview bearer when no reviewer JWT is configured", async () => {
    // A bearer must be valid for the API server's own audience, so such clients use default tokens.
    const h = await harness({ token_reviewer_jwt: undefined }, { audience: '' });
    expect((await h.call('read', 'config'))?.data?.token_reviewer_jwt_set).toBe(false);
    const jwt = await token({ audiences: [fake.issuer] });
    expect(await h.login(jwt)).toHaveProperty('auth');
    expect(fake.tokenReviews.at(-1)).toMatchObject({ bearerToken: jwt, token: jwt, audiences: [fake.issuer], authenticated: true });
  });

  it('says in the log when the API server rejects the reviewer JWT (401 or 403)', async () => {
    const h = await harness();
    const jwt = await token();
    fake.rejectReviewer(401);
    await expect(h.login(jwt)).rejects.toMatchObject(denied());
    fake.rejectReviewer(403);
    await expect(h.login(jwt)).rejects.toMatchObject(denied());
    fake.acceptReviewer();
    expect(h.reasons()[0]).toMatch(/refused the token reviewer JWT \(401 Unauthorized\)/);
    expect(h.reasons()[1]).toMatch(/forbade the TokenReview \(403\).*cannot create resource "tokenreviews".*system:auth-delegator/);
  });

  it('refuses with 403 while the API server is down, logging a warning, and works again once it is back', async () => {
    const h = await harness();
    const jwt = await token();
    await fake.down();
    try {
      await expect(h.login(jwt)).rejects.toMatchObject(denied());
    } finally {
      await fake.up();
    }
    const record = h.log.records.find((r) => r.message === 'kubernetes login refused');
    expect(record?.level).toBe('warn');
    expect(String(record?.bindings.reason)).toMatch(new RegExp(`^cannot reach the Kubernetes API at ${fake.url}: .*ECONNREFUSED`));
    expect(await h.login(jwt)).toHaveProperty('auth');
  });

  it("verifies the API server's certificate against kubernetes_ca_cert", async () => {
    const other = await createTestCertificates();
    const { readFile } = await import('node:fs/promises');
    const h = await harness({ kubernetes_ca_cert: await readFile(other.caFile, 'utf8') });
    await expect(h.login(await token())).rejects.toMatchObject(denied());
    expect(h.reasons()[0]).toMatch(/cannot reach the Kubernetes API .*(self.signed|unable to verify|certificate)/i);
  });

  it('never writes the JWT or the reviewer JWT to the log', async () => {
    const h = await harness();
    const jwt = await token({ name: 'db' });
    await expect(h.login(jwt)).rejects.toThrow();
    fake.deny();
    const good = await token();
    await expect(h.login(good)).rejects.toThrow();
    fake.allow();
    for (const secret of [jwt, good, fake.reviewerToken]) expect(h.log.text()).not.toContain(secret.split('.')[2]);
  });

  it('matches "*" and globs in the bindings, as Vault', async () => {
    const h = await harness({}, { bound_service_account_names: 'web-*,api', bound_service_account_namespaces: 'team-*' });
    expect(await h.login(await token({ namespace: 'team-a', name: 'web-1' }))).toHaveProperty('auth');
    expect(await h.login(await token({ namespace: 'team-b', name: 'api' }))).toHaveProperty('auth');
    await expect(h.login(await token({ namespace: 'team-b', name: 'apis' }))).rejects.toMatchObject(denied('service account name not authorized'));
    await expect(h.login(await token({ namespace: 'prod', name: 'api' }))).rejects.toMatchObject(denied('namespace not authorized'));
    await h.call('write', 'role/any', { bound_service_account_names: '*', bound_service_account_namespaces: '*', audience: 'coffer' });
    expect(await h.login(await token({ namespace: 'x', name: 'y' }), 'any')).toHaveProperty('auth');
  });

  it('accepts namespaces by label selector, looked up with the reviewer JWT', async () => {
    fake.setNamespaceLabels('labelled', { team: 'blue' });
    const h = await harness({}, { bound_service_account_namespaces: [], bound_service_account_namespace_selector: '{"matchLabels":{"team":"blue"}}' });
    expect(await h.login(await token({ namespace: 'labelled' }))).toHaveProperty('auth');
    await expect(h.login(await token({ namespace: 'plain' }))).rejects.toMatchObject(denied('namespace not authorized'));
    const noReviewer = await harness({ token_reviewer_jwt: undefined }, { bound_service_account_namespaces: [], bound_service_account_namespace_selector: '{"matchLabels":{"team":"blue"}}' });
    await expect(noReviewer.login(await token({ namespace: 'labelled' }))).rejects.toMatchObject(
      denied('namespace not authorized err=namespace lookup failed: TokenReviewer JWT needs to be configured to use namespace selectors'),
    );
  });

  it('checks signatures locally when pem_keys is set', async () => {
    const h = await harness({ pem_keys: [fake.publicKeyPem] });
    expect(await h.login(await token())).toHaveProperty('auth');
    const before = fake.publicKeyPem;
    await fake.rotateSigningKey();
    await expect(h.login(await token())).rejects.toMatchObject(denied());
    expect(h.reasons()[0]).toMatch(/^error verifying token signature/);
    await h.call('write', 'config', { kubernetes_host: fake.url, kubernetes_ca_cert: fake.caPem, token_reviewer_jwt: fake.reviewerToken, pem_keys: [before, fake.publicKeyPem] });
    expect(await h.login(await token())).toHaveProperty('auth');
  });

  it('refuses unsigned tokens and garbage before calling the API server', async () => {
    const h = await harness();
    const reviews = fake.tokenReviews.length;
    const payload = Buffer.from(JSON.stringify({ 'kubernetes.io': { namespace: 'app', serviceaccount: { name: 'web', uid: 'u' } }, aud: 'coffer' })).toString('base64url');
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
    await expect(h.login(unsigned)).rejects.toMatchObject(denied('invalid algorithm (alg) header parameter: token must be signed'));
    await expect(h.login('not-a-jwt')).rejects.toMatchObject(denied('error parsing token: malformed JWT'));
    expect(fake.tokenReviews.length).toBe(reviews);
  });

  it('checks the deprecated issuer only when disable_iss_validation is false', async () => {
    const h = await harness({ issuer: 'https://elsewhere', disable_iss_validation: false });
    await expect(h.login(await token())).rejects.toMatchObject(denied('invalid issuer (iss) claim'));
    const lax = await harness({ issuer: 'https://elsewhere' });
    expect(await lax.login(await token())).toHaveProperty('auth');
  });

  it("falls back to the pod's own token and CA unless disable_local_ca_jwt", async () => {
    const local = { tokenPath: join(dir, 'token'), caPath: join(dir, 'ca.crt') };
    await writeFile(local.tokenPath, `${fake.reviewerToken}\n`);
    await writeFile(local.caPath, fake.caPem);
    const h = await harness({ token_reviewer_jwt: undefined, kubernetes_ca_cert: undefined }, {}, local);
    const jwt = await token();
    expect(await h.login(jwt)).toHaveProperty('auth');
    expect(fake.tokenReviews.at(-1)?.bearerToken).toBe(fake.reviewerToken);
    // Disabled: the client's JWT is the bearer and only Node's roots are trusted, so the fake's CA fails.
    const off = await harness({ token_reviewer_jwt: undefined, kubernetes_ca_cert: undefined, disable_local_ca_jwt: true }, {}, local);
    await expect(off.login(jwt)).rejects.toMatchObject(denied());
    expect(off.reasons()[0]).toMatch(/cannot reach the Kubernetes API/);
  });

  it('checks token_bound_cidrs against the caller', async () => {
    const h = await harness({}, { token_bound_cidrs: '10.1.0.0/16' });
    expect(await h.login(await token(), 'web', '10.1.2.3')).toMatchObject({ auth: { boundCidrs: ['10.1.0.0/16'] } });
    await expect(h.login(await token(), 'web', '192.168.1.1')).rejects.toMatchObject(denied());
    expect(h.reasons()).toEqual(['source address "192.168.1.1" is outside the role\'s token_bound_cidrs']);
  });

  it("answers Vault's 400s for missing input, unknown roles and a missing config", async () => {
    const h = await harness();
    await expect(h.call('write', 'login', { jwt: 'x' })).rejects.toMatchObject({ code: 'invalid_request', message: 'missing role' });
    await expect(h.call('write', 'login', { role: 'web' })).rejects.toMatchObject({ code: 'invalid_request', message: 'missing jwt' });
    await expect(h.login('x', 'nope')).rejects.toMatchObject({ code: 'invalid_request', message: 'invalid role name "nope"' });
    const bare = await createEngineHarness(kubernetesAuthEngineFactory({ tokenPath: join(dir, 'none'), caPath: join(dir, 'none') }), { mountPath: 'kubernetes/' });
    await bare.call('write', 'role/web', { bound_service_account_names: 'web', bound_service_account_namespaces: 'app' });
    await expect(bare.call('write', 'login', { role: 'web', jwt: 'x' })).rejects.toMatchObject({ message: 'could not load backend configuration' });
  });
});

describe('kubernetes renewal', () => {
  const renewal = (role: string) => ({ policies: ['web'], metadata: { role }, internal: { role }, issueTime: START });

  it("applies the role's current TTLs, and refuses once the role is gone", async () => {
    const h = await harness();
    await h.call('write', 'role/web', { token_ttl: '2h', token_max_ttl: '8h', token_period: 0 });
    expect(await h.engine.renewAuth?.(renewal('web'))).toEqual({ ttl: 7200, maxTtl: 28_800, period: 0 });
    await h.call('delete', 'role/web');
    await expect(h.engine.renewAuth?.(renewal('web'))).rejects.toMatchObject({ code: 'invalid_request', message: 'role web does not exist during renewal' });
    await expect(h.engine.renewAuth?.({ ...renewal('web'), internal: {} })).rejects.toMatchObject({ message: 'failed to fetch role_name during renewal' });
  });
});
