import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, initialisedServer, type CliRunner } from '../../test/harness.js';

describe('token create, lookup, revoke and login', () => {
  let close: () => Promise<void>;
  let rootToken: string;
  let address: string;
  let cli: CliRunner;

  beforeAll(async () => {
    const started = await initialisedServer();
    close = () => started.server.close();
    rootToken = started.rootToken;
    address = started.server.address;
    cli = await cliRunner({ COFFER_ADDR: address, COFFER_TOKEN: rootToken });
  });
  afterAll(() => close());

  it('create shows the new token; lookup shows its properties but not the token', async () => {
    const created = await cli([
      'token', 'create', '-policy=default', '-policy=reader', '-ttl=1h', '-display-name=ci', '-metadata=team=a',
    ]);
    expect(created.code).toBe(0);
    const token = /^token\s+(\S+)$/m.exec(created.stdout)?.[1] ?? '';
    expect(token).not.toBe('');
    expect(created.stdout).toMatch(/^token_duration\s+1h$/m);
    expect(created.stdout).toMatch(/^token_policies\s+\["default" "reader"\]$/m);
    expect(created.stdout).toMatch(/^token_meta_team\s+a$/m);

    const lookup = await cli(['token', 'lookup', token]);
    expect(lookup.code).toBe(0);
    expect(lookup.stdout).toMatch(/^display_name\s+token-ci$/m);
    expect(lookup.stdout).toMatch(/^policies\s+\[default reader\]$/m);
    expect(lookup.stdout).toMatch(/^creation_ttl\s+1h$/m);
    expect(lookup.stdout).not.toContain(token);

    const accessor = /^token_accessor\s+(\S+)$/m.exec(created.stdout)?.[1] as string;
    const byAccessor = await cli(['token', 'lookup', '-accessor', accessor, '-format=json']);
    expect(JSON.parse(byAccessor.stdout).data).toMatchObject({ accessor, display_name: 'token-ci' });

    const revoked = await cli(['token', 'revoke', token]);
    expect(revoked).toMatchObject({ code: 0, stdout: 'Success! Revoked token (if it existed)\n' });
    const after = await cli(['token', 'lookup', token]);
    expect(after.code).toBe(2);
    expect(after.stderr).toMatch(/^Error looking up token: Error making API request\.[\s\S]*Code: 403\. Errors:\n\n\* bad token\n$/);
    expect(after.stderr).not.toContain(token);
  });

  it('create -orphan -format=json and -field=token', async () => {
    const json = JSON.parse((await cli(['token', 'create', '-orphan', '-format=json'])).stdout);
    expect(json.auth).toMatchObject({ orphan: true, policies: ['root'] });
    expect(json.auth.client_token).toMatch(/\S{10,}/);
    const field = await cli(['token', 'create', '-field=token', '-no-default-policy', '-renewable=false']);
    expect(field.code).toBe(0);
    expect(field.stdout).toMatch(/^\S+$/);
    const lookup = JSON.parse((await cli(['token', 'lookup', '-format=json', field.stdout])).stdout);
    expect(lookup.data.renewable).toBe(false);
  });

  it('revoke -self revokes the token in use', async () => {
    const child = (await cli(['token', 'create', '-field=token'])).stdout;
    const own = await cliRunner({ COFFER_ADDR: address, COFFER_TOKEN: child });
    expect((await own(['token', 'revoke', '-self'])).code).toBe(0);
    expect((await own(['token', 'lookup'])).code).toBe(2);
    const usage = await own(['token', 'revoke']);
    expect(usage.code).toBe(1);
  });

  it('login verifies the token, stores it 0600, and later commands use it without COFFER_TOKEN', async () => {
    const child = (await cli(['token', 'create', '-field=token'])).stdout;
    const user = await cliRunner({ COFFER_ADDR: address });
    expect((await user(['kv', 'list', 'secret/'])).code).toBe(2);

    const login = await user(['login', child]);
    expect(login.code).toBe(0);
    expect(login.stdout).toContain('Success! You are now authenticated.');
    expect(login.stdout).toMatch(/^token_accessor\s+\S+$/m);
    expect(login.stdout).not.toContain(child);

    const file = join(user.homeDir, '.coffer-token');
    expect(await readFile(file, 'utf8')).toBe(child);
    expect((await stat(file)).mode & 0o777).toBe(0o600);

    const lookup = await user(['token', 'lookup', '-format=json']);
    expect(lookup.code).toBe(0);
    expect(JSON.parse(lookup.stdout).data.id).toBe('');
  });

  it('login refuses a bad token and stores nothing', async () => {
    const user = await cliRunner({ COFFER_ADDR: address });
    const login = await user(['login', 'not-a-token']);
    expect(login.code).toBe(2);
    expect(login.stderr).toMatch(/^Error authenticating: Error making API request\.[\s\S]*Code: 403/);
    expect(login.stderr).not.toContain('not-a-token');
    await expect(stat(join(user.homeDir, '.coffer-token'))).rejects.toThrow();
  });

  it('falls back to ~/.vault-token, and to VAULT_TOKEN', async () => {
    const user = await cliRunner({ COFFER_ADDR: address });
    await writeFile(join(user.homeDir, '.vault-token'), `${rootToken}\n`);
    expect((await user(['operator', 'key-status'])).code).toBe(0);
    const viaVaultEnv = await cliRunner({ VAULT_ADDR: address, VAULT_TOKEN: rootToken });
    expect((await viaVaultEnv(['operator', 'key-status'])).code).toBe(0);
  });
});
