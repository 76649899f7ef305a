import { readFile } from 'node:fs/promises';
import { generateKeyPairSync } from 'node:crypto';
import { createTestCertificates } from '@coffer/testkit';
import { describe, expect, it } from 'vitest';
import { createEngineHarness } from '../engine-harness.js';
import { createKubernetesAuthEngine } from './kubernetes-engine.js';
import { claimedServiceAccount } from './service-account.js';

const harness = () => createEngineHarness(createKubernetesAuthEngine, { mountPath: 'kubernetes/', mountType: 'kubernetes', maxLeaseTtl: 86_400 });
const invalid = (message: string) => ({ code: 'invalid_request', message });
const rsaPem = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'pem' }).toString();

describe('kubernetes config', () => {
  it("stores the config and reads it back as Vault does, never returning the reviewer JWT", async () => {
    const h = await harness();
    const ca = await readFile((await createTestCertificates()).caFile, 'utf8');
    const pem = rsaPem();
    await h.call('write', 'config', { kubernetes_host: 'https://10.0.0.1:6443/', kubernetes_ca_cert: ca, token_reviewer_jwt: 'eyJ.secret.jwt', pem_keys: [pem] });
    const read = await h.call('read', 'config');
    expect(read?.data).toEqual({
      disable_iss_validation: true,
      disable_local_ca_jwt: false,
      issuer: '',
      kubernetes_ca_cert: ca.trim(),
      kubernetes_host: 'https://10.0.0.1:6443',
      pem_keys: [pem.trim()],
      token_reviewer_jwt_set: true,
      use_annotations_as_alias_metadata: false,
    });
    expect(JSON.stringify(read)).not.toContain('secret');
    // A host without scheme is the API server's https address.
    await h.call('write', 'config', { kubernetes_host: 'kubernetes.default.svc:443' });
    expect((await h.call('read', 'config'))?.data).toMatchObject({ kubernetes_host: 'https://kubernetes.default.svc:443', token_reviewer_jwt_set: false });
  });

  it("refuses a missing host, a CA bundle without certificates and unusable pem_keys with Vault's messages", async () => {
    const h = await harness();
    expect(await h.call('read', 'config')).toBeUndefined();
    await expect(h.call('write', 'config', {})).rejects.toMatchObject(invalid('no host provided'));
    await expect(h.call('write', 'config', { kubernetes_host: 'https://k', kubernetes_ca_cert: 'not pem' })).rejects.toMatchObject(
      invalid('The provided CA PEM data contains no valid certificates'),
    );
    const ed = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'pem' }).toString();
    for (const bad of ['garbage', ed]) {
      await expect(h.call('write', 'config', { kubernetes_host: 'https://k', pem_keys: [bad] })).rejects.toMatchObject(
        invalid('data does not contain any valid RSA or ECDSA public keys'),
      );
    }
    await expect(h.call('write', 'config', { kubernetes_host: 'https://k', use_annotations_as_alias_metadata: true })).rejects.toMatchObject({ code: 'invalid_request' });
  });
});

describe('kubernetes roles', () => {
  it('creates, reads, updates, lists and deletes roles with the token fields', async () => {
    const h = await harness();
    const created = await h.call('write', 'role/Web', {
      bound_service_account_names: 'web, api',
      bound_service_account_namespaces: ['app'],
      token_policies: 'web',
      token_ttl: '1h',
    });
    expect(created?.warnings).toEqual([
      'Role web does not have an audience configured. While audiences are not required, consider specifying one if your use case would benefit from additional JWT claim verification.',
    ]);
    await h.call('write', 'role/web', { audience: 'coffer', alias_name_source: 'serviceaccount_name', token_max_ttl: '2h' });
    expect((await h.call('read', 'role/WEB'))?.data).toEqual({
      alias_name_source: 'serviceaccount_name',
      audience: 'coffer',
      bound_service_account_names: ['web', 'api'],
      bound_service_account_namespace_selector: '',
      bound_service_account_namespaces: ['app'],
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 7200,
      token_no_default_policy: false,
      token_num_uses: 0,
      token_period: 0,
      token_policies: ['web'],
      token_ttl: 3600,
      token_type: 'default',
    });
    await h.call('write', 'role/db', { bound_service_account_names: '*', bound_service_account_namespaces: '*', audience: 'x' });
    expect(await h.call('list', 'role/')).toEqual({ data: { keys: ['db', 'web'] } });
    await h.call('delete', 'role/web');
    expect(await h.call('read', 'role/web')).toBeUndefined();
    expect(await h.call('list', 'role/')).toEqual({ data: { keys: ['db'] } });
  });

  it("refuses bad bindings with Vault's messages", async () => {
    const h = await harness();
    const write = (data: Record<string, unknown>) => h.call('write', 'role/r', { audience: 'a', ...data });
    await expect(write({ bound_service_account_namespaces: 'app' })).rejects.toMatchObject(invalid('"bound_service_account_names" can not be empty'));
    await expect(write({ bound_service_account_names: '*,web', bound_service_account_namespaces: 'app' })).rejects.toMatchObject(invalid('can not mix "*" with values'));
    await expect(write({ bound_service_account_names: 'web' })).rejects.toMatchObject(
      invalid('"bound_service_account_namespaces" can not be empty if "bound_service_account_namespace_selector" is not set'),
    );
    await expect(write({ bound_service_account_names: 'web', bound_service_account_namespaces: 'a,*' })).rejects.toMatchObject(invalid('can not mix "*" with values'));
    for (const selector of ['not json', '{"matchExpressions":[{"key":"a","operator":"Exists"}]}', '{"matchLabels":{"a":1}}']) {
      await expect(write({ bound_service_account_names: 'web', bound_service_account_namespace_selector: selector })).rejects.toMatchObject(
        invalid('invalid "bound_service_account_namespace_selector" configured'),
      );
    }
    await expect(write({ bound_service_account_names: 'web', bound_service_account_namespaces: 'app', alias_name_source: 'pod' })).rejects.toMatchObject(
      invalid('invalid alias_name_source, must be one of: serviceaccount_uid, serviceaccount_name'),
    );
    await expect(write({ bound_service_account_names: 'web', bound_service_account_namespaces: 'app', token_period: '48h' })).rejects.toMatchObject({ code: 'invalid_request' });
    // A selector alone is enough.
    expect(await write({ bound_service_account_names: 'web', bound_service_account_namespace_selector: '{"matchLabels":{"team":"a"}}' })).toBeUndefined();
  });
});

describe('claimedServiceAccount', () => {
  it('reads projected tokens, and legacy secret-based tokens', () => {
    expect(
      claimedServiceAccount({ aud: 'x', 'kubernetes.io': { namespace: 'app', serviceaccount: { name: 'web', uid: 'u1' }, pod: { name: 'p', uid: 'p1' } } }),
    ).toEqual({ namespace: 'app', name: 'web', uid: 'u1', secretName: '', audiences: ['x'] });
    expect(
      claimedServiceAccount({
        iss: 'kubernetes/serviceaccount',
        'kubernetes.io/serviceaccount/namespace': 'app',
        'kubernetes.io/serviceaccount/secret.name': 'web-token-abcde',
        'kubernetes.io/serviceaccount/service-account.name': 'web',
        'kubernetes.io/serviceaccount/service-account.uid': 'u2',
      }),
    ).toEqual({ namespace: 'app', name: 'web', uid: 'u2', secretName: 'web-token-abcde', audiences: [] });
  });
});
