import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, configFileDevice, initialisedServer, type CliRunner } from '../../test/harness.js';

/** The verdict line for an intact file, with the counts taken from the file itself. */
function intactLine(file: string, lines: readonly string[]): string {
  const checkpoints = lines.filter((line) => line.includes('"checkpoint":"')).length;
  const lastCheckpoint = lines.findLastIndex((line) => line.includes('"checkpoint":"'));
  const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
  return (
    `Success! The audit log ${file} is intact: ${count(lines.length - checkpoints, 'entry', 'entries')}, ` +
    `${count(checkpoints, 'checkpoint', 'checkpoints')} verified ` +
    `(${count(lines.length - 1 - lastCheckpoint, 'entry', 'entries')} after the last checkpoint)\n`
  );
}

const seqOf = (line: string) => (JSON.parse(line) as { chain: { seq: number } }).chain.seq;

describe('audit verify', () => {
  let close: () => Promise<void>;
  let reopenAudit: () => Promise<void>;
  let address: string;
  let cli: CliRunner;
  let dir: string;
  let log: string;
  let copies = 0;

  const lines = async (file = log) => (await readFile(file, 'utf8')).split('\n').slice(0, -1);
  /** A tampered copy of the log, so the live file stays untouched for the next test. */
  const tampered = async (content: readonly string[]) => {
    const file = join(dir, `tampered-${(copies += 1)}.log`);
    await writeFile(file, content.length ? `${content.join('\n')}\n` : '');
    return file;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-audit-verify-'));
    log = join(dir, 'audit.log');
    // Declared in the config, as Vault recommends; a checkpoint every 5 entries so there are several.
    const { server, rootToken } = await initialisedServer({
      audit: { devices: [configFileDevice(log, { checkpoint_interval: '5' })], allowApi: true },
    });
    close = () => server.close();
    reopenAudit = () => server.reopenAudit();
    address = server.address;
    cli = await cliRunner({ COFFER_ADDR: address, COFFER_TOKEN: rootToken });
    expect((await cli(['secrets', 'enable', '-path=secret', '-version=2', 'kv'])).code).toBe(0);
    for (let i = 1; i <= 6; i += 1) expect((await cli(['kv', 'put', `secret/app${i}`, `password=pw-${i}`])).code).toBe(0);
  });
  afterAll(() => close());

  it('passes on an untouched log, with the key read with the token', async () => {
    const before = await lines();
    expect(before.length).toBeGreaterThan(20);
    expect(await cli(['audit', 'verify', log])).toEqual({ code: 0, stdout: intactLine(log, before), stderr: '' });
  });

  it('the device came from the config: -detailed says so, and the API cannot disable it', async () => {
    expect((await cli(['audit', 'list', '-detailed'])).stdout).toMatch(/^file\/\s+file\s+n\/a\s+replicated\s+checkpoint_interval=5 file_path=\S+\s+config$/m);
    const disable = await cli(['audit', 'disable', 'file']);
    expect(disable.code).toBe(2);
    expect(disable.stderr).toMatch(/^Error disabling audit device: [\s\S]*audit device file\/ is declared in the server configuration/);
  });

  it('-key verifies offline with the exported key, no token or server needed; @file and - read it', async () => {
    const key = (await cli(['read', '-field=key', 'sys/audit-chain/key'])).stdout;
    expect(key).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    const snapshot = await tampered(await lines());
    // Nothing listens on port 1: any request would fail, so passing shows none was made.
    const offline = await cliRunner({ COFFER_ADDR: 'http://127.0.0.1:1' });
    const expected = { code: 0, stdout: intactLine(snapshot, await lines(snapshot)), stderr: '' };
    expect(await offline(['audit', 'verify', `-key=${key}`, snapshot])).toEqual(expected);
    const keyFile = join(dir, 'chain.key');
    await writeFile(keyFile, `${key}\n`);
    expect(await offline(['audit', 'verify', `-key=@${keyFile}`, snapshot])).toEqual(expected);
    expect(await offline(['audit', 'verify', '-key', '-', snapshot], { stdin: `${key}\n` })).toEqual(expected);
  });

  it('names the line after a deleted line', async () => {
    const all = await lines();
    const file = await tampered(all.filter((_, i) => i !== 9));
    expect(await cli(['audit', 'verify', file])).toEqual({
      code: 2,
      stdout: '',
      stderr: `Error: the audit log ${file} is broken at line 10: 1 line is missing before this line (seq ${seqOf(all[9] as string)})\n`,
    });
  });

  it('names an edited line: one character of a value changed', async () => {
    const all = await lines();
    const index = all.findIndex((line, i) => i > 3 && line.includes('"remote_address":"127.0.0.1"'));
    const edited = [...all];
    edited[index] = (all[index] as string).replace('"remote_address":"127.0.0.1"', '"remote_address":"127.0.0.2"');
    const file = await tampered(edited);
    expect(await cli(['audit', 'verify', file])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `Error: the audit log ${file} is broken at line ${index + 1}: line was modified: ` +
        `its SHA-256 no longer matches the one recorded by line ${index + 2}\n`,
    });
  });

  it('names the first of two swapped lines', async () => {
    const all = await lines();
    const swapped = [...all];
    [swapped[11], swapped[12]] = [all[12] as string, all[11] as string];
    const file = await tampered(swapped);
    expect(await cli(['audit', 'verify', file])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        `Error: the audit log ${file} is broken at line 12: lines are out of order: ` +
        `seq ${seqOf(all[12] as string)} comes before seq ${seqOf(all[11] as string)}\n`,
    });
  });

  it('-format=json reports each file, with the same exit codes', async () => {
    const all = await lines();
    const ok = await cli(['audit', 'verify', '-format=json', log]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({
      intact: true,
      files: [{ file: log, intact: true, entries: expect.any(Number), checkpoints: expect.any(Number), checkpoints_verified: expect.any(Number), entries_after_last_checkpoint: expect.any(Number) }],
    });
    const broken = await cli(['audit', 'verify', '-format=json', await tampered(all.slice(1))]);
    expect(broken.code).toBe(2);
    expect(JSON.parse(broken.stdout)).toMatchObject({ intact: false, files: [{ intact: false, line: 1, reason: expect.stringMatching(/start checkpoint/) }] });
  });

  it('fails cleanly: an unreadable file or a malformed key is exit 1; a wrong key, an empty file, or no token is exit 2', async () => {
    const missing = join(dir, 'missing.log');
    expect(await cli(['audit', 'verify', missing])).toEqual({
      code: 1,
      stdout: '',
      stderr: `Error reading the audit log: open ${missing}: no such file or directory\n`,
    });
    const folder = join(dir, 'folder');
    await mkdir(folder);
    expect(await cli(['audit', 'verify', folder])).toMatchObject({ code: 1, stderr: `Error reading the audit log: open ${folder}: is a directory\n` });
    expect(await cli(['audit', 'verify', log, missing])).toMatchObject({ code: 1, stdout: '' });
    expect(await cli(['audit', 'verify', '-key=not base64!', log])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error parsing -key: it must be the base64 key that sys/audit-chain/key returns\n',
    });
    expect((await cli(['audit', 'verify'])).code).toBe(1);

    const wrongKey = await cli(['audit', 'verify', `-key=${randomBytes(32).toString('base64')}`, log]);
    expect(wrongKey).toMatchObject({ code: 2, stdout: '' });
    expect(wrongKey.stderr).toMatch(new RegExp(`^Error: the audit log ${log.replaceAll('.', '\\.')} is broken at line 1: checkpoint MAC is invalid: .*\\(or the key is wrong\\)\n$`));

    const empty = await tampered([]);
    expect(await cli(['audit', 'verify', empty])).toEqual({
      code: 2,
      stdout: '',
      stderr: `Error: the audit log ${empty} is broken at line 1: the file is empty, but a chained audit file begins with a start checkpoint: it was truncated\n`,
    });

    const noToken = await (await cliRunner({ COFFER_ADDR: address }))(['audit', 'verify', log]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toMatch(/^Error reading the audit chain key: Error making API request\.[\s\S]*Code: 403\./);
  });

  it('follows a rotation: the new file must continue the old one, which catches lines cut from its end', async () => {
    const rotated = `${log}.1`;
    await rename(log, rotated);
    // What SIGHUP does in `coffer server`.
    await reopenAudit();
    expect((await cli(['kv', 'get', 'secret/app1'])).code).toBe(0);
    const old = await lines(rotated);
    expect(old.at(-1)).toContain('"checkpoint":"rotate"');
    const current = await lines();
    expect(await cli(['audit', 'verify', log, rotated])).toEqual({
      code: 0,
      stdout: intactLine(rotated, old) + intactLine(log, current),
      stderr: '',
    });

    // Cutting the old file's last lines leaves it consistent on its own; only its successor shows it.
    const cut = await tampered(old.slice(0, -2));
    expect(await cli(['audit', 'verify', cut])).toMatchObject({ code: 0 });
    expect(await cli(['audit', 'verify', log, cut])).toEqual({
      code: 2,
      stdout: intactLine(cut, old.slice(0, -2)),
      stderr:
        `Error: the audit log ${log} is broken at line 1: the file does not continue the previous one ` +
        `(expected seq ${seqOf(old.at(-3) as string) + 1} linking to its last line)\n`,
    });

    // A break in the old file is reported there, and the newer file is not judged against it.
    const broken = await tampered(old.filter((_, i) => i !== 4));
    expect(await cli(['audit', 'verify', log, broken])).toEqual({
      code: 2,
      stdout: '',
      stderr: `Error: the audit log ${broken} is broken at line 5: 1 line is missing before this line (seq ${seqOf(old[4] as string)})\n`,
    });
  });
});
