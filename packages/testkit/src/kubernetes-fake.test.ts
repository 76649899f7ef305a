import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../test/http-client.js';
import { applyJsonPatch } from './json-patch.js';
import { startKubernetesFake, type KubernetesFake } from './kubernetes-fake.js';

let fake: KubernetesFake;
beforeAll(async () => {
  fake = await startKubernetesFake();
});
afterAll(() => fake.close());

const review = (token: string, bearer: string | undefined, audiences?: string[]) =>
  request(`${fake.url}/apis/authentication.k8s.io/v1/tokenreviews`, {
    ca: fake.caPem,
    headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` },
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) } },
  });

describe('startKubernetesFake', () => {
  it('issues projected service-account tokens with the claims Kubernetes puts in them', async () => {
    const jwt = await fake.issueServiceAccountToken({ namespace: 'app', name: 'web', pod: { name: 'web-0' } });
    const claims = decodeJwt(jwt);
    expect(claims).toMatchObject({
      iss: fake.issuer,
      sub: 'system:serviceaccount:app:web',
      aud: [fake.issuer],
      'kubernetes.io': { namespace: 'app', serviceaccount: { name: 'web', uid: expect.any(String) }, pod: { name: 'web-0' } },
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(3600);
    expect(claims.nbf).toBe(claims.iat);
    // The same account keeps its UID across tokens.
    const again = decodeJwt(await fake.issueServiceAccountToken({ namespace: 'app', name: 'web' }));
    expect((again['kubernetes.io'] as { serviceaccount: { uid: string } }).serviceaccount.uid).toBe(
      (claims['kubernetes.io'] as { serviceaccount: { uid: string } }).serviceaccount.uid,
    );
  });

  it('serves OIDC discovery and a JWKS that verifies its tokens', async () => {
    const discovery = (await request(`${fake.url}/.well-known/openid-configuration`, { ca: fake.caPem })).json;
    expect(discovery).toMatchObject({ issuer: fake.issuer, jwks_uri: fake.jwksUrl });
    const jwks = (await request(fake.jwksUrl, { ca: fake.caPem })).json;
    const jwt = await fake.issueServiceAccountToken({ namespace: 'app', name: 'web', audiences: ['coffer'] });
    const { payload } = await jwtVerify(jwt, createLocalJWKSet(jwks as never), { issuer: fake.issuer, audience: 'coffer' });
    expect(payload.sub).toBe('system:serviceaccount:app:web');
  });

  it('answers TokenReviews: user, uid, groups and audiences; refusals with status.error', async () => {
    const jwt = await fake.issueServiceAccountToken({ namespace: 'app', name: 'web', audiences: ['coffer', 'other'] });
    const ok = await review(jwt, fake.reviewerToken, ['coffer']);
    expect(ok.status).toBe(201);
    expect(ok.json['status']).toEqual({
      authenticated: true,
      user: {
        username: 'system:serviceaccount:app:web',
        uid: (decodeJwt(jwt)['kubernetes.io'] as { serviceaccount: { uid: string } }).serviceaccount.uid,
        groups: ['system:serviceaccounts', 'system:serviceaccounts:app', 'system:authenticated'],
      },
      audiences: ['coffer'],
    });
    expect(fake.tokenReviews.at(-1)).toMatchObject({ bearerToken: fake.reviewerToken, token: jwt, authenticated: true });

    const wrongAudience = await review(jwt, fake.reviewerToken, ['nope']);
    expect(wrongAudience.json['status']).toMatchObject({ user: {}, error: expect.stringContaining('invalid for the target audiences') });
    expect(wrongAudience.json['status'].authenticated).toBeUndefined();
    const expired = await fake.issueServiceAccountToken({ namespace: 'app', name: 'web', expiresIn: -10 });
    expect((await review(expired, fake.reviewerToken)).json['status'].error).toMatch(/token is expired/);
    // Without spec.audiences the API server's own audiences apply.
    const plain = await fake.issueServiceAccountToken({ namespace: 'app', name: 'web' });
    expect((await review(plain, fake.reviewerToken)).json['status']).toMatchObject({ authenticated: true, audiences: [fake.issuer] });
    // The client's own token may review itself (every account is an auth delegator by default).
    expect((await review(plain, plain)).json['status'].authenticated).toBe(true);
  });

  it('deny() answers authenticated:false; deleted accounts stop authenticating', async () => {
    const jwt = await fake.issueServiceAccountToken({ namespace: 'app', name: 'gone' });
    fake.deny();
    const denied = await review(jwt, fake.reviewerToken);
    fake.allow();
    expect(denied.json['status']).toEqual({ user: {} });
    fake.deleteServiceAccount('app', 'gone');
    expect((await review(jwt, fake.reviewerToken)).json['status'].error).toMatch(/has been deleted/);
  });

  it('requires a bearer token, and can reject the reviewer with 401 or 403', async () => {
    const jwt = await fake.issueServiceAccountToken({ namespace: 'app', name: 'web' });
    const none = await review(jwt, undefined);
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
    expect((await review(jwt, 'not-a-token')).status).toBe(401);
    fake.rejectReviewer(403);
    const forbidden = await review(jwt, fake.reviewerToken);
    fake.rejectReviewer(401);
    const unauthorized = await review(jwt, fake.reviewerToken);
    fake.acceptReviewer();
    expect(forbidden.status).toBe(403);
    expect(forbidden.json['message']).toMatch(/cannot create resource "tokenreviews"/);
    expect(unauthorized.status).toBe(401);
    expect((await review(jwt, fake.reviewerToken)).status).toBe(201);
  });

  it('limits TokenReview to auth delegators when told to', async () => {
    const strict = await startKubernetesFake({ authDelegators: ['vault/vault'] });
    try {
      const client = await strict.issueServiceAccountToken({ namespace: 'app', name: 'web' });
      const delegator = await strict.issueServiceAccountToken({ namespace: 'vault', name: 'vault' });
      const post = (bearer: string) =>
        request(`${strict.url}/apis/authentication.k8s.io/v1/tokenreviews`, {
          ca: strict.caPem,
          headers: { authorization: `Bearer ${bearer}` },
          body: { kind: 'TokenReview', apiVersion: 'authentication.k8s.io/v1', spec: { token: client } },
        });
      expect((await post(client)).status).toBe(403);
      expect((await post(delegator)).status).toBe(201);
      expect((await post(strict.reviewerToken)).status).toBe(201);
    } finally {
      await strict.close();
    }
  });

  it('goes down and comes back on the same port', async () => {
    await fake.down();
    await expect(request(`${fake.url}/openid/v1/jwks`, { ca: fake.caPem })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await fake.up();
    expect((await request(`${fake.url}/openid/v1/jwks`, { ca: fake.caPem })).status).toBe(200);
  });

  it('rotates its signing key, keeping the old one published unless told otherwise', async () => {
    const first = fake.jwksUrl;
    const before = (await request(first, { ca: fake.caPem })).json['keys'].length;
    const kid = await fake.rotateSigningKey();
    const keys = (await request(first, { ca: fake.caPem })).json['keys'] as { kid: string }[];
    expect(keys).toHaveLength(before + 1);
    expect(keys.at(-1)?.kid).toBe(kid);
    const jwt = await fake.issueServiceAccountToken({ namespace: 'app', name: 'web' });
    expect((await review(jwt, jwt)).json['status'].authenticated).toBe(true);
  });

  it('serves namespaces and pods; PATCH applies and records JSON patches', async () => {
    fake.setNamespaceLabels('team', { env: 'prod' });
    const ns = await request(`${fake.url}/api/v1/namespaces/team`, { ca: fake.caPem, headers: { authorization: `Bearer ${fake.reviewerToken}` } });
    expect(ns.json['metadata']).toEqual({ name: 'team', labels: { 'kubernetes.io/metadata.name': 'team', env: 'prod' } });
    fake.setPod('vault', 'vault-0', { labels: { app: 'vault' } });
    const auth = { authorization: `Bearer ${fake.reviewerToken}` };
    const got = await request(`${fake.url}/api/v1/namespaces/vault/pods/vault-0`, { ca: fake.caPem, headers: auth });
    expect(got.json['metadata']).toMatchObject({ name: 'vault-0', labels: { app: 'vault' } });
    const patch = [
      { op: 'add', path: '/metadata/labels/vault-active', value: 'true' },
      { op: 'replace', path: '/metadata/labels/app', value: 'coffer' },
    ];
    const patched = await request(`${fake.url}/api/v1/namespaces/vault/pods/vault-0`, {
      ca: fake.caPem,
      method: 'PATCH',
      headers: { ...auth, 'content-type': 'application/json-patch+json' },
      body: patch,
    });
    expect(patched.status).toBe(200);
    expect(fake.pod('vault', 'vault-0')?.metadata.labels).toEqual({ app: 'coffer', 'vault-active': 'true' });
    expect(fake.podPatches.at(-1)).toEqual({ namespace: 'vault', name: 'vault-0', contentType: 'application/json-patch+json', patch });
    const merge = await request(`${fake.url}/api/v1/namespaces/vault/pods/vault-0`, { ca: fake.caPem, method: 'PATCH', headers: auth, body: {} });
    expect(merge.status).toBe(415);
    const missing = await request(`${fake.url}/api/v1/namespaces/vault/pods/nope`, { ca: fake.caPem, headers: auth });
    expect(missing.status).toBe(404);
    expect((await request(`${fake.url}/api/v1/namespaces/vault/pods/vault-0`, { ca: fake.caPem })).status).toBe(401);
  });
});

describe('applyJsonPatch', () => {
  it('adds, replaces, removes and tests without touching the input', () => {
    const doc = { a: { b: 1 }, list: [1, 2], 'x/y': { '~': 0 } };
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/a/c', value: 2 },
      { op: 'replace', path: '/a/b', value: 3 },
      { op: 'add', path: '/list/-', value: 3 },
      { op: 'remove', path: '/list/0' },
      { op: 'test', path: '/x~1y/~0', value: 0 },
    ]);
    expect(out).toEqual({ a: { b: 3, c: 2 }, list: [2, 3], 'x/y': { '~': 0 } });
    expect(doc).toEqual({ a: { b: 1 }, list: [1, 2], 'x/y': { '~': 0 } });
    expect(() => applyJsonPatch(doc, [{ op: 'replace', path: '/nope', value: 1 }])).toThrow(/does not exist/);
    expect(() => applyJsonPatch(doc, [{ op: 'test', path: '/a/b', value: 2 }])).toThrow(/test failed/);
    expect(() => applyJsonPatch(doc, [{ op: 'move', path: '/a' }])).toThrow(/unsupported op/);
  });
});
