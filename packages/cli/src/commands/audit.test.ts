import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, initialisedServer, type CliRunner } from '../../test/harness.js';

describe('audit enable, list, hash, disable', () => {
  let close: () => Promise<void>;
  let cli: CliRunner;
  let dir: string;
  let log: string;

  beforeAll(async () => {
    const { server, rootToken } = await initialisedServer();
    close = () => server.close();
    cli = await cliRunner({ COFFER_ADDR: server.address, COFFER_TOKEN: rootToken });
    dir = await mkdtemp(join(tmpdir(), 'coffer-audit-'));
    log = join(dir, 'audit.log');
  });
  afterAll(() => close());

  it('list with no device says so on stdout and exits 2, as Vault; JSON is an empty map', async () => {
    expect(await cli(['audit', 'list'])).toEqual({ code: 2, stdout: 'No audit devices are enabled.\n', stderr: '' });
    expect(await cli(['audit', 'list', '-format=json'])).toMatchObject({ code: 0, stdout: '{}\n' });
  });

  it('enable a file device with its options as k=v, and another at -path with a description, -local', async () => {
    expect(await cli(['audit', 'enable', 'file', `file_path=${log}`])).toEqual({
      code: 0,
      stdout: 'Success! Enabled the file audit device at: file/\n',
      stderr: '',
    });
    const second = await cli(['audit', 'enable', '-path=copy', '-description=Second copy', '-local', 'file', `file_path=${join(dir, 'copy.log')}`, 'mode=0640']);
    expect(second).toMatchObject({ code: 0, stdout: 'Success! Enabled the file audit device at: copy/\n' });
    // The device wrote its test entry (and the start of its chain) before the enable answered.
    expect((await readFile(join(dir, 'copy.log'), 'utf8')).split('\n').length).toBeGreaterThan(1);
  });

  it("list: Vault's table; -detailed adds Replication, Options and Coffer's Source; JSON is sys/audit", async () => {
    const list = await cli(['audit', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/^Path\s+Type\s+Description$/),
      expect.stringMatching(/^----\s+----\s+-----------$/),
      expect.stringMatching(/^copy\/\s+file\s+Second copy$/),
      expect.stringMatching(/^file\/\s+file\s+n\/a$/),
    ]);

    const detailed = await cli(['audit', 'list', '-detailed']);
    const lines = detailed.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^Path\s+Type\s+Description\s+Replication\s+Options\s+Source$/);
    expect(lines[2]).toBe(
      `copy/    file    Second copy    local${' '.repeat(10)}file_path=${join(dir, 'copy.log')} mode=0640    api`,
    );
    expect(lines[3]).toMatch(new RegExp(`^file/\\s+file\\s+n/a\\s+replicated\\s+file_path=${log.replaceAll('.', '\\.')}\\s+api$`));

    const json = JSON.parse((await cli(['audit', 'list', '-format=json'])).stdout);
    expect(json['file/']).toEqual({ type: 'file', description: '', options: { file_path: log }, path: 'file/', local: false, source: 'api' });
    expect(json['copy/']).toMatchObject({ local: true, options: { mode: '0640' } });
  });

  it('hash prints the HMAC the log shows in place of a value; stdin and JSON too; each device has its own salt', async () => {
    const password = 'correct-horse-battery-staple';
    expect((await cli(['secrets', 'enable', '-path=secret', '-version=2', 'kv'])).code).toBe(0);
    expect((await cli(['kv', 'put', 'secret/app', `password=${password}`])).code).toBe(0);

    const hashed = await cli(['audit', 'hash', 'file', password]);
    expect(hashed).toMatchObject({ code: 0, stderr: '', stdout: expect.stringMatching(/^hmac-sha256:[0-9a-f]{64}\n$/) });
    const hash = hashed.stdout.trim();
    const text = await readFile(log, 'utf8');
    const written = text.split('\n').find((line) => line.includes('"path":"secret/data/app"') && line.includes('"type":"request"'));
    expect(JSON.parse(written as string)).toMatchObject({ request: { data: { data: { password: hash } } } });
    expect(text).not.toContain(password);

    // `echo value |` gives the same value: one trailing newline is not part of it.
    expect(await cli(['audit', 'hash', 'file/', '-'], { stdin: `${password}\n` })).toMatchObject({ code: 0, stdout: `${hash}\n` });
    expect(JSON.parse((await cli(['audit', 'hash', '-format=json', 'file', password])).stdout)).toEqual({ hash });
    const other = await cli(['audit', 'hash', 'copy', password]);
    expect(other.code).toBe(0);
    expect(other.stdout).not.toBe(hashed.stdout);
  });

  it('API errors are exit 2: enabling twice, bad options, an unwritable file, hashing with no such device', async () => {
    const twice = await cli(['audit', 'enable', 'file', `file_path=${log}`]);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/^Error enabling audit device: Error making API request\.\n\nURL: PUT \S+\/v1\/sys\/audit\/file\/\nCode: 400\. Errors:\n\n\* path already in use: file\//);
    const unknown = await cli(['audit', 'enable', '-path=typo', 'file', `file_pth=${log}`]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('file_path is required');
    // A regular file where the directory should be: the device cannot open its file, so it is refused.
    const unwritable = await cli(['audit', 'enable', '-path=nowhere', 'file', `file_path=${join(log, 'audit.log')}`]);
    expect(unwritable.code).toBe(2);
    expect(unwritable.stderr).toMatch(/^Error enabling audit device: [\s\S]*cannot enable audit device nowhere\/: /);
    const hash = await cli(['audit', 'hash', 'nowhere', 'x']);
    expect(hash.code).toBe(2);
    expect(hash.stderr).toMatch(/^Error hashing with audit device nowhere\/: Error making API request\.[\s\S]*no audit device at nowhere\//);
    expect((await cli(['audit', 'list'])).stdout).not.toMatch(/typo|nowhere/);
  });

  it('usage errors are exit 1 and send nothing: no type, options that are not k=v, extra arguments, hashing without a terminal', async () => {
    expect((await cli(['audit', 'enable'])).code).toBe(1);
    expect(await cli(['audit', 'enable', '-path=bad', 'file', 'file_path'])).toMatchObject({
      code: 1,
      stderr: 'Failed to parse K=V data: format must be key=value, got "file_path"\n',
    });
    const twice = await cli(['audit', 'enable', '-path=bad', 'file', 'file_path=a', 'file_path=b']);
    expect(twice).toMatchObject({ code: 1, stderr: expect.stringMatching(/^Failed to parse K=V data: failed to convert values to strings/) });
    expect((await cli(['audit', 'disable'])).code).toBe(1);
    expect((await cli(['audit', 'disable', 'a', 'b'])).code).toBe(1);
    expect((await cli(['audit', 'list', 'extra'])).code).toBe(1);
    expect((await cli(['audit', 'hash', 'file'])).code).toBe(1);
    expect((await cli(['audit', 'list'])).stdout).not.toContain('bad/');
  });

  it('disable removes a device, and disabling it again still succeeds, as Vault', async () => {
    expect(await cli(['audit', 'disable', 'copy'])).toEqual({
      code: 0,
      stdout: 'Success! Disabled audit device (if it was enabled) at: copy/\n',
      stderr: '',
    });
    expect((await cli(['audit', 'disable', 'copy/'])).code).toBe(0);
    expect((await cli(['audit', 'list'])).stdout).not.toContain('copy/');
    expect((await cli(['audit', 'disable', 'file'])).code).toBe(0);
    expect((await cli(['audit', 'list'])).stdout).toBe('No audit devices are enabled.\n');
  });
});
