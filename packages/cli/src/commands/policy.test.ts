import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, initialisedServer, type CliRunner } from '../../test/harness.js';

const READER = 'path "secret/*" {\n  capabilities = ["read", "list"]\n}\n';

describe('policy write, read, list, delete, fmt', () => {
  let close: () => Promise<void>;
  let cli: CliRunner;
  let dir: string;

  beforeAll(async () => {
    const { server, rootToken } = await initialisedServer();
    close = () => server.close();
    cli = await cliRunner({ COFFER_ADDR: server.address, COFFER_TOKEN: rootToken });
    dir = await mkdtemp(join(tmpdir(), 'coffer-policy-'));
  });
  afterAll(() => close());

  it('write from a file, then read prints the text raw and -format=json wraps it', async () => {
    const file = join(dir, 'reader.hcl');
    await writeFile(file, `\n${READER}\n`);
    expect(await cli(['policy', 'write', 'reader', file])).toMatchObject({ code: 0, stdout: 'Success! Uploaded policy: reader\n' });
    expect(await cli(['policy', 'read', 'reader'])).toMatchObject({ code: 0, stdout: READER, stderr: '' });
    const json = await cli(['policy', 'read', '-format=json', 'reader']);
    expect(JSON.parse(json.stdout)).toEqual({ policy: `\n${READER}\n` });
  });

  it('write from stdin with "-", lower-casing the name with a warning; JSON policies too', async () => {
    const written = await cli(['policy', 'write', 'Writer', '-'], { stdin: 'path "secret/*" { capabilities = ["create", "update"] }' });
    expect(written).toMatchObject({
      code: 0,
      stdout: 'Success! Uploaded policy: writer\n',
      stderr: 'Policy name was converted from "Writer" to "writer"\n',
    });
    expect((await cli(['policy', 'read', 'WRITER'])).stdout).toContain('"create", "update"');
    const json = JSON.stringify({ path: { 'kv/*': { capabilities: ['read'] } } });
    expect((await cli(['policy', 'write', 'json-policy', '-'], { stdin: json })).code).toBe(0);
    expect((await cli(['policy', 'read', 'json-policy'])).stdout).toBe(`${json}\n`);
  });

  it('list prints one name a line, or a JSON array', async () => {
    const list = await cli(['policy', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')).toEqual(expect.arrayContaining(['default', 'reader', 'writer', 'root']));
    const json = JSON.parse((await cli(['policy', 'list', '-format=json'])).stdout);
    expect(json).toEqual(expect.arrayContaining(['default', 'reader', 'writer']));
  });

  it('delete removes it; reading a missing policy is exit 2', async () => {
    expect(await cli(['policy', 'delete', 'writer'])).toMatchObject({ code: 0, stdout: 'Success! Deleted policy: writer\n' });
    expect(await cli(['policy', 'read', 'writer'])).toMatchObject({ code: 2, stderr: 'No policy named: writer\n' });
    expect((await cli(['policy', 'list'])).stdout).not.toMatch(/^writer$/m);
  });

  it('a policy the server refuses is an API error (exit 2) naming the line', async () => {
    const result = await cli(['policy', 'write', 'bad', '-'], { stdin: 'path "x" {\n  capabilities = ["bogus"]\n}' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^Error uploading policy: Error making API request\.[\s\S]*Code: 400\. Errors:\n\n\* policy "bad":2: .*"bogus"/);
  });

  it('usage errors are exit 1: missing arguments, an unreadable file', async () => {
    expect((await cli(['policy', 'write', 'only-name'])).code).toBe(1);
    expect((await cli(['policy', 'read'])).code).toBe(1);
    expect((await cli(['policy', 'list', 'extra'])).code).toBe(1);
    const missing = await cli(['policy', 'write', 'x', join(dir, 'missing.hcl')]);
    expect(missing).toMatchObject({ code: 1, stderr: `Error opening policy file: open ${join(dir, 'missing.hcl')}: no such file or directory\n` });
  });

  it('fmt rewrites a messy file in place; a second fmt changes nothing; the server accepts the result', async () => {
    const file = join(dir, 'messy.hcl');
    await writeFile(file, '# readers\npath  "secret/*"{\ncapabilities=["read","list"]   # both\n}\n\n\n\npath "sys/mounts" { capabilities = ["read"] }');
    expect(await cli(['policy', 'fmt', file])).toMatchObject({ code: 0, stdout: `Success! Formatted policy: ${file}\n` });
    const once = await readFile(file, 'utf8');
    expect(once).toBe(
      '# readers\npath "secret/*" {\n  capabilities = ["read", "list"] # both\n}\n\npath "sys/mounts" {\n  capabilities = ["read"]\n}\n',
    );
    expect((await cli(['policy', 'fmt', file])).code).toBe(0);
    expect(await readFile(file, 'utf8')).toBe(once);
    expect((await cli(['policy', 'write', 'formatted', file])).code).toBe(0);
  });

  it('fmt refuses invalid HCL with the line and leaves the file alone (exit 1)', async () => {
    const file = join(dir, 'broken.hcl');
    const text = 'path "secret/*" {\n  capabilities = ["read"\n}\n';
    await writeFile(file, text);
    const result = await cli(['policy', 'fmt', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^failed to parse policy: ${file.replaceAll('.', '\\.')}:3:1: Missing item separator`));
    expect(await readFile(file, 'utf8')).toBe(text);
    expect((await cli(['policy', 'fmt', join(dir, 'nope.hcl')])).code).toBe(1);
  });
});
