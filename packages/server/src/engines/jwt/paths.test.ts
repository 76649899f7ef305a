import { generateKeyPairSync } from 'node:crypto';
import { createRecordingLogger, startKubernetesFake, type KubernetesFake } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineHarness } from '../engine-harness.js';
import { globMatches } from './glob.js';
import { createJwtAuthEngine } from './jwt-engine.js';

let idp: KubernetesFake;
beforeAll(async () => {
  idp = await startKubernetesFake();
});
afterAll(() => idp.close());

const harness = () => createEngineHarness(createJwtAuthEngine, { mountPath: 'jwt/', mountType: 'jwt', maxLeaseTtl: 86_400 });
const invalid = (message: string) => ({ code: 'invalid_request', message });
const pem = (type: 'rsa' | 'ec' | 'ed25519') =>
  (type === 'rsa'
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('ed25519')
  ).publicKey
    .export({ type: 'spki', format: 'pem' })
    .toString();

describe('jwt config', () => {
  it('stores static keys and reads the config back with Vault’s keys', async () => {
    const h = await harness();
    const keys = [pem('rsa'), pem('ec'), pem('ed25519')];
    await h.call('write', 'config', { jwt_validation_pubkeys: keys, bound_issuer: 'https://issuer', default_role: 'Dev', jwt_supported_algs: 'RS256,ES256,EdDSA' });
    expect((await h.call('read', 'config'))?.data).toMatchObject({
      bound_issuer: 'https://issuer',
      default_role: 'dev',
      jwks_url: '',
      jwt_supported_algs: ['RS256', 'ES256', 'EdDSA'],
      jwt_validation_pubkeys: keys.map((k) => k.trim()),
      oidc_discovery_url: '',
    });
  });

  it('checks remote sources when the config is written', async () => {
    const h = await harness();
    expect(await h.call('write', 'config', { jwks_url: idp.jwksUrl, jwks_ca_pem: idp.caPem })).toBeUndefined();
    expect(await h.call('write', 'config', { oidc_discovery_url: idp.issuer, oidc_discovery_ca_pem: idp.caPem })).toBeUndefined();
    // Without the CA, the provider's certificate does not verify.
    await expect(h.call('write', 'config', { jwks_url: idp.jwksUrl })).rejects.toMatchObject({ message: expect.stringMatching(/^error checking jwks URL https:\/\/127\.0\.0\.1:\d+\/openid\/v1\/jwks: /) });
    await expect(h.call('write', 'config', { oidc_discovery_url: `${idp.issuer}/`, oidc_discovery_ca_pem: idp.caPem })).rejects.toMatchObject({
      message: expect.stringMatching(/^error checking oidc discovery URL: issuer did not match the issuer returned by provider/),
    });
    await expect(h.call('write', 'config', { jwks_url: `${idp.url}/nope`, jwks_ca_pem: idp.caPem })).rejects.toMatchObject({ message: expect.stringMatching(/HTTP 404$/) });
    // The last good config stays in force.
    expect((await h.call('read', 'config'))?.data?.oidc_discovery_url).toBe(idp.issuer);
  });

  it("refuses configs Vault refuses, with its messages", async () => {
    const h = await harness();
    const one = "exactly one of 'jwt_validation_pubkeys', 'jwks_url' or 'oidc_discovery_url' must be set";
    await expect(h.call('write', 'config', {})).rejects.toMatchObject(invalid(one));
    await expect(h.call('write', 'config', { jwks_url: idp.jwksUrl, jwt_validation_pubkeys: [pem('rsa')] })).rejects.toMatchObject(invalid(one));
    await expect(h.call('write', 'config', { jwt_validation_pubkeys: ['nope'] })).rejects.toMatchObject({ message: expect.stringMatching(/^error parsing public key: /) });
    const privatePem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    await expect(h.call('write', 'config', { jwt_validation_pubkeys: [privatePem] })).rejects.toMatchObject({ message: expect.stringMatching(/not a public key/) });
    await expect(h.call('write', 'config', { jwt_validation_pubkeys: [pem('rsa')], jwt_supported_algs: 'HS256' })).rejects.toMatchObject(
      invalid('invalid jwt_supported_algs: unsupported signing algorithm "HS256"'),
    );
    await expect(h.call('write', 'config', { jwks_url: idp.jwksUrl, jwks_ca_pem: 'junk' })).rejects.toMatchObject(invalid('error checking jwks_ca_pem'));
    expect(await h.call('read', 'config')).toBeUndefined();
  });

  it('logs why a remote source was refused', async () => {
    const log = createRecordingLogger();
    const h = await createEngineHarness((deps) => createJwtAuthEngine({ ...deps, logger: log.logger }), { mountPath: 'jwt/' });
    await idp.down();
    try {
      await expect(h.call('write', 'config', { jwks_url: idp.jwksUrl, jwks_ca_pem: idp.caPem })).rejects.toMatchObject({ code: 'invalid_request' });
    } finally {
      await idp.up();
    }
    expect(log.records[0]).toMatchObject({ level: 'warn', bindings: { reason: expect.stringMatching(/ECONNREFUSED/) } });
  });
});

