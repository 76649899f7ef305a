import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CofferError } from '@coffer/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadServerConfig } from './server-config.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'coffer-config-'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function refusal(path: string): Promise<CofferError> {
  const error: unknown = await loadServerConfig(path, {}).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CofferError);
  expect((error as CofferError).code).toBe('invalid_request');
  return error as CofferError;
}

describe('loadServerConfig', () => {
  it('reads an HCL file, BOM and all', async () => {
    const path = join(dir, 'server.hcl');
    await writeFile(path, '\uFEFFstorage "file" {\n  path = "/d"\n}\nlistener "tcp" {\n  tls_disable = true\n}\n');
    const config = await loadServerConfig(path, { VAULT_API_ADDR: 'http://127.0.0.1:8200' });
    expect(config.storage).toEqual({ type: 'file', path: '/d' });
    expect(config.apiAddr).toBe('http://127.0.0.1:8200');
  });

  it('reads a JSON file', async () => {
    const path = join(dir, 'server.json');
    await writeFile(path, JSON.stringify({ storage: { inmem: {} }, listener: { tcp: { tls_disable: 'true' } } }, null, 2));
    expect((await loadServerConfig(path, {})).storage).toEqual({ type: 'inmem' });
  });

  it('names the path as given in every problem', async () => {
    const path = join(dir, 'bad.hcl');
    await writeFile(path, 'storage "inmem" {}\nlistener "tcp" {\n  tls_disable = true\n  pathh = 1\n}\n');
    expect((await refusal(path)).message).toBe(`${path}:4: unknown key "pathh" in listener "tcp"`);
  });

  it('refuses a file that is not UTF-8, at the first bad byte', async () => {
    const path = join(dir, 'latin1.hcl');
    // "café" in Latin-1: é is the single byte 0xe9.
    await writeFile(path, Buffer.from('storage "file" {\n  path = "/caf\u00e9"\n}\n', 'latin1'));
    expect((await refusal(path)).message).toBe(`${path}:2:15: the file is not valid UTF-8 text; is it a binary file?`);
  });

  it('refuses binary garbage', async () => {
    const gzip = join(dir, 'config.hcl.gz');
    await writeFile(gzip, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]));
    expect((await refusal(gzip)).message).toBe(`${gzip}:1:2: the file is not valid UTF-8 text; is it a binary file?`);
    // An ELF header is valid UTF-8 but full of control characters.
    const elf = join(dir, 'coffer');
    await writeFile(elf, Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00]));
    expect((await refusal(elf)).message).toBe(
      `${elf}:1:1: the file contains the control character U+007F; it does not look like a text configuration file`,
    );
  });

  it('says why a file cannot be read', async () => {
    expect((await refusal(join(dir, 'missing.hcl'))).message).toBe(
      `cannot read the configuration file ${join(dir, 'missing.hcl')}: no such file`,
    );
    expect((await refusal(dir)).message).toMatch(/: it is a directory; give the path of a \.hcl or \.json file$/);
  });
});
