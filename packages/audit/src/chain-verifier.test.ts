import { randomBytes } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { never, tempDir } from '../test/support.js';
import { verifyAuditLog } from './chain-verifier.js';
import { FileSink } from './file-sink.js';
import { CHAIN_GENESIS, HashChain, lineHash, parseChainLink } from './hash-chain.js';

const key = randomBytes(32);
let dir: { path: string; cleanup: () => Promise<void> };

beforeEach(async () => {
  dir = await tempDir();
});
afterEach(async () => {
  await dir.cleanup();
});

const entry = (i: number) => `{"time":"2026-01-02T03:04:05Z","type":"request","request":{"id":"r${i}","path":"secret/data/${i}"}}`;

/** A real chained log: start checkpoint, 12 entries with a checkpoint every 5, close checkpoint. */
async function writeLog(name = 'audit.log', count = 12): Promise<{ path: string; lines: string[] }> {
  const path = join(dir.path, name);
  const sink = await FileSink.open({ path, chain: { key, checkpointInterval: 5 } });
  for (let i = 1; i <= count; i += 1) await sink.write(entry(i), { signal: never });
  await sink.close();
  const text = await readFile(path, 'utf8');
  return { path, lines: text.split('\n').slice(0, -1) };
}

const joined = (lines: readonly string[]) => `${lines.join('\n')}\n`;