describe('jwt roles', () => {
  it('creates, reads, lists and deletes roles with Vault’s defaults', async () => {
    const h = await harness();
    await h.call('write', 'role/CI', {
      role_type: 'jwt',
      user_claim: 'sub',
      bound_audiences: 'a, b',
      bound_claims: { env: 'prod' },
      claim_mappings: { email: 'mail' },
      clock_skew_leeway: -1,
      expiration_leeway: '5m',
      token_policies: 'ci',
    });
    expect((await h.call('read', 'role/ci'))?.data).toEqual({
      allowed_redirect_uris: [],
      bound_audiences: ['a', 'b'],
      bound_claims: { env: 'prod' },
      bound_claims_type: 'string',
      bound_subject: '',
      claim_mappings: { email: 'mail' },
      clock_skew_leeway: -1,
      expiration_leeway: 300,
      groups_claim: '',
      max_age: 0,
      not_before_leeway: 0,
      oidc_scopes: [],
      role_type: 'jwt',
      user_claim: 'sub',
      user_claim_json_pointer: false,
      verbose_oidc_logging: false,
      token_bound_cidrs: [],
      token_explicit_max_ttl: 0,
      token_max_ttl: 0,
      token_no_default_policy: false,
      token_num_uses: 0,
      token_period: 0,
      token_policies: ['ci'],
      token_ttl: 0,
      token_type: 'default',
    });
    // Fields not given keep their value; a role without role_type is a jwt role.
    await h.call('write', 'role/ci', { bound_subject: 'me' });
    expect((await h.call('read', 'role/ci'))?.data).toMatchObject({ bound_subject: 'me', bound_audiences: ['a', 'b'], clock_skew_leeway: -1 });
    await h.call('write', 'role/other', { user_claim: 'sub', bound_subject: 'x' });
    expect(await h.call('list', 'role')).toEqual({ data: { keys: ['ci', 'other'] } });
    await h.call('delete', 'role/ci');
    expect(await h.call('read', 'role/ci')).toBeUndefined();
  });

  it("refuses roles Vault refuses, with its messages", async () => {
    const h = await harness();
    const write = (data: Record<string, unknown>) => h.call('write', 'role/r', { user_claim: 'sub', bound_subject: 's', ...data });
    await expect(write({ role_type: 'oidc' })).rejects.toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/not supported/) });
    await expect(write({ role_type: 'saml' })).rejects.toMatchObject(invalid("invalid 'role_type': saml"));
    await expect(write({ user_claim: '' })).rejects.toMatchObject(invalid('a user claim must be defined on the role'));
    await expect(write({ bound_subject: '' })).rejects.toMatchObject(invalid('must have at least one bound constraint when creating/updating a role'));
    await expect(write({ claim_mappings: { a: 'role' } })).rejects.toMatchObject(invalid('metadata key "role" is reserved and may not be a mapping destination'));
    await expect(write({ claim_mappings: { a: 'x', b: 'x' } })).rejects.toMatchObject(invalid('multiple keys are mapped to metadata key "x"'));
    await expect(write({ bound_claims_type: 'regex' })).rejects.toMatchObject(invalid("invalid 'bound_claims_type': regex"));
    await expect(write({ bound_claims_type: 'glob', bound_claims: { a: [1] } })).rejects.toMatchObject(invalid('claim is not a string: 1'));
    await expect(write({ token_period: '48h' })).rejects.toMatchObject({ code: 'invalid_request' });
    // token_bound_cidrs alone is a binding.
    expect(await write({ bound_subject: '', token_bound_cidrs: '10.0.0.0/8' })).toBeUndefined();
  });
});

describe('globMatches', () => {
  it('matches go-glob patterns: * anywhere, nothing else special', () => {
    expect(globMatches('*', '')).toBe(true);
    expect(globMatches('org/*', 'org/api')).toBe(true);
    expect(globMatches('*-prod', 'api-prod')).toBe(true);
    expect(globMatches('a*b*c', 'aXXbYYc')).toBe(true);
    expect(globMatches('a*b*c', 'acb')).toBe(false);
    expect(globMatches('ab*ba', 'aba')).toBe(false);
    expect(globMatches('a?c', 'abc')).toBe(false);
    expect(globMatches('exact', 'exact')).toBe(true);
  });
});
