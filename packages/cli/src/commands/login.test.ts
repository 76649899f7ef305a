import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeTerminal } from '../../test/fake-terminal.js';
import { cliRunner, initialisedServer, type CliRunner } from '../../test/harness.js';

const PASSWORD = 'correct-horse-battery';

describe('login -method=userpass and -method=approle', () => {
  let close: () => Promise<void>;
  let address: string;
  let root: CliRunner;
  let roleId: string;

  /** A user's CLI: no COFFER_TOKEN, its own home directory. */
  const user = () => cliRunner({ COFFER_ADDR: address });
  const tokenFile = (cli: CliRunner) => join(cli.homeDir, '.coffer-token');
  const secretId = async () => (await root(['write', '-f', '-field=secret_id', 'auth/robots/role/builder/secret-id'])).stdout;

  beforeAll(async () => {
    const { server, rootToken } = await initialisedServer();
    close = () => server.close();
    address = server.address;
    root = await cliRunner({ COFFER_ADDR: address, COFFER_TOKEN: rootToken });
    const setup = [
      ['policy', 'write', 'reader', '-'],
      ['auth', 'enable', 'userpass'],
      ['auth', 'enable', '-path=staff', 'userpass'],
      ['auth', 'enable', '-path=robots', 'approle'],
      ['write', 'auth/userpass/users/alice', `password=${PASSWORD}`, 'token_policies=reader', 'token_ttl=1h'],
      ['write', 'auth/staff/users/bob', 'password=bobs-password', 'token_policies=reader'],
      ['write', 'auth/robots/role/builder', 'token_policies=reader', 'token_ttl=20m'],
    ];
    for (const args of setup) {
      const result = await root(args, { stdin: 'path "secret/*" { capabilities = ["read"] }' });
      expect(result.code, result.stderr).toBe(0);
    }
    roleId = (await root(['read', '-field=role_id', 'auth/robots/role/builder/role-id'])).stdout;
  });
  afterAll(() => close());

  it("userpass with password=: vault's login table with the new token, stored 0600 for later commands", async () => {
    const cli = await user();
    const login = await cli(['login', '-method=userpass', 'username=alice', `password=${PASSWORD}`]);
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(/^Success! You are now authenticated\. The token information displayed below is\nalready stored/);
    const token = /^token\s+(\S+)$/m.exec(login.stdout)?.[1] ?? '';
    expect(token).toMatch(/^hvs\./);
    expect(login.stdout).toMatch(/^token_accessor\s+\S+$/m);
    expect(login.stdout).toMatch(/^token_duration\s+1h$/m);
    expect(login.stdout).toMatch(/^token_renewable\s+true$/m);
    expect(login.stdout).toMatch(/^token_policies\s+\["default" "reader"\]$/m);
    expect(login.stdout).toMatch(/^identity_policies\s+\[\]$/m);
    expect(login.stdout).toMatch(/^policies\s+\["default" "reader"\]$/m);
    expect(login.stdout).toMatch(/^token_meta_username\s+alice$/m);
    expect(login.stdout + login.stderr).not.toContain(PASSWORD);

    expect(await readFile(tokenFile(cli), 'utf8')).toBe(token);
    expect((await stat(tokenFile(cli))).mode & 0o777).toBe(0o600);
    const lookup = JSON.parse((await cli(['token', 'lookup', '-format=json'])).stdout);
    expect(lookup.data).toMatchObject({ display_name: 'userpass-alice', meta: { username: 'alice' } });
  });

  it('userpass prompts for the password, hidden, on stderr when stdin is a terminal', async () => {
    const cli = await user();
    const terminal = fakeTerminal();
    terminal.write(`${PASSWORD}\r`);
    const login = await cli(['login', '-method=userpass', 'username=alice'], { terminal });
    expect(login.code).toBe(0);
    expect(login.stderr).toBe('Password (will be hidden): \n');
    expect(terminal.modes).toEqual([true, false]);
    expect(login.stdout + login.stderr).not.toContain(PASSWORD);
    expect(await readFile(tokenFile(cli), 'utf8')).toMatch(/^hvs\./);
  });

  it('without a password or a terminal, login is a usage error (exit 1) and sends nothing', async () => {
    const cli = await user();
    const login = await cli(['login', '-method=userpass', 'username=alice']);
    expect(login.code).toBe(1);
    expect(login.stderr).toMatch(/^Cannot prompt for the value: stdin is not a terminal/);
    await expect(stat(tokenFile(cli))).rejects.toThrow();
  });

  it('-path logs in at a non-default mount; -format=json prints the whole answer', async () => {
    const cli = await user();
    const login = await cli(['login', '-method=userpass', '-path=staff', '-format=json', 'username=bob', 'password=bobs-password']);
    expect(login.code).toBe(0);
    const json = JSON.parse(login.stdout);
    expect(json.auth).toMatchObject({ policies: ['default', 'reader'], metadata: { username: 'bob' }, renewable: true });
    expect(await readFile(tokenFile(cli), 'utf8')).toBe(json.auth.client_token);
  });

  it('-no-store prints the token but leaves the token file alone', async () => {
    const cli = await user();
    await writeFile(tokenFile(cli), 'previous-token', { mode: 0o600 });
    const login = await cli(['login', '-method=userpass', '-no-store', 'username=alice', `password=${PASSWORD}`]);
    expect(login.code).toBe(0);
    expect(login.stderr).toMatch(/^The token was not stored in the token file\. Set the COFFER_TOKEN environment/);
    expect(login.stdout).toMatch(/^Success! You are now authenticated\.\n\nKey\s+Value\n/);
    expect(login.stdout).toMatch(/^token\s+hvs\.\S+$/m);
    expect(await readFile(tokenFile(cli), 'utf8')).toBe('previous-token');
  });

  it('-token-only prints just the token and stores nothing; -field picks one value', async () => {
    const cli = await user();
    const only = await cli(['login', '-method=userpass', '-token-only', 'username=alice', `password=${PASSWORD}`]);
    expect(only).toMatchObject({ code: 0, stderr: '' });
    expect(only.stdout).toMatch(/^hvs\.\S+$/);
    await expect(stat(tokenFile(cli))).rejects.toThrow();
    const field = await cli(['login', '-method=userpass', '-field=token_policies', 'username=alice', `password=${PASSWORD}`]);
    expect(field.stdout).toBe('[default reader]');
    expect(await readFile(tokenFile(cli), 'utf8')).toMatch(/^hvs\./);
    expect((await cli(['login', '-no-store', '-no-print', 'x'])).stderr).toBe('-no-store and -no-print cannot be used together\n');
  });

  it('approle with role_id and secret_id; the token obeys the role', async () => {
    const cli = await user();
    const secret = await secretId();
    const login = await cli(['login', '-method=approle', '-path=robots', `role_id=${roleId}`, `secret_id=${secret}`]);
    expect(login.code).toBe(0);
    expect(login.stdout).toMatch(/^token_duration\s+20m$/m);
    expect(login.stdout).toMatch(/^token_meta_role_name\s+builder$/m);
    expect(login.stdout + login.stderr).not.toContain(secret);
    const token = /^token\s+(\S+)$/m.exec(login.stdout)?.[1];
    expect(await readFile(tokenFile(cli), 'utf8')).toBe(token);
    expect(await cli(['token', 'capabilities', 'secret/x'])).toMatchObject({ code: 0, stdout: 'read\n' });
  });

  it('refused credentials are exit 2 and store nothing; missing ones and unknown methods exit 1', async () => {
    const cli = await user();
    const wrong = await cli(['login', '-method=userpass', 'username=alice', 'password=not-it']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^Error authenticating: Error making API request\.\n\nURL: PUT \S+\/v1\/auth\/userpass\/login\/alice\n/);
    expect(wrong.stderr).not.toContain('not-it');
    const spent = await cli(['login', '-method=approle', '-path=robots', `role_id=${roleId}`, 'secret_id=made-up']);
    expect(spent.code).toBe(2);
    expect(spent.stderr).toContain('* invalid role or secret ID');
    await expect(stat(tokenFile(cli))).rejects.toThrow();

    expect(await cli(['login', '-method=userpass', 'password=x'])).toMatchObject({
      code: 1,
      stderr: "Error authenticating: 'username' must be specified\n",
    });
    expect((await cli(['login', '-method=approle'])).code).toBe(1);
    const unknown = await cli(['login', '-method=github', 'token=x']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^Unknown auth method: github\./);
  });
});
