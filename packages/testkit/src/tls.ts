import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificates {
  dir: string;
  /** PEM of the test CA; give it to clients as their trust anchor. */
  caFile: string;
  certFile: string;
  keyFile: string;
}

/**
 * A throwaway CA and a server certificate for 127.0.0.1 and localhost, made with the system's
 * openssl at run time, so no key ever lives in the repository.
 */
export async function createTestCertificates(dir?: string): Promise<TestCertificates> {
  const base = dir ?? (await mkdtemp(join(tmpdir(), 'coffer-tls-')));
  await mkdir(base, { recursive: true, mode: 0o700 });
  const f = (name: string) => join(base, name);
  const openssl = (...args: string[]) => run('openssl', args);
  await openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('ca.key'));
  await openssl(
    'req', '-x509', '-new', '-key', f('ca.key'), '-sha256', '-days', '2', '-subj', '/CN=Coffer Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-out', f('ca.crt'),
  );
  await openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', f('tls.key'));
  await openssl('req', '-new', '-key', f('tls.key'), '-subj', '/CN=localhost', '-out', f('tls.csr'));
  await writeFile(
    f('ext.cnf'),
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '',
    ].join('\n'),
  );
  await openssl(
    'x509', '-req', '-in', f('tls.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial',
    '-days', '2', '-sha256', '-extfile', f('ext.cnf'), '-out', f('tls.crt'),
  );
  return { dir: base, caFile: f('ca.crt'), certFile: f('tls.crt'), keyFile: f('tls.key') };
}
