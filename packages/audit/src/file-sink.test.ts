import { randomBytes } from 'node:crypto';
import { appendFile, chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { never, tempDir } from '../test/support.js';
import { verifyAuditLog } from './chain-verifier.js';
import { DiscardSink, StdoutSink } from './console-sink.js';
import { FileSink } from './file-sink.js';

let dir: { path: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await dir.cleanup();
});

const entry = (i: number) => `{"type":"request","request":{"id":"r${i}"}}`;
const ids = (text: string) => [...text.matchAll(/"id":"r(\d+)"/g)].map((m) => Number(m[1]));

describe('file sink', () => {
  it('appends one line per entry, creates the file with mode 0600 and fixes an existing file’s mode', async () => {
    const path = join(dir.path, 'sub', 'audit.log');
    const sink = await FileSink.open({ path });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await sink.write(entry(1), { signal: never });
    await sink.write(entry(2), { signal: never });
    await sink.close();
    expect(await readFile(path, 'utf8')).toBe(`${entry(1)}\n${entry(2)}\n`);

    await chmod(path, 0o644);
    const again = await FileSink.open({ path, mode: 0o640, fsync: true });
    expect((await stat(path)).mode & 0o777).toBe(0o640);
    await again.write(entry(3), { signal: never });
    await again.close();
    expect(ids(await readFile(path, 'utf8'))).toEqual([1, 2, 3]);
  });

  it('keeps the order of concurrent writes, group-committed', async () => {
    const path = join(dir.path, 'audit.log');
    const sink = await FileSink.open({ path, fsync: true });
    await Promise.all(Array.from({ length: 500 }, (_, i) => sink.write(entry(i), { signal: never })));
    await sink.close();
    expect(ids(await readFile(path, 'utf8'))).toEqual([...Array(500).keys()]);
  });

  it('moves to a new file on reopen after logrotate renamed it, losing no entry under concurrent writes', async () => {
    const path = join(dir.path, 'audit.log');
    const key = randomBytes(32);
    const sink = await FileSink.open({ path, chain: { key, checkpointInterval: 64 } });
    const writes: Promise<void>[] = [];
    let rotation: Promise<void> | undefined;
    for (let i = 0; i < 300; i += 1) {
      writes.push(sink.write(entry(i), { signal: never }));
      // logrotate renames the file, then SIGHUP; entries keep coming while both happen.
      if (i === 100) rotation = rename(path, `${path}.1`).then(() => sink.reopen());
      if (i % 10 === 0) await new Promise((resolve) => setImmediate(resolve));
    }
    await rotation;
    for (let i = 300; i < 350; i += 1) writes.push(sink.write(entry(i), { signal: never }));
    await Promise.all(writes);
    await sink.close();
    const rotated = await readFile(`${path}.1`, 'utf8');
    const current = await readFile(path, 'utf8');
    const all = [...ids(rotated), ...ids(current)];
    expect(all.sort((a, b) => a - b)).toEqual([...Array(350).keys()]);
    expect(ids(current).length).toBeGreaterThan(0);
    const first = verifyAuditLog(rotated, { key });
    expect(first).toMatchObject({ ok: true, lastCheckpoint: 'rotate' });
    expect(verifyAuditLog(current, { key, after: first.ok ? first.head : undefined })).toMatchObject({ ok: true, lastCheckpoint: 'close' });
  });

  it('refuses a path it cannot open: a directory that is a file', async () => {
    await writeFile(join(dir.path, 'not-a-dir'), 'x');
    await expect(FileSink.open({ path: join(dir.path, 'not-a-dir', 'audit.log') })).rejects.toThrow(/ENOTDIR|EEXIST/);
    await expect(FileSink.open({ path: dir.path })).rejects.toThrow(/EISDIR/);
  });

  it('fails writes on a full disk (/dev/full), after retrying once on a fresh descriptor', async () => {
    const sink = await FileSink.open({ path: '/dev/full', mode: 0 });
    await expect(sink.write(entry(1), { signal: never })).rejects.toThrow(/ENOSPC/);
    await sink.close();
  });

  it('fails writes when a reopen finds the directory replaced by a file, and recovers once it is back', async () => {
    const logDir = join(dir.path, 'logs');
    const path = join(logDir, 'audit.log');
    const sink = await FileSink.open({ path });
    await sink.write(entry(1), { signal: never });
    await rm(logDir, { recursive: true });
    await writeFile(logDir, 'in the way');
    await expect(sink.reopen()).rejects.toThrow(/ENOTDIR|EEXIST/);
    await expect(sink.write(entry(2), { signal: never })).rejects.toThrow(/ENOTDIR|EEXIST/);
    await rm(logDir);
    await sink.write(entry(3), { signal: never });
    await sink.close();
    expect(ids(await readFile(path, 'utf8'))).toEqual([3]);
  });

  it('starts on a fresh line after a write cut short, and the verifier points at the torn line', async () => {
    const path = join(dir.path, 'audit.log');
    const key = randomBytes(32);
    const first = await FileSink.open({ path, chain: { key, checkpointInterval: 10 } });
    await first.write(entry(1), { signal: never });
    await first.close();
    await appendFile(path, '{"type":"request","requ');
    const second = await FileSink.open({ path, chain: { key, checkpointInterval: 10 } });
    await second.write(entry(2), { signal: never });
    await second.close();
    const text = await readFile(path, 'utf8');
    expect(text.split('\n')[3]).toBe('{"type":"request","requ');
    expect(verifyAuditLog(text, { key })).toMatchObject({ ok: false, line: 4, reason: expect.stringMatching(/cut short/) });
  });

  it('drops a queued write whose signal aborted and rejects writes after close', async () => {
    const path = join(dir.path, 'audit.log');
    const sink = await FileSink.open({ path });
    const aborted = new AbortController();
    aborted.abort(new Error('deadline'));
    await expect(sink.write(entry(1), { signal: aborted.signal })).rejects.toThrow('deadline');
    await sink.close();
    await expect(sink.write(entry(2), { signal: never })).rejects.toThrow(/closed/);
    expect(await readFile(path, 'utf8')).toBe('');
  });
});

describe('stdout and discard', () => {
  it('writes lines to the stream and drops them with discard', async () => {
    const stream = new PassThrough();
    const chunks: string[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk.toString()));
    const sink = new StdoutSink(stream);
    await sink.write(entry(1), { signal: never });
    expect(chunks.join('')).toBe(`${entry(1)}\n`);
    await expect(new DiscardSink().write()).resolves.toBeUndefined();
  });
});
