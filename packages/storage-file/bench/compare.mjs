// Compares storage designs on this machine. Run from the repo root after building:
//   npx tsc -p packages/storage-file/tsconfig.lib.json
//   BETTER_SQLITE3=/path/containing/node_modules/better-sqlite3 node packages/storage-file/bench/compare.mjs
// (without BETTER_SQLITE3 the SQLite rows are skipped). 1 KiB values; numbers are medians of 3 runs.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openFileStorage } from '../dist/index.js';
import { openPerKeyFiles } from './per-key-files.mjs';
import { loadSqlite, openSqlite } from './sqlite-storage.mjs';

const VALUE = randomBytes(1024);
const SEQUENTIAL_PUTS = 300;
const CONCURRENT_PUTS = 3000;
const LIST_KEYS = 10_000;
const GETS = 20_000;

async function timed(fn) {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/**
 * The longest the event loop (which would also serve HTTP) went without running a 1 ms timer while
 * 32 writers ran: synchronous fsyncs show up here.
 */
function stallMonitor() {
  let last = performance.now();
  let max = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    max = Math.max(max, now - last);
    last = now;
  }, 1);
  return () => {
    clearInterval(timer);
    return Math.max(max, performance.now() - last);
  };
}

async function pool(concurrency, count, task) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await task(next++);
  }));
}

async function measure(open) {
  const dir = await mkdtemp(join(tmpdir(), 'coffer-bench-'));
  let s = await open(dir);
  try {
    const c1 = await timed(() => pool(1, SEQUENTIAL_PUTS, (i) => s.put(`seq/k${i}`, VALUE)));
    const stall = stallMonitor();
    const c32 = await timed(() => pool(32, CONCURRENT_PUTS, (i) => s.put(`conc/k${i}`, VALUE)));
    const maxStall = stall();
    await pool(32, LIST_KEYS, (i) => s.put(`big/k${i}`, VALUE));
    for (let i = 0; i < 10; i++) await s.put(`small/k${i}`, VALUE);
    const gets = await timed(() => pool(32, GETS, (i) => s.get(`big/k${(i * 7919) % LIST_KEYS}`)));
    const listBig = [];
    const listSmall = [];
    for (let i = 0; i < 9; i++) {
      listBig.push(await timed(() => s.list('big/')));
      listSmall.push(await timed(() => s.list('small/')));
    }
    const median = (xs) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    await s.close();
    const reopen = await timed(async () => { s = await open(dir); });
    return {
      'put/s c=1': SEQUENTIAL_PUTS / (c1 / 1000),
      'put/s c=32': CONCURRENT_PUTS / (c32 / 1000),
      'max stall ms': maxStall,
      'get/s c=32': GETS / (gets / 1000),
      'list 10k ms': median(listBig),
      'list 10 of 13k ms': median(listSmall),
      'open 13k ms': reopen,
    };
  } finally {
    await s.close();
    await rm(dir, { recursive: true, force: true });
  }
}

const designs = {
  '(a) per-key files': (dir) => openPerKeyFiles(join(dir, 's')),
  '(b) log + group commit': (dir) => openFileStorage({ path: join(dir, 's') }),
};
const Database = loadSqlite();
if (Database) {
  designs['(c) sqlite, txn per put'] = async (dir) => openSqlite(Database, join(dir, 's'));
  designs['(c) sqlite, batched per tick'] = async (dir) => openSqlite(Database, join(dir, 's'), { batched: true });
}

const only = process.argv[2];
const rows = [];
for (const [name, open] of Object.entries(designs)) {
  if (only && !name.includes(only)) continue;
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await measure(open));
  const row = { design: name };
  for (const metric of Object.keys(runs[0])) {
    const values = runs.map((r) => r[metric]).sort((a, b) => a - b);
    row[metric] = Number(values[1].toFixed(metric.includes('ms') ? 2 : 0));
  }
  rows.push(row);
  console.error(`done ${name}`);
}
console.table(rows);
