import { describe, expect, it } from 'vitest';
import { createEngineHarness, type EngineHarness } from '../engine-harness.js';
import { createAppRoleEngine } from './approle-engine.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function harness(role: Record<string, unknown> = {}): Promise<EngineHarness> {
  const h = await createEngineHarness(createAppRoleEngine, { mountPath: 'approle/', mountType: 'approle', maxLeaseTtl: 86_400 });
  await h.call('write', 'role/app', role);
  return h;
}

async function issue(h: EngineHarness, data: Record<string, unknown> = {}) {
  const response = await h.call('write', 'role/app/secret-id', data);
  return response?.data as { secret_id: string; secret_id_accessor: string; secret_id_ttl: number; secret_id_num_uses: number };
}

describe('approle secret IDs', () => {
  it("issues a secret ID with the role's limits", async () => {
    const h = await harness({ secret_id_num_uses: 10, secret_id_ttl: '10m' });
    const issued = await issue(h);
    expect(issued.secret_id).toMatch(UUID);
    expect(issued.secret_id_accessor).toMatch(UUID);
    expect(issued).toMatchObject({ secret_id_ttl: 600, secret_id_num_uses: 10 });
  });

  it('looks a secret ID up by value and by accessor, as Vault shows it', async () => {
    const h = await harness();
    const issued = await issue(h, { metadata: '{"tag":"prod"}', cidr_list: '10.0.0.0/8', token_bound_cidrs: ['10.1.0.0/16'], ttl: 60, num_uses: 2 });
    const expected = {
      cidr_list: ['10.0.0.0/8'],
      creation_time: '2024-05-01T10:00:00.123Z',
      expiration_time: '2024-05-01T10:01:00.123Z',
      last_updated_time: '2024-05-01T10:00:00.123Z',
      metadata: { tag: 'prod' },
      secret_id_accessor: issued.secret_id_accessor,
      secret_id_num_uses: 2,
      secret_id_ttl: 60,
      token_bound_cidrs: ['10.1.0.0/16'],
    };
    expect(await h.call('write', 'role/app/secret-id/lookup', { secret_id: issued.secret_id })).toEqual({ data: expected });
    expect(await h.call('write', 'role/app/secret-id-accessor/lookup', { secret_id_accessor: issued.secret_id_accessor })).toEqual({
      data: expected,
    });
  });

  it("shows Go's zero time for a secret ID that never expires", async () => {
    const h = await harness();
    const issued = await issue(h);
    const data = (await h.call('write', 'role/app/secret-id/lookup', { secret_id: issued.secret_id }))?.data;
    expect(data).toMatchObject({ expiration_time: '0001-01-01T00:00:00Z', secret_id_ttl: 0, secret_id_num_uses: 0 });
  });

  it("caps the TTL at the mount's max lease TTL", async () => {
    const h = await harness();
    const issued = await issue(h, { ttl: '48h' });
    expect(issued.secret_id_ttl).toBe(86_400);
    const data = (await h.call('write', 'role/app/secret-id/lookup', { secret_id: issued.secret_id }))?.data;
    expect(data).toMatchObject({ secret_id_ttl: 172_800, expiration_time: '2024-05-02T10:00:00.123Z' });
  });

  it('lists accessors, and answers an empty list with nothing', async () => {
    const h = await harness();
    expect(await h.call('list', 'role/app/secret-id/')).toBeUndefined();
    const a = await issue(h);
    const b = await issue(h);
    const keys = (await h.call('list', 'role/app/secret-id/'))?.data?.keys as string[];
    expect([...keys].sort()).toEqual([a.secret_id_accessor, b.secret_id_accessor].sort());
  });

  it('registers a custom secret ID, once', async () => {
    const h = await harness();
    const response = await h.call('write', 'role/app/custom-secret-id', { secret_id: 'my-secret', num_uses: 3 });
    expect(response?.data).toMatchObject({ secret_id: 'my-secret', secret_id_num_uses: 3, secret_id_ttl: 0 });
    await expect(h.call('write', 'role/app/custom-secret-id', { secret_id: 'my-secret' })).rejects.toMatchObject({
      message: 'SecretID is already registered',
    });
    await expect(h.call('write', 'role/app/custom-secret-id', {})).rejects.toMatchObject({ message: 'missing secret_id' });
    await expect(h.call('write', 'role/app/custom-secret-id', { secret_id: 'x'.repeat(4097) })).rejects.toMatchObject({
      message: 'secret_id is longer than maximum of 4096 bytes',
    });
  });

  it('destroys by value and by accessor, by POST or DELETE', async () => {
    const h = await harness();
    const a = await issue(h);
    const b = await issue(h);
    expect(await h.call('write', 'role/app/secret-id/destroy', { secret_id: a.secret_id })).toBeUndefined();
    expect(await h.call('write', 'role/app/secret-id/lookup', { secret_id: a.secret_id })).toBeUndefined();
    expect(await h.call('delete', 'role/app/secret-id-accessor/destroy', { secret_id_accessor: b.secret_id_accessor })).toBeUndefined();
    await expect(
      h.call('write', 'role/app/secret-id-accessor/lookup', { secret_id_accessor: b.secret_id_accessor }),
    ).rejects.toMatchObject({ code: 'not_found', message: `failed to find accessor entry for secret_id_accessor: "${b.secret_id_accessor}"` });
    await expect(
      h.call('write', 'role/app/secret-id-accessor/destroy', { secret_id_accessor: b.secret_id_accessor }),
    ).rejects.toMatchObject({ code: 'invalid_request' });
    expect(await h.call('list', 'role/app/secret-id/')).toBeUndefined();
    // Destroying what is already gone is a success, as in Vault.
    expect(await h.call('write', 'role/app/secret-id/destroy', { secret_id: a.secret_id })).toBeUndefined();
    // Nothing is left behind: only the salt, the role and its RoleID index remain.
    expect([...h.storage.dump().keys()].filter((k) => k.startsWith('secret_id/') || k.startsWith('accessor/'))).toEqual([]);
  });

  it("does not serve one role's accessor under another role", async () => {
    const h = await harness();
    await h.call('write', 'role/other', {});
    const issued = await issue(h);
    await expect(
      h.call('write', 'role/other/secret-id-accessor/lookup', { secret_id_accessor: issued.secret_id_accessor }),
    ).rejects.toMatchObject({ code: 'not_found' });
    expect(await h.call('write', 'role/other/secret-id/lookup', { secret_id: issued.secret_id })).toBeUndefined();
  });

  it('deletes the secret IDs of a deleted role', async () => {
    const h = await harness();
    const issued = await issue(h);
    await h.call('delete', 'role/app');
    await h.call('write', 'role/app', {});
    expect(await h.call('write', 'role/app/secret-id/lookup', { secret_id: issued.secret_id })).toBeUndefined();
    expect([...h.storage.dump().keys()].filter((k) => k.startsWith('secret_id/') || k.startsWith('accessor/'))).toEqual([]);
  });

  it('stores no secret ID in clear', async () => {
    const h = await harness();
    await h.call('write', 'role/app/custom-secret-id', { secret_id: 'plain-text-secret' });
    const issued = await issue(h);
    const decoder = new TextDecoder();
    for (const [key, value] of h.storage.dump()) {
      for (const secret of ['plain-text-secret', issued.secret_id]) {
        expect(key).not.toContain(secret);
        expect(decoder.decode(value)).not.toContain(secret);
      }
    }
  });

  it('parses metadata as JSON, base64 JSON or key=value pairs', async () => {
    const h = await harness();
    const lookup = async (metadata: string) => {
      const issued = await issue(h, { metadata });
      return (await h.call('write', 'role/app/secret-id/lookup', { secret_id: issued.secret_id }))?.data?.metadata;
    };
    expect(await lookup('{"a":"1","b":"2"}')).toEqual({ a: '1', b: '2' });
    expect(await lookup(Buffer.from('{"c":"3"}').toString('base64'))).toEqual({ c: '3' });
    expect(await lookup('x=1, y=2')).toEqual({ x: '1', y: '2' });
    expect(await lookup('__proto__=p')).toEqual(Object.fromEntries([['__proto__', 'p']]));
    expect(await lookup('')).toEqual({});
  });

  it.each([
    [{ metadata: '{"a":""}' }, 'failed to parse metadata: invalid value for key "a"'],
    [{ metadata: 'not metadata' }, 'failed to parse metadata: failed to parse the input: invalid <key,value> format'],
    [{ metadata: 'a=' }, 'failed to parse metadata: failed to parse the input: invalid <key,value> pair: key: "a" value: ""'],
    [{ metadata: JSON.stringify({ k: 'v'.repeat(5000) }) }, 'failed to parse metadata: metadata is longer than maximum of 4096 bytes'],
    [{ metadata: JSON.stringify(Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']))) }, 'failed to parse metadata: more than 64 keys'],
    [{ cidr_list: 'nonsense' }, 'failed to validate CIDR blocks: invalid CIDR address: nonsense'],
    [{ token_bound_cidrs: '1.2.3.4' }, 'failed to validate token CIDR blocks: invalid CIDR address: 1.2.3.4'],
    [{ num_uses: -1 }, 'num_uses cannot be negative'],
  ])('refuses %j', async (data, message) => {
    const h = await harness();
    await expect(issue(h, data)).rejects.toMatchObject({ code: 'invalid_request', message });
  });

  it("refuses limits wider than the role's", async () => {
    const h = await harness({ secret_id_num_uses: 5, secret_id_ttl: 600, secret_id_bound_cidrs: '10.0.0.0/8', token_bound_cidrs: '10.0.0.0/16' });
    await expect(issue(h, { num_uses: 6 })).rejects.toMatchObject({ message: "num_uses cannot be higher than the role's secret_id_num_uses" });
    await expect(issue(h, { num_uses: 0 })).rejects.toMatchObject({ message: "num_uses cannot be higher than the role's secret_id_num_uses" });
    await expect(issue(h, { ttl: 601 })).rejects.toMatchObject({ message: "ttl cannot be longer than the role's secret_id_ttl" });
    await expect(issue(h, { ttl: 0 })).rejects.toMatchObject({ message: "ttl cannot be longer than the role's secret_id_ttl" });
    await expect(issue(h, { cidr_list: '11.0.0.0/8' })).rejects.toMatchObject({
      message: expect.stringContaining('failed to verify subset relationship between CIDR blocks on the role'),
    });
    await expect(issue(h, { cidr_list: '10.0.0.0/7' })).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(issue(h, { token_bound_cidrs: '10.0.0.0/8' })).rejects.toMatchObject({ code: 'invalid_request' });
    expect(await issue(h, { num_uses: 2, ttl: 60, cidr_list: '10.1.0.0/16', token_bound_cidrs: '10.0.1.0/24' })).toMatchObject({
      secret_id_num_uses: 2,
      secret_id_ttl: 60,
    });
  });

  it('refuses to issue for a role without bind_secret_id, or an unknown role', async () => {
    const h = await harness();
    await h.call('write', 'role/cidr-only', { bind_secret_id: false, token_bound_cidrs: '10.0.0.0/8' });
    await expect(h.call('write', 'role/cidr-only/secret-id', {})).rejects.toMatchObject({ message: 'bind_secret_id is not set on the role' });
    await expect(h.call('write', 'role/none/secret-id', {})).rejects.toMatchObject({ code: 'not_found', message: 'role "none" does not exist' });
    await expect(h.call('list', 'role/none/secret-id/')).rejects.toMatchObject({ code: 'invalid_request', message: 'role "none" does not exist' });
    await expect(h.call('write', 'role/none/secret-id/lookup', { secret_id: 'x' })).rejects.toMatchObject({ message: 'role "none" does not exist' });
    await expect(h.call('write', 'role/app/secret-id/lookup', {})).rejects.toMatchObject({ message: 'missing secret_id' });
    await expect(h.call('write', 'role/app/secret-id-accessor/destroy', {})).rejects.toMatchObject({ message: 'missing secret_id_accessor' });
  });
});
