import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, initialisedServer, type CliRunner } from '../../test/harness.js';

describe('secrets enable, list, tune, disable', () => {
  let close: () => Promise<void>;
  let cli: CliRunner;

  beforeAll(async () => {
    const { server, rootToken } = await initialisedServer();
    close = () => server.close();
    cli = await cliRunner({ COFFER_ADDR: server.address, COFFER_TOKEN: rootToken });
  });
  afterAll(() => close());

  it('enable kv v2 at a path with a description, and list it', async () => {
    const enabled = await cli(['secrets', 'enable', '-path=apps', '-version=2', '-description=App secrets', 'kv']);
    expect(enabled).toMatchObject({ code: 0, stdout: 'Success! Enabled the kv secrets engine at: apps/\n' });
    const list = await cli(['secrets', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^Path\s+Type\s+Accessor\s+Description\n----\s+----\s+--------\s+-----------\n/);
    expect(list.stdout).toMatch(/^apps\/\s+kv\s+kv_\w+\s+App secrets$/m);
    expect(list.stdout).toMatch(/^sys\/\s+system\s+\S+\s+system endpoints/m);

    const json = JSON.parse((await cli(['secrets', 'list', '-format=json'])).stdout);
    expect(json['apps/']).toMatchObject({ type: 'kv', description: 'App secrets', options: { version: '2' } });
    // The new mount is a KV v2 mount: kv commands use data/ on it.
    expect((await cli(['kv', 'put', 'apps/one', 'a=b'])).stdout).toContain('apps/data/one');
  });

  it('tune sets lease TTLs (read back from sys/mounts/<path>/tune)', async () => {
    const tuned = await cli(['secrets', 'tune', '-default-lease-ttl=1h', '-max-lease-ttl=2h', 'apps']);
    expect(tuned).toMatchObject({ code: 0, stdout: 'Success! Tuned the secrets engine at: apps/\n' });
    const read = await cli(['read', 'sys/mounts/apps/tune']);
    expect(read.stdout).toMatch(/^default_lease_ttl\s+1h$/m);
    expect(read.stdout).toMatch(/^max_lease_ttl\s+2h$/m);
  });

  it('enabling twice is an API error; disable removes the mount', async () => {
    const again = await cli(['secrets', 'enable', '-path=apps', 'kv']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/^Error enabling: Error making API request\./);
    const disabled = await cli(['secrets', 'disable', 'apps/']);
    expect(disabled).toMatchObject({ code: 0, stdout: 'Success! Disabled the secrets engine (if it existed) at: apps/\n' });
    expect((await cli(['secrets', 'list'])).stdout).not.toContain('apps/');
  });
});
