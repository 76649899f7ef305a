import { randomBytes } from 'node:crypto';
import { parseServerConfig } from '@coffer/server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cliRunner, startTestServer, type CliRunner } from '../../test/harness.js';

describe('operator init, unseal, seal, rotate, key-status and status', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let cli: CliRunner;
  let keys: string[] = [];
  let rootToken = '';

  beforeAll(async () => {
    server = await startTestServer();
    cli = await cliRunner({ COFFER_ADDR: server.address });
  });
  afterAll(() => server.close());

  it('status of an uninitialised, sealed server exits 2', async () => {
    const result = await cli(['status']);
    expect(result.code).toBe(2);
    expect(result.stdout).toMatch(/Initialized\s+false/);
    expect(result.stdout).toMatch(/Sealed\s+true/);
  });

  it('operator init prints 5 keys and a root token, threshold 3, by default', async () => {
    const result = await cli(['operator', 'init']);
    expect(result.code).toBe(0);
    keys = [...result.stdout.matchAll(/^Unseal Key \d: (\S+)$/gm)].map((m) => m[1] as string);
    rootToken = /^Initial Root Token: (\S+)$/m.exec(result.stdout)?.[1] ?? '';
    expect(keys).toHaveLength(5);
    expect(rootToken).not.toBe('');
    expect(result.stdout).toContain('initialized with 5 key shares and a key threshold of 3');
  });

  it('a second init is an API error: exit 2 and Vault\'s message shape', async () => {
    const result = await cli(['operator', 'init']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Error initializing: Error making API request\.\n\nURL: PUT http:\/\/127\.0\.0\.1:\d+\/v1\/sys\/init\nCode: 400\. Errors:\n\n\* /);
  });

  it('unseals with three of the five keys, showing progress, then status exits 0', async () => {
    const first = await cli(['operator', 'unseal', keys[0] as string]);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/Unseal Progress\s+1\/3/);
    expect((await cli(['status'])).code).toBe(2);

    const reset = await cli(['operator', 'unseal', '-reset']);
    expect(reset.stdout).toMatch(/Unseal Progress\s+0\/3/);

    for (const key of keys.slice(1, 3)) expect((await cli(['operator', 'unseal', key])).code).toBe(0);
    const last = await cli(['operator', 'unseal', keys[3] as string]);
    expect(last.stdout).toMatch(/Sealed\s+false/);
    const status = await cli(['status', '-format=json']);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ initialized: true, sealed: false, t: 3, n: 5, ha_enabled: false });
  });

  it('unseal without a key on a non-terminal stdin refuses to prompt (exit 1)', async () => {
    const result = await cli(['operator', 'unseal']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('stdin is not a terminal');
  });

  it('key-status and rotate show the barrier key term', async () => {
    const env = { COFFER_TOKEN: rootToken };
    const before = await cli(['operator', 'key-status'], { env });
    expect(before.code).toBe(0);
    expect(before.stdout).toMatch(/^Key Term\s+1$/m);
    expect(before.stdout).toMatch(/^Install Time\s+\d\d \w{3} \d\d \d\d:\d\d UTC$/m);

    const rotated = await cli(['operator', 'rotate'], { env });
    expect(rotated.code).toBe(0);
    expect(rotated.stdout).toMatch(/^Success! Rotated key\n\nKey Term\s+2$/m);

    const json = await cli(['operator', 'key-status', '--format', 'json'], { env });
    expect(JSON.parse(json.stdout)).toMatchObject({ term: 2 });
  });

  it('rotate without a token is refused by the server: exit 2', async () => {
    const result = await cli(['operator', 'rotate']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Error rotating key: Error making API request\.[\s\S]*Code: 403\. Errors:\n\n\* permission denied/);
  });

  it('operator seal seals; status then exits 2', async () => {
    const sealed = await cli(['operator', 'seal'], { env: { COFFER_TOKEN: rootToken } });
    expect(sealed.code).toBe(0);
    expect(sealed.stdout).toBe('Success! Coffer is sealed.\n');
    const status = await cli(['status']);
    expect(status.code).toBe(2);
    expect(status.stdout).toMatch(/Sealed\s+true/);
  });
});