describe('hash-chained audit files', () => {
  it('link every line to the previous one and add MACed checkpoints', async () => {
    const { lines } = await writeLog();
    expect(lines).toHaveLength(16);
    const links = lines.map((line) => parseChainLink(line));
    expect(links.map((link) => link?.seq)).toEqual([...Array(16).keys()].map((i) => i + 1));
    expect(links.map((link) => link?.checkpoint)).toEqual([
      'start', ...Array(5).fill(undefined), 'interval', ...Array(5).fill(undefined), 'interval', undefined, undefined, 'close',
    ]);
    expect(links[0]?.prev).toBe(CHAIN_GENESIS);
    expect(links[1]?.prev).toBe(lineHash(lines[0] as string));
    // Entries stay Vault JSON with one more field.
    expect(JSON.parse(lines[1] as string)).toMatchObject({ type: 'request', request: { id: 'r1' }, chain: { seq: 2 } });
  });

  it('verifies an untouched log', async () => {
    const { lines } = await writeLog();
    const result = verifyAuditLog(joined(lines), { key });
    expect(result).toMatchObject({ ok: true, entries: 12, checkpoints: 4, checkpointsVerified: 4, uncheckpointed: 0, lastCheckpoint: 'close' });
    expect(verifyAuditLog(joined(lines))).toMatchObject({ ok: true, checkpointsVerified: 0 });
    expect(verifyAuditLog('')).toMatchObject({ ok: true, entries: 0 });
  });

  it('names the line after a deleted one', async () => {
    const { lines } = await writeLog();
    const tampered = lines.filter((_, i) => i !== 3); // entry r3 on line 4
    expect(verifyAuditLog(joined(tampered), { key })).toEqual({
      ok: false,
      line: 4,
      reason: '1 line is missing before this line (seq 4)',
    });
  });

  it('names an edited line', async () => {
    const { lines } = await writeLog();
    const tampered = [...lines];
    tampered[2] = (tampered[2] as string).replace('secret/data/2', 'secret/data/x');
    expect(verifyAuditLog(joined(tampered), { key })).toMatchObject({ ok: false, line: 3, reason: expect.stringMatching(/modified/) });
  });

  it('names an inserted line, forged or copied', async () => {
    const { lines } = await writeLog();
    const forged = [...lines.slice(0, 5), entry(99), ...lines.slice(5)];
    expect(verifyAuditLog(joined(forged), { key })).toMatchObject({ ok: false, line: 6, reason: expect.stringMatching(/inserted/) });
    const copied = [...lines.slice(0, 5), lines[2] as string, ...lines.slice(5)];
    expect(verifyAuditLog(joined(copied), { key })).toMatchObject({ ok: false, line: 6, reason: expect.stringMatching(/inserted/) });
  });

  it('names the first of two swapped lines', async () => {
    const { lines } = await writeLog();
    const swapped = [...lines];
    [swapped[7], swapped[8]] = [swapped[8] as string, swapped[7] as string];
    expect(verifyAuditLog(joined(swapped), { key })).toMatchObject({ ok: false, line: 8, reason: expect.stringMatching(/out of order/) });
  });

  it('catches a history rewritten without the key at the next checkpoint, and a forged checkpoint', async () => {
    const { lines } = await writeLog();
    // Edit entry r2 and recompute every link after it, as someone without the key could.
    const rewritten = [...lines];
    rewritten[2] = (rewritten[2] as string).replace('secret/data/2', 'secret/data/x');
    for (let i = 3; i < rewritten.length; i += 1) {
      const prev = lineHash(rewritten[i - 1] as string);
      rewritten[i] = (rewritten[i] as string).replace(/"prev":"[0-9a-f]{64}"/, `"prev":"${prev}"`);
    }
    expect(verifyAuditLog(joined(rewritten))).toMatchObject({ ok: true });
    expect(verifyAuditLog(joined(rewritten), { key })).toMatchObject({ ok: false, line: 7, reason: expect.stringMatching(/checkpoint MAC/) });

    const forged = [...lines];
    forged[6] = (forged[6] as string).replace(/"mac":"hmac-sha256:[0-9a-f]{64}"/, `"mac":"hmac-sha256:${'ab'.repeat(32)}"`);
    forged[7] = (forged[7] as string).replace(/"prev":"[0-9a-f]{64}"/, `"prev":"${lineHash(forged[6] as string)}"`);
    expect(verifyAuditLog(joined(forged), { key })).toMatchObject({ ok: false, line: 7, reason: expect.stringMatching(/checkpoint MAC/) });
    expect(verifyAuditLog(joined(lines), { key: randomBytes(32) })).toMatchObject({ ok: false, line: 1 });
  });

  it('notices lines removed from the beginning', async () => {
    const { lines } = await writeLog();
    expect(verifyAuditLog(joined(lines.slice(2)), { key })).toMatchObject({ ok: false, line: 1, reason: expect.stringMatching(/begin/) });
  });

  it('continues the chain after a restart, from the tail of the file', async () => {
    const { path } = await writeLog();
    const again = await FileSink.open({ path, chain: { key, checkpointInterval: 5 } });
    await again.write(entry(13), { signal: never });
    await again.close();
    const text = await readFile(path, 'utf8');
    expect(verifyAuditLog(text, { key })).toMatchObject({ ok: true, entries: 13, lastCheckpoint: 'close' });
  });

  it('links a rotated file to the last line of the previous one', async () => {
    const path = join(dir.path, 'audit.log');
    const sink = await FileSink.open({ path, chain: { key, checkpointInterval: 50 } });
    await sink.write(entry(1), { signal: never });
    await rename(path, `${path}.1`);
    await sink.reopen();
    await sink.write(entry(2), { signal: never });
    await sink.close();
    const old = verifyAuditLog(await readFile(`${path}.1`, 'utf8'), { key });
    expect(old).toMatchObject({ ok: true, entries: 1, lastCheckpoint: 'rotate' });
    const current = await readFile(path, 'utf8');
    expect(verifyAuditLog(current, { key, after: old.ok ? old.head : undefined })).toMatchObject({ ok: true, entries: 1 });
    expect(verifyAuditLog(current, { key, after: { seq: 1, hash: CHAIN_GENESIS } })).toMatchObject({
      ok: false,
      line: 1,
      reason: expect.stringMatching(/continue/),
    });
  });

  it('refuses to chain a line that is not a JSON object', () => {
    const chain = new HashChain({ key, checkpointInterval: 10, prefix: '', now: () => 0n });
    expect(() => chain.append('not json')).toThrow(/JSON object/);
  });
});
