import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, initialisedServer, type CliRunner } from '../../test/harness.js';

describe('token create -role, renew, revoke modes, capabilities', () => {
  let close: () => Promise<void>;
  let address: string;
  let cli: CliRunner;

  /** A new token and its accessor, made by root with the given flags. */
  const create = async (...flags: string[]) => {
    const json = JSON.parse((await cli(['token', 'create', '-format=json', ...flags])).stdout);
    return { token: json.auth.client_token as string, accessor: json.auth.accessor as string };
  };
  const alive = async (token: string) => (await cli(['token', 'lookup', token])).code === 0;

  beforeAll(async () => {
    const { server, rootToken } = await initialisedServer();
    close = () => server.close();
    address = server.address;
    cli = await cliRunner({ COFFER_ADDR: address, COFFER_TOKEN: rootToken });
    const policy = 'path "secret/*" { capabilities = ["read", "list"] }\npath "secret/own/*" { capabilities = ["create", "update"] }';
    expect((await cli(['policy', 'write', 'reader', '-'], { stdin: policy })).code).toBe(0);
  });
  afterAll(() => close());

  it('create sends every flag: -period, -explicit-max-ttl, -use-limit, -role', async () => {
    const { token } = await create('-policy=reader', '-period=2h', '-explicit-max-ttl=3h', '-use-limit=5', '-no-default-policy');
    const lookup = JSON.parse((await cli(['token', 'lookup', '-format=json', token])).stdout).data;
    expect(lookup).toMatchObject({ period: 7200, explicit_max_ttl: 10800, policies: ['reader'] });
    // Looked up by root's token, so none of the five uses is spent.
    expect(lookup.num_uses).toBe(5);

    // JSON body: the server's role write reads the raw body and fails (500) on k=v's comma strings.
    const role = JSON.stringify({ allowed_policies: ['reader'], orphan: true });
    expect((await cli(['write', 'auth/token/roles/ci', '-'], { stdin: role })).code).toBe(0);
    const byRole = JSON.parse((await cli(['token', 'create', '-role=ci', '-policy=reader', '-format=json'])).stdout);
    expect(byRole.auth).toMatchObject({ orphan: true, policies: ['default', 'reader'] });
    const refused = await cli(['token', 'create', '-role=ci', '-policy=root']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^Error creating token: Error making API request\.\n\nURL: PUT \S+\/v1\/auth\/token\/create\/ci\n/);
  });

  it('create refuses a malformed duration before any request (exit 1)', async () => {
    const result = await cli(['token', 'create', '-ttl=soon']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('-ttl must be a duration such as 30s, 5m or 1h30m.');
  });

  it('renew by token with -increment, by accessor (no token shown), and the token in use', async () => {
    const { token, accessor } = await create('-policy=reader', '-ttl=10m', '-explicit-max-ttl=5h');
    const renewed = await cli(['token', 'renew', '-increment=1h', token]);
    expect(renewed.code).toBe(0);
    expect(renewed.stdout).toMatch(/^token_duration\s+1h$/m);
    expect(renewed.stdout).toMatch(/^token_accessor\s+\S+$/m);
    expect(renewed.stdout).not.toContain(token);

    const json = JSON.parse((await cli(['token', 'renew', '-accessor', '-increment=2h', '-format=json', accessor])).stdout);
    expect(json.auth).toMatchObject({ client_token: '', accessor, lease_duration: 7200, renewable: true });

    const own = await cliRunner({ COFFER_ADDR: address, COFFER_TOKEN: token });
    const self = await own(['token', 'renew', '-i', '30m']);
    expect(self.code).toBe(0);
    expect(self.stdout).toMatch(/^token_duration\s+30m$/m);
  });

  it('renew errors: -accessor without an argument (exit 1), an unknown token (exit 2)', async () => {
    expect(await cli(['token', 'renew', '-accessor'])).toMatchObject({
      code: 1,
      stderr: 'Not enough arguments with -accessor (expected 1, got 0)\n',
    });
    const unknown = await cli(['token', 'renew', 'hvs.not-a-token']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^Error renewing token: Error making API request\.[\s\S]*\* bad token\n$/);
  });

  it('revoke -accessor, and -mode=orphan which leaves the children', async () => {
    const byAccessor = await create('-policy=reader');
    expect(await cli(['token', 'revoke', '-accessor', byAccessor.accessor])).toMatchObject({
      code: 0,
      stdout: 'Success! Revoked token (if it existed)\n',
    });
    expect(await alive(byAccessor.token)).toBe(false);

    const parent = await create('-policy=reader');
    const asParent = await cliRunner({ COFFER_ADDR: address, COFFER_TOKEN: parent.token });
    const child = (await asParent(['token', 'create', '-policy=reader', '-field=token'])).stdout;
    expect((await cli(['token', 'revoke', '-mode=orphan', parent.token])).code).toBe(0);
    expect(await alive(parent.token)).toBe(false);
    expect(await alive(child)).toBe(true);
  });

  it('revoke -mode=path revokes every token created under the path', async () => {
    const first = await create('-policy=reader');
    const second = await create('-policy=reader');
    expect((await cli(['token', 'revoke', '-mode=path', 'auth/token/create'])).code).toBe(0);
    expect(await alive(first.token)).toBe(false);
    expect(await alive(second.token)).toBe(false);
  });

  it("revoke refuses Vault's invalid flag combinations (exit 1)", async () => {
    const cases: [string[], string][] = [
      [['-mode=sideways', 'x'], 'Invalid mode: sideways'],
      [['-self', 'x'], 'Too many arguments with -self (expected 0, got 1)'],
      [['-self', '-accessor'], 'Cannot use -self with -accessor!'],
      [['-self', '-mode=orphan'], 'Cannot use -self with -mode!'],
      [['-accessor', '-mode=orphan', 'x'], 'Cannot use -accessor with -mode=orphan!'],
      [['-accessor', '-mode=path', 'x'], 'Cannot use -accessor with -mode=path!'],
      [[], 'Not enough arguments (expected 1 or -self, got 0)'],
    ];
    for (const [flags, message] of cases) {
      expect(await cli(['token', 'revoke', ...flags])).toMatchObject({ code: 1, stderr: `${message}\n` });
    }
  });

  it("capabilities of another token, of one's own, and by accessor; -format=json", async () => {
    const { token, accessor } = await create('-policy=reader');
    expect(await cli(['token', 'capabilities', token, 'secret/foo'])).toMatchObject({ code: 0, stdout: 'list, read\n' });
    // The longest matching glob decides, as in Vault; the two rules are not merged.
    expect((await cli(['token', 'capabilities', token, 'secret/own/x'])).stdout).toBe('create, update\n');
    expect((await cli(['token', 'capabilities', token, 'sys/mounts'])).stdout).toBe('deny\n');
    expect((await cli(['token', 'capabilities', '-accessor', accessor, 'secret/foo'])).stdout).toBe('list, read\n');
    const json = await cli(['token', 'capabilities', '-format=json', token, 'secret/foo']);
    expect(JSON.parse(json.stdout).sort()).toEqual(['list', 'read']);

    const own = await cliRunner({ COFFER_ADDR: address, COFFER_TOKEN: token });
    expect(await own(['token', 'capabilities', 'secret/foo'])).toMatchObject({ code: 0, stdout: 'list, read\n' });
    // Its own token given explicitly goes to capabilities-self, which needs no policy on sys/capabilities.
    expect(await own(['token', 'capabilities', token, 'secret/foo'])).toMatchObject({ code: 0, stdout: 'list, read\n' });
    expect((await cli(['token', 'capabilities', 'sys/mounts'])).stdout).toBe('root\n');
  });

  it('capabilities errors: no path (exit 1), -accessor without a path (exit 1), a bad token (exit 2)', async () => {
    expect((await cli(['token', 'capabilities'])).code).toBe(1);
    expect(await cli(['token', 'capabilities', '-accessor', 'abc'])).toMatchObject({
      code: 1,
      stderr: 'Not enough arguments with -accessor (expected 2, got 1)\n',
    });
    const bad = await cli(['token', 'capabilities', 'hvs.nope', 'secret/foo']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^Error listing capabilities: Error making API request\.[\s\S]*URL: PUT \S+\/v1\/sys\/capabilities\n/);
  });
});
