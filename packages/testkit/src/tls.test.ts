import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTestCertificates } from './tls.js';

describe('createTestCertificates', () => {
  it('makes a CA and a server certificate for 127.0.0.1 and localhost that the CA signed', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'coffer-tls-test-')), 'nested', 'tls');
    const certs = await createTestCertificates(dir);
    const ca = new X509Certificate(await readFile(certs.caFile));
    const leaf = new X509Certificate(await readFile(certs.certFile));
    expect(ca.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.verify(ca.publicKey)).toBe(true);
    expect(leaf.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(leaf.checkHost('localhost')).toBe('localhost');
    expect((await readFile(certs.keyFile, 'utf8')).includes('PRIVATE KEY')).toBe(true);
  });

  it('makes different keys every time', async () => {
    const a = await createTestCertificates();
    const b = await createTestCertificates();
    expect(await readFile(a.keyFile, 'utf8')).not.toBe(await readFile(b.keyFile, 'utf8'));
  });
});
