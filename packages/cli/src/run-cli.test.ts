import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, initialisedServer, type CliRunner } from '../test/harness.js';

describe('usage, flags and errors', () => {
  let close: () => Promise<void>;
  let address: string;
  let rootToken: string;
  let cli: CliRunner;

  beforeAll(async () => {
    const started = await initialisedServer();
    close = () => started.server.close();
    address = started.server.address;
    rootToken = started.rootToken;
    cli = await cliRunner({ COFFER_ADDR: address, COFFER_TOKEN: rootToken });
    await cli(['secrets', 'enable', '-path=secret', '-version=2', 'kv']);
  });
  afterAll(() => close());

  it('an unknown command exits 127 (hashicorp/cli) with usage', async () => {
    const result = await cli(['frobnicate']);
    expect(result.code).toBe(127);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
    expect(result.stderr).toContain('Usage: coffer');
  });

  it('an unknown flag, a missing argument or extra arguments exit 1 with the usage', async () => {
    const flag = await cli(['kv', 'get', '-bogus', 'secret/x']);
    expect(flag.code).toBe(1);
    expect(flag.stderr).toContain("unknown option '--bogus'");
    expect(flag.stderr).toContain('Usage: coffer kv get');

    const missing = await cli(['kv', 'get']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("missing required argument 'path'");

    const extra = await cli(['kv', 'get', 'a', 'b']);
    expect(extra.code).toBe(1);
    expect(extra.stderr).toContain('too many arguments');

    const notInteger = await cli(['kv', 'get', '-version=abc', 'secret/x']);
    expect(notInteger.code).toBe(1);
    expect(notInteger.stderr).toContain('-version must be an integer');
  });

  it('a command group without a subcommand prints its help and exits 1; -h exits 0', async () => {
    const group = await cli(['kv']);
    expect(group.code).toBe(1);
    expect(group.stderr).toContain('Usage: coffer kv');
    const help = await cli(['kv', 'put', '-h']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--cas <n>');
  });

  it('single-dash and double-dash flags, with = or a space, are the same', async () => {
    for (const args of [
      ['kv', 'put', '-cas=0', 'secret/a', 'k=1'],
      ['kv', 'put', '--cas', '1', 'secret/a', 'k=2'],
      ['kv', 'put', '-cas', '2', 'secret/a', 'k=3'],
      ['kv', 'put', '--cas=3', 'secret/a', 'k=4'],
    ]) {
      expect((await cli(args)).code).toBe(0);
    }
    expect((await cli(['-format', 'json', 'kv', 'get', 'secret/a'])).stdout).toContain('"k": "4"');
    expect((await cli(['kv', 'get', '--format=json', 'secret/a'])).stdout).toContain('"k": "4"');
    expect((await cli(['kv', 'get', '-field', 'k', '-mount', 'secret', 'a'])).stdout).toBe('4');
  });

  it('-address overrides COFFER_ADDR, which overrides VAULT_ADDR', async () => {
    const wrongEnv = await cliRunner({ COFFER_ADDR: 'http://127.0.0.1:1', VAULT_ADDR: address, COFFER_TOKEN: rootToken });
    expect((await wrongEnv(['kv', 'get', 'secret/a'])).code).toBe(2);
    expect((await wrongEnv(['kv', 'get', `-address=${address}`, 'secret/a'])).code).toBe(0);
    const vaultOnly = await cliRunner({ VAULT_ADDR: address, VAULT_TOKEN: rootToken });
    expect((await vaultOnly(['kv', 'get', 'secret/a'])).code).toBe(0);
  });

  it('a refused connection is a remote error (exit 2) naming the URL, as Go words it', async () => {
    const result = await cli(['kv', 'get', '-address=http://127.0.0.1:1', 'secret/a']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Get "http:\/\/127\.0\.0\.1:1\/v1\/sys\/internal\/ui\/mounts\/secret\/a": .*ECONNREFUSED/);
  });

  it('status errors exit 1, since 2 means sealed', async () => {
    const result = await cli(['status', '-address=http://127.0.0.1:1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error checking seal status: Get "http:\/\/127\.0\.0\.1:1\/v1\/sys\/seal-status"/);
  });

  it('permission denied without a token: exit 2, nothing of the request data echoed', async () => {
    const anonymous = await cliRunner({ COFFER_ADDR: address });
    const result = await anonymous(['kv', 'put', 'secret/b', 'password=hunter2']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('Code: 403. Errors:\n\n* permission denied');
    expect(result.stderr).not.toContain('hunter2');
  });

  it('an invalid output format is refused before anything runs (exit 1)', async () => {
    const flag = await cli(['kv', 'put', '-format=yaml', 'secret/c', 'a=b']);
    expect(flag).toMatchObject({ code: 1, stderr: 'Invalid output format: yaml\n' });
    expect((await cli(['kv', 'get', 'secret/c'])).code).toBe(2);
    const env = await cli(['status'], { env: { VAULT_FORMAT: 'xml' } });
    expect(env.code).toBe(1);
  });

  it('COFFER_FORMAT and VAULT_FORMAT select JSON; the flag wins', async () => {
    for (const env of [{ COFFER_FORMAT: 'json' }, { VAULT_FORMAT: 'json' }]) {
      const result = await cli(['kv', 'get', 'secret/a'], { env });
      expect(JSON.parse(result.stdout).data.data).toEqual({ k: '4' });
    }
    const table = await cli(['kv', 'get', '-format=table', 'secret/a'], { env: { COFFER_FORMAT: 'json' } });
    expect(table.stdout).toContain('Secret Path');
  });

  it('a bad COFFER_SKIP_VERIFY is a local error', async () => {
    const result = await cli(['status'], { env: { COFFER_SKIP_VERIFY: 'maybe' } });
    expect(result).toMatchObject({ code: 1, stderr: 'could not parse COFFER_SKIP_VERIFY: must be true or false\n' });
  });

  it('version prints the Coffer version', async () => {
    const result = await cli(['version']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Coffer v\d+\.\d+\.\d+ \(Vault API \d+\.\d+\.\d+\)\n$/);
  });
});
