import { createTestCertificates, type TestCertificates } from '@coffer/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliRunner, startTestServer } from '../test/harness.js';

describe('TLS', () => {
  let certificates: TestCertificates;
  let server: Awaited<ReturnType<typeof startTestServer>>;

  beforeAll(async () => {
    certificates = await createTestCertificates();
    server = await startTestServer(certificates);
  });
  afterAll(() => server.close());

  it('the listener speaks https', () => {
    expect(server.address).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('verifies the server with -ca-cert', async () => {
    const cli = await cliRunner({ COFFER_ADDR: server.address });
    const result = await cli(['status', `-ca-cert=${certificates.caFile}`]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(2); // answered: uninitialised, hence sealed
    expect(result.stdout).toMatch(/Initialized\s+false/);
  });

  it('verifies the server with COFFER_CACERT or VAULT_CACERT', async () => {
    for (const name of ['COFFER_CACERT', 'VAULT_CACERT']) {
      const cli = await cliRunner({ COFFER_ADDR: server.address, [name]: certificates.caFile });
      expect((await cli(['status'])).code).toBe(2);
    }
  });

  it('fails (exit 1 for status, 2 elsewhere) without the CA, naming the certificate problem', async () => {
    const cli = await cliRunner({ COFFER_ADDR: server.address });
    const status = await cli(['status']);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/^Error checking seal status: Get "https:\/\/127\.0\.0\.1:\d+\/v1\/sys\/seal-status": .*certificate/);
    const init = await cli(['operator', 'init']);
    expect(init.code).toBe(2);
    expect(init.stderr).toMatch(/certificate/);
  });

  it('-tls-skip-verify and COFFER_SKIP_VERIFY skip verification', async () => {
    const cli = await cliRunner({ COFFER_ADDR: server.address });
    expect((await cli(['status', '-tls-skip-verify'])).code).toBe(2);
    expect((await cli(['status'], { env: { COFFER_SKIP_VERIFY: 'true' } })).code).toBe(2);
  });

  it('an unreadable -ca-cert is a local error', async () => {
    const cli = await cliRunner({ COFFER_ADDR: server.address });
    const result = await cli(['status', '-ca-cert=/nonexistent/ca.pem']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Error loading the CA certificate "/nonexistent/ca.pem": ENOENT');
  });
});