describe('operator init -format=json', () => {
  it('prints Vault\'s machine-readable init object', async () => {
    const server = await startTestServer();
    try {
      const cli = await cliRunner({ COFFER_ADDR: server.address, COFFER_FORMAT: 'json' });
      const result = await cli(['operator', 'init', '-key-shares=3', '-key-threshold=2']);
      expect(result.code).toBe(0);
      const init = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(Object.keys(init)).toEqual([
        'unseal_keys_b64',
        'unseal_keys_hex',
        'unseal_shares',
        'unseal_threshold',
        'recovery_keys_b64',
        'recovery_keys_hex',
        'recovery_keys_shares',
        'recovery_keys_threshold',
        'root_token',
      ]);
      expect(init.unseal_keys_b64).toHaveLength(3);
      expect(init.unseal_keys_hex).toHaveLength(3);
      expect(init).toMatchObject({ unseal_shares: 3, unseal_threshold: 2 });
      expect(typeof init.root_token).toBe('string');

      const status = await cli(['operator', 'init', '-status']);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toEqual({ initialized: true });
    } finally {
      await server.close();
    }
  });
});

describe('operator init with an auto seal', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let cli: CliRunner;

  beforeEach(async () => {
    // The static seal needs no KMS; the config goes through the server's own parser, as `coffer server` does.
    const config = await parseServerConfig(
      `storage "inmem" {}\nlistener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\n` +
        `seal "static" {\n  current_key_id = "k1"\n  current_key = "${randomBytes(32).toString('hex')}"\n}\n`,
      { fileName: 'auto.hcl', env: {} },
    );
    server = await startTestServer(undefined, config.seals);
    cli = await cliRunner({ COFFER_ADDR: server.address });
  });
  afterEach(() => server.close());

  it('-recovery-shares/-recovery-threshold give recovery keys (no unseal keys), in Vault\'s JSON', async () => {
    const result = await cli(['operator', 'init', '-recovery-shares=3', '-recovery-threshold=2', '-format=json']);
    expect(result.code).toBe(0);
    const init = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(init).toMatchObject({
      unseal_keys_b64: [],
      unseal_keys_hex: [],
      unseal_shares: 0,
      unseal_threshold: 0,
      recovery_keys_shares: 3,
      recovery_keys_threshold: 2,
    });
    expect(init.recovery_keys_b64).toHaveLength(3);
    expect(init.recovery_keys_hex).toHaveLength(3);
    const status = JSON.parse((await cli(['status', '-format=json'])).stdout) as Record<string, unknown>;
    expect(status).toMatchObject({ type: 'static', initialized: true, recovery_seal: true, t: 2, n: 3 });
  });

  it('defaults to 5 recovery shares, threshold 3, and prints them as Vault does', async () => {
    const result = await cli(['operator', 'init']);
    expect(result.code).toBe(0);
    expect([...result.stdout.matchAll(/^Recovery Key \d: (\S+)$/gm)]).toHaveLength(5);
    expect(result.stdout).not.toMatch(/^Unseal Key/m);
    expect(result.stdout).toMatch(/^Initial Root Token: \S+$/m);
    expect(result.stdout).toContain('Success! Coffer is initialized');
    expect(result.stdout).toContain('Recovery key initialized with 5 key shares and a key threshold of 3.');
  });

  it('-key-shares does not apply to an auto seal: the server refuses it with Vault\'s message', async () => {
    const result = await cli(['operator', 'init', '-key-shares=3', '-key-threshold=2']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('* parameters secret_shares,secret_threshold,pgp_keys not applicable to seal type static');
  });
});

describe('operator init -recovery-shares with Shamir', () => {
  it('is refused by the server with Vault\'s message', async () => {
    const server = await startTestServer();
    try {
      const cli = await cliRunner({ COFFER_ADDR: server.address });
      const result = await cli(['operator', 'init', '-recovery-shares=3', '-recovery-threshold=2']);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('* parameters recovery_shares,recovery_threshold,recovery_pgp_keys not applicable to seal type shamir');
    } finally {
      await server.close();
    }
  });
});
