import { chmod, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Where `coffer login` keeps the token; Vault's file is read as a fallback, never written. */
export const TOKEN_FILE = '.coffer-token';
export const VAULT_TOKEN_FILE = '.vault-token';

/** The stored token, trimmed, from ~/.coffer-token, else ~/.vault-token; undefined if neither has one. */
export async function readTokenFile(homeDir: string): Promise<string | undefined> {
  for (const name of [TOKEN_FILE, VAULT_TOKEN_FILE]) {
    let text: string;
    try {
      text = await readFile(join(homeDir, name), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const token = text.trim();
    if (token !== '') return token;
  }
  return undefined;
}

/**
 * Stores the token readable by its owner only. Written to a temporary file (already 0600) and
 * renamed over the old one, so the token is never briefly world-readable or half-written.
 */
export async function writeTokenFile(homeDir: string, token: string): Promise<string> {
  const path = join(homeDir, TOKEN_FILE);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, token, { mode: 0o600 });
  // The umask can only remove bits, but a pre-existing temporary file keeps its mode: set it.
  await chmod(temporary, 0o600);
  await rename(temporary, path);
  return path;
}
