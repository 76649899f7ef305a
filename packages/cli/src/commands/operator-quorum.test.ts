import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, startTestServer, type CliRunner } from '../../test/harness.js';
import { decodeRootToken } from './operator-quorum.js';

describe('operator generate-root, rekey, step-down; unwrap and -wrap-ttl', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let cli: CliRunner;
  let keys: string[];
  let root: string;

  beforeAll(async () => {
    server = await startTestServer();
    cli = await cliRunner({ COFFER_ADDR: server.address });
    const init = JSON.parse((await cli(['operator', 'init', '-key-shares=3', '-key-threshold=2', '-format=json'])).stdout);
    keys = init.unseal_keys_b64;
    root = init.root_token;
    await cli(['operator', 'unseal', keys[0] as string]);
    await cli(['operator', 'unseal', keys[1] as string]);
  });
  afterAll(async () => server.close());

  it('generates a root token with a quorum and decodes it with the one-time pad', async () => {
    const start = await cli(['operator', 'generate-root', '-init', '-format=json']);
    expect(start.code).toBe(0);
    const { nonce, otp } = JSON.parse(start.stdout) as { nonce: string; otp: string };
    expect(otp).toHaveLength(28);
    expect((await cli(['operator', 'generate-root', '-status'])).stdout).toMatch(/Progress\s+0\/2/);
    await cli(['operator', 'generate-root', `-nonce=${nonce}`, keys[2] as string]);
    const done = JSON.parse((await cli(['operator', 'generate-root', '-format=json', keys[0] as string])).stdout);
    expect(done.complete).toBe(true);
    const decoded = await cli(['operator', 'generate-root', `-decode=${done.encoded_token}`, `-otp=${otp}`]);
    expect(decoded.stdout.trim()).toBe(decodeRootToken(done.encoded_token, otp));
    const lookup = await cli(['token', 'lookup', '-format=json'], { env: { COFFER_TOKEN: decoded.stdout.trim() } });
    expect(JSON.parse(lookup.stdout).data.policies).toEqual(['root']);
    expect((await cli(['operator', 'generate-root', '-decode=abc'])).code).toBe(1);
  });

  it('rekeys the unseal keys', async () => {
    const start = await cli(['operator', 'rekey', '-init', '-key-shares=2', '-key-threshold=2']);
    expect(start.code).toBe(0);
    expect(start.stdout).toMatch(/New Shares\s+2/);
    await cli(['operator', 'rekey', keys[0] as string]);
    const done = await cli(['operator', 'rekey', keys[1] as string]);
    expect(done.stdout).toMatch(/Key 1: /);
    expect(done.stdout).toMatch(/rekeyed with 2 key shares/);
    const fresh = [...done.stdout.matchAll(/Key \d: (\S+)/g)].map((m) => m[1] as string);
    await cli(['operator', 'seal'], { env: { COFFER_TOKEN: root } });
    await cli(['operator', 'unseal', fresh[0] as string]);
    const unsealed = await cli(['operator', 'unseal', fresh[1] as string]);
    expect(unsealed.stdout).toMatch(/Sealed\s+false/);
    keys = fresh;
    expect((await cli(['operator', 'rekey', '-init', '-target=nonsense'])).code).toBe(1);
  });

  it('wraps any response with -wrap-ttl and unwraps it once', async () => {
    const env = { COFFER_TOKEN: root };
    const wrapped = await cli(['token', 'create', '-policy=default', '-wrap-ttl=2m', '-format=json'], { env });
    const wrap = JSON.parse(wrapped.stdout).wrap_info;
    expect(wrap.ttl).toBe(120);
    const table = await cli(['token', 'create', '-policy=default', '-wrap-ttl=2m'], { env });
    expect(table.stdout).toMatch(/wrapping_token:\s+hvs\./);
    const unwrapped = await cli(['unwrap', '-format=json', wrap.token], { env });
    expect(JSON.parse(unwrapped.stdout).auth.client_token).toMatch(/^hvs\./);
    const again = await cli(['unwrap', wrap.token], { env });
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/wrapping token is not valid or does not exist/);
  });

  it('steps down (a single node stays active) and accepts -migrate on unseal', async () => {
    const res = await cli(['operator', 'step-down'], { env: { COFFER_TOKEN: root } });
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/Stepped down/);
    await cli(['operator', 'seal'], { env: { COFFER_TOKEN: root } });
    const refused = await cli(['operator', 'unseal', '-migrate', keys[0] as string]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/seal migration is not in progress/);
  });
});
