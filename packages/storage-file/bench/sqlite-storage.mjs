// Prototype of design (c), kept only for the comparison in compare.mjs: better-sqlite3 in WAL mode
// with synchronous=FULL (each commit fsynced). better-sqlite3 is synchronous, so every fsync blocks
// the event loop. `batched: true` groups the puts of one tick into one transaction (group commit by
// hand). better-sqlite3 is not a dependency of the package: pass its directory in BETTER_SQLITE3.
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export function loadSqlite() {
  const where = process.env.BETTER_SQLITE3;
  if (!where) return undefined;
  try { return createRequire(join(where, 'package.json'))('better-sqlite3'); } catch { return undefined; }
}

export function openSqlite(Database, root, { batched = false } = {}) {
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const db = new Database(join(root, 'store.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID');
  const get = db.prepare('SELECT value FROM kv WHERE key = ?').pluck();
  const put = db.prepare('INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)');
  const del = db.prepare('DELETE FROM kv WHERE key = ?');
  const range = db.prepare('SELECT key FROM kv WHERE key >= ? AND key < ?').pluck();
  let pending = [];
  const flush = db.transaction((ops) => { for (const [k, v] of ops) put.run(k, v); });
  return {
    async get(key) { const v = get.get(key); return v === undefined ? undefined : new Uint8Array(v); },
    put(key, value) {
      if (!batched) { put.run(key, Buffer.from(value)); return Promise.resolve(); }
      return new Promise((resolve, reject) => {
        pending.push([key, Buffer.from(value), resolve, reject]);
        if (pending.length === 1) setImmediate(() => {
          const ops = pending; pending = [];
          try { flush(ops); for (const op of ops) op[2](); } catch (e) { for (const op of ops) op[3](e); }
        });
      });
    },
    async delete(key) { del.run(key); },
    async list(prefix) {
      const out = new Set();
      for (const key of range.all(prefix, `${prefix}\u{10ffff}`)) {
        const rest = key.slice(prefix.length);
        const slash = rest.indexOf('/');
        if (rest) out.add(slash === -1 ? rest : rest.slice(0, slash + 1));
      }
      return [...out].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
    },
    async close() { db.close(); },
  };
}
