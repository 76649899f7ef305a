import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, CLI, startCoffer, type CofferProcess } from '../src/coffer-process.js';
import { initialiseAndUnseal, mount } from '../src/coffer-setup.js';

const run = promisify(execFile);

/**
 * logrotate's usual recipe against the real process: rename the audit file, send SIGHUP, and the
 * server writes to a fresh file at the configured path. Nothing is lost across the two files, and
 * the hash chain runs on from the old file into the new one.
 */
describe('audit file rotation with a real SIGHUP', () => {
  let dir: string;
  let coffer: CofferProcess;
  let token: string;
  const logPath = () => join(dir, 'audit.log');

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'coffer-sighup-'));
    coffer = await startCoffer({ dir, extraConfig: `audit "file" {\n  file_path = "${join(dir, 'audit.log')}"\n}` });
    token = (await initialiseAndUnseal(coffer.address)).rootToken;
    await mount(coffer.address, token, 'secret', 'kv-v2');
  }, 60_000);

  afterAll(async () => {
    await coffer?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const lines = async (path: string) => (await readFile(path, 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const pathsOf = (entries: { type: string; request?: { path?: string } }[]) =>
    entries.filter((e) => e.type === 'request').map((e) => e.request?.path);

  it('moves to a new file after the old one was renamed, keeping every entry and the process alive', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await api(coffer.address, 'POST', `secret/data/before-${i}`, { token, body: { data: { v: i } } })).status).toBe(200);
    }
    await rename(logPath(), `${logPath()}.1`);
    // Until the signal the server still holds the renamed file: this entry lands there.
    expect((await api(coffer.address, 'POST', 'secret/data/between', { token, body: { data: { v: 'x' } } })).status).toBe(200);
    coffer.child.kill('SIGHUP');
    let fresh: unknown[] = [];
    for (let attempt = 0; attempt < 100 && fresh.length === 0; attempt++) {
      await new Promise((r) => setTimeout(r, 50));
      expect((await api(coffer.address, 'POST', `secret/data/after-${attempt}`, { token, body: { data: { v: 1 } } })).status).toBe(200);
      fresh = await lines(logPath()).catch(() => []);
    }
    expect(coffer.child.exitCode).toBeNull();

    const rotated = pathsOf(await lines(`${logPath()}.1`));
    const current = pathsOf(await lines(logPath()));
    expect(rotated).toEqual(expect.arrayContaining(['secret/data/before-0', 'secret/data/before-4', 'secret/data/between']));
    expect(current.length).toBeGreaterThan(0);
    expect(current.every((path) => path?.startsWith('secret/data/after-'))).toBe(true);
    // Every write after the signal is in one file or the other, exactly once.
    const afterWrites = [...rotated, ...current].filter((path) => path?.startsWith('secret/data/after-'));
    expect(new Set(afterWrites).size).toBe(afterWrites.length);

    // The chain continues across the rotation: `coffer audit verify NEW OLD` checks both as one.
    const verify = await run(process.execPath, [CLI, 'audit', 'verify', logPath(), `${logPath()}.1`], {
      env: { ...process.env, VAULT_ADDR: coffer.address, VAULT_TOKEN: token },
    });
    expect(verify.stderr).toBe('');
    expect(verify.stdout).toMatch(/intact/i);
  }, 60_000);
});
