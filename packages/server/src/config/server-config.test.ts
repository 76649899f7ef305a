import { CofferError } from '@coffer/sdk';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { detectFormat } from './config-document.js';
import { parseServerConfig, type ServerConfig } from './server-config.js';

const noEnv = {};

/** The problems the parser reports for `text`, one string per line of the error message. */
async function problemsIn(text: string, fileName = 'config.hcl', env: Record<string, string> = noEnv): Promise<string[]> {
  const error: unknown = await parseServerConfig(text, { fileName, env }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expected the config to be refused').toBeInstanceOf(CofferError);
  expect((error as CofferError).code).toBe('invalid_request');
  return (error as CofferError).message.split('\n');
}

const MINIMAL = `storage "inmem" {}
listener "tcp" {
  tls_disable = true
}
`;


describe('parseServerConfig: valid files', () => {
  it('reads a realistic HCL file, comments and all', async () => {
    const text = `# Coffer server configuration
ui            = true
cluster_name  = "coffer-prod"
disable_mlock = true
log_level     = "Info"
log_format    = "json"
pid_file      = "/run/coffer/coffer.pid"

storage "file" {
  path = "/var/lib/coffer/data"   # pathh = "not a key"
}

// Public listener, TLS on.
listener "tcp" {
  address              = "0.0.0.0:8200"
  tls_cert_file        = "/etc/coffer/tls/tls.crt"
  tls_key_file         = "/etc/coffer/tls/tls.key"
  tls_min_version      = "tls13"
  max_request_size     = "1048576"
  max_request_duration = "30s"
}

/* Plain HTTP on loopback for the agent sidecar.
   listener "bogus" { } */
listener "tcp" {
  address     = "[::1]:8210"
  tls_disable = "true"
}

api_addr          = "https://coffer-0.coffer-internal:8200"
cluster_addr      = "https://coffer-0.coffer-internal:8201"
default_lease_ttl = "1h30m"
max_lease_ttl     = 86400
`;
    const config = await parseServerConfig(text, { fileName: 'coffer.hcl', env: noEnv });
    expect(config).toEqual<ServerConfig>({
      storage: { type: 'file', path: '/var/lib/coffer/data' },
      seals: [],
      audit: { devices: [], allowApi: true },
      listeners: [
        {
          type: 'tcp',
          address: '0.0.0.0:8200',
          host: '0.0.0.0',
          port: 8200,
          tls: { certFile: '/etc/coffer/tls/tls.crt', keyFile: '/etc/coffer/tls/tls.key', minVersion: 'TLSv1.3' },
          maxRequestSize: 1048576,
          maxRequestDurationSeconds: 30,
          unauthenticatedMetricsAccess: false,
        },
        {
          type: 'tcp',
          address: '[::1]:8210',
          host: '::1',
          port: 8210,
          tls: null,
          maxRequestSize: 33554432,
          maxRequestDurationSeconds: 90,
          unauthenticatedMetricsAccess: false,
        },
      ],
      apiAddr: 'https://coffer-0.coffer-internal:8200',
      clusterAddr: 'https://coffer-0.coffer-internal:8201',
      clusterName: 'coffer-prod',
      defaultLeaseTtl: 5400,
      maxLeaseTtl: 86400,
      logLevel: 'info',
      logFormat: 'json',
      ui: true,
      readCacheEntries: 131_072,
      pidFile: '/run/coffer/coffer.pid',
    });
  });

  it('reads the same settings from JSON, with listener as an object or an array', async () => {
    const asObject = `{
  "storage": { "file": { "path": "/data" } },
  "listener": { "tcp": { "address": "127.0.0.1:8200", "tls_disable": true } },
  "api_addr": "http://127.0.0.1:8200",
  "max_lease_ttl": "24h"
}`;
    const asArray = `{
  "storage": { "file": { "path": "/data" } },
  "listener": [
    { "tcp": { "address": "127.0.0.1:8200", "tls_disable": true } },
    { "tcp": { "address": "127.0.0.1:8300", "tls_disable": "1" } }
  ]
}`;
    const one = await parseServerConfig(asObject, { fileName: 'config.json', env: noEnv });
    expect(one.storage).toEqual({ type: 'file', path: '/data' });
    expect(one.listeners.map((l) => [l.address, l.tls])).toEqual([['127.0.0.1:8200', null]]);
    expect(one.apiAddr).toBe('http://127.0.0.1:8200');
    expect([one.defaultLeaseTtl, one.maxLeaseTtl]).toEqual([86400, 86400]);

    // A file without the .json suffix is JSON too when it opens with "{".
    const two = await parseServerConfig(asArray, { fileName: '/etc/coffer/config', env: noEnv });
    expect(two.listeners.map((l) => l.port)).toEqual([8200, 8300]);
  });

  it('fills Vault defaults', async () => {
    const config = await parseServerConfig(MINIMAL, { fileName: 'config.hcl', env: noEnv });
    expect(config).toEqual<ServerConfig>({
      storage: { type: 'inmem' },
      seals: [],
      audit: { devices: [], allowApi: true },
      listeners: [
        {
          type: 'tcp',
          address: '127.0.0.1:8200',
          host: '127.0.0.1',
          port: 8200,
          tls: null,
          maxRequestSize: 32 * 1024 * 1024,
          maxRequestDurationSeconds: 90,
          unauthenticatedMetricsAccess: false,
        },
      ],
      defaultLeaseTtl: 768 * 3600,
      maxLeaseTtl: 768 * 3600,
      logLevel: 'info',
      logFormat: 'standard',
      ui: false,
      readCacheEntries: 131_072,
    });
    expect('apiAddr' in config).toBe(false);
  });

  it('defaults TLS to version 1.2 and treats 0 as "the default" for sizes, durations and TTLs', async () => {
    const config = await parseServerConfig(
      `storage "inmem" {}
listener "tcp" {
  tls_cert_file        = "c.pem"
  tls_key_file         = "k.pem"
  max_request_size     = 0
  max_request_duration = "0"
}
default_lease_ttl = 0
`,
      { fileName: 'config.hcl', env: noEnv },
    );
    expect(config.listeners[0]).toMatchObject({
      tls: { certFile: 'c.pem', keyFile: 'k.pem', minVersion: 'TLSv1.2' },
      maxRequestSize: 33554432,
      maxRequestDurationSeconds: 90,
      unauthenticatedMetricsAccess: false,
    });
    expect(config.defaultLeaseTtl).toBe(768 * 3600);
  });

  it("accepts Vault's loose spellings of booleans and numbers", async () => {
    for (const spelling of ['true', '"true"', '1', '"1"', '"T"', '"True"']) {
      const text = `storage "inmem" {}\nlistener "tcp" {\n  tls_disable = ${spelling}\n}\nui = ${spelling}\n`;
      const config = await parseServerConfig(text, { fileName: 'config.hcl', env: noEnv });
      expect([config.ui, config.listeners[0]?.tls]).toEqual([true, null]);
    }
    const config = await parseServerConfig(`${MINIMAL}ui = "false"\nlog_level = "WARNING"\nmax_lease_ttl = "3600"\n`, {
      fileName: 'config.hcl',
      env: noEnv,
    });
    expect([config.ui, config.logLevel, config.maxLeaseTtl]).toEqual([false, 'warn', 3600]);
  });

  it('lowers an unset default lease TTL to a lowered maximum', async () => {
    const config = await parseServerConfig(`${MINIMAL}max_lease_ttl = "1h"\n`, { fileName: 'config.hcl', env: noEnv });
    expect([config.defaultLeaseTtl, config.maxLeaseTtl]).toEqual([3600, 3600]);
  });

  it('reads a listener\'s telemetry block (HCL and JSON) and refuses unknown keys in it', async () => {
    const hcl = await parseServerConfig(
      'storage "inmem" {}\nlistener "tcp" {\n  tls_disable = true\n  telemetry {\n    unauthenticated_metrics_access = true\n  }\n}\n',
      { fileName: 'config.hcl', env: noEnv },
    );
    expect(hcl.listeners[0]?.unauthenticatedMetricsAccess).toBe(true);
    const json = await parseServerConfig(
      '{"storage":{"inmem":{}},"listener":{"tcp":{"tls_disable":true,"telemetry":{"unauthenticated_metrics_access":"true"}}}}',
      { fileName: 'config.json', env: noEnv },
    );
    expect(json.listeners[0]?.unauthenticatedMetricsAccess).toBe(true);
    expect((await parseServerConfig(MINIMAL, { fileName: 'config.hcl', env: noEnv })).listeners[0]?.unauthenticatedMetricsAccess).toBe(false);
    const problems = await problemsIn('storage "inmem" {}\nlistener "tcp" {\n  tls_disable = true\n  telemetry {\n    prometheus_retention_time = "30s"\n  }\n}\n');
    expect(problems.join('\n')).toMatch(/telemetry.*unknown key "prometheus_retention_time"/);
  });

  it("sizes the read cache with Vault's cache_size, and disable_cache turns it off", async () => {
    const parse = (extra: string) => parseServerConfig(`${MINIMAL}${extra}`, { fileName: 'config.hcl', env: noEnv });
    expect((await parse('cache_size = 5000\n')).readCacheEntries).toBe(5000);
    expect((await parse('disable_cache = true\ncache_size = 5000\n')).readCacheEntries).toBe(0);
    expect(await problemsIn(`${MINIMAL}cache_size = 0\n`)).toEqual(['config.hcl:5: "cache_size": must be at least 1, got 0']);
    expect(await problemsIn(`${MINIMAL}cache_size = "lots"\n`)).toEqual([
      'config.hcl:5: "cache_size": must be a whole number, got "lots"',
    ]);
  });

  it('returns a deeply frozen object', async () => {
    const config = await parseServerConfig(
      `storage "file" {\n  path = "/d"\n}\nlistener "tcp" {\n  tls_cert_file = "c"\n  tls_key_file = "k"\n}\n`,
      { fileName: 'config.hcl', env: noEnv },
    );
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.storage)).toBe(true);
    expect(Object.isFrozen(config.listeners)).toBe(true);
    expect(Object.isFrozen(config.listeners[0])).toBe(true);
    expect(Object.isFrozen(config.listeners[0]?.tls)).toBe(true);
  });

  it('keeps listeners in file order when other stanzas sit between them', async () => {
    const text = `listener "tcp" {
  address     = "127.0.0.1:1"
  tls_disable = true
}
storage "inmem" {}
listener "tcp" {
  address     = "127.0.0.1:2"
  tls_disable = true
}
`;
    const config = await parseServerConfig(text, { fileName: 'config.hcl', env: noEnv });
    expect(config.listeners.map((l) => l.port)).toEqual([1, 2]);
  });

  it('tells JSON from HCL by the file name and the first character', () => {
    expect(detectFormat('{"ui": true}', 'config.json')).toBe('json');
    expect(detectFormat('\n  {"ui": true}', '/etc/coffer/config')).toBe('json');
    expect(detectFormat('{"ui": true}', 'config.hcl')).toBe('hcl');
    expect(detectFormat('ui = true', 'config.json')).toBe('hcl');
  });
});

