import { describe, expect, it } from 'vitest';
import type { AuditLogInput } from './audit-input.js';
import { formatRequestEntry, formatResponseEntry, type FormatContext } from './entry-formatter.js';
import { encodeAuditLine, goJson } from './json-line.js';
import { formatRfc3339Nano } from './rfc3339.js';
import { hashValue } from './salt.js';

const SALT = 'a4b8c3d2-5e6f-4a1b-9c8d-7e6f5a4b3c2d';
const h = (value: string) => hashValue(SALT, value);
const context: FormatContext = {
  salt: SALT,
  raw: false,
  hmacAccessor: true,
  elideListResponses: false,
  time: '2026-01-02T03:04:05.123Z',
};

/** The reference's example read of secret/data/app by a Kubernetes service account. */
const kvRead: AuditLogInput = {
  auth: {
    clientToken: 'hvs.CAESIJ-client-token',
    accessor: 'acc-1234',
    displayName: 'kubernetes-app-sa',
    policies: ['default', 'app'],
    tokenPolicies: ['default', 'app'],
    identityPolicies: [],
    policyResults: { allowed: true, grantingPolicies: [{ name: 'app', namespaceId: 'root', type: 'acl' }] },
    metadata: { service_account_name: 'app-sa', role: 'app' },
    entityId: 'ent-42',
    tokenType: 'service',
    tokenTtl: 3600,
    issueTime: new Date('2026-01-02T02:04:05.000Z'),
  },
  request: {
    id: '5f0a6f1e-8d0c-4a41-9d7e-2b9f0c3a1d11',
    clientId: 'client-7',
    operation: 'read',
    mountPoint: 'secret/',
    mountType: 'kv',
    mountAccessor: 'kv_0d071af0',
    mountRunningVersion: 'v0.16.1+builtin',
    mountClass: 'secret',
    clientToken: 'hvs.CAESIJ-client-token',
    clientTokenAccessor: 'acc-1234',
    path: 'secret/data/app',
    remoteAddress: '10.0.0.5',
    remotePort: 51234,
  },
  response: {
    data: { data: { password: 's3cr3t' }, metadata: { version: 3 } },
    secret: { leaseId: '' },
  },
};

