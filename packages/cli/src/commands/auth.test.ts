import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, initialisedServer, type CliRunner } from '../../test/harness.js';

describe('auth enable, list, tune, disable', () => {
  let close: () => Promise<void>;
  let cli: CliRunner;

  beforeAll(async () => {
    const { server, rootToken } = await initialisedServer();
    close = () => server.close();
    cli = await cliRunner({ COFFER_ADDR: server.address, COFFER_TOKEN: rootToken });
  });
  afterAll(() => close());

  it('enable at the default path and at -path with a description and TTLs', async () => {
    expect(await cli(['auth', 'enable', 'userpass'])).toMatchObject({
      code: 0,
      stdout: 'Success! Enabled userpass auth method at: userpass/\n',
    });
    const apps = await cli(['auth', 'enable', '-path=apps', '-description=CI machines', '-default-lease-ttl=1h', '-max-lease-ttl=4h', 'approle']);
    expect(apps).toMatchObject({ code: 0, stdout: 'Success! Enabled approle auth method at: apps/\n' });
    const tune = await cli(['read', 'sys/auth/apps/tune']);
    expect(tune.stdout).toMatch(/^default_lease_ttl\s+1h$/m);
    expect(tune.stdout).toMatch(/^max_lease_ttl\s+4h$/m);
  });

  it('list: a table sorted by path, -detailed, and the JSON of sys/auth', async () => {
    const list = await cli(['auth', 'list']);
    expect(list.code).toBe(0);
    const lines = list.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Path\s+Type\s+Accessor\s+Description\s+Version$/);
    expect(lines[1]).toMatch(/^----\s+----\s+--------\s+-----------\s+-------$/);
    expect(lines.slice(2).map((l) => l.split(/\s+/)[0])).toEqual(['apps/', 'token/', 'userpass/']);
    expect(list.stdout).toMatch(/^apps\/\s+approle\s+approle_\w+\s+CI machines\s+n\/a$/m);
    expect(list.stdout).toMatch(/^userpass\/\s+userpass\s+userpass_\w+\s+n\/a\s+n\/a$/m);

    const detailed = await cli(['auth', 'list', '-detailed']);
    expect(detailed.stdout).toMatch(/^Path\s+Plugin\s+Accessor\s+Default TTL\s+Max TTL\s+Token Type\s+Replication\s+Seal Wrap/);
    // TTLs in seconds, "system" where inherited, as Vault prints them.
    expect(detailed.stdout).toMatch(/^apps\/\s+approle\s+approle_\w+\s+3600\s+14400\s+n\/a\s+replicated\s+false\s+false\s+map\[\]\s+CI machines\s/m);
    expect(detailed.stdout).toMatch(/^userpass\/\s+userpass\s+userpass_\w+\s+system\s+system\s/m);

    const json = JSON.parse((await cli(['auth', 'list', '-format=json'])).stdout);
    expect(json['apps/']).toMatchObject({ type: 'approle', description: 'CI machines', config: { default_lease_ttl: 3600 } });
    expect(json['token/']).toMatchObject({ type: 'token' });
  });

  it('tune changes TTLs and the description, leaving what is not given', async () => {
    expect(await cli(['auth', 'tune', '-max-lease-ttl=8h', '-description=Robots', 'apps'])).toMatchObject({
      code: 0,
      stdout: 'Success! Tuned the auth method at: apps/\n',
    });
    const tune = await cli(['read', 'sys/auth/apps/tune']);
    expect(tune.stdout).toMatch(/^default_lease_ttl\s+1h$/m);
    expect(tune.stdout).toMatch(/^max_lease_ttl\s+8h$/m);
    expect(tune.stdout).toMatch(/^description\s+Robots$/m);
  });

  it('API errors are exit 2: enabling twice, an unknown type, tuning nothing', async () => {
    const twice = await cli(['auth', 'enable', 'userpass']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/^Error enabling userpass auth: Error making API request\.\n\nURL: PUT \S+\/v1\/sys\/auth\/userpass\/\n/);
    expect((await cli(['auth', 'enable', 'no-such-method'])).code).toBe(2);
    const tune = await cli(['auth', 'tune', '-max-lease-ttl=1h', 'nowhere']);
    expect(tune.code).toBe(2);
    expect(tune.stderr).toMatch(/^Error tuning auth method nowhere\/: Error making API request\./);
  });

  it('usage errors are exit 1: a bad duration, a missing argument', async () => {
    const bad = await cli(['auth', 'tune', '-default-lease-ttl=forever', 'apps']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('-default-lease-ttl must be a duration');
    expect((await cli(['auth', 'enable'])).code).toBe(1);
    expect((await cli(['auth', 'list', 'extra'])).code).toBe(1);
  });

  it('disable removes the method', async () => {
    expect(await cli(['auth', 'disable', 'apps'])).toMatchObject({
      code: 0,
      stdout: 'Success! Disabled the auth method (if it existed) at: apps/\n',
    });
    expect((await cli(['auth', 'list'])).stdout).not.toContain('apps/');
  });
});
