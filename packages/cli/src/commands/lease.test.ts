import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, initialisedServer, type CliRunner } from '../../test/harness.js';

const TOKEN_LEASES = 'sys/leases/lookup/auth/token/create/';

describe('lease lookup, renew, revoke (on token leases)', () => {
  let close: () => Promise<void>;
  let address: string;
  let cli: CliRunner;

  /** A new token's lease id, found by listing the token leases before and after creating it. */
  const tokenLease = async (): Promise<{ token: string; leaseId: string }> => {
    const listed = async () => {
      const result = await cli(['list', '-format=json', TOKEN_LEASES]);
      return result.code === 0 ? (JSON.parse(result.stdout) as string[]) : [];
    };
    const before = new Set(await listed());
    const token = (await cli(['token', 'create', '-policy=default', '-ttl=1h', '-field=token'])).stdout;
    const added = (await listed()).filter((key) => !before.has(key));
    expect(added).toHaveLength(1);
    return { token, leaseId: `auth/token/create/${added[0] as string}` };
  };
  const alive = async (token: string) => (await cli(['token', 'lookup', token])).code === 0;

  beforeAll(async () => {
    const { server, rootToken } = await initialisedServer();
    close = () => server.close();
    address = server.address;
    cli = await cliRunner({ COFFER_ADDR: address, COFFER_TOKEN: rootToken });
  });
  afterAll(() => close());

  it("lookup shows a token lease's times and TTL; -format=json is the server's answer", async () => {
    const { leaseId } = await tokenLease();
    const lookup = await cli(['lease', 'lookup', leaseId]);
    expect(lookup.code).toBe(0);
    expect(lookup.stdout).toMatch(/^Key\s+Value\n---\s+-----\n/);
    expect(lookup.stdout).toMatch(new RegExp(`^id\\s+${leaseId}$`, 'm'));
    expect(lookup.stdout).toMatch(/^renewable\s+true$/m);
    expect(lookup.stdout).toMatch(/^issue_time\s+\d{4}-\d\d-\d\dT/m);
    expect(lookup.stdout).toMatch(/^ttl\s+(59m\d+s|1h)$/m);

    const json = JSON.parse((await cli(['lease', 'lookup', '-format=json', leaseId])).stdout);
    expect(json.data).toMatchObject({ id: leaseId, renewable: true });
    expect(json.data.ttl).toBeGreaterThan(3500);
  });

  it('lookup of an unknown lease is exit 2; no lease id is exit 1', async () => {
    const unknown = await cli(['lease', 'lookup', 'auth/token/create/nothing']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error looking up lease id auth\/token\/create\/nothing: Error making API request\.[\s\S]*Code: 400/);
    expect((await cli(['lease', 'lookup'])).code).toBe(1);
  });

  it('renew of a token lease is refused by the server (tokens renew through auth/token), exit 2', async () => {
    const { leaseId } = await tokenLease();
    const renew = await cli(['lease', 'renew', '-increment=30m', leaseId]);
    expect(renew.code).toBe(2);
    expect(renew.stderr).toMatch(new RegExp(`^Error renewing ${leaseId}: Error making API request\\.\\n\\nURL: PUT \\S+/v1/sys/leases/renew\\n`));
    expect((await cli(['lease', 'renew', '-increment=later', leaseId])).code).toBe(1);
  });

  it('revoke -sync revokes the token behind the lease; without -sync it is queued', async () => {
    const first = await tokenLease();
    expect(await cli(['lease', 'revoke', '-sync', first.leaseId])).toMatchObject({
      code: 0,
      stdout: `Success! Revoked lease: ${first.leaseId}\n`,
    });
    expect(await alive(first.token)).toBe(false);

    const second = await tokenLease();
    expect(await cli(['lease', 'revoke', second.leaseId])).toMatchObject({
      code: 0,
      stdout: 'All revocation operations queued successfully!\n',
    });
  });

  it('revoke -prefix, and -prefix -force with its warning', async () => {
    const one = await tokenLease();
    const two = await tokenLease();
    expect(await cli(['lease', 'revoke', '-prefix', '-sync', 'auth/token/create'])).toMatchObject({
      code: 0,
      stdout: 'Success! Revoked any leases with prefix: auth/token/create\n',
    });
    expect(await alive(one.token)).toBe(false);
    expect(await alive(two.token)).toBe(false);

    const three = await tokenLease();
    const forced = await cli(['lease', 'revoke', '-prefix', '-force', 'auth/token/create']);
    expect(forced).toMatchObject({ code: 0, stdout: 'Success! Force revoked any leases with prefix: auth/token/create\n' });
    expect(forced.stderr).toMatch(/^Warning! Force-removing leases can cause Coffer to become out of sync with\nsecret engines!\n$/);
    expect(await alive(three.token)).toBe(false);
  });

  it('revoke -force needs -prefix (exit 1); a token without sudo is refused -prefix (exit 2)', async () => {
    expect(await cli(['lease', 'revoke', '-force', 'x'])).toMatchObject({
      code: 1,
      stderr: 'Specifying -force requires also specifying -prefix\n',
    });
    const { token } = await tokenLease();
    const plain = await cliRunner({ COFFER_ADDR: address, COFFER_TOKEN: token });
    const refused = await plain(['lease', 'revoke', '-prefix', 'auth/token/create']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^Error revoking leases with prefix auth\/token\/create: Error making API request\.[\s\S]*Code: 403/);
  });
});
