import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, initialisedServer, type CliRunner } from '../../test/harness.js';

describe('kv on a KV v2 mount', () => {
  let close: () => Promise<void>;
  let cli: CliRunner;

  beforeAll(async () => {
    const { server, rootToken } = await initialisedServer();
    close = () => server.close();
    cli = await cliRunner({ COFFER_ADDR: server.address, COFFER_TOKEN: rootToken });
    expect((await cli(['secrets', 'enable', '-path=secret', '-version=2', 'kv'])).code).toBe(0);
  });
  afterAll(() => close());

  it('put then get prints the secret path, metadata and data as Vault does', async () => {
    const put = await cli(['kv', 'put', 'secret/app/db', 'user=admin', 'password=s3cret']);
    expect(put.code).toBe(0);
    expect(put.stdout).toMatch(/^=+ Secret Path =+\nsecret\/data\/app\/db\n\n=+ Metadata =+\nKey\s+Value\n---\s+-----\n/);
    expect(put.stdout).toMatch(/^version\s+1$/m);

    const get = await cli(['kv', 'get', 'secret/app/db']);
    expect(get.code).toBe(0);
    expect(get.stdout).toContain('secret/data/app/db');
    expect(get.stdout).toMatch(/====== Data ======\nKey\s+Value\n---\s+-----\npassword\s+s3cret\nuser\s+admin\n$/);
  });

  it('-mount form, -field and -format=json', async () => {
    const field = await cli(['kv', 'get', '-mount=secret', '-field=user', 'app/db']);
    expect(field).toMatchObject({ code: 0, stdout: 'admin' });

    const json = await cli(['kv', 'get', '-format=json', 'secret/app/db']);
    const body = JSON.parse(json.stdout) as { data: { data: Record<string, string>; metadata: { version: number } } };
    expect(body.data.data).toEqual({ password: 's3cret', user: 'admin' });
    expect(body.data.metadata.version).toBe(1);
    expect(Object.keys(body)).toEqual(['request_id', 'lease_id', 'lease_duration', 'renewable', 'data', 'warnings', 'mount_type']);
  });

  it('put -cas guards the version; patch merges; get -version reads an old one', async () => {
    const conflict = await cli(['kv', 'put', '-cas=0', 'secret/app/db', 'user=other']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toMatch(/^Error writing data to secret\/data\/app\/db: Error making API request\.[\s\S]*Code: 400\. Errors:\n\n\* check-and-set parameter did not match the current version/);
    expect(conflict.stderr).not.toContain('other');

    expect((await cli(['kv', 'put', '-cas=1', 'secret/app/db', 'user=root', 'password=s3cret'])).code).toBe(0);
    const patched = await cli(['kv', 'patch', 'secret/app/db', 'port=5432']);
    expect(patched.code).toBe(0);
    expect(patched.stdout).toMatch(/^version\s+3$/m);

    const now = await cli(['kv', 'get', '-format=json', 'secret/app/db']);
    expect(JSON.parse(now.stdout).data.data).toEqual({ password: 's3cret', port: '5432', user: 'root' });
    const old = await cli(['kv', 'get', '-version=1', '-field=user', 'secret/app/db']);
    expect(old.stdout).toBe('admin');

    const rw = await cli(['kv', 'patch', '-method=rw', '-mount=secret', 'app/db', 'extra=1']);
    expect(rw.code).toBe(0);
    expect(rw.stdout).toMatch(/^version\s+4$/m);
  });

  it('put reads JSON from stdin with - and values from files with @', async () => {
    const file = join(cli.homeDir, 'cert.pem');
    await writeFile(file, 'PEM DATA');
    expect((await cli(['kv', 'put', 'secret/json', '-'], { stdin: '{"n":1,"nested":{"a":true}}' })).code).toBe(0);
    expect((await cli(['kv', 'put', 'secret/file', `cert=@${file}`])).code).toBe(0);
    const json = JSON.parse((await cli(['kv', 'get', '-format=json', 'secret/json'])).stdout);
    expect(json.data.data).toEqual({ n: 1, nested: { a: true } });
    expect((await cli(['kv', 'get', '-field=cert', 'secret/file'])).stdout).toBe('PEM DATA');
    const table = await cli(['kv', 'get', 'secret/json']);
    expect(table.stdout).toMatch(/^nested\s+map\[a:true\]$/m);
  });

  it('list shows keys, as a table or a JSON array; an empty path exits 2', async () => {
    const list = await cli(['kv', 'list', 'secret/']);
    expect(list.code).toBe(0);
    expect(list.stdout).toBe('Keys\n----\napp/\nfile\njson\n');
    const json = await cli(['kv', 'list', '-format=json', '-mount=secret', 'app']);
    expect(JSON.parse(json.stdout)).toEqual(['db']);
    const none = await cli(['kv', 'list', 'secret/nothing']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('No value found at secret/metadata/nothing\n');
  });

  it('delete, undelete and destroy versions', async () => {
    const deleted = await cli(['kv', 'delete', 'secret/app/db']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'Success! Data deleted (if it existed) at: secret/data/app/db\n' });
    // A deleted version still answers with its metadata (Vault's 404 with a body): printed, no data.
    const gone = await cli(['kv', 'get', 'secret/app/db']);
    expect(gone.stdout).toMatch(/^deletion_time\s+\d{4}-/m);
    expect(gone.stdout).not.toContain('Data');

    const undeleted = await cli(['kv', 'undelete', '-versions=4', 'secret/app/db']);
    expect(undeleted).toMatchObject({ code: 0, stdout: 'Success! Data written to: secret/undelete/app/db\n' });
    expect((await cli(['kv', 'get', '-field=extra', 'secret/app/db'])).stdout).toBe('1');

    expect((await cli(['kv', 'delete', '-versions=1,2', 'secret/app/db'])).code).toBe(0);
    const destroyed = await cli(['kv', 'destroy', '-versions=1', '-versions=3', 'secret/app/db']);
    expect(destroyed).toMatchObject({ code: 0, stdout: 'Success! Data written to: secret/destroy/app/db\n' });
    const meta = JSON.parse((await cli(['kv', 'metadata', 'get', '-format=json', 'secret/app/db'])).stdout);
    expect(meta.data.versions['1'].destroyed).toBe(true);
    expect(meta.data.versions['2'].deletion_time).not.toBe('');
    expect(meta.data.versions['3'].destroyed).toBe(true);

    const missing = await cli(['kv', 'destroy', 'secret/app/db']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No versions provided');
  });

  it('metadata put, get and delete', async () => {
    const put = await cli([
      'kv', 'metadata', 'put', '-max-versions=5', '-cas-required=true', '-delete-version-after=1h',
      '-custom-metadata=owner=team-a', '-custom-metadata=tier=gold', 'secret/meta',
    ]);
    expect(put).toMatchObject({ code: 0, stdout: 'Success! Data written to: secret/metadata/meta\n' });
    const get = await cli(['kv', 'metadata', 'get', 'secret/meta']);
    expect(get.code).toBe(0);
    expect(get.stdout).toMatch(/^max_versions\s+5$/m);
    expect(get.stdout).toMatch(/^cas_required\s+true$/m);
    expect(get.stdout).toMatch(/^delete_version_after\s+1h0m0s$/m);
    expect(get.stdout).toMatch(/^custom_metadata\s+map\[owner:team-a tier:gold\]$/m);

    // cas_required now refuses a write without -cas.
    expect((await cli(['kv', 'put', 'secret/meta', 'a=b'])).code).toBe(2);
    expect((await cli(['kv', 'put', '-cas=0', 'secret/meta', 'a=b'])).code).toBe(0);
    const off = await cli(['kv', 'metadata', 'put', '-cas-required=false', 'secret/meta']);
    expect(off.code).toBe(0);
    expect((await cli(['kv', 'put', 'secret/meta', 'a=c'])).code).toBe(0);

    const deleted = await cli(['kv', 'metadata', 'delete', 'secret/meta']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'Success! Data deleted (if it existed) at: secret/metadata/meta\n' });
    expect((await cli(['kv', 'get', 'secret/meta'])).code).toBe(2);
  });
});

describe('kv on a KV v1 mount', () => {
  let close: () => Promise<void>;
  let cli: CliRunner;

  beforeAll(async () => {
    const { server, rootToken } = await initialisedServer();
    close = () => server.close();
    cli = await cliRunner({ COFFER_ADDR: server.address, COFFER_TOKEN: rootToken });
    expect((await cli(['secrets', 'enable', '-path=kv1', 'kv'])).code).toBe(0);
  });
  afterAll(() => close());

  it('put, get and list address the path itself, with no data/ prefix', async () => {
    const put = await cli(['kv', 'put', 'kv1/team/app', 'token=abc']);
    expect(put).toMatchObject({ code: 0, stdout: 'Success! Data written to: kv1/team/app\n' });
    const get = await cli(['kv', 'get', 'kv1/team/app']);
    expect(get.stdout).toMatch(/^==== Data ====\nKey\s+Value\n---\s+-----\ntoken\s+abc\n$/);
    expect(get.stdout).not.toContain('Secret Path');
    expect((await cli(['read', '-field=token', 'kv1/team/app'])).stdout).toBe('abc');
    expect((await cli(['kv', 'get', '-mount=kv1', '-field=token', 'team/app'])).stdout).toBe('abc');
    expect(JSON.parse((await cli(['kv', 'list', '-format=json', 'kv1/team'])).stdout)).toEqual(['app']);
  });

  it('v2-only commands say so', async () => {
    const patch = await cli(['kv', 'patch', 'kv1/team/app', 'a=b']);
    expect(patch.code).toBe(2);
    expect(patch.stderr).toContain('K/V engine mount must be version 2 for patch support');
    const meta = await cli(['kv', 'metadata', 'get', 'kv1/team/app']);
    expect(meta.code).toBe(1);
    expect(meta.stderr).toContain('Metadata not supported on KV Version 1');
  });

  it('delete removes the secret', async () => {
    expect((await cli(['kv', 'delete', 'kv1/team/app'])).code).toBe(0);
    const get = await cli(['kv', 'get', 'kv1/team/app']);
    expect(get).toMatchObject({ code: 2, stderr: 'No value found at kv1/team/app\n' });
  });
});
