// Prototype of design (a), kept only for the comparison in compare.mjs: one file per key, written
// to a temp file, fsynced, renamed into place, then the directory fsynced. Each key segment becomes
// a directory "<seg>.d" (folder) or file "<seg>.v" (key), so "a" and "a/" can coexist; segments are
// percent-encoded so ".." and Unicode are safe. Not production code: long segments (>250 bytes)
// and the parents of newly made directories are not handled.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

const encodeSegment = (segment) =>
  [...Buffer.from(segment, 'utf8')]
    .map((b) => (/[A-Za-z0-9_-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).padStart(2, '0')}`))
    .join('');
const decodeSegment = (name) => Buffer.from(name.replace(/%([0-9a-f]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8');
const compareKeys = (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b));

async function syncDir(dir) {
  const h = await open(dir, 'r');
  try { await h.sync(); } finally { await h.close(); }
}

export async function openPerKeyFiles(root) {
  await mkdir(root, { recursive: true, mode: 0o700 });
  const locate = (key) => {
    const parts = key.split('/');
    const leaf = parts.pop();
    const dir = join(root, ...parts.map((p) => `${encodeSegment(p)}.d`));
    return { dir, file: join(dir, `${encodeSegment(leaf)}.v`) };
  };
  return {
    async get(key) {
      try { return new Uint8Array(await readFile(locate(key).file)); } catch (e) { if (e.code === 'ENOENT') return undefined; throw e; }
    },
    async put(key, value) {
      const { dir, file } = locate(key);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      const tmp = `${file}.tmp-${randomBytes(6).toString('hex')}`;
      const h = await open(tmp, 'wx', 0o600);
      try { await h.writeFile(value); await h.datasync(); } finally { await h.close(); }
      await rename(tmp, file);
      await syncDir(dir);
    },
    async delete(key) {
      const { dir, file } = locate(key);
      try { await unlink(file); } catch (e) { if (e.code === 'ENOENT') return; throw e; }
      await syncDir(dir);
      for (let d = dir; d !== root; d = join(d, '..')) { try { await rmdir(d); } catch { break; } }
    },
    async list(prefix) {
      const slash = prefix.lastIndexOf('/');
      const folder = slash === -1 ? '' : prefix.slice(0, slash);
      const partial = prefix.slice(slash + 1);
      const dir = folder === '' ? root : join(root, ...folder.split('/').map((p) => `${encodeSegment(p)}.d`));
      let names;
      try { names = await readdir(dir); } catch (e) { if (e.code === 'ENOENT') return []; throw e; }
      const out = [];
      for (const name of names) {
        let seg;
        if (name.endsWith('.d')) seg = `${decodeSegment(name.slice(0, -2))}/`;
        else if (name.endsWith('.v')) seg = decodeSegment(name.slice(0, -2));
        else continue;
        if (seg.startsWith(partial) && seg.length > partial.length) out.push(seg.slice(partial.length));
      }
      return out.sort(compareKeys);
    },
    async close() {},
  };
}
