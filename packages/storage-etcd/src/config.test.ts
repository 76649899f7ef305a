import { describe, expect, it } from 'vitest';
import { ETCD_STORAGE_OPTIONS, EtcdConfigError, parseEtcdStorageConfig } from './index.js';

function problems(options: unknown, env: Record<string, string> = {}): { key: string | undefined; message: string }[] {
  try {
    parseEtcdStorageConfig(options, env);
  } catch (error) {
    if (error instanceof EtcdConfigError) return [...error.problems];
    throw error;
  }
  throw new Error('expected the config to be refused');
}

describe('parseEtcdStorageConfig', () => {
  it("applies Vault's defaults, with Coffer's own path", () => {
    expect(parseEtcdStorageConfig({})).toEqual({
      endpoints: ['http://localhost:2379'],
      path: '/coffer/',
      haEnabled: false,
      lockTimeoutSeconds: 15,
      requestTimeoutMs: 5000,
      maxRequestBytes: 1.5 * 1024 * 1024,
    });
  });

  it('reads every option', () => {
    const config = parseEtcdStorageConfig({
      address: 'https://10.0.0.1:2379, https://etcd-1.internal ,https://[::1]:4001',
      path: 'vault',
      ha_enabled: 'true',
      lock_timeout: '3s',
      request_timeout: '1m30s',
      username: 'coffer',
      password: 'hunter2',
      tls_ca_file: '/etc/etcd/ca.pem',
      tls_cert_file: '/etc/etcd/client.pem',
      tls_key_file: '/etc/etcd/client-key.pem',
      max_receive_size: '8MiB',
      max_send_size: 2097152,
      etcd_api: 'v3',
      sync: 'false',
      discovery_srv: 'example.com',
      discovery_srv_name: 'coffer',
    });
    expect(config).toEqual({
      endpoints: ['https://10.0.0.1:2379', 'https://etcd-1.internal:2379', 'https://[::1]:4001'],
      path: '/vault/',
      haEnabled: true,
      lockTimeoutSeconds: 3,
      requestTimeoutMs: 90_000,
      username: 'coffer',
      password: 'hunter2',
      tlsCaFile: '/etc/etcd/ca.pem',
      tlsCertFile: '/etc/etcd/client.pem',
      tlsKeyFile: '/etc/etcd/client-key.pem',
      maxReceiveBytes: 8 * 1024 * 1024,
      maxRequestBytes: 2097152,
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('normalises the path to one leading and one trailing slash', () => {
    expect(parseEtcdStorageConfig({ path: '/a/b' }).path).toBe('/a/b/');
    expect(parseEtcdStorageConfig({ path: 'a/b//' }).path).toBe('/a/b/');
    expect(parseEtcdStorageConfig({ path: '/' }).path).toBe('/');
  });

  it('takes bare host:port addresses as http and durations as Vault does', () => {
    const config = parseEtcdStorageConfig({ address: '127.0.0.1:2379', lock_timeout: 20, request_timeout: '500ms', ha_enabled: true });
    expect(config.endpoints).toEqual(['http://127.0.0.1:2379']);
    expect(config.lockTimeoutSeconds).toBe(20);
    expect(config.requestTimeoutMs).toBe(500);
    expect(config.haEnabled).toBe(true);
  });

  it("honours Vault's environment variables", () => {
    const env = { ETCD_ADDR: 'http://e1:2379,http://e2:2379', ETCD_HA_ENABLED: 'true', ETCD_USERNAME: 'u', ETCD_PASSWORD: 'p' };
    expect(parseEtcdStorageConfig({}, env)).toMatchObject({
      endpoints: ['http://e1:2379', 'http://e2:2379'],
      haEnabled: true,
      username: 'u',
      password: 'p',
    });
    // The stanza wins for address and credentials; ETCD_HA_ENABLED wins over ha_enabled.
    const stanza = { address: 'http://s:2379', ha_enabled: 'true', username: 'su', password: 'sp' };
    expect(parseEtcdStorageConfig(stanza, { ...env, ETCD_HA_ENABLED: 'false' })).toMatchObject({
      endpoints: ['http://s:2379'],
      haEnabled: false,
      username: 'su',
      password: 'sp',
    });
    expect(problems({}, { ETCD_ADDR: 'ftp://x' })).toEqual([
      { key: 'address', message: 'environment variable ETCD_ADDR must list http:// or https:// URLs' },
    ]);
  });

  it('refuses unknown keys and bad values, each by its key, never quoting a value', () => {
    const found = problems({
      adress: 'http://x:2379',
      path: '',
      ha_enabled: 'yes',
      lock_timeout: '500ms',
      request_timeout: 'soon',
      password: 'secret-value',
      tls_cert_file: '/c.pem',
      max_receive_size: -1,
      etcd_api: 'v2',
    });
    expect(found).toEqual([
      { key: 'adress', message: `unknown option "adress" (known: ${ETCD_STORAGE_OPTIONS.join(', ')})` },
      { key: 'path', message: '"path" must not be empty' },
      { key: 'ha_enabled', message: '"ha_enabled" must be a boolean (true or false)' },
      { key: 'lock_timeout', message: '"lock_timeout" must be at least 1s' },
      {
        key: 'request_timeout',
        message: '"request_timeout" must be a duration such as "15s" or "500ms" (a bare number means seconds)',
      },
      { key: 'username', message: '"username" is required with "password"' },
      { key: 'tls_key_file', message: '"tls_key_file" is required with "tls_cert_file"' },
      { key: 'tls_cert_file', message: '"tls_cert_file" needs https:// addresses in "address"' },
      { key: 'max_receive_size', message: '"max_receive_size" must be a size in bytes, such as 4194304 or "4MiB"' },
      { key: 'etcd_api', message: '"etcd_api" must be "v3": etcd\'s v2 API is not supported' },
    ]);
    expect(JSON.stringify(found)).not.toContain('secret-value');
  });

  it('refuses addresses it cannot use', () => {
    const message = (address: string) => problems({ address })[0]?.message;
    expect(message('http://a:2379,https://b:2379')).toBe('"address" must use one scheme for every endpoint (all http:// or all https://)');
    expect(message('http://user:pw@a:2379')).toBe('"address" must not carry credentials; use "username" and "password"');
    expect(message('http://a:2379/v3')).toBe('"address" must list bare URLs (scheme, host and port only)');
    expect(message(' , ')).toBe('"address" must list at least one etcd endpoint');
  });

  it('refuses DNS discovery without addresses rather than silently using localhost', () => {
    expect(problems({ discovery_srv: 'example.com' })).toEqual([
      { key: 'discovery_srv', message: '"discovery_srv" (DNS SRV discovery) is not supported; list the members in "address"' },
    ]);
  });

  it('says so when the stanza is not an object', () => {
    expect(problems('etcd')).toEqual([{ key: undefined, message: 'the stanza body must be an object of options' }]);
    expect(() => parseEtcdStorageConfig(null)).toThrow(/^storage "etcd": the stanza body must be an object/);
  });
});
