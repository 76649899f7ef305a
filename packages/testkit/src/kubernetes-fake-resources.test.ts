import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from '../test/http-client.js';
import { startKubernetesFake, type KubernetesFake } from './kubernetes-fake.js';

let fake: KubernetesFake;
let token: string;
beforeAll(async () => {
  fake = await startKubernetesFake();
  token = await fake.issueServiceAccountToken({ namespace: 'coffer', name: 'injector' });
});
afterAll(() => fake.close());

const api = (path: string, options: { method?: string; body?: unknown; contentType?: string; bearer?: string } = {}) =>
  request(`${fake.url}${path}`, {
    ca: fake.caPem,
    ...(options.method ? { method: options.method } : {}),
    ...(options.body === undefined ? {} : { body: options.body }),
    headers: { authorization: `Bearer ${options.bearer ?? token}`, ...(options.contentType ? { 'content-type': options.contentType } : {}) },
  });

const SECRETS = '/api/v1/namespaces/coffer/secrets';
const MWC = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';

describe('the Kubernetes fake: Secrets and MutatingWebhookConfigurations', () => {
  it('creates a Secret once (409 AlreadyExists after), and refuses an update with a stale resourceVersion', async () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'certs' }, type: 'Opaque', data: { a: 'MQ==' } };
    const created = await api(SECRETS, { body: secret });
    expect(created.status).toBe(201);
    expect(created.json['metadata']).toMatchObject({ name: 'certs', namespace: 'coffer', resourceVersion: expect.any(String), uid: expect.any(String) });
    expect((await api(SECRETS, { body: secret })).json).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'secrets "certs" already exists' });

    const rv = created.json['metadata'].resourceVersion as string;
    const updated = await api(`${SECRETS}/certs`, { method: 'PUT', body: { ...created.json, data: { a: 'Mg==' } } });
    expect(updated.status).toBe(200);
    expect(updated.json['metadata'].resourceVersion).not.toBe(rv);
    const stale = await api(`${SECRETS}/certs`, { method: 'PUT', body: { ...created.json, data: { a: 'Mw==' } } });
    expect(stale.json).toMatchObject({ code: 409, reason: 'Conflict' });
    expect((await api(`${SECRETS}/certs`)).json['data']).toEqual({ a: 'Mg==' });
    expect(fake.resources.writes.map((w) => [w.method, w.status])).toEqual([['POST', 201], ['POST', 409], ['PUT', 200], ['PUT', 409]]);
    expect((await api(`${SECRETS}/missing`)).status).toBe(404);
  });

  it('patches a MutatingWebhookConfiguration with a JSON patch or a merge patch; needs a valid token', async () => {
    fake.resources.put({ kind: 'MutatingWebhookConfiguration', metadata: { name: 'cfg' }, webhooks: [{ name: 'a.coffer.dev', clientConfig: {} }] });
    const patched = await api(`${MWC}/cfg`, {
      method: 'PATCH',
      contentType: 'application/json-patch+json',
      body: [{ op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: 'Q0E=' }],
    });
    expect(patched.status).toBe(200);
    expect(fake.resources.get('MutatingWebhookConfiguration', undefined, 'cfg')?.['webhooks']).toEqual([{ name: 'a.coffer.dev', clientConfig: { caBundle: 'Q0E=' } }]);
    const merged = await api(`${MWC}/cfg`, { method: 'PATCH', contentType: 'application/merge-patch+json', body: { metadata: { labels: { x: 'y' } } } });
    expect(merged.json['metadata'].labels).toEqual({ x: 'y' });
    expect((await api(`${MWC}/cfg`, { method: 'PATCH', contentType: 'application/strategic-merge-patch+json', body: {} })).status).toBe(415);
    expect((await api(`${MWC}/cfg`, { bearer: 'not-a-token' })).status).toBe(401);
  });
});