describe('parseServerConfig: environment overrides', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('lets VAULT_API_ADDR and VAULT_CLUSTER_ADDR override the file, and COFFER_* override both', async () => {
    const text = `${MINIMAL}api_addr = "https://file:8200"\ncluster_addr = "https://file:8201"\n`;
    const fromVault = await parseServerConfig(text, {
      fileName: 'config.hcl',
      env: { VAULT_API_ADDR: 'https://vault:8200', VAULT_CLUSTER_ADDR: 'https://vault:8201' },
    });
    expect([fromVault.apiAddr, fromVault.clusterAddr]).toEqual(['https://vault:8200', 'https://vault:8201']);
    const fromCoffer = await parseServerConfig(text, {
      fileName: 'config.hcl',
      env: { VAULT_API_ADDR: 'https://vault:8200', COFFER_API_ADDR: 'https://coffer:8200', VAULT_CLUSTER_ADDR: '' },
    });
    expect([fromCoffer.apiAddr, fromCoffer.clusterAddr]).toEqual(['https://coffer:8200', 'https://file:8201']);
  });

  it('reads process.env when no env is given', async () => {
    vi.stubEnv('COFFER_API_ADDR', 'https://from-process-env:8200');
    const config = await parseServerConfig(MINIMAL, { fileName: 'config.hcl' });
    expect(config.apiAddr).toBe('https://from-process-env:8200');
  });

  it('refuses a bad override, naming the variable', async () => {
    expect(await problemsIn(MINIMAL, 'config.hcl', { VAULT_API_ADDR: 'coffer:8200' })).toEqual([
      'environment variable VAULT_API_ADDR: must be a full URL such as "https://coffer.example.com:8200", got "coffer:8200"',
    ]);
  });
});