describe('audit entries', () => {
  it('writes the reference example response entry with Vault’s field names, order and omissions', () => {
    const line = encodeAuditLine(formatResponseEntry(kvRead, context));
    // Go's encoder: struct order (secret before data), omitempty (identity_policies: [] and an
    // empty lease_id vanish), map keys sorted (metadata), response repeats the mount fields.
    const expected =
      '{"time":"2026-01-02T03:04:05.123Z","type":"response",' +
      `"auth":{"client_token":"${h('hvs.CAESIJ-client-token')}","accessor":"${h('acc-1234')}",` +
      '"display_name":"kubernetes-app-sa","policies":["default","app"],"token_policies":["default","app"],' +
      '"policy_results":{"allowed":true,"granting_policies":[{"name":"app","namespace_id":"root","type":"acl"}]},' +
      '"metadata":{"role":"app","service_account_name":"app-sa"},"entity_id":"ent-42","token_type":"service",' +
      '"token_ttl":3600,"token_issue_time":"2026-01-02T02:04:05Z"},' +
      '"request":{"id":"5f0a6f1e-8d0c-4a41-9d7e-2b9f0c3a1d11","client_id":"client-7","operation":"read",' +
      '"mount_point":"secret/","mount_type":"kv","mount_accessor":"kv_0d071af0",' +
      '"mount_running_version":"v0.16.1+builtin","mount_class":"secret",' +
      `"client_token":"${h('hvs.CAESIJ-client-token')}","client_token_accessor":"${h('acc-1234')}",` +
      '"namespace":{"id":"root"},"path":"secret/data/app","remote_address":"10.0.0.5","remote_port":51234},' +
      '"response":{"mount_point":"secret/","mount_type":"kv","mount_accessor":"kv_0d071af0",' +
      '"mount_running_plugin_version":"v0.16.1+builtin","mount_class":"secret","secret":{},' +
      `"data":{"data":{"password":"${h('s3cr3t')}"},"metadata":{"version":3}}}}`;
    expect(line).toBe(expected);
  });

  it('writes a request entry without a response, with error and forwarded_from when present', () => {
    const entry = formatRequestEntry(
      { ...kvRead, error: 'permission denied', request: { ...kvRead.request, forwardedFrom: '10.0.0.9:8201' } },
      context,
    );
    expect(Object.keys(entry)).toEqual(['time', 'type', 'auth', 'request', 'error', 'forwarded_from']);
    expect(entry.type).toBe('request');
    expect(entry.error).toBe('permission denied');
    expect(formatResponseEntry({ ...kvRead, request: { ...kvRead.request, forwardedFrom: 'x' } }, context).forwarded).toBe(true);
  });

  it('keeps the objects Vault always writes for an unauthenticated request', () => {
    const entry = formatRequestEntry({ request: { id: 'r1', operation: 'update', path: 'auth/userpass/login/bob' } }, context);
    expect(goJson(entry)).toBe(
      '{"time":"2026-01-02T03:04:05.123Z","type":"request","auth":{"token_type":"default"},' +
        '"request":{"id":"r1","operation":"update","namespace":{"id":"root"},"path":"auth/userpass/login/bob"}}',
    );
    const response = formatResponseEntry({ request: { id: 'r1', operation: 'update', path: 'x' } }, context);
    expect(goJson(response.response)).toBe('{}');
  });

  it('HMACs the minted token of a login, its accessor, and the wrapping token', () => {
    const entry = formatResponseEntry(
      {
        request: { id: 'r2', operation: 'update', path: 'auth/approle/login', data: { role_id: 'rid', secret_id: 'sid' } },
        response: {
          auth: { clientToken: 'hvs.new', accessor: 'acc-new', policies: ['app'], tokenType: 'service', numUses: 5, tokenTtl: 60 },
          wrapInfo: {
            ttl: 300,
            token: 'hvs.wrap',
            accessor: 'acc-wrap',
            creationTime: new Date('2026-01-02T03:04:05.5Z'),
            creationPath: 'auth/approle/login',
          },
          warnings: ['careful'],
        },
      },
      context,
    );
    expect(entry.response.auth).toEqual({
      client_token: h('hvs.new'),
      accessor: h('acc-new'),
      policies: ['app'],
      num_uses: 5,
      token_type: 'service',
      token_ttl: 60,
    });
    expect(entry.response.wrap_info).toEqual({
      ttl: 300,
      token: h('hvs.wrap'),
      accessor: h('acc-wrap'),
      creation_time: '2026-01-02T03:04:05.5Z',
      creation_path: 'auth/approle/login',
    });
    expect(entry.request.data).toEqual({ role_id: h('rid'), secret_id: h('sid') });
    expect(entry.response.warnings).toEqual(['careful']);
  });

  it('leaves accessors readable with hmac_accessor=false and everything with log_raw=true', () => {
    const noAccessor = formatResponseEntry(kvRead, { ...context, hmacAccessor: false });
    expect(noAccessor.auth.accessor).toBe('acc-1234');
    expect(noAccessor.request.client_token_accessor).toBe('acc-1234');
    expect(noAccessor.auth.client_token).toBe(h('hvs.CAESIJ-client-token'));
    const raw = formatResponseEntry(kvRead, { ...context, raw: true });
    expect(raw.auth.client_token).toBe('hvs.CAESIJ-client-token');
    expect(raw.request.client_token).toBe('hvs.CAESIJ-client-token');
    expect(raw.response.data).toEqual({ data: { password: 's3cr3t' }, metadata: { version: 3 } });
  });

  it('HMACs audited headers configured with hmac, even with log_raw', () => {
    const input: AuditLogInput = {
      request: { id: 'r', operation: 'read', path: 'p', headers: { 'x-b': ['clear'], 'x-a': ['secret'] } },
      hmacHeaders: ['X-A'],
    };
    for (const raw of [false, true]) {
      expect(formatRequestEntry(input, { ...context, raw }).request.headers).toEqual({ 'x-a': [h('secret')], 'x-b': ['clear'] });
    }
  });

  it('escapes <, > and & as Go does and never changes the caller’s input', () => {
    const input: AuditLogInput = structuredClone({ ...kvRead, request: { ...kvRead.request, path: 'secret/data/a&b<c>' } });
    const before = structuredClone(input);
    expect(encodeAuditLine(formatResponseEntry(input, context), '@cee: ')).toContain('"path":"secret/data/a\\u0026b\\u003cc\\u003e"');
    expect(input).toEqual(before);
  });

  it('stamps RFC 3339 times with nanoseconds, trailing zeros trimmed as Go', () => {
    expect(formatRfc3339Nano(1767323045123456789n)).toBe('2026-01-02T03:04:05.123456789Z');
    expect(formatRfc3339Nano(1767323045120000000n)).toBe('2026-01-02T03:04:05.12Z');
    expect(formatRfc3339Nano(1767323045000000000n)).toBe('2026-01-02T03:04:05Z');
  });
});
